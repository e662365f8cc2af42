"""Writes to the organisation: units and agencies, committees and groups, people, memberships.

Rules enforced here (for the UI and the API alike):
- the actor needs the secretariat role or higher on the unit concerned (`scope.require_role`);
- unit codes are unique, a unit is never its own ancestor, validity dates are ordered;
- a membership ends on or after the day it starts; its role is one of `Role`; a reshuffle
  ("kiện toàn") ends and opens memberships under one decision in one transaction;
- every change writes an audit entry in the same transaction; the unit closure table is kept
  in step with parent links.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from chidao.audit import services as audit
from chidao.lib.text import slug_code
from chidao.org.models import (
    AgencyType,
    Committee,
    CommitteeGroup,
    CommitteeKind,
    GroupKind,
    Membership,
    Person,
    Role,
    Unit,
    UnitClosure,
    UnitKind,
)
from chidao.org.scope import require_role

if TYPE_CHECKING:
    from chidao.accounts.models import User

EDITOR = "secretariat"


def _full_clean(instance: Any, exclude: list[str] | None = None) -> None:
    instance.full_clean(exclude=exclude)


def _apply_update[T: models.Model](
    *,
    actor: User,
    instance: T,
    unit: Unit,
    fields: dict[str, Any],
    allowed: set[str],
    action: str,
    check: Callable[[T], None] | None = None,
    exclude: list[str] | None = None,
) -> T:
    """Set `fields` (only those `allowed`), validate, save and audit the before/after difference."""
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("Không thể sửa các trường: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    before = audit.snapshot(instance)
    for name, value in fields.items():
        setattr(instance, name, value)
    if check is not None:
        check(instance)
    _full_clean(instance, exclude=exclude)
    instance.save()
    changes = audit.diff(before, audit.snapshot(instance))
    if changes:
        audit.record(actor=actor, action=action, target=instance, unit=unit, changes=changes)
    return instance


# --- units -----------------------------------------------------------------------------------


def add_closure_rows(unit: Unit) -> None:
    """Insert the closure rows of a new leaf `unit`: its parent's ancestors plus itself."""
    rows = [UnitClosure(ancestor_id=unit.pk, descendant_id=unit.pk, distance=0)]
    if unit.parent_id is not None:
        rows += [
            UnitClosure(
                ancestor_id=link.ancestor_id,
                descendant_id=unit.pk,
                distance=link.distance + 1,
            )
            for link in UnitClosure.objects.filter(descendant_id=unit.parent_id)
        ]
    UnitClosure.objects.bulk_create(rows)


def rebuild_closure() -> int:
    """Recompute the whole closure table from parent links (after bulk loads or moves)."""
    parents: dict[int, int | None] = dict(Unit.objects.values_list("id", "parent_id"))
    rows: list[UnitClosure] = []
    depths: dict[int, int] = {}
    for unit_id in parents:
        distance = 0
        node: int | None = unit_id
        seen: set[int] = set()
        while node is not None:
            if node in seen:
                raise ValidationError(_("Cây đơn vị có vòng lặp tại đơn vị #%(id)s.") % {"id": unit_id})
            seen.add(node)
            rows.append(UnitClosure(ancestor_id=node, descendant_id=unit_id, distance=distance))
            distance += 1
            node = parents[node]
        depths[unit_id] = distance - 1
    UnitClosure.objects.all().delete()
    UnitClosure.objects.bulk_create(rows, batch_size=5000)
    stale = [u for u in Unit.objects.only("id", "depth") if u.depth != depths[u.pk]]
    for u in stale:
        u.depth = depths[u.pk]
    Unit.objects.bulk_update(stale, ["depth"], batch_size=2000)
    return len(rows)


@transaction.atomic
def create_unit(
    *,
    actor: User,
    parent: Unit,
    name: str,
    kind: str = UnitKind.AGENCY,
    agency_type: str = "",
    code: str = "",
    valid_from: dt.date | None = None,
    note: str = "",
) -> Unit:
    """Attach a new unit (usually an agency: ban, sở, đoàn thể, cơ quan báo chí) under `parent`."""
    require_role(actor, parent, EDITOR)
    if kind not in UnitKind.values:
        raise ValidationError({"kind": _("Loại đơn vị “%(value)s” không hợp lệ.") % {"value": kind}})
    if kind == UnitKind.AGENCY and agency_type not in AgencyType.values:
        raise ValidationError({"agency_type": _("Hãy chọn loại cơ quan.")})
    code = (code or f"{parent.code}-{slug_code(name)}")[:40]
    if Unit.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Mã đơn vị “%(code)s” đã tồn tại.") % {"code": code}})
    unit = Unit(
        parent=parent,
        name=name.strip(),
        kind=kind,
        agency_type=agency_type if kind == UnitKind.AGENCY else "",
        code=code,
        valid_from=valid_from,
        note=note,
        depth=parent.depth + 1,
    )
    _full_clean(unit)
    unit.save()
    add_closure_rows(unit)
    audit.record(
        actor=actor,
        action="org.unit.created",
        target=unit,
        unit=unit,
        changes=audit.snapshot(unit),
    )
    return unit


