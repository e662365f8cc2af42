"""API shapes for tasks."""

import datetime as dt

from ninja import Schema


class TaskOut(Schema):
    id: int
    title: str
    source: str
    status: str
    priority: str
    recurrence: str
    assigning_unit_id: int
    assigning_unit_name: str
    assigned_by_id: int | None
    assigned_on: dt.date
    lead_unit_id: int
    lead_unit_name: str
    lead_person_id: int | None
    lead_person_name: str | None
    due_date: dt.date
    original_due_date: dt.date
    progress: int
    completed_on: dt.date | None
    rating: str
    parent_id: int | None
    meeting_id: int | None
    conclusion_id: int | None


class ExtensionOut(Schema):
    id: int
    requested_by_id: int | None
    requested_at: dt.datetime
    reason: str
    previous_due_date: dt.date
    requested_due_date: dt.date
    state: str
    decided_by_id: int | None
    decided_at: dt.datetime | None
    decision_reason: str


class ProgressOut(Schema):
    id: int
    author_id: int | None
    percent: int
    text: str
    created_at: dt.datetime


class CommentOut(Schema):
    id: int
    author_id: int | None
    author_name: str
    text: str
    created_at: dt.datetime


class AttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    created_at: dt.datetime
    url: str


class TaskDetailOut(TaskOut):
    description: str
    document_reference: str
    document_title: str
    coordinating_unit_ids: list[int]
    completion_report: str
    completed_at: dt.datetime | None
    evaluation_comment: str
    previous_occurrence_id: int | None
    subtask_ids: list[int]
    extensions: list[ExtensionOut]
    progress_updates: list[ProgressOut]
    comments: list[CommentOut]
    attachments: list[AttachmentOut]


class TaskIn(Schema):
    assigning_unit_id: int
    title: str
    lead_unit_id: int
    due_date: dt.date
    description: str = ""
    source: str = "direct"
    document_reference: str = ""
    document_title: str = ""
    lead_person_id: int | None = None
    coordinating_unit_ids: list[int] = []
    priority: str = "normal"
    recurrence: str = ""
    assigned_on: dt.date | None = None


class SubtaskIn(Schema):
    title: str
    lead_unit_id: int
    due_date: dt.date
    description: str = ""
    lead_person_id: int | None = None
    coordinating_unit_ids: list[int] = []
    priority: str = "normal"


class TaskPatch(Schema):
    title: str | None = None
    description: str | None = None
    priority: str | None = None
    document_reference: str | None = None
    document_title: str | None = None
    lead_person_id: int | None = None
    coordinating_unit_ids: list[int] | None = None


class ProgressIn(Schema):
    percent: int
    text: str


class ExtensionIn(Schema):
    requested_due_date: dt.date
    reason: str


class DecisionIn(Schema):
    approve: bool
    reason: str = ""


class CompleteIn(Schema):
    report: str
    completed_on: dt.date | None = None


class EvaluationIn(Schema):
    rating: str
    comment: str = ""


class CommentIn(Schema):
    text: str


class StatusCountsOut(Schema):
    total: int
    done_on_time: int
    done_late: int
    in_progress: int
    overdue: int


class UnitCountsOut(StatusCountsOut):
    unit_id: int
    unit_name: str
    direct: bool


class CountsOut(Schema):
    unit_id: int | None
    day: dt.date
    counts: StatusCountsOut
    children: list[UnitCountsOut]


class ConclusionRowIn(Schema):
    conclusion_id: int
    title: str
    lead_unit_id: int
    due_date: dt.date
    lead_person_id: int | None = None
    coordinating_unit_ids: list[int] = []
    description: str = ""
    priority: str = "normal"


class FromMeetingIn(Schema):
    rows: list[ConclusionRowIn]


class NotificationOut(Schema):
    id: int
    task_id: int
    kind: str
    text: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class MarkReadIn(Schema):
    ids: list[int] | None = None


class MarkedOut(Schema):
    marked: int
