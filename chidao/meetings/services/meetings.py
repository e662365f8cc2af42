"""Writes of a meeting: the record itself, its agenda and documents, invitees, attendance, minutes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from chidao.audit import services as audit
from chidao.meetings import files
from chidao.meetings.models import (
    TRANSITIONS,
    AgendaDocument,
    AgendaItem,
    Attendance,
    Invitee,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from chidao.meetings.services.common import EDITOR, full_clean, require_host_editor, required_text
from chidao.org.models import Committee, Person, Unit
from chidao.org.scope import require_role

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

    from chidao.accounts.models import User

MEETING_FIELDS = {
    "kind",
    "title",
    "visiting_committee",
    "starts_at",
    "ends_at",
    "place",
    "chair",
    "status",
    "description",
    "invitation_number",
}


def _check_meeting(meeting: Meeting) -> None:
    meeting.title = required_text(meeting.title, "title", _("Hãy nhập tên cuộc họp."))
    if meeting.kind not in MeetingKind.values:
        raise ValidationError({"kind": _("Loại cuộc họp “%(value)s” không hợp lệ.") % {"value": meeting.kind}})
    if meeting.status not in MeetingStatus.values:
        raise ValidationError({"status": _("Trạng thái “%(value)s” không hợp lệ.") % {"value": meeting.status}})
    if meeting.kind == MeetingKind.DELEGATION and meeting.visiting_committee_id is None:
        raise ValidationError({"visiting_committee": _("Đoàn công tác cần ghi Ban Chỉ đạo đến làm việc (bên đoàn).")})
    if meeting.visiting_committee_id is not None and meeting.visiting_committee_id == meeting.host_committee_id:
        raise ValidationError({"visiting_committee": _("Ban Chỉ đạo đến làm việc phải khác Ban Chỉ đạo chủ trì.")})
    if meeting.ends_at is not None and meeting.ends_at < meeting.starts_at:
        raise ValidationError({"ends_at": _("Thời gian kết thúc không được trước thời gian bắt đầu.")})


def _unit(meeting: Meeting) -> Unit:
    return meeting.host_committee.unit


@transaction.atomic
def create_meeting(
    *,
    actor: User,
    host_committee: Committee,
    title: str,
    starts_at: dt.datetime,
    kind: str = MeetingKind.REGULAR,
    visiting_committee: Committee | None = None,
    ends_at: dt.datetime | None = None,
    place: str = "",
    chair: Person | None = None,
    status: str = MeetingStatus.PLANNED,
    description: str = "",
    invitation_number: str = "",
) -> Meeting:
    """Record a meeting hosted by `host_committee`; the actor needs the secretariat role on its unit."""
    require_role(actor, host_committee.unit, EDITOR)
    meeting = Meeting(
        host_committee=host_committee,
        visiting_committee=visiting_committee,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        chair=chair,
        status=status,
        description=description.strip(),
        invitation_number=invitation_number.strip(),
        created_by=actor if actor.pk else None,
    )
    _check_meeting(meeting)
    full_clean(meeting, exclude=["created_by"])
    meeting.save()
    audit.record(
        actor=actor,
        action="meetings.meeting.created",
        target=meeting,
        unit=host_committee.unit,
        changes=audit.snapshot(meeting, ["kind", "title", "host_committee_id", "visiting_committee_id", "starts_at"]),
    )
    return meeting


@transaction.atomic
def update_meeting(*, actor: User, meeting: Meeting, **fields: Any) -> Meeting:
    """Change the record; a status change follows `TRANSITIONS`. The host committee never changes."""
    require_host_editor(actor, meeting)
    unknown = set(fields) - MEETING_FIELDS
    if unknown:
        raise ValidationError(_("Không thể sửa các trường: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    new_status = fields.get("status", meeting.status)
    if new_status != meeting.status and new_status not in TRANSITIONS.get(meeting.status, set()):
        raise ValidationError(
            {
                "status": _("Không thể chuyển trạng thái từ “%(old)s” sang “%(new)s”.")
                % {"old": meeting.get_status_display(), "new": MeetingStatus(new_status).label}
            }
            if new_status in MeetingStatus.values
            else {"status": _("Trạng thái “%(value)s” không hợp lệ.") % {"value": new_status}}
        )
    before = audit.snapshot(meeting)
    for name, value in fields.items():
        setattr(meeting, name, value.strip() if isinstance(value, str) and name != "kind" else value)
    _check_meeting(meeting)
    full_clean(meeting, exclude=["created_by"])
    meeting.save()
    changes = audit.diff(before, audit.snapshot(meeting))
    changes.pop("title_folded", None)
    if changes:
        audit.record(
            actor=actor, action="meetings.meeting.updated", target=meeting, unit=_unit(meeting), changes=changes
        )
    return meeting


# --- agenda and documents ---------------------------------------------------------------------


def _store(field_file: FieldFile, upload: UploadedFile[Any], *, field: str) -> tuple[files.FileType, str]:
    file_type, name = files.check_upload(upload, name=upload.name or "", size=upload.size or 0, field=field)
    field_file.save(files.storage_name(file_type), upload, save=False)
    return file_type, name


def _delete_after_commit(field_file: FieldFile) -> None:
    """Remove a stored file once the change that dropped it is committed (a rollback keeps it)."""
    if not field_file:
        return
    storage, name = field_file.storage, field_file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def add_agenda_item(
    *,
    actor: User,
    meeting: Meeting,
    title: str,
    presenter: Person | None = None,
    presenter_text: str = "",
    order: int | None = None,
    upload: UploadedFile[Any] | None = None,
) -> AgendaItem:
    """Append a point of the agenda (with one document when `upload` is given)."""
    require_host_editor(actor, meeting)
    if order is None:
        order = (meeting.agenda_items.aggregate(m=Max("order"))["m"] or 0) + 1
    item = AgendaItem(
        meeting=meeting,
        order=order,
        title=required_text(title, "title", _("Hãy nhập nội dung chương trình.")),
        presenter=presenter,
        presenter_text=presenter_text.strip(),
    )
    full_clean(item)
    item.save()
    audit.record(
        actor=actor,
        action="meetings.agenda_item.added",
        target=item,
        unit=_unit(meeting),
        changes=audit.snapshot(item),
    )
    if upload is not None:
        attach_document(actor=actor, item=item, upload=upload)
    return item


@transaction.atomic
def update_agenda_item(*, actor: User, item: AgendaItem, **fields: Any) -> AgendaItem:
    require_host_editor(actor, item.meeting)
    unknown = set(fields) - {"order", "title", "presenter", "presenter_text"}
    if unknown:
        raise ValidationError(_("Không thể sửa các trường: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    before = audit.snapshot(item)
    for name, value in fields.items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    item.title = required_text(item.title, "title", _("Hãy nhập nội dung chương trình."))
    full_clean(item)
    item.save()
    changes = audit.diff(before, audit.snapshot(item))
    if changes:
        audit.record(
            actor=actor, action="meetings.agenda_item.updated", target=item, unit=_unit(item.meeting), changes=changes
        )
    return item


@transaction.atomic
def remove_agenda_item(*, actor: User, item: AgendaItem) -> None:
    require_host_editor(actor, item.meeting)
    for document in item.documents.all():
        _delete_after_commit(document.file)
    audit.record(
        actor=actor,
        action="meetings.agenda_item.removed",
        target=item,
        unit=_unit(item.meeting),
        changes=audit.snapshot(item),
    )
    item.delete()


@transaction.atomic
def attach_document(*, actor: User, item: AgendaItem, upload: UploadedFile[Any]) -> AgendaDocument:
    """Keep a document of an agenda item: PDF, DOCX, XLSX or an image, checked from its bytes."""
    require_host_editor(actor, item.meeting)
    document = AgendaDocument(agenda_item=item, uploaded_by=actor if actor.pk else None)
    file_type, name = _store(document.file, upload, field="file")
    document.name = name
    document.content_type = file_type.content_type
    document.size = upload.size or 0
    document.save()
    audit.record(
        actor=actor,
        action="meetings.document.attached",
        target=document,
        unit=_unit(item.meeting),
        changes={"name": name, "size": document.size, "content_type": document.content_type},
    )
    return document


@transaction.atomic
def remove_document(*, actor: User, document: AgendaDocument) -> None:
    meeting = document.agenda_item.meeting
    require_host_editor(actor, meeting)
    _delete_after_commit(document.file)
    audit.record(
        actor=actor,
        action="meetings.document.removed",
        target=document,
        unit=_unit(meeting),
        changes={"name": document.name},
    )
    document.delete()


# --- invitees and attendance ------------------------------------------------------------------


@transaction.atomic
def invite(
    *,
    actor: User,
    meeting: Meeting,
    people: Iterable[Person] = (),
    units: Iterable[Unit] = (),
) -> int:
    """Add invited people and units; those already invited are left as they are. Returns how many were added."""
    require_host_editor(actor, meeting)
    invited = set(meeting.invitees.values_list("person_id", flat=True))
    new_people = [p for p in dict.fromkeys(people) if p.pk not in invited]
    Invitee.objects.bulk_create([Invitee(meeting=meeting, person=p) for p in new_people])
    present_units = set(meeting.invited_units.values_list("id", flat=True))
    new_units = [u for u in dict.fromkeys(units) if u.pk not in present_units]
    meeting.invited_units.add(*new_units)
    if new_people or new_units:
        audit.record(
            actor=actor,
            action="meetings.invitees.added",
            target=meeting,
            unit=_unit(meeting),
            changes={"people": [p.pk for p in new_people], "units": [u.pk for u in new_units]},
        )
    return len(new_people) + len(new_units)


@transaction.atomic
def remove_invitee(*, actor: User, invitee: Invitee) -> None:
    meeting = invitee.meeting
    require_host_editor(actor, meeting)
    audit.record(
        actor=actor,
        action="meetings.invitee.removed",
        target=meeting,
        unit=_unit(meeting),
        changes={"person": invitee.person_id},
    )
    invitee.delete()


@transaction.atomic
def remove_invited_unit(*, actor: User, meeting: Meeting, unit: Unit) -> None:
    require_host_editor(actor, meeting)
    if meeting.invited_units.filter(pk=unit.pk).exists():
        meeting.invited_units.remove(unit)
        audit.record(
            actor=actor,
            action="meetings.invited_unit.removed",
            target=meeting,
            unit=_unit(meeting),
            changes={"unit": unit.pk},
        )


@dataclass(frozen=True)
class AttendanceRow:
    """One invitee's attendance as entered: present, absent with a reason, or delegated to someone."""

    person_id: int
    attendance: str
    absence_reason: str = ""
    delegate: Person | None = None
    delegate_name: str = ""