@transaction.atomic
def update_unit(*, actor: User, unit: Unit, **fields: Any) -> Unit:
    """Change a unit's name, code, agency type, validity, successor or note (not its parent)."""
    require_role(actor, unit, EDITOR)

    def check(u: Unit) -> None:
        if "code" in fields and Unit.objects.filter(code=u.code).exclude(pk=u.pk).exists():
            raise ValidationError({"code": _("Mã đơn vị “%(code)s” đã tồn tại.") % {"code": u.code}})
        if u.successor_id is not None and u.successor_id == u.pk:
            raise ValidationError({"successor": _("Đơn vị không thể kế thừa chính nó.")})

    allowed = {"name", "code", "agency_type", "valid_from", "valid_until", "successor", "note"}
    return _apply_update(
        actor=actor,
        instance=unit,
        unit=unit,
        fields=fields,
        allowed=allowed,
        action="org.unit.updated",
        check=check,
        exclude=["parent"],
    )


# --- committees and groups -------------------------------------------------------------------


@transaction.atomic
def create_committee(
    *,
    actor: User,
    unit: Unit,
    name: str,
    short_name: str = "",
    kind: str = CommitteeKind.PARTY,
    founding_decision: str = "",
    founded_on: dt.date | None = None,
    standing_agency: Unit | None = None,
    description: str = "",
) -> Committee:
    require_role(actor, unit, EDITOR)
    committee = Committee(
        unit=unit,
        name=name.strip(),
        short_name=short_name.strip(),
        kind=kind,
        founding_decision=founding_decision.strip(),
        founded_on=founded_on,
        standing_agency=standing_agency,
        description=description,
    )
    _check_standing_agency(committee)
    _full_clean(committee)
    committee.save()
    audit.record(
        actor=actor,
        action="org.committee.created",
        target=committee,
        unit=unit,
        changes=audit.snapshot(committee),
    )
    return committee


def _check_standing_agency(committee: Committee) -> None:
    agency = committee.standing_agency
    if agency is not None and not Unit.objects.subtree_of(committee.unit).filter(pk=agency.pk).exists():
        raise ValidationError(
            {"standing_agency": _("Cơ quan thường trực phải thuộc %(unit)s.") % {"unit": committee.unit.name}}
        )


@transaction.atomic
def update_committee(*, actor: User, committee: Committee, **fields: Any) -> Committee:
    require_role(actor, committee.unit, EDITOR)
    allowed = {
        "name",
        "short_name",
        "kind",
        "founding_decision",
        "founded_on",
        "standing_agency",
        "description",
        "dissolved_on",
    }
    return _apply_update(
        actor=actor,
        instance=committee,
        unit=committee.unit,
        fields=fields,
        allowed=allowed,
        action="org.committee.updated",
        check=_check_standing_agency,
    )


@transaction.atomic
def create_group(*, actor: User, committee: Committee, kind: str, name: str) -> CommitteeGroup:
    require_role(actor, committee.unit, EDITOR)
    if kind not in GroupKind.values:
        raise ValidationError({"kind": _("Loại tổ, nhóm “%(value)s” không hợp lệ.") % {"value": kind}})
    if committee.groups.filter(name=name.strip()).exists():
        raise ValidationError({"name": _("Ban Chỉ đạo đã có tổ, nhóm “%(name)s”.") % {"name": name}})
    group = CommitteeGroup(committee=committee, kind=kind, name=name.strip())
    _full_clean(group)
    group.save()
    audit.record(
        actor=actor,
        action="org.group.created",
        target=group,
        unit=committee.unit,
        changes=audit.snapshot(group),
    )
    return group


# --- people ----------------------------------------------------------------------------------


@transaction.atomic
def create_person(
    *,
    actor: User,
    unit: Unit,
    full_name: str,
    titles: str = "",
    agency: Unit | None = None,
    email: str = "",
    phone: str = "",
    note: str = "",
) -> Person:
    require_role(actor, unit, EDITOR)
    person = Person(
        unit=unit,
        full_name=full_name.strip(),
        titles=titles.strip(),
        agency=agency,
        email=email,
        phone=phone,
        note=note,
    )
    _full_clean(person)
    person.save()
    audit.record(
        actor=actor,
        action="org.person.created",
        target=person,
        unit=unit,
        changes=audit.snapshot(person),
    )
    return person


@transaction.atomic
def update_person(*, actor: User, person: Person, **fields: Any) -> Person:
    require_role(actor, person.unit, EDITOR)
    allowed = {"full_name", "titles", "agency", "email", "phone", "note"}
    return _apply_update(
        actor=actor, instance=person, unit=person.unit, fields=fields, allowed=allowed, action="org.person.updated"
    )


# --- memberships -----------------------------------------------------------------------------


