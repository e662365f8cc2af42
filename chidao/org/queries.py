"""Reads of the organisation for pages, exports and the API.

Every read starts from `.visible_to(user)`: a user sees the subtree of the units where they hold
a role and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.utils import timezone

from chidao.org.models import (
    ROLE_ORDER,
    Committee,
    CommitteeGroup,
    CommitteeQuerySet,
    Membership,
    MembershipQuerySet,
    Person,
    PersonQuerySet,
    Role,
    Unit,
    UnitKind,
    UnitQuerySet,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from chidao.accounts.models import User

SESSION_KEY = "chidao_unit_id"


def switchable_units(user: User | AnonymousUser) -> UnitQuerySet:
    """The units the user holds a role on: the roots of what they can see."""
    if user.is_superuser:
        return Unit.objects.filter(parent__isnull=True)
    return Unit.objects.filter(role_grants__user__pk=user.pk or 0).distinct().order_by("depth", "name")


def current_unit_for(request: HttpRequest) -> Unit | None:
    """The unit chosen in the switcher (kept in the session), else the user's first root unit."""
    cached: Unit | None = getattr(request, "_chidao_unit", None)
    if cached is not None:
        return cached
    unit = None
    unit_id = request.session.get(SESSION_KEY)
    if unit_id is not None:
        unit = Unit.objects.visible_to(request.user).filter(pk=unit_id).first()
    if unit is None:
        units = switchable_units_for(request)
        unit = units[0] if units else None
    request._chidao_unit = unit  # type: ignore[attr-defined]  # per-request cache
    return unit


def switchable_units_for(request: HttpRequest) -> list[Unit]:
    """`switchable_units` of the request's user, read once per request (the switcher in every
    page's header, and the default unit when none is chosen)."""
    return _grants_for(request)[0]


def holds_role_somewhere(request: HttpRequest, minimum_role: str) -> bool:
    """Whether the request's user holds `minimum_role` or higher on some unit (read with the
    switcher's units, in the same statement)."""
    from chidao.accounts.models import ROLE_LEVEL

    if request.user.is_superuser:
        return True
    return any(ROLE_LEVEL[role] >= ROLE_LEVEL[minimum_role] for role in _grants_for(request)[1])


def _grants_for(request: HttpRequest) -> tuple[list[Unit], frozenset[str]]:
    """The units the user holds a role on (as `switchable_units` orders them) and the roles held,
    from one statement per request."""
    from chidao.accounts.models import RoleGrant

    cached: tuple[list[Unit], frozenset[str]] | None = getattr(request, "_chidao_grants", None)
    if cached is None:
        user = request.user
        if user.is_superuser:
            cached = (list(switchable_units(user)), frozenset())
        else:
            grants = list(RoleGrant.objects.filter(user__pk=user.pk or 0).select_related("unit").order_by())
            units = {grant.unit_id: grant.unit for grant in grants}
            ordered = sorted(units.values(), key=lambda unit: (unit.depth, unit.name))
            cached = (ordered, frozenset(grant.role for grant in grants))
        request._chidao_grants = cached  # type: ignore[attr-defined]  # per-request cache
    return cached


def ancestors(unit: Unit, user: User | AnonymousUser) -> list[Unit]:
    """Breadcrumb: the unit's ancestors the user may see, root first, the unit itself last."""
    return list(Unit.objects.ancestors_of(unit).visible_to(user))


def units_for(
    user: User | AnonymousUser,
    *,
    parent: Unit | None = None,
    text: str = "",
    kind: str = "",
    include_history: bool = False,
) -> UnitQuerySet:
    qs = Unit.objects.visible_to(user)
    if parent is not None:
        qs = qs.filter(parent=parent)
    if text:
        qs = qs.search(text)
    if kind:
        qs = qs.filter(kind=kind)
    if not include_history:
        qs = qs.current()
    return qs.order_by("kind", "name")


def subtree(user: User | AnonymousUser, unit: Unit, *, include_history: bool = False) -> UnitQuerySet:
    qs = Unit.objects.visible_to(user).subtree_of(unit)
    return qs if include_history else qs.current()


def unit_summary(user: User | AnonymousUser, unit: Unit) -> dict[str, int]:
    """Counts for the unit page: current children by kind, committees and people in the subtree."""
    counts = dict(
        Unit.objects.current().filter(parent=unit).values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    sub = Unit.objects.subtree_of(unit).values("id")
    return {
        "communes": counts.get(UnitKind.COMMUNE, 0),
        "agencies": counts.get(UnitKind.AGENCY, 0),
        "provinces": counts.get(UnitKind.PROVINCE, 0),
        "districts": counts.get(UnitKind.DISTRICT, 0),
        "committees": Committee.objects.visible_to(user).filter(unit__in=sub).count(),
        "people": Person.objects.visible_to(user).filter(unit__in=sub).count(),
    }


def committees_for(user: User | AnonymousUser, *, under: Unit | None = None, text: str = "") -> CommitteeQuerySet:
    qs = Committee.objects.visible_to(user).select_related("unit", "standing_agency")
    if under is not None:
        qs = qs.filter(unit__in=Unit.objects.subtree_of(under).values("id"))
    if text:
        from chidao.lib.text import fold

        folded = fold(text)
        qs = qs.filter(Q(name__icontains=text) | Q(short_name__icontains=text) | Q(unit__name_folded__contains=folded))
    return qs.annotate(
        member_count=Count(
            "memberships",
            filter=Q(memberships__start_date__lte=timezone.localdate())
            & (Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=timezone.localdate())),
        )
    ).order_by("unit__depth", "name")


