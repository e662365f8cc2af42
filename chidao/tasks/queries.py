"""Reads of tasks for pages, exports and the API.

Every read starts from `Task.objects.visible_to(user)`. Status is computed in SQL from the dates
(`TaskQuerySet.with_status`), so lists filter by it and counts group by it: the counts of a unit's
subtree are one GROUP BY over the tasks joined to the unit closure table, and the page's total
comes from those counts instead of a second COUNT.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from chidao.org.models import Person, PersonQuerySet, Unit, UnitClosure, UnitKind, UnitQuerySet
from chidao.org.scope import grant_unit_ids
from chidao.tasks.models import (
    STATUS_GROUPS,
    Attachment,
    Comment,
    DoneTally,
    Extension,
    Notification,
    NotificationQuerySet,
    ProgressUpdate,
    Status,
    Task,
    TaskQuerySet,
    remember_visible,
    status_expression,
    subtree_ids,
    unit_visible_to,
)
from chidao.tasks.services.common import ACTING_ROLES, EDITOR

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from chidao.accounts.models import User

    AnyUser = User | AnonymousUser

MINE, UNIT, ASSIGNED = "mine", "unit", "assigned"
LEAD, COORDINATING, ANY_ROLE = "lead", "coordinating", "any"


@dataclass
class TaskFilters:
    status: str = ""
    source: str = ""
    lead_unit: Unit | None = None
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    text: str = ""

    def without_status(self) -> TaskFilters:
        return TaskFilters(
            source=self.source, lead_unit=self.lead_unit, due_from=self.due_from, due_to=self.due_to, text=self.text
        )


@dataclass
class StatusCounts:
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    def get(self, status: str) -> int:
        if status in STATUS_GROUPS:
            return sum(self.by_status.get(s, 0) for s in STATUS_GROUPS[status])
        return self.by_status.get(status, 0) if status else self.total

    @property
    def done_on_time(self) -> int:
        return self.get(Status.DONE_ON_TIME)

    @property
    def done_late(self) -> int:
        return self.get(Status.DONE_LATE)

    @property
    def in_progress(self) -> int:
        return self.get(Status.IN_PROGRESS)

    @property
    def overdue(self) -> int:
        return self.get(Status.OVERDUE)

    def add(self, other: StatusCounts) -> None:
        for status, n in other.by_status.items():
            self.by_status[status] = self.by_status.get(status, 0) + n


# --- the three lists -------------------------------------------------------------------------


def acting_unit_ids(user: AnyUser) -> QuerySet[Unit, Any]:
    """Units whose tasks the user acts on through a direct secretariat or administrator grant
    (and the agencies directly under them)."""
    uid = user.pk or 0
    return (
        Unit.objects.filter(
            Q(role_grants__user_id=uid, role_grants__role__in=ACTING_ROLES)
            | Q(kind=UnitKind.AGENCY, parent__role_grants__user_id=uid, parent__role_grants__role__in=ACTING_ROLES)
        )
        .values("id")
        .distinct()
    )


def my_tasks(user: AnyUser) -> TaskQuerySet:
    """Việc của tôi: I am the lead person, or I act for the lead unit."""
    return Task.objects.for_lead(user, acting_unit_ids(user).values_list("id", flat=True))


def unit_tasks(user: AnyUser, unit: Unit, *, subtree: bool = True, role: str = LEAD) -> TaskQuerySet:
    """Việc của đơn vị: led by (or coordinated by) the unit, or by any unit of its subtree."""
    return Task.objects.within(
        user, unit, subtree=subtree, lead=role in (LEAD, ANY_ROLE), coordinating=role in (COORDINATING, ANY_ROLE)
    )


def assigned_tasks(user: AnyUser) -> TaskQuerySet:
    """Việc tôi đã giao."""
    return Task.objects.visible_to(user).filter(assigned_by_id=user.pk or 0)


def assigned_lead_units(user: AnyUser) -> UnitQuerySet:
    """The lead units of the tasks the user assigned: the choices of that list's lead filter."""
    return (
        Unit.objects.filter(pk__in=assigned_tasks(user).order_by().values("lead_unit_id"))
        .order_by("depth", "name")
        .only("name", "depth")
    )


