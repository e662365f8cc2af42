"""Follow-up of a task: extensions, progress updates, comments, attachments."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chidao.audit import services as audit
from chidao.tasks import files
from chidao.tasks.models import (
    Attachment,
    Comment,
    Extension,
    ExtensionState,
    NotificationKind,
    ProgressUpdate,
    Task,
)
from chidao.tasks.services.common import (
    lead_recipients,
    lock,
    notify,
    require_assigner,
    require_contributor,
    require_lead,
)

if TYPE_CHECKING:
    from chidao.accounts.models import User

DEFAULT_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def max_attachment_bytes() -> int:
    return int(getattr(settings, "TASKS_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES))


def _open_task(task: Task, field: str) -> None:
    if task.completed_on is not None:
        raise ValidationError({field: _("Nhiệm vụ đã hoàn thành.")})


# --- extensions ------------------------------------------------------------------------------


@transaction.atomic
def request_extension(*, actor: User, task: Task, requested_due_date: dt.date, reason: str) -> Extension:
    """Đề nghị gia hạn: the lead side asks for a later date, with a reason."""
    require_lead(actor, task)
    lock(task)
    _open_task(task, "requested_due_date")
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy nêu lý do đề nghị gia hạn.")})
    if requested_due_date <= task.due_date:
        raise ValidationError(
            {
                "requested_due_date": _("Hạn đề nghị phải sau hạn hiện tại (%(due)s).")
                % {"due": f"{task.due_date:%d/%m/%Y}"}
            }
        )
    if Extension.objects.filter(task=task, state=ExtensionState.PENDING).exists():
        raise ValidationError({"requested_due_date": _("Nhiệm vụ đang có một đề nghị gia hạn chờ xem xét.")})
    extension = Extension(
        task=task,
        requested_by=actor,
        reason=reason.strip(),
        previous_due_date=task.due_date,
        requested_due_date=requested_due_date,
    )
    extension.full_clean(exclude=["task", "requested_by"])
    extension.save()
    audit.record(
        actor=actor,
        action="tasks.extension.requested",
        target=task,
        unit=task.lead_unit,
        changes={"extension": extension.pk, "due_date": f"{task.due_date}", "requested": f"{requested_due_date}"},
    )
    if task.assigned_by_id:
        notify(
            users=[task.assigned_by_id],
            task=task,
            kind=NotificationKind.EXTENSION_REQUESTED,
            text=_("%(unit)s đề nghị gia hạn nhiệm vụ “%(title)s” đến %(due)s.")
            % {"unit": task.lead_unit.name, "title": task.title, "due": f"{requested_due_date:%d/%m/%Y}"},
            actor=actor,
        )
    return extension


@transaction.atomic
def decide_extension(*, actor: User, extension: Extension, approve: bool, reason: str = "") -> Extension:
    """The assigning side approves (the task takes the new date) or refuses (a reason is required)."""
    task = extension.task
    require_assigner(actor, task)
    lock(task)
    extension.refresh_from_db()
    if extension.state != ExtensionState.PENDING:
        raise ValidationError(
            {"decision": _("Đề nghị này đã được xem xét (%(state)s).") % {"state": extension.get_state_display()}}
        )
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Hãy nêu lý do không đồng ý gia hạn.")})
    if approve and task.completed_on is not None:
        raise ValidationError({"decision": _("Nhiệm vụ đã hoàn thành; không cần gia hạn.")})
    extension.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
    extension.decided_by = actor
    extension.decided_at = timezone.now()
    extension.decision_reason = reason.strip()
    extension.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
    changes: dict[str, object] = {"extension": extension.pk, "state": extension.state}
    if approve:
        changes["due_date"] = [f"{task.due_date}", f"{extension.requested_due_date}"]
        task.due_date = extension.requested_due_date
        task.save(update_fields=["due_date", "updated_at"])
    audit.record(
        actor=actor,
        action="tasks.extension.approved" if approve else "tasks.extension.refused",
        target=task,
        unit=task.lead_unit,
        changes=changes,
    )
    text = (
        _("Đồng ý gia hạn nhiệm vụ “%(title)s” đến %(due)s.")
        if approve
        else _("Không đồng ý gia hạn nhiệm vụ “%(title)s”; hạn vẫn là %(due)s.")
    ) % {"title": task.title, "due": f"{task.due_date:%d/%m/%Y}"}
    notify(
        users=({extension.requested_by_id} if extension.requested_by_id else set()) | lead_recipients(task),
        task=task,
        kind=NotificationKind.EXTENSION_DECIDED,
        text=text,
        actor=actor,
    )
    return extension


# --- progress, comments, files ---------------------------------------------------------------


@transaction.atomic
def record_progress(*, actor: User, task: Task, percent: int, text: str) -> ProgressUpdate:
    """Báo cáo tiến độ: a percentage from 0 to 100 and what was done; 100% is not completion
    (that needs the completion report)."""
    require_lead(actor, task)
    lock(task)
    _open_task(task, "percent")
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": _("Tiến độ phải từ 0 đến 100%.")})
    if not text.strip():
        raise ValidationError({"text": _("Hãy nêu kết quả đã thực hiện.")})
    update = ProgressUpdate(task=task, author=actor, percent=percent, text=text.strip())
    update.full_clean(exclude=["task", "author"])
    update.save()
    before = task.progress
    task.progress = percent
    task.save(update_fields=["progress", "updated_at"])
    audit.record(
        actor=actor,
        action="tasks.progress.recorded",
        target=task,
        unit=task.lead_unit,
        changes={"progress": [before, percent], "update": update.pk},
    )
    return update


@transaction.atomic
def add_comment(*, actor: User, task: Task, text: str) -> Comment:
    require_contributor(actor, task)
    if not text.strip():
        raise ValidationError({"text": _("Hãy nhập nội dung ý kiến.")})
    if len(text) > 10_000:
        raise ValidationError({"text": _("Ý kiến dài quá 10.000 ký tự.")})
    comment = Comment.objects.create(task=task, author=actor, text=text.strip())
    audit.record(
        actor=actor, action="tasks.comment.added", target=task, unit=task.lead_unit, changes={"comment": comment.pk}
    )
    return comment


@transaction.atomic
def add_attachment(*, actor: User, task: Task, upload: UploadedFile[Any]) -> Attachment:
    """Attach a PDF, DOCX, XLSX or image. The type is read from the content; the stored name is
    random and the user's name is cleaned for display."""
    require_contributor(actor, task)
    limit = max_attachment_bytes()
    if upload.size is None or upload.size == 0:
        raise ValidationError({"file": _("Tệp rỗng.")})
    if upload.size > limit:
        raise ValidationError({"file": _("Tệp lớn hơn %(mb)s MB.") % {"mb": f"{limit / 1024 / 1024:.0f}"}})
    file_type = files.detect_type(upload)
    if file_type is None:
        raise ValidationError(
            {"file": _("Chỉ nhận tệp PDF, Word (.docx), Excel (.xlsx) hoặc ảnh (PNG, JPEG, GIF, WebP).")}
        )
    attachment = Attachment(
        task=task,
        uploaded_by=actor,
        original_name=files.clean_name(upload.name or "", file_type),
        content_type=file_type.content_type,
        size=upload.size,
    )
    upload.seek(0)
    attachment.file.save(f"{uuid.uuid4().hex}{file_type.extension}", upload, save=False)
    try:
        attachment.save()
        audit.record(
            actor=actor,
            action="tasks.attachment.added",
            target=task,
            unit=task.lead_unit,
            changes={"attachment": attachment.pk, "name": attachment.original_name, "size": attachment.size},
        )
    except Exception:
        attachment.file.delete(save=False)  # no orphan file when the row is not written
        raise
    return attachment
