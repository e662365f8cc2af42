"""Reads of meetings for pages, documents and the API.

Every read starts from `Meeting.objects.visible_to(user)`: a meeting is visible to those who see
its host committee's unit or, for a working delegation, its visiting committee's unit.
Choice lists for the forms follow the same rule, with one opening: the visiting committee of a
delegation may be any province-level (or central) committee, since delegations go between provinces.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Model, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chidao.meetings.models import (
    AgendaDocument,
    AgendaItem,
    Attendance,
    Conclusion,
    Invitee,
    Meeting,
    MeetingQuerySet,
)
from chidao.meetings.services.common import EDITOR
from chidao.org.models import Committee, CommitteeQuerySet, Membership, Person, PersonQuerySet, Unit, UnitKind

if TYPE_CHECKING:
    from chidao.org.scope import AnyUser


def meetings_for(
    user: AnyUser,
    *,
    committee_id: int | None = None,
    kind: str = "",
    year: int | None = None,
    text: str = "",
    status: str = "",
) -> MeetingQuerySet:
    qs = Meeting.objects.visible_to(user).select_related("host_committee__unit", "visiting_committee__unit", "chair")
    if committee_id is not None:
        qs = qs.involving_committee(committee_id)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if year is not None:
        qs = qs.in_year(year)
    if text:
        qs = qs.search(text)
    return qs.annotate(conclusion_count=Count("conclusions")).order_by("-starts_at", "-id")


def meeting_years(user: AnyUser) -> list[int]:
    """Years that have a visible meeting, newest first, for the year filter."""
    years = (
        Meeting.objects.visible_to(user)
        .annotate(y=ExtractYear("starts_at", tzinfo=timezone.get_current_timezone()))
        .values_list("y", flat=True)
        .distinct()
    )
    return sorted({y for y in years if y}, reverse=True)


def filter_committees(user: AnyUser) -> CommitteeQuerySet:
    """Committees for the list filter: those the user sees plus the other side of visible delegations."""
    meetings = Meeting.objects.visible_to(user)
    return (
        Committee.objects.filter(
            Q(pk__in=Committee.objects.visible_to(user).values("pk"))
            | Q(pk__in=meetings.values("host_committee"))
            | Q(pk__in=meetings.filter(visiting_committee__isnull=False).values("visiting_committee"))
        )
        .select_related("unit")
        .order_by("unit__depth", "name")
    )


def host_committee_choices(user: AnyUser) -> CommitteeQuerySet:
    """Committees the user may record meetings for: active ones under their secretariat grants."""
    return Committee.objects.visible_to(user, minimum_role=EDITOR).active().select_related("unit")


def visiting_committee_choices(user: AnyUser) -> CommitteeQuerySet:
    """Committees that may visit: those the user sees, and every province-level or central committee."""
    return (
        Committee.objects.filter(
            Q(pk__in=Committee.objects.visible_to(user).values("pk"))
            | Q(unit__kind__in=[UnitKind.PROVINCE, UnitKind.NATIONAL])
        )
        .select_related("unit")
        .order_by("unit__depth", "unit__name", "name")
    )


def people_choices(user: AnyUser, meeting: Meeting | None = None) -> PersonQuerySet:
    """People to invite, to chair or to present: those the user sees, plus the current members of
    the meeting's committees (the visiting delegation's members live in another province)."""
    condition = Q(pk__in=Person.objects.visible_to(user).values("pk"))
    if meeting is not None:
        committees = [c for c in (meeting.host_committee_id, meeting.visiting_committee_id) if c]
        members = Membership.objects.filter(committee_id__in=committees).current().values("person_id")
        condition |= Q(pk__in=members)
        condition |= Q(pk__in=meeting.invitees.values("person_id"))
        if meeting.chair_id:
            condition |= Q(pk=meeting.chair_id)
    return Person.objects.filter(condition).order_by("name_folded")


def unit_choices(user: AnyUser, meeting: Meeting) -> Any:
    """Units to invite: the host unit, its current sub-units and agencies, and the visiting committee's unit."""
    host = meeting.host_committee.unit
    condition = Q(pk=host.pk) | Q(parent=host)
    if meeting.visiting_committee_id:
        condition |= Q(pk=meeting.visiting_committee.unit_id)  # type: ignore[union-attr]
    return Unit.objects.filter(condition).current().order_by("depth", "kind", "name")


@dataclass
class MeetingDetail:
    agenda: list[AgendaItem]
    invitees: list[Invitee]
    invited_units: list[Unit]
    conclusions: list[Conclusion]
    attendance: dict[str, int]


def meeting_detail(meeting: Meeting) -> MeetingDetail:
    """Everything the detail page shows, in five queries."""
    agenda = list(
        meeting.agenda_items.select_related("presenter").prefetch_related(
            Prefetch("documents", queryset=AgendaDocument.objects.order_by("id"))
        )
    )
    invitees = list(meeting.invitees.select_related("person__agency", "delegate").order_by("person__name_folded"))
    counts = Counter(i.attendance for i in invitees)
    attendance = {
        "invited": len(invitees),
        "present": counts[Attendance.PRESENT],
        "absent": counts[Attendance.ABSENT],
        "delegated": counts[Attendance.DELEGATED],
        "unknown": counts[Attendance.UNKNOWN],
    }
    return MeetingDetail(
        agenda=agenda,
        invitees=invitees,
        invited_units=list(meeting.invited_units.order_by("depth", "name")),
        conclusions=list(meeting.conclusions.order_by("number")),
        attendance=attendance,
    )


def chair_position(meeting: Meeting) -> str:
    """The chair's role in the host committee on the meeting day ("Trưởng ban"), else their titles."""
    if meeting.chair_id is None:
        return ""
    day = timezone.localtime(meeting.starts_at).date()
    seat = (
        Membership.objects.filter(committee_id=meeting.host_committee_id, person_id=meeting.chair_id)
        .active_on(day)
        .order_by("id")
        .first()
    )
    if seat is not None:
        return str(seat.get_role_display())
    return meeting.chair.titles if meeting.chair else ""


def choice_or_404[M: Model](choices: QuerySet[M], pk: int | None) -> M | None:
    """The row `pk` of a choice list (None for None); 404 when it is not offered to the user."""
    if pk is None:
        return None
    found = choices.filter(pk=pk).first()
    if found is None:
        raise Http404(_("Không tìm thấy."))
    return found