def apply_filters(qs: TaskQuerySet, filters: TaskFilters, today: dt.date) -> TaskQuerySet:
    if filters.status:
        qs = qs.in_status(filters.status, today)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.lead_unit is not None:
        qs = qs.filter(lead_unit=filters.lead_unit)
    if filters.due_from is not None:
        qs = qs.filter(due_date__gte=filters.due_from)
    if filters.due_to is not None:
        qs = qs.filter(due_date__lte=filters.due_to)
    if filters.text:
        qs = qs.filter(title__icontains=filters.text)
    return qs


def ordered(qs: TaskQuerySet) -> TaskQuerySet:
    """The order of every list: open tasks first, by due date."""
    return qs.order_by(F("completed_on").asc(nulls_first=True), "due_date", "id")


def rows(qs: TaskQuerySet, today: dt.date) -> TaskQuerySet:
    """A list page's rows: status, units and people in the same query; open tasks by due date first."""
    return ordered(
        qs.with_status(today)
        .select_related("lead_unit", "lead_person", "assigning_unit")
        .defer("description", "completion_report", "evaluation_comment", "lead_person__note")
    )


@dataclass(slots=True)
class ListedTask:
    """One row of a task list page: what listing.task_rows shows, read as plain values (a page's
    50 tasks would otherwise be 200 model instances with their units and people)."""

    pk: int
    title: str
    priority: str
    recurrence: str
    due_date: dt.date
    original_due_date: dt.date
    progress: int
    completed_on: dt.date | None
    status: str
    lead_unit_name: str
    assigning_unit_name: str
    lead_person_name: str | None


LIST_COLUMNS = (
    "pk",
    "title",
    "priority",
    "recurrence",
    "due_date",
    "original_due_date",
    "progress",
    "completed_on",
    "status",
    "lead_unit__name",
    "assigning_unit__name",
    "lead_person__full_name",
)


def list_rows(qs: TaskQuerySet, today: dt.date) -> list[ListedTask]:
    """The rows of a list page, in list order, with their status, units and person names."""
    return [ListedTask(*values) for values in ordered(qs.with_status(today)).values_list(*LIST_COLUMNS)]


def status_counts(qs: TaskQuerySet, today: dt.date) -> StatusCounts:
    """Counts by status: one GROUP BY on the status computed in SQL."""
    grouped = qs.order_by().annotate(status=status_expression(today)).values("status").annotate(n=Count("id"))
    return StatusCounts({row["status"]: row["n"] for row in grouped})


@dataclass
class UnitCounts:
    unit: Unit
    counts: StatusCounts
    direct: bool = False  # the unit's own tasks, not its subtree's


def subtree_counts(
    user: AnyUser, unit: Unit, filters: TaskFilters, today: dt.date
) -> tuple[StatusCounts, list[UnitCounts]]:
    """Counts by status of the tasks led in the unit's subtree, in total and by child unit: the
    unit's own tasks, then each child's subtree. One GROUP BY (lead unit, status) over the
    subtree's units, read from the (lead_unit, due_date, completed_on, id) index; each lead unit is
    then credited to the child of `unit` it lies under (from the closure rows of the children,
    a few thousand at most) in Python, rather than joining the closure table to every task. The
    total is the sum. Units without tasks are left out; the most overdue come first."""
    if not unit_visible_to(user, unit):
        return StatusCounts(), []
    # Visible unit, so every task led under it is visible (see TaskQuerySet.within).
    child_of: dict[int, int] = dict(
        UnitClosure.objects.filter(ancestor__parent_id=unit.pk).values_list("descendant_id", "ancestor_id")
    )
    child_of[unit.pk] = unit.pk
    by_child: dict[int, StatusCounts] = {}
    for lead_unit_id, status, n in _counts_by_lead_unit(list(child_of), filters, today):
        counts = by_child.setdefault(child_of[lead_unit_id], StatusCounts())
        counts.by_status[status] = counts.by_status.get(status, 0) + n
    direct = by_child.pop(unit.pk, StatusCounts())
    children = Unit.objects.only("name").in_bulk(list(by_child))
    result = [UnitCounts(children[pk], counts) for pk, counts in by_child.items()]
    result.sort(key=lambda r: (-r.counts.overdue, r.unit.name))
    total = StatusCounts(dict(direct.by_status))
    for row in result:
        total.add(row.counts)
    if direct.total:
        result.insert(0, UnitCounts(unit, direct, direct=True))
    return total, result


