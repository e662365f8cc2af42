"""Tasks API: lists with filters and counts, a task with its history, and every follow-up step,
through the same services and scope rules as the pages."""

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from django.db.models import F
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from chidao.meetings.models import Meeting
from chidao.org.models import Person, Unit
from chidao.org.scope import get_visible_or_404
from chidao.tasks import queries, services
from chidao.tasks.models import Extension, Task
from chidao.tasks.schemas import (
    CommentIn,
    CommentOut,
    CompleteIn,
    CountsOut,
    DecisionIn,
    EvaluationIn,
    ExtensionIn,
    ExtensionOut,
    FromMeetingIn,
    MarkedOut,
    MarkReadIn,
    NotificationOut,
    ProgressIn,
    ProgressOut,
    SubtaskIn,
    TaskDetailOut,
    TaskIn,
    TaskOut,
    TaskPatch,
)

if TYPE_CHECKING:
    from chidao.accounts.models import User

router = Router(tags=["tasks"])

# Lists are serialised from plain rows, like the other APIs.
ROW_EXPRESSIONS = {
    "assigning_unit_name": F("assigning_unit__name"),
    "lead_unit_name": F("lead_unit__name"),
    "lead_person_name": F("lead_person__full_name"),
}
ROW_FIELDS = [name for name in TaskOut.model_fields if name not in ROW_EXPRESSIONS]


def _actor(request: HttpRequest) -> "User":
    return cast("User", request.user)  # authenticated by the API's auth


def _task(request: HttpRequest, task_id: int) -> Task:
    task: Task = get_visible_or_404(queries.task_detail_queryset(), request.user, pk=task_id)
    return task


def _unit(request: HttpRequest, unit_id: int) -> Unit:
    unit: Unit = get_visible_or_404(Unit.objects.all(), request.user, pk=unit_id)
    return unit