def _apply_attendance(invitee: Invitee, row: AttendanceRow) -> None:
    who = invitee.person.full_name
    if row.attendance not in Attendance.values:
        raise ValidationError(
            {
                "attendance": _("Tình trạng tham dự “%(value)s” không hợp lệ (%(person)s).")
                % {"value": row.attendance, "person": who}
            }
        )
    reason, delegate, delegate_name = row.absence_reason.strip(), row.delegate, row.delegate_name.strip()
    if row.attendance == Attendance.ABSENT and not reason:
        raise ValidationError({"absence_reason": _("Hãy ghi lý do vắng mặt của %(person)s.") % {"person": who}})
    if row.attendance == Attendance.DELEGATED:
        if delegate is None and not delegate_name:
            raise ValidationError({"delegate": _("Hãy ghi người dự thay %(person)s.") % {"person": who}})
        if delegate is not None and delegate.pk == invitee.person_id:
            raise ValidationError({"delegate": _("Người dự thay phải khác %(person)s.") % {"person": who}})
    if row.attendance != Attendance.DELEGATED:
        delegate, delegate_name = None, ""
    if row.attendance not in (Attendance.ABSENT, Attendance.DELEGATED):
        reason = ""
    invitee.attendance = row.attendance
    invitee.absence_reason = reason
    invitee.delegate = delegate
    invitee.delegate_name = delegate_name


