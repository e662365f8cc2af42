"""Creating tasks (directly, as sub-tasks, from meeting conclusions), editing, completion with
recurrence, evaluation."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chidao.audit import services as audit
from chidao.org.models import Person, Unit, UnitClosure
from chidao.org.scope import require_role
from chidao.tasks.models import NotificationKind, Priority, Rating, Recurrence, Source, Task
from chidao.tasks.services.common import (
    EDITOR,
    lead_recipients,
    lock,
    notify,
    require_assigner,
    require_lead,
)
from chidao.tasks.services.tallies import count_done

if TYPE_CHECKING:
    from chidao.accounts.models import User
    from chidao.meetings.models import Conclusion, Meeting

RECURRENCE_MONTHS = {Recurrence.MONTHLY: 1, Recurrence.QUARTERLY: 3}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter (31/01 → 28/02)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _in_subtree(root: Unit, unit_ids: Iterable[int]) -> set[int]:
    """The ids among `unit_ids` that lie in `root`'s subtree (root included)."""
    ids = set(unit_ids)
    if not ids:
        return set()
    return set(UnitClosure.objects.filter(ancestor=root, descendant_id__in=ids).values_list("descendant_id", flat=True))


@dataclass
class TaskData:
    """What a task is made of, checked by `_check` before anything is written."""

    title: str
    lead_unit: Unit
    due_date: dt.date
    description: str = ""
    source: str = Source.DIRECT
    lead_person: Person | None = None
    coordinating_units: Sequence[Unit] = field(default_factory=list)
    priority: str = Priority.NORMAL
    recurrence: str = Recurrence.NONE
    assigned_on: dt.date | None = None
    document_reference: str = ""
    document_title: str = ""
    meeting: Meeting | None = None
    conclusion: Conclusion | None = None


