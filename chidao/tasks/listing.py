"""The two long tables of a task list, built in Python.

A province's list shows a row per child unit (up to ~170) and a page of 50 tasks; through the
template engine those rows cost about 35 ms of CPU per request (each variable, filter and tag is a
node to resolve), and through format_html still ~10 ms (every argument goes through the lazy-aware
escape). Here each row is one str.format of values that are either escaped with the standard
library's html.escape (every text: names, titles, labels) or integers, dates and URLs we build
from integers; the sentences are the template's own msgids, so the translations stay."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from chidao.tasks.models import Priority, Recurrence, Status

if TYPE_CHECKING:
    from chidao.tasks.queries import ListedTask, UnitCounts

STATUS_BADGE: dict[str, str] = {
    Status.OVERDUE: "text-bg-danger",
    Status.IN_PROGRESS: "text-bg-primary",
    Status.DONE_ON_TIME: "text-bg-success",
    Status.DONE_LATE: "text-bg-warning",
}
UNIT_ROW = (
    '<tr{danger}><td>{name}</td><td class="text-end">{total}</td><td class="text-end">{overdue}</td>'
    '<td class="text-end">{in_progress}</td><td class="text-end">{on_time}</td><td class="text-end">{late}</td></tr>'
)
TASK_ROW = (
    '<tr{danger}><td><a href="{url}">{title}</a>{badges}</td><td>{lead}{person}</td>'
    '<td class="small">{assigning}</td><td>{due}{original}</td>'
    '<td><progress max="100" value="{progress}" aria-label="{progress_label}">{progress}%</progress> '
    '<span class="small">{progress}%</span></td>'
    '<td><span class="badge {badge}">{status}</span>{done}</td></tr>'
)
DANGER = ' class="table-danger"'
MUTED = '<div class="small text-muted">{}</div>'


def _date(value: object) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def unit_rows(rows: Iterable[UnitCounts], list_url: str) -> SafeString:
    """<tr> of the "by child unit" table: name (a link to its own list), total, overdue (a link to
    the overdue ones), in progress, done on time, done late."""
    base = escape(list_url)
    direct_name = _("%(u)s (trực tiếp chủ trì)")
    html = []
    for row in rows:
        counts = row.counts
        unit_url = f"{base}?unit={row.unit.pk:d}"
        if row.direct:
            name = escape(direct_name % {"u": row.unit.name})
        else:
            name = f'<a href="{unit_url}">{escape(row.unit.name)}</a>'
        overdue = counts.overdue
        overdue_cell = (
            f'<a class="link-danger fw-semibold" href="{unit_url}{"&amp;subtree=0" if row.direct else ""}'
            f'&amp;status=overdue">{overdue:d}</a>'
            if overdue
            else "0"
        )
        html.append(
            UNIT_ROW.format(
                danger=DANGER if overdue else "",
                name=name,
                total=int(counts.total),
                overdue=overdue_cell,
                in_progress=int(counts.in_progress),
                on_time=int(counts.done_on_time),
                late=int(counts.done_late),
            )
        )
    return mark_safe("\n".join(html))  # noqa: S308 - every text above is escaped, the rest are integers


def task_rows(tasks: Iterable[ListedTask], labels: Mapping[str, str]) -> SafeString:
    """<tr> of a page of tasks (queries.list_rows)."""
    marker = 987654321
    detail = escape(reverse("tasks:detail", args=[marker])).replace(str(marker), "{}")
    priorities = {key: escape(str(label)) for key, label in Priority.choices}
    recurrences = {key: escape(str(label)) for key, label in Recurrence.choices}
    status_labels = {key: escape(str(label)) for key, label in labels.items()}
    progress_label = escape(_("Tiến độ"))
    originally = _("hạn ban đầu %(d)s")
    html = []
    for task in tasks:
        status = task.status
        badges = ""
        if task.priority != Priority.NORMAL:
            badges += f' <span class="badge text-bg-dark">{priorities[task.priority]}</span>'
        if task.recurrence:
            badges += f' <span class="badge text-bg-info">{recurrences[task.recurrence]}</span>'
        person = MUTED.format(escape(task.lead_person_name)) if task.lead_person_name is not None else ""
        original = (
            MUTED.format(escape(originally % {"d": _date(task.original_due_date)}))
            if task.due_date != task.original_due_date
            else ""
        )
        html.append(
            TASK_ROW.format(
                danger=DANGER if status == Status.OVERDUE else "",
                url=detail.format(int(task.pk)),
                title=escape(Truncator(task.title).chars(140)),
                badges=badges,
                lead=escape(task.lead_unit_name),
                person=person,
                assigning=escape(task.assigning_unit_name),
                due=_date(task.due_date),
                original=original,
                progress=int(task.progress),
                progress_label=progress_label,
                badge=STATUS_BADGE.get(status, "text-bg-secondary"),
                status=status_labels.get(status, escape(status)),
                done=MUTED.format(_date(task.completed_on)) if task.completed_on else "",
            )
        )
    return mark_safe("\n".join(html))  # noqa: S308 - every text above is escaped, the rest are integers and dates