def _validate_membership(membership: Membership) -> None:
    if membership.role not in Role.values:
        raise ValidationError({"role": _("Vai trò “%(value)s” không hợp lệ.") % {"value": membership.role}})
    if membership.end_date is not None and membership.end_date < membership.start_date:
        raise ValidationError({"end_date": _("Ngày kết thúc không được trước ngày bắt đầu.")})
    if membership.group is not None and membership.group.committee_id != membership.committee_id:
        raise ValidationError({"group": _("Tổ, nhóm này không thuộc Ban Chỉ đạo.")})
    overlapping = Membership.objects.filter(
        committee_id=membership.committee_id,
        person_id=membership.person_id,
        role=membership.role,
    ).exclude(pk=membership.pk)
    if membership.end_date is not None:
        overlapping = overlapping.filter(start_date__lte=membership.end_date)
    for other in overlapping:
        if other.end_date is None or other.end_date >= membership.start_date:
            raise ValidationError(
                {
                    "person": _("%(person)s đã giữ vai trò %(role)s trong khoảng thời gian này.")
                    % {
                        "person": membership.person.full_name,
                        "role": membership.get_role_display(),
                    }
                }
            )
    membership.full_clean()


@transaction.atomic
def appoint_member(
    *,
    actor: User,
    committee: Committee,
    person: Person,
    role: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    group: CommitteeGroup | None = None,
    position: str = "",
    decision: str = "",
    note: str = "",
) -> Membership:
    """Give `person` a seat in `committee` from `start_date` under `decision`."""
    require_role(actor, committee.unit, EDITOR)
    membership = Membership(
        committee=committee,
        person=person,
        role=role,
        group=group,
        position=position.strip() or person.titles,
        start_date=start_date,
        end_date=end_date,
        decision=decision.strip(),
        note=note,
    )
    _validate_membership(membership)
    membership.save()
    audit.record(
        actor=actor,
        action="org.membership.created",
        target=membership,
        unit=committee.unit,
        changes=audit.snapshot(membership),
    )
    return membership


@transaction.atomic
def end_membership(*, actor: User, membership: Membership, end_date: dt.date, end_decision: str = "") -> Membership:
    """Close a seat on `end_date` (the last day served); the row stays as history."""
    require_role(actor, membership.committee.unit, EDITOR)
    if membership.end_date is not None and membership.end_date < end_date:
        raise ValidationError(
            {
                "end_date": _("Thành viên này đã thôi từ ngày %(day)s.")
                % {"day": membership.end_date.strftime("%d/%m/%Y")}
            }
        )
    before = audit.snapshot(membership)
    membership.end_date = end_date
    membership.end_decision = end_decision.strip()
    _validate_membership(membership)
    membership.save(update_fields=["end_date", "end_decision"])
    audit.record(
        actor=actor,
        action="org.membership.ended",
        target=membership,
        unit=membership.committee.unit,
        changes=audit.diff(before, audit.snapshot(membership)),
    )
    return membership


@dataclass(frozen=True)
class Appointment:
    person: Person
    role: str
    position: str = ""
    group: CommitteeGroup | None = None


@transaction.atomic
def reshuffle_committee(
    *,
    actor: User,
    committee: Committee,
    decision: str,
    effective_date: dt.date,
    ending: list[Membership],
    appointments: list[Appointment],
) -> list[Membership]:
    """Kiện toàn: end `ending` the day before `effective_date` and open `appointments` on it, under one decision.

    All or nothing: one invalid row rolls the whole reshuffle back.
    """
    require_role(actor, committee.unit, EDITOR)
    if not decision.strip():
        raise ValidationError({"decision": _("Hãy nhập số quyết định kiện toàn.")})
    if not ending and not appointments:
        raise ValidationError(_("Kiện toàn cần ít nhất một thay đổi."))
    last_day = effective_date - dt.timedelta(days=1)
    for membership in ending:
        if membership.committee_id != committee.pk:
            raise ValidationError(
                _("Thành viên %(person)s không thuộc Ban Chỉ đạo này.") % {"person": membership.person}
            )
        if membership.start_date > last_day:
            raise ValidationError(
                {
                    "end_date": _("%(person)s bắt đầu từ %(day)s, không thể thôi trước ngày đó.")
                    % {
                        "person": membership.person.full_name,
                        "day": membership.start_date.strftime("%d/%m/%Y"),
                    }
                }
            )
        end_membership(actor=actor, membership=membership, end_date=last_day, end_decision=decision)
    created = [
        appoint_member(
            actor=actor,
            committee=committee,
            person=a.person,
            role=a.role,
            group=a.group,
            position=a.position,
            start_date=effective_date,
            decision=decision,
        )
        for a in appointments
    ]
    audit.record(
        actor=actor,
        action="org.committee.reshuffled",
        target=committee,
        unit=committee.unit,
        changes={
            "decision": decision,
            "effective_date": effective_date,
            "ended": [m.pk for m in ending],
            "appointed": [m.pk for m in created],
        },
    )
    return created