def subtree_totals(user: AnyUser, unit: Unit, filters: TaskFilters, today: dt.date) -> StatusCounts:
    """The totals of `subtree_counts` without the split by child unit: what a list page shows."""
    if not unit_visible_to(user, unit):
        return StatusCounts()
    units = subtree_ids(unit)
    total = StatusCounts()
    for _unit, status, n in _counts_by_lead_unit(units, filters, today, by_unit=False):
        total.by_status[status] = total.by_status.get(status, 0) + n
    return total


def _counts_by_lead_unit(
    units: Any, filters: TaskFilters, today: dt.date, *, by_unit: bool = True
) -> Iterator[tuple[int, str, int]]:
    """(lead unit, status, number of tasks) for the tasks led by `units`, status filter aside;
    without `by_unit`, (0, status, number) over all of them.

    Completed tasks come from their tallies (models.DoneTally: a few rows per unit) unless the
    filters need the tasks themselves (due dates, words of the title); open tasks are counted
    from their own partial index."""
    group = ["lead_unit_id"] if by_unit else []

    def rows(qs: Any, *fields: str, **aggregates: Any) -> Any:
        qs = qs.order_by()
        if by_unit or fields:
            return qs.values_list(*group, *fields).annotate(**aggregates)
        return [tuple(qs.aggregate(**aggregates).values())]

    def keyed(row: tuple[Any, ...]) -> tuple[int, tuple[Any, ...]]:
        return (row[0], row[1:]) if by_unit else (0, row)

    if filters.due_from is not None or filters.due_to is not None or filters.text:
        base = apply_filters(Task.objects.filter(lead_unit_id__in=units), filters.without_status(), today)
        for row in rows(base.annotate(status=status_expression(today)), "status", n=Count("id")):
            unit, (status, n) = keyed(row)
            yield unit, status, n
        return
    open_tasks = Task.objects.filter(lead_unit_id__in=units, completed_on__isnull=True)
    done = DoneTally.objects.filter(lead_unit_id__in=units)
    if filters.source:
        open_tasks, done = open_tasks.filter(source=filters.source), done.filter(source=filters.source)
    if filters.lead_unit is not None:
        open_tasks, done = open_tasks.filter(lead_unit=filters.lead_unit), done.filter(lead_unit=filters.lead_unit)
    open_counts = rows(
        open_tasks, overdue=Count("id", filter=Q(due_date__lt=today)), within=Count("id", filter=Q(due_date__gte=today))
    )
    for row in open_counts:
        unit, (overdue, within) = keyed(row)
        if overdue:
            yield unit, Status.OVERDUE, overdue
        if within:
            yield unit, Status.IN_PROGRESS, within
    for row in rows(done, "late", n=Sum("count")):
        unit, (late, n) = keyed(row)
        if n:
            yield unit, Status.DONE_LATE if late else Status.DONE_ON_TIME, n


class KnownCountPaginator(Paginator[Any]):
    """A paginator told the total in advance (from the status counts), that fetches a page in one
    statement of two steps: the ids of the page in order (narrow rows, index-only on PostgreSQL)
    as a subquery, then only those rows with their units and people (`list_rows`) — not every
    matching row joined before sorting, and not the filters planned twice."""

    def __init__(self, object_list: TaskQuerySet, per_page: int, *, count: int, today: dt.date) -> None:
        super().__init__(object_list, per_page)
        self.tasks = object_list
        self.today = today
        self._known = count

    @cached_property
    def count(self) -> int:
        return self._known

    def page(self, number: Any) -> Page[Any]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = ordered(self.tasks).values("pk")[bottom : bottom + self.per_page]
        return Page(list_rows(Task.objects.filter(pk__in=Subquery(ids)), self.today), number, self)


# --- one task --------------------------------------------------------------------------------


@dataclass
class TaskHistory:
    extensions: list[Extension]
    progress: list[ProgressUpdate]
    comments: list[Comment]
    attachments: list[Attachment]
    subtasks: list[Task]
    occurrences: list[Task]