def _check(data: TaskData, *, assigning_unit: Unit, lead_root: Unit | None = None) -> dict[str, list[str]]:
    """Field errors of `data` (empty when it is fine). `lead_root` narrows where the lead unit may be
    (a sub-task goes to a unit strictly under its parent's lead unit)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    today = timezone.localdate()
    if not data.title.strip():
        add("title", _("Hãy nhập tên nhiệm vụ."))
    elif len(data.title.strip()) > 1000:
        add("title", _("Tên nhiệm vụ dài quá 1.000 ký tự."))
    if data.source not in Source.values:
        add("source", _("Nguồn giao “%(value)s” không hợp lệ.") % {"value": data.source})
    if data.priority not in Priority.values:
        add("priority", _("Mức độ “%(value)s” không hợp lệ.") % {"value": data.priority})
    if data.recurrence not in Recurrence.values:
        add("recurrence", _("Kiểu lặp lại “%(value)s” không hợp lệ.") % {"value": data.recurrence})
    if data.source in (Source.DOCUMENT, Source.PLAN) and not data.document_reference.strip():
        add("document_reference", _("Hãy ghi số, ký hiệu văn bản hoặc kế hoạch giao nhiệm vụ."))
    if data.source == Source.MEETING and data.meeting is None:
        add("meeting", _("Nhiệm vụ từ kết luận cuộc họp phải gắn với cuộc họp."))
    if data.conclusion is not None and data.meeting is not None and data.conclusion.meeting_id != data.meeting.pk:
        add("conclusion", _("Kết luận không thuộc cuộc họp đã chọn."))
    assigned_on = data.assigned_on or today
    if data.due_date < assigned_on:
        add(
            "due_date",
            _("Hạn hoàn thành (%(due)s) không được trước ngày giao (%(on)s).")
            % {"due": f"{data.due_date:%d/%m/%Y}", "on": f"{assigned_on:%d/%m/%Y}"},
        )
    if assigned_on > today:
        add("assigned_on", _("Ngày giao không được sau hôm nay."))
    root = lead_root or assigning_unit
    if not data.lead_unit.is_current(today):
        add("lead_unit", _("%(unit)s đã hết hiệu lực, không thể giao nhiệm vụ.") % {"unit": data.lead_unit.name})
    elif data.lead_unit.pk not in _in_subtree(root, [data.lead_unit.pk]) or (
        lead_root is not None and data.lead_unit.pk == lead_root.pk
    ):
        add(
            "lead_unit",
            _("Đơn vị chủ trì phải thuộc %(unit)s.") % {"unit": root.name}
            if lead_root is None
            else _("Nhiệm vụ con phải giao cho đơn vị trực thuộc %(unit)s.") % {"unit": root.name},
        )
    coordinators = list(data.coordinating_units)
    if any(u.pk == data.lead_unit.pk for u in coordinators):
        add("coordinating_units", _("Đơn vị chủ trì không đồng thời là đơn vị phối hợp."))
    outside = [u for u in coordinators if u.pk not in _in_subtree(assigning_unit, [c.pk for c in coordinators])]
    if outside:
        add(
            "coordinating_units",
            _("Các đơn vị phối hợp phải thuộc %(unit)s: %(names)s không thuộc.")
            % {"unit": assigning_unit.name, "names": ", ".join(u.name for u in outside)},
        )
    ended = [u for u in coordinators if not u.is_current(today)]
    if ended:
        add(
            "coordinating_units",
            _("Đơn vị đã hết hiệu lực: %(names)s.") % {"names": ", ".join(u.name for u in ended)},
        )
    if data.lead_person is not None and data.lead_person.unit_id not in _in_subtree(
        assigning_unit, [data.lead_person.unit_id]
    ):
        add("lead_person", _("Người chủ trì phải thuộc %(unit)s.") % {"unit": assigning_unit.name})
    return errors


def _save_new(
    *,
    actor: User | None,
    data: TaskData,
    assigning_unit: Unit,
    parent: Task | None = None,
    previous: Task | None = None,
    action: str = "tasks.task.created",
) -> Task:
    task = Task(
        title=data.title.strip(),
        description=data.description.strip(),
        source=data.source,
        meeting=data.meeting,
        conclusion=data.conclusion,
        document_reference=data.document_reference.strip(),
        document_title=data.document_title.strip(),
        assigning_unit=assigning_unit,
        assigned_by=actor,
        assigned_on=data.assigned_on or timezone.localdate(),
        lead_unit=data.lead_unit,
        lead_person=data.lead_person,
        due_date=data.due_date,
        original_due_date=data.due_date,
        recurrence=data.recurrence,
        priority=data.priority,
        parent=parent,
        previous_occurrence=previous,
    )
    task.full_clean(exclude=["meeting", "conclusion", "lead_unit", "assigning_unit", "lead_person", "parent"])
    task.save()
    coordinators = list(data.coordinating_units)
    if coordinators:
        task.coordinating_units.set(coordinators)
    audit.record(
        actor=actor,
        action=action,
        target=task,
        unit=data.lead_unit,
        changes={**audit.snapshot(task), "coordinating_units": sorted(u.pk for u in coordinators)},
    )
    notify(
        users=lead_recipients(task),
        task=task,
        kind=NotificationKind.ASSIGNED,
        text=_("%(unit)s giao nhiệm vụ “%(title)s”, hạn %(due)s.")
        % {"unit": assigning_unit.name, "title": task.title, "due": f"{task.due_date:%d/%m/%Y}"},
        actor=actor,
    )
    return task


@transaction.atomic
def create_task(*, actor: User, assigning_unit: Unit, **fields: Any) -> Task:
    """Giao nhiệm vụ: the assigning unit's secretariat gives a task to a unit of its subtree."""
    require_role(actor, assigning_unit, EDITOR)
    data = TaskData(**fields)
    errors = _check(data, assigning_unit=assigning_unit)
    if errors:
        raise ValidationError(errors)
    return _save_new(actor=actor, data=data, assigning_unit=assigning_unit)


@transaction.atomic
def create_subtask(*, actor: User, parent: Task, **fields: Any) -> Task:
    """Split a task: its lead unit gives a part of it to a unit under it, due no later than the task."""
    require_role(actor, parent.lead_unit, EDITOR)
    if parent.completed_on is not None:
        raise ValidationError({"parent": _("Nhiệm vụ đã hoàn thành, không chia thêm nhiệm vụ con.")})
    fields.setdefault("source", parent.source)
    fields.setdefault("meeting", parent.meeting)
    fields.setdefault("conclusion", parent.conclusion)
    fields.setdefault("document_reference", parent.document_reference)
    fields.setdefault("document_title", parent.document_title)
    data = TaskData(**fields)
    errors = _check(data, assigning_unit=parent.lead_unit, lead_root=parent.lead_unit)
    if data.due_date > parent.due_date:
        errors.setdefault("due_date", []).append(
            _("Hạn của nhiệm vụ con không được sau hạn của nhiệm vụ (%(due)s).")
            % {"due": f"{parent.due_date:%d/%m/%Y}"}
        )
    if errors:
        raise ValidationError(errors)
    return _save_new(actor=actor, data=data, assigning_unit=parent.lead_unit, parent=parent, action="tasks.task.split")