@transaction.atomic
def record_attendance(*, actor: User, meeting: Meeting, rows: Iterable[AttendanceRow]) -> list[Invitee]:
    """Set the attendance of invited people (điểm danh), all rows or none."""
    require_host_editor(actor, meeting)
    invitees = {i.person_id: i for i in meeting.invitees.select_related("person").select_for_update()}
    changed: list[Invitee] = []
    changes: dict[str, Any] = {}
    for row in rows:
        invitee = invitees.get(row.person_id)
        if invitee is None:
            raise ValidationError({"person": _("Người #%(id)s không có trong danh sách mời.") % {"id": row.person_id}})
        before = audit.snapshot(invitee, ["attendance", "absence_reason", "delegate_id", "delegate_name"])
        _apply_attendance(invitee, row)
        after = audit.snapshot(invitee, ["attendance", "absence_reason", "delegate_id", "delegate_name"])
        if before != after:
            changed.append(invitee)
            changes[str(invitee.person_id)] = audit.diff(before, after)
    if changed:
        Invitee.objects.bulk_update(changed, ["attendance", "absence_reason", "delegate", "delegate_name"])
        audit.record(
            actor=actor, action="meetings.attendance.recorded", target=meeting, unit=_unit(meeting), changes=changes
        )
    return changed


# --- minutes ----------------------------------------------------------------------------------


@transaction.atomic
def save_minutes(
    *,
    actor: User,
    meeting: Meeting,
    text: str,
    upload: UploadedFile[Any] | None = None,
    remove_file: bool = False,
) -> Meeting:
    """The minutes (biên bản): text, and optionally the signed file (a new file replaces the old)."""
    require_host_editor(actor, meeting)
    changes: dict[str, Any] = {}
    text = text.strip()
    if text != meeting.minutes_text:
        changes["minutes_text"] = [len(meeting.minutes_text), len(text)]
        meeting.minutes_text = text
    if (upload is not None or remove_file) and meeting.minutes_file:
        _delete_after_commit(meeting.minutes_file)
        changes["minutes_file_removed"] = meeting.minutes_file_name
        meeting.minutes_file = None  # clears the FileField
        meeting.minutes_file_name = ""
    if upload is not None:
        _file_type, name = _store(meeting.minutes_file, upload, field="minutes_file")
        meeting.minutes_file_name = name
        changes["minutes_file"] = name
    if changes:
        meeting.save(update_fields=["minutes_text", "minutes_file", "minutes_file_name", "updated_at"])
        audit.record(actor=actor, action="meetings.minutes.saved", target=meeting, unit=_unit(meeting), changes=changes)
    return meeting