def people_for(user: User | AnonymousUser, *, under: Unit | None = None, text: str = "") -> PersonQuerySet:
    qs = Person.objects.visible_to(user).select_related("unit", "agency")
    if under is not None:
        qs = qs.filter(unit__in=Unit.objects.subtree_of(under).values("id"))
    if text:
        qs = qs.search(text)
    return qs


@dataclass
class Composition:
    """A committee's composition on one day, in the order decisions list it."""

    day: dt.date
    leaders: list[Membership] = field(default_factory=list)
    members: list[Membership] = field(default_factory=list)
    groups: list[tuple[CommitteeGroup, list[Membership]]] = field(default_factory=list)
    others: list[Membership] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.leaders) + len(self.members) + sum(len(m) for _, m in self.groups) + len(self.others)


LEADER_ROLES = {Role.HEAD, Role.STANDING_DEPUTY, Role.DEPUTY}


def composition(committee: Committee, day: dt.date | None = None) -> Composition:
    """Who sat on the committee on `day`: two queries whatever the size."""
    on = day or timezone.localdate()
    seats = list(
        Membership.objects.filter(committee=committee)
        .active_on(on)
        .select_related("person", "person__agency", "group")
        .order_by("id")
    )
    seats.sort(key=lambda m: (ROLE_ORDER.get(m.role, 99), m.start_date, m.person.name_folded))
    result = Composition(day=on)
    by_group: dict[int, list[Membership]] = defaultdict(list)
    for seat in seats:
        if seat.role in LEADER_ROLES:
            result.leaders.append(seat)
        elif seat.group_id is not None:
            by_group[seat.group_id].append(seat)
        elif seat.role == Role.MEMBER:
            result.members.append(seat)
        else:
            result.others.append(seat)
    groups = list(committee.groups.all())
    result.groups = [(g, by_group.get(g.pk, [])) for g in groups]
    return result


@dataclass
class HistoryEvent:
    day: dt.date
    kind: str  # "start" | "end"
    membership: Membership
    decision: str


def history(committee: Committee) -> list[tuple[dt.date, str, list[HistoryEvent]]]:
    """Changes of composition, newest first, grouped by date and decision (one "kiện toàn" per group)."""
    events: list[HistoryEvent] = []
    for m in Membership.objects.filter(committee=committee).select_related("person", "group"):
        events.append(HistoryEvent(m.start_date, "start", m, m.decision))
        if m.end_date is not None:
            events.append(HistoryEvent(m.end_date + dt.timedelta(days=1), "end", m, m.end_decision))
    grouped: dict[tuple[dt.date, str], list[HistoryEvent]] = defaultdict(list)
    for e in events:
        grouped[(e.day, e.decision)].append(e)
    ordered = sorted(grouped.items(), key=lambda item: item[0][0], reverse=True)
    return [
        (
            day,
            decision,
            sorted(evs, key=lambda e: (e.kind != "end", e.membership.role_rank)),
        )
        for (day, decision), evs in ordered
    ]


def committee_memberships(committee: Committee, *, current_only: bool = False) -> MembershipQuerySet:
    """Seats of a committee the caller already fetched through the scope helper."""
    qs = Membership.objects.filter(committee=committee).select_related("person", "group")
    return qs.current().order_by("role", "id") if current_only else qs.order_by("start_date", "id")


def memberships_of(person: Person) -> MembershipQuerySet:
    return (
        Membership.objects.filter(person=person)
        .select_related("committee", "committee__unit", "group")
        .order_by("-start_date")
    )


def people_choices(user: User | AnonymousUser, unit: Unit) -> PersonQuerySet:
    """People a committee of `unit` may appoint: those managed in its subtree or its ancestors."""
    related = Unit.objects.subtree_of(unit).values("id")
    above = Unit.objects.ancestors_of(unit).values("id")
    return Person.objects.visible_to(user).filter(Q(unit__in=related) | Q(unit__in=above)).order_by("name_folded")


def agency_choices(user: User | AnonymousUser, unit: Unit) -> UnitQuerySet:
    return Unit.objects.visible_to(user).subtree_of(unit).current().filter(kind=UnitKind.AGENCY).order_by("name")