EDITABLE = {
    "title",
    "description",
    "priority",
    "lead_person",
    "coordinating_units",
    "document_reference",
    "document_title",
}


@transaction.atomic
def update_task(*, actor: User, task: Task, **fields: Any) -> Task:
    """The assigning side corrects the wording, priority, lead person or coordinators. The due date
    changes only through an extension, so its history stays complete."""
    require_assigner(actor, task)
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValidationError(_("Không thể sửa các trường: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    before = {
        **audit.snapshot(task),
        "coordinating_units": sorted(task.coordinating_units.values_list("pk", flat=True)),
    }
    data = TaskData(
        title=fields.get("title", task.title),
        description=fields.get("description", task.description),
        lead_unit=task.lead_unit,
        due_date=task.due_date,
        source=task.source,
        lead_person=fields.get("lead_person", task.lead_person),
        coordinating_units=list(fields.get("coordinating_units", task.coordinating_units.all())),
        priority=fields.get("priority", task.priority),
        recurrence=task.recurrence,
        assigned_on=task.assigned_on,
        document_reference=fields.get("document_reference", task.document_reference),
        document_title=fields.get("document_title", task.document_title),
        meeting=task.meeting,
        conclusion=task.conclusion,
    )
    errors = _check(data, assigning_unit=task.assigning_unit)
    # A task given before its lead unit ended keeps that unit; only new choices must be current.
    errors.pop("lead_unit", None)
    if errors:
        raise ValidationError(errors)
    for name in ("title", "description", "priority", "lead_person", "document_reference", "document_title"):
        value = getattr(data, name)
        setattr(task, name, value.strip() if isinstance(value, str) else value)
    task.full_clean(exclude=["meeting", "conclusion", "lead_unit", "assigning_unit", "lead_person", "parent"])
    task.save()
    task.coordinating_units.set(list(data.coordinating_units))
    after = {**audit.snapshot(task), "coordinating_units": sorted(u.pk for u in data.coordinating_units)}
    changes = audit.diff(before, after)
    if changes:
        audit.record(actor=actor, action="tasks.task.updated", target=task, unit=task.lead_unit, changes=changes)
    return task


@transaction.atomic
def complete_task(*, actor: User, task: Task, report: str, completed_on: dt.date | None = None) -> Task:
    """Báo cáo hoàn thành: the lead side reports the result; the status follows from the dates.

    A recurring task then gets its next occurrence, due one month or one quarter after this one's
    original date (an extension of one occurrence does not shift the series)."""
    require_lead(actor, task)
    lock(task)
    today = timezone.localdate()
    day = completed_on or today
    if task.completed_on is not None:
        raise ValidationError(
            {
                "completed_on": _("Nhiệm vụ đã được báo cáo hoàn thành ngày %(d)s.")
                % {"d": f"{task.completed_on:%d/%m/%Y}"}
            }
        )
    if not report.strip():
        raise ValidationError({"report": _("Hãy nêu kết quả thực hiện nhiệm vụ.")})
    if day > today:
        raise ValidationError({"completed_on": _("Ngày hoàn thành không được sau hôm nay.")})
    if day < task.assigned_on:
        raise ValidationError(
            {
                "completed_on": _("Ngày hoàn thành không được trước ngày giao (%(d)s).")
                % {"d": f"{task.assigned_on:%d/%m/%Y}"}
            }
        )
    before = audit.snapshot(task, ["completed_on", "completion_report", "progress"])
    task.completed_on = day
    task.completed_at = timezone.now()
    task.completed_by = actor
    task.completion_report = report.strip()
    task.progress = 100
    task.save(
        update_fields=["completed_on", "completed_at", "completed_by", "completion_report", "progress", "updated_at"]
    )
    count_done(task)
    audit.record(
        actor=actor,
        action="tasks.task.completed",
        target=task,
        unit=task.lead_unit,
        changes=audit.diff(before, audit.snapshot(task, ["completed_on", "completion_report", "progress"])),
    )
    if task.assigned_by_id:
        notify(
            users=[task.assigned_by_id],
            task=task,
            kind=NotificationKind.COMPLETED,
            text=_("%(unit)s báo cáo hoàn thành nhiệm vụ “%(title)s” (%(status)s).")
            % {"unit": task.lead_unit.name, "title": task.title, "status": task.status_on(today).label},
            actor=actor,
        )
    if task.recurrence and not hasattr(task, "next_occurrence"):
        _next_occurrence(actor=actor, task=task)
    return task


def _next_occurrence(*, actor: User, task: Task) -> Task:
    due = add_months(task.original_due_date, RECURRENCE_MONTHS[Recurrence(task.recurrence)])
    data = TaskData(
        title=task.title,
        lead_unit=task.lead_unit,
        due_date=due,
        description=task.description,
        source=task.source,
        lead_person=task.lead_person,
        coordinating_units=list(task.coordinating_units.all()),
        priority=task.priority,
        recurrence=task.recurrence,
        assigned_on=min(task.original_due_date, timezone.localdate()),
        document_reference=task.document_reference,
        document_title=task.document_title,
        meeting=task.meeting,
        conclusion=task.conclusion,
    )
    successor = _save_new(
        actor=task.assigned_by,
        data=data,
        assigning_unit=task.assigning_unit,
        parent=task.parent,
        previous=task,
        action="tasks.task.recurred",
    )
    return successor


@transaction.atomic
def evaluate_task(*, actor: User, task: Task, rating: str, comment: str = "") -> Task:
    """Đánh giá: the assigning side rates a completed task (and may revise its rating)."""
    require_assigner(actor, task)
    if task.completed_on is None:
        raise ValidationError({"rating": _("Chỉ đánh giá nhiệm vụ đã báo cáo hoàn thành.")})
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Hãy chọn một mức đánh giá.")})
    if rating == Rating.NOT_DONE and not comment.strip():
        raise ValidationError({"comment": _("Hãy nêu lý do khi đánh giá không hoàn thành.")})
    before = audit.snapshot(task, ["rating", "evaluation_comment"])
    task.rating = rating
    task.evaluation_comment = comment.strip()
    task.evaluated_at = timezone.now()
    task.evaluated_by = actor
    task.save(update_fields=["rating", "evaluation_comment", "evaluated_at", "evaluated_by", "updated_at"])
    audit.record(
        actor=actor,
        action="tasks.task.evaluated",
        target=task,
        unit=task.lead_unit,
        changes=audit.diff(before, audit.snapshot(task, ["rating", "evaluation_comment"])),
    )
    recipients = lead_recipients(task) | ({task.completed_by_id} if task.completed_by_id else set())
    notify(
        users=recipients,
        task=task,
        kind=NotificationKind.EVALUATED,
        text=_("Nhiệm vụ “%(title)s” được đánh giá: %(rating)s.")
        % {"title": task.title, "rating": Rating(rating).label},
        actor=actor,
    )
    return task


# --- from meeting conclusions ----------------------------------------------------------------


@dataclass
class ConclusionRow:
    """One conclusion turned into a task (one row of the "from meeting" form)."""

    conclusion: Conclusion
    title: str
    lead_unit: Unit
    due_date: dt.date
    lead_person: Person | None = None
    coordinating_units: Sequence[Unit] = field(default_factory=list)
    description: str = ""
    priority: str = Priority.NORMAL


@transaction.atomic
def create_tasks_from_conclusions(*, actor: User, meeting: Meeting, rows: Sequence[ConclusionRow]) -> list[Task]:
    """Turn chosen conclusions of a meeting into tasks in one step: all rows or none.

    The host committee's unit assigns; each task links back to its meeting and conclusion. Errors
    name the row and the conclusion ("Dòng 2 (kết luận số 3): …") under the key "rows"."""
    unit = meeting.host_committee.unit
    require_role(actor, unit, EDITOR)
    if not rows:
        raise ValidationError({"rows": [_("Hãy chọn ít nhất một kết luận để giao nhiệm vụ.")]})
    held_on = timezone.localtime(meeting.starts_at).date() if meeting.starts_at else timezone.localdate()
    messages: list[str] = []
    prepared: list[TaskData] = []
    for number, row in enumerate(rows, start=1):
        data = TaskData(
            title=row.title,
            lead_unit=row.lead_unit,
            due_date=row.due_date,
            description=row.description,
            source=Source.MEETING,
            lead_person=row.lead_person,
            coordinating_units=row.coordinating_units,
            priority=row.priority,
            assigned_on=min(held_on, timezone.localdate()),
            meeting=meeting,
            conclusion=row.conclusion,
        )
        errors = _check(data, assigning_unit=unit)
        label = _("Dòng %(n)s (kết luận số %(c)s)") % {"n": number, "c": row.conclusion.number}
        messages += [f"{label}: {message}" for field_errors in errors.values() for message in field_errors]
        prepared.append(data)
    if messages:
        raise ValidationError({"rows": messages})
    return [
        _save_new(actor=actor, data=data, assigning_unit=unit, action="tasks.task.created_from_conclusion")
        for data in prepared
    ]
