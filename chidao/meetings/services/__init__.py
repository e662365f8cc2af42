"""Writes of meetings and working delegations.

Rules enforced here, for the pages and the API alike:
- only the host committee's unit edits a meeting (secretariat role or higher, reaching down the
  tree); the visiting committee of a delegation reads it but changes nothing;
- a working delegation names the visiting committee, which differs from the host; the end is not
  before the start; status changes follow `models.TRANSITIONS`;
- an absent invitee has a reason, a delegated one names who came instead;
- uploaded files are PDF, DOCX, XLSX or images, checked from their first bytes, within the size
  limit (settings.MEETING_UPLOAD_MAX_BYTES), stored under "meetings/" with a random name;
- conclusions are numbered 1…n; saving keeps rows by number so links from tasks survive;
- every change writes an audit entry in the same transaction.
"""

from chidao.meetings.services.common import EDITOR, can_edit, require_host_editor
from chidao.meetings.services.conclusions import record_conclusions_from_text, save_conclusions, split_conclusions
from chidao.meetings.services.meetings import (
    AttendanceRow,
    add_agenda_item,
    attach_document,
    create_meeting,
    invite,
    record_attendance,
    remove_agenda_item,
    remove_document,
    remove_invited_unit,
    remove_invitee,
    save_minutes,
    update_agenda_item,
    update_meeting,
)

__all__ = [
    "EDITOR",
    "AttendanceRow",
    "add_agenda_item",
    "attach_document",
    "can_edit",
    "create_meeting",
    "invite",
    "record_attendance",
    "record_conclusions_from_text",
    "remove_agenda_item",
    "remove_document",
    "remove_invited_unit",
    "remove_invitee",
    "require_host_editor",
    "save_conclusions",
    "save_minutes",
    "split_conclusions",
    "update_agenda_item",
    "update_meeting",
]
