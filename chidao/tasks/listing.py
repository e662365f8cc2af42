"""The two long tables of a task list, built in Python.

A province's list shows a row per child unit (up to ~170) and a page of 50 tasks; through the
template engine those rows cost about 35 ms of CPU per request (each variable, filter and tag is a
node to resolve), more than the queries. Built here with format_html, the same markup costs a
few milliseconds. Every value is escaped by format_html; the sentences are the template's own
msgids, so the translations stay."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from chidao.tasks.models import Priority, Recurrence, Status

if TYPE_CHECKING:
    from chidao.tasks.models import Task
    from chidao.tasks.queries import UnitCounts

EMPTY = mark_safe("")
STATUS_BADGE: dict[str, str] = {
    Status.OVERDUE: "text-bg-danger",
    Status.IN_PROGRESS: "text-bg-primary",
    Status.DONE_ON_TIME: "text-bg-success",
    Status.DONE_LATE: "text-bg-warning",
}


def _date(value: object) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def unit_rows(rows: Iterable[UnitCounts], list_url: str) -> SafeString:
    """<tr> of the "by child unit" table: name (a link to its own list), total, overdue (a link to
    the overdue ones), in progress, done on time, done late."""

    def cells(row: UnitCounts) -> tuple[object, ...]:
        counts = row.counts
        unit_url = f"{list_url}?unit={row.unit.pk}"
        if row.direct:
            name: object = _("%(u)s (trực tiếp chủ trì)") % {"u": row.unit.name}
        else:
            name = format_html('<a href="{}">{}</a>', unit_url, row.unit.name)
        if counts.overdue:
            overdue: object = format_html(
                '<a class="link-danger fw-semibold" href="{}{}&amp;status=overdue">{}</a>',
                unit_url,
                mark_safe("&amp;subtree=0") if row.direct else EMPTY,
                counts.overdue,
            )
        else:
            overdue = 0
        return (
            mark_safe(' class="table-danger"') if counts.overdue else EMPTY,
            name,
            counts.total,
            overdue,
            counts.in_progress,
            counts.done_on_time,
            counts.done_late,
        )

    return format_html_join(
        "\n",
        '<tr{}><td>{}</td><td class="text-end">{}</td><td class="text-end">{}</td>'
        '<td class="text-end">{}</td><td class="text-end">{}</td><td class="text-end">{}</td></tr>',
        (cells(row) for row in rows),
    )


def task_rows(tasks: Iterable[Task], labels: Mapping[str, str]) -> SafeString:
    """<tr> of a page of tasks, annotated with `status` (TaskQuerySet.with_status)."""
    marker = 987654321
    detail = reverse("tasks:detail", args=[marker]).replace(str(marker), "{}")
    priorities = dict(Priority.choices)
    recurrences = dict(Recurrence.choices)
    progress_label = _("Tiến độ")
    originally = _("hạn ban đầu %(d)s")

    def cells(task: Task) -> tuple[object, ...]:
        status: str = task.status  # type: ignore[attr-defined]  # annotated by with_status
        badges = []
        if task.priority != Priority.NORMAL:
            badges.append(format_html(' <span class="badge text-bg-dark">{}</span>', priorities[task.priority]))
        if task.recurrence:
            badges.append(format_html(' <span class="badge text-bg-info">{}</span>', recurrences[task.recurrence]))
        person = (
            format_html('<div class="small text-muted">{}</div>', task.lead_person.full_name)
            if task.lead_person_id and task.lead_person is not None
            else EMPTY
        )
        original = (
            format_html('<div class="small text-muted">{}</div>', originally % {"d": _date(task.original_due_date)})
            if task.due_date != task.original_due_date
            else EMPTY
        )
        done = (
            format_html('<div class="small text-muted">{}</div>', _date(task.completed_on))
            if task.completed_on
            else EMPTY
        )
        return (
            mark_safe(' class="table-danger"') if status == Status.OVERDUE else EMPTY,
            detail.format(task.pk),
            Truncator(task.title).chars(140),
            format_html_join("", "{}", ((badge,) for badge in badges)),
            task.lead_unit.name,
            person,
            task.assigning_unit.name,
            _date(task.due_date),
            original,
            task.progress,
            progress_label,
            task.progress,
            task.progress,
            STATUS_BADGE.get(status, "text-bg-secondary"),
            labels.get(status, status),
            done,
        )

    return format_html_join(
        "\n",
        '<tr{}><td><a href="{}">{}</a>{}</td><td>{}{}</td><td class="small">{}</td><td>{}{}</td>'
        '<td><progress max="100" value="{}" aria-label="{}">{}%</progress> <span class="small">{}%</span></td>'
        '<td><span class="badge {}">{}</span>{}</td></tr>',
        (cells(task) for task in tasks),
    )