def _units(request: HttpRequest, ids: list[int]) -> list[Unit]:
    """Every referenced unit in one query; 404 when any is missing or out of scope."""
    found = list(Unit.objects.visible_to(request.user).filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        raise Http404(_("Không tìm thấy."))
    return found


def _person(request: HttpRequest, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    person: Person = get_visible_or_404(Person.objects.all(), request.user, pk=person_id)
    return person


def _detail(task: Task) -> dict[str, Any]:
    today = timezone.localdate()
    history = queries.history(task, today)
    row = {name: getattr(task, name) for name in ROW_FIELDS if name != "status"}
    return {
        **row,
        "status": task.status_on(today).value,
        "assigning_unit_name": task.assigning_unit.name,
        "lead_unit_name": task.lead_unit.name,
        "lead_person_name": task.lead_person.full_name if task.lead_person else None,
        "description": task.description,
        "document_reference": task.document_reference,
        "document_title": task.document_title,
        "coordinating_unit_ids": [u.pk for u in task.coordinating_units.all()],
        "completion_report": task.completion_report,
        "completed_at": task.completed_at,
        "evaluation_comment": task.evaluation_comment,
        "previous_occurrence_id": task.previous_occurrence_id,
        "subtask_ids": [t.pk for t in history.subtasks],
        "extensions": history.extensions,
        "progress_updates": history.progress,
        "comments": [
            {
                "id": c.pk,
                "author_id": c.author_id,
                "author_name": str(c.author) if c.author else "",
                "text": c.text,
                "created_at": c.created_at,
            }
            for c in history.comments
        ],
        "attachments": [
            {
                "id": a.pk,
                "original_name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "created_at": a.created_at,
                "url": reverse("tasks:attachment_download", args=[a.pk]),
            }
            for a in history.attachments
        ],
    }


# --- lists and counts ----------------------------------------------------------------------------


def _base(request: HttpRequest, view: str, unit_id: int | None, subtree: bool, role: str) -> tuple[Any, Unit | None]:
    if view == queries.UNIT:
        unit = _unit(request, unit_id) if unit_id else None
        if unit is None:
            raise Http404(_("Không tìm thấy."))
        return queries.unit_tasks(request.user, unit, subtree=subtree, role=role), unit
    if view == queries.ASSIGNED:
        return queries.assigned_tasks(request.user), None
    if view == queries.MINE:
        return queries.my_tasks(request.user), None
    raise Http404(_("Không tìm thấy."))


@router.get("/", response=list[TaskOut])
@paginate(LimitOffsetPagination)
def list_tasks(
    request: HttpRequest,
    view: str = queries.MINE,
    unit_id: int | None = None,
    subtree: bool = True,
    role: str = queries.LEAD,
    status: str = "",
    source: str = "",
    lead_unit_id: int | None = None,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
    q: str = "",
) -> object:
    """view: mine (việc của tôi), unit (việc của đơn vị; needs unit_id) or assigned (việc tôi đã giao)."""
    today = timezone.localdate()
    base, _unit_obj = _base(request, view, unit_id, subtree, role)
    filters = queries.TaskFilters(
        status=status,
        source=source,
        lead_unit=_unit(request, lead_unit_id) if lead_unit_id else None,
        due_from=due_from,
        due_to=due_to,
        text=q.strip(),
    )
    return queries.rows(queries.apply_filters(base, filters, today), today).values(*ROW_FIELDS, **ROW_EXPRESSIONS)


@router.get("/counts", response=CountsOut)
def task_counts(
    request: HttpRequest,
    view: str = queries.UNIT,
    unit_id: int | None = None,
    subtree: bool = True,
    role: str = queries.LEAD,
    source: str = "",
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
) -> dict[str, Any]:
    """Counts by status (đúng hạn, quá hạn, trong hạn, quá hạn chưa hoàn thành); for a unit, also
    each child unit's subtree."""
    today = timezone.localdate()
    base, unit = _base(request, view, unit_id, subtree, role)
    filters = queries.TaskFilters(source=source, due_from=due_from, due_to=due_to)
    if unit is not None and subtree and role == queries.LEAD:
        counts, children = queries.subtree_counts(request.user, unit, filters, today)
    else:
        counts, children = queries.status_counts(queries.apply_filters(base, filters, today), today), []

    def shape(c: queries.StatusCounts) -> dict[str, int]:
        return {
            "total": c.total,
            "done_on_time": c.done_on_time,
            "done_late": c.done_late,
            "in_progress": c.in_progress,
            "overdue": c.overdue,
        }

    return {
        "unit_id": unit.pk if unit else None,
        "day": today,
        "counts": shape(counts),
        "children": [
            {"unit_id": r.unit.pk, "unit_name": r.unit.name, "direct": r.direct, **shape(r.counts)} for r in children
        ],
    }


@router.post("/", response={201: TaskDetailOut})
def create_task(request: HttpRequest, payload: TaskIn) -> Status[dict[str, Any]]:
    task = services.create_task(
        actor=_actor(request),
        assigning_unit=_unit(request, payload.assigning_unit_id),
        title=payload.title,
        lead_unit=_unit(request, payload.lead_unit_id),
        due_date=payload.due_date,
        description=payload.description,
        source=payload.source,
        document_reference=payload.document_reference,
        document_title=payload.document_title,
        lead_person=_person(request, payload.lead_person_id),
        coordinating_units=_units(request, payload.coordinating_unit_ids),
        priority=payload.priority,
        recurrence=payload.recurrence,
        assigned_on=payload.assigned_on,
    )
    return Status(201, _detail(_task(request, task.pk)))


# --- notifications (before /{task_id} so the paths never collide) ----------------------------------


@router.get("/notifications", response=list[NotificationOut])
@paginate(LimitOffsetPagination)
def list_notifications(request: HttpRequest, unread: bool = False) -> object:
    qs = queries.notifications_for(request.user)
    return qs.unread() if unread else qs


@router.post("/notifications/read", response=MarkedOut)
def read_notifications(request: HttpRequest, payload: MarkReadIn) -> dict[str, int]:
    return {"marked": services.mark_read(actor=_actor(request), notification_ids=payload.ids)}


@router.post("/from-meeting/{meeting_id}", response={201: list[TaskOut]})
def from_meeting(request: HttpRequest, meeting_id: int, payload: FromMeetingIn) -> Status[list[dict[str, Any]]]:
    """Turn conclusions of a meeting into tasks, all or none (errors under "rows", numbered)."""
    meeting: Meeting = get_visible_or_404(
        Meeting.objects.select_related("host_committee__unit"), request.user, pk=meeting_id
    )
    conclusions = {c.pk: c for c in meeting.conclusions.filter(pk__in=[r.conclusion_id for r in payload.rows])}
    if any(r.conclusion_id not in conclusions for r in payload.rows):
        raise Http404(_("Không tìm thấy."))
    rows = [
        services.ConclusionRow(
            conclusion=conclusions[r.conclusion_id],
            title=r.title,
            lead_unit=_unit(request, r.lead_unit_id),
            due_date=r.due_date,
            lead_person=_person(request, r.lead_person_id),
            coordinating_units=_units(request, r.coordinating_unit_ids),
            description=r.description,
            priority=r.priority,
        )
        for r in payload.rows
    ]
    created = services.create_tasks_from_conclusions(actor=_actor(request), meeting=meeting, rows=rows)
    today = timezone.localdate()
    listed = queries.rows(Task.objects.visible_to(request.user).filter(pk__in=[t.pk for t in created]), today)
    return Status(201, list(listed.values(*ROW_FIELDS, **ROW_EXPRESSIONS)))


@router.post("/extensions/{extension_id}/decision", response=ExtensionOut)
def decide_extension(request: HttpRequest, extension_id: int, payload: DecisionIn) -> Extension:
    extension: Extension = get_visible_or_404(
        Extension.objects.select_related("task__assigning_unit", "task__lead_unit"), request.user, pk=extension_id
    )
    return services.decide_extension(
        actor=_actor(request), extension=extension, approve=payload.approve, reason=payload.reason
    )


# --- one task ----------------------------------------------------------------------------------


@router.get("/{task_id}", response=TaskDetailOut)
def get_task(request: HttpRequest, task_id: int) -> dict[str, Any]:
    return _detail(_task(request, task_id))


@router.patch("/{task_id}", response=TaskDetailOut)
def update_task(request: HttpRequest, task_id: int, payload: TaskPatch) -> dict[str, Any]:
    task = _task(request, task_id)
    fields: dict[str, Any] = payload.model_dump(exclude_unset=True)
    if "lead_person_id" in fields:
        fields["lead_person"] = _person(request, fields.pop("lead_person_id"))
    if "coordinating_unit_ids" in fields:
        fields["coordinating_units"] = _units(request, fields.pop("coordinating_unit_ids") or [])
    services.update_task(
        actor=_actor(request), task=task, **{k: v for k, v in fields.items() if v is not None or k == "lead_person"}
    )
    return _detail(_task(request, task_id))


@router.post("/{task_id}/subtasks", response={201: TaskDetailOut})
def create_subtask(request: HttpRequest, task_id: int, payload: SubtaskIn) -> Status[dict[str, Any]]:
    parent = _task(request, task_id)
    task = services.create_subtask(
        actor=_actor(request),
        parent=parent,
        title=payload.title,
        lead_unit=_unit(request, payload.lead_unit_id),
        due_date=payload.due_date,
        description=payload.description,
        lead_person=_person(request, payload.lead_person_id),
        coordinating_units=_units(request, payload.coordinating_unit_ids),
        priority=payload.priority,
    )
    return Status(201, _detail(_task(request, task.pk)))


@router.post("/{task_id}/progress", response={201: ProgressOut})
def record_progress(request: HttpRequest, task_id: int, payload: ProgressIn) -> Status[Any]:
    update = services.record_progress(
        actor=_actor(request), task=_task(request, task_id), percent=payload.percent, text=payload.text
    )
    return Status(201, update)


@router.post("/{task_id}/extensions", response={201: ExtensionOut})
def request_extension(request: HttpRequest, task_id: int, payload: ExtensionIn) -> Status[Extension]:
    extension = services.request_extension(
        actor=_actor(request),
        task=_task(request, task_id),
        requested_due_date=payload.requested_due_date,
        reason=payload.reason,
    )
    return Status(201, extension)


@router.post("/{task_id}/complete", response=TaskDetailOut)
def complete_task(request: HttpRequest, task_id: int, payload: CompleteIn) -> dict[str, Any]:
    services.complete_task(
        actor=_actor(request), task=_task(request, task_id), report=payload.report, completed_on=payload.completed_on
    )
    return _detail(_task(request, task_id))


@router.post("/{task_id}/evaluation", response=TaskDetailOut)
def evaluate_task(request: HttpRequest, task_id: int, payload: EvaluationIn) -> dict[str, Any]:
    services.evaluate_task(
        actor=_actor(request), task=_task(request, task_id), rating=payload.rating, comment=payload.comment
    )
    return _detail(_task(request, task_id))


@router.get("/{task_id}/comments", response=list[CommentOut])
def list_comments(request: HttpRequest, task_id: int) -> list[dict[str, Any]]:
    comments: list[dict[str, Any]] = _detail(_task(request, task_id))["comments"]
    return comments


@router.post("/{task_id}/comments", response={201: CommentOut})
def add_comment(request: HttpRequest, task_id: int, payload: CommentIn) -> Status[dict[str, Any]]:
    comment = services.add_comment(actor=_actor(request), task=_task(request, task_id), text=payload.text)
    return Status(
        201,
        {
            "id": comment.pk,
            "author_id": comment.author_id,
            "author_name": str(comment.author),
            "text": comment.text,
            "created_at": comment.created_at,
        },
    )
