"""Writes of task follow-up.

Rules enforced here, for pages and the API alike:
- a task is given by the secretariat (or higher) of the assigning unit to a current unit of that
  unit's subtree; coordinators and the lead person come from the same subtree; the due date is
  not before the day of assignment; a document or plan source names its document;
- the lead side (lead person's account, or the lead unit's secretariat) reports progress (0-100%)
  and completion, asks for extensions and splits the task into sub-tasks for units under the
  lead unit, due no later than the task; the assigning side decides extensions (a refusal needs
  a reason; an approval moves the due date, the original stays), evaluates completed tasks and
  edits the wording, lead person and coordinators;
- completing a recurring task creates its next occurrence (monthly or quarterly), once;
- turning meeting conclusions into tasks is all or nothing, with row-numbered errors;
- status is derived from the dates (models.status_expression), never written;
- every change writes an audit entry in its transaction; reminder runs are idempotent (see
  reminders.py).
"""

from chidao.tasks.services.common import (
    ACTING_ROLES,
    EDITOR,
    can_assign,
    can_contribute,
    can_lead,
    lead_recipients,
    require_assigner,
    require_lead,
)
from chidao.tasks.services.followup import (
    add_attachment,
    add_comment,
    decide_extension,
    max_attachment_bytes,
    record_progress,
    request_extension,
)
from chidao.tasks.services.lifecycle import (
    ConclusionRow,
    add_months,
    complete_task,
    create_subtask,
    create_task,
    create_tasks_from_conclusions,
    evaluate_task,
    update_task,
)
from chidao.tasks.services.notifications import (
    default_daily_digest,
    default_days_before,
    email_notifications,
    mark_read,
    preference_for,
    save_preference,
)
from chidao.tasks.services.reminders import ReminderResult, prune_reminder_keys, send_reminders
from chidao.tasks.services.tallies import RebuildResult, rebuild_tallies

__all__ = [
    "ACTING_ROLES",
    "EDITOR",
    "ConclusionRow",
    "RebuildResult",
    "ReminderResult",
    "add_attachment",
    "add_comment",
    "add_months",
    "can_assign",
    "can_contribute",
    "can_lead",
    "complete_task",
    "create_subtask",
    "create_task",
    "create_tasks_from_conclusions",
    "decide_extension",
    "default_daily_digest",
    "default_days_before",
    "email_notifications",
    "evaluate_task",
    "lead_recipients",
    "mark_read",
    "max_attachment_bytes",
    "preference_for",
    "prune_reminder_keys",
    "rebuild_tallies",
    "record_progress",
    "request_extension",
    "require_assigner",
    "require_lead",
    "save_preference",
    "send_reminders",
    "update_task",
]