def history(task: Task, today: dt.date | None = None) -> TaskHistory:
    """Everything that happened to a task the caller already fetched through the scope helper."""
    day = today or timezone.localdate()
    previous: list[Task] = []
    node = task.previous_occurrence
    while node is not None and len(previous) < 24:
        previous.append(node)
        node = node.previous_occurrence
    return TaskHistory(
        extensions=list(Extension.objects.filter(task=task).select_related("requested_by", "decided_by")),
        progress=list(ProgressUpdate.objects.filter(task=task).select_related("author").order_by("-created_at", "-id")),
        comments=list(Comment.objects.filter(task=task).select_related("author")),
        attachments=list(Attachment.objects.filter(task=task).select_related("uploaded_by")),
        subtasks=list(rows(Task.objects.filter(parent=task), day)),
        occurrences=previous,
    )


def tasks_by_conclusion(user: AnyUser, meeting: Any) -> dict[int, list[Task]]:
    """The tasks already given from each conclusion of `meeting` (so a conclusion is not given twice by mistake)."""
    found: dict[int, list[Task]] = {}
    qs = Task.objects.visible_to(user).filter(meeting=meeting, conclusion__isnull=False).select_related("lead_unit")
    for task in qs.order_by("id"):
        found.setdefault(task.conclusion_id or 0, []).append(task)
    return found


def task_detail_queryset() -> TaskQuerySet:
    return Task.objects.select_related(
        "lead_unit",
        "lead_person",
        "assigning_unit",
        "assigned_by",
        "parent",
        "meeting",
        "conclusion",
        "previous_occurrence",
        "completed_by",
        "evaluated_by",
    ).prefetch_related(Prefetch("coordinating_units", queryset=Unit.objects.order_by("name")))


# --- choices for forms -------------------------------------------------------------------------


def assigning_units(user: AnyUser) -> UnitQuerySet:
    """The units offered as "assigning unit": those where the user holds the secretariat role or
    higher themselves (a grant reaches the subtree too; any unit under them can be chosen with
    ?unit=)."""
    qs = Unit.objects.filter(pk__in=grant_unit_ids(user, minimum_role=EDITOR))
    if user.is_superuser and not qs.exists():
        qs = Unit.objects.filter(parent__isnull=True)
    return qs.current().order_by("depth", "name")


def unit_or_404(user: AnyUser, pk: Any) -> Unit:
    """The unit of a list page, 404 when missing or out of the user's scope (the same answer as
    `get_visible_or_404`). The unit and the cheap test through the user's own grants come in one
    statement; the full rule of `unit_visible_to` runs only when that test fails."""
    try:
        unit_id = int(pk)
    except (ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy.")) from exc
    granted = UnitClosure.objects.filter(ancestor_id__in=grant_unit_ids(user), descendant_id=OuterRef("pk"))
    unit = Unit.objects.filter(pk=unit_id).annotate(granted=Exists(granted)).first()
    if unit is None:
        raise Http404(_("Không tìm thấy."))
    if unit.granted and user.is_active:  # type: ignore[attr-defined]  # annotated above
        remember_visible(user, unit)
    elif not unit_visible_to(user, unit):
        raise Http404(_("Không tìm thấy."))
    return unit


def filter_units(user: AnyUser, unit: Unit) -> UnitQuerySet:
    """The lead units offered by a unit's list filter: the unit and its direct children (a
    province's select does not list its thousands of agencies and villages). `unit` comes from
    the scope helper, and what lies under a visible unit is visible (see TaskQuerySet.within)."""
    if not unit_visible_to(user, unit):
        return Unit.objects.none()
    return Unit.objects.filter(Q(pk=unit.pk) | Q(parent=unit)).current().order_by("depth", "name").only("name", "depth")


def unit_choices(user: AnyUser, root: Unit, *, include_root: bool = True) -> UnitQuerySet:
    qs = Unit.objects.visible_to(user).subtree_of(root, include_self=include_root).current()
    return qs.order_by("depth", "name")


def people_choices(user: AnyUser, root: Unit) -> PersonQuerySet:
    return (
        Person.objects.visible_to(user)
        .filter(unit__in=Unit.objects.subtree_of(root).values("id"))
        .order_by("name_folded")
    )


# --- notifications -----------------------------------------------------------------------------


def notifications_for(user: AnyUser) -> NotificationQuerySet:
    return Notification.objects.visible_to(user).select_related("task")


def unread_count(user: AnyUser) -> int:
    return Notification.objects.visible_to(user).unread().count()
