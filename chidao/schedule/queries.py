"""Reads of the calendar: the meetings and task deadlines of a unit over a range of days, for the
month and week pages, the API and the iCalendar feed.

Rules: meetings come from `Meeting.objects.visible_to(user)` and belong to a unit when their host
or visiting committee sits in it (a working delegation shows on both sides' calendars); task
deadlines come from `tasks.queries.unit_tasks` (the lead or a coordinating unit is the unit),
which starts from `Task.objects.visible_to(user)`. A page costs the same number of queries
whatever the number of entries: one for the meetings, one for the tasks, each capped.
A feed holds what its owner sees on the calendars of the units they hold a role on, plus the tasks
they lead in person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chidao.meetings.models import Meeting, MeetingKind, MeetingQuerySet, MeetingStatus
from chidao.org import queries as org_queries
from chidao.org.models import Unit, UnitClosure
from chidao.schedule import grid
from chidao.schedule.models import CalendarFeed
from chidao.tasks import queries as task_queries
from chidao.tasks.models import Status, Task, TaskQuerySet

if TYPE_CHECKING:
    from chidao.accounts.models import User
    from chidao.org.scope import AnyUser

MEETING, TASK = "meeting", "task"
# Entries of each kind on one page or in one feed; beyond it the page says so. A province's
# subtree over six weeks stays far below it; a whole country's does not.
MAX_ENTRIES = 500
FEED_MAX_ENTRIES = 2000
FEED_DAYS_BACK = 90
FEED_DAYS_AHEAD = 365
LONGEST_MEETING_DAYS = 31


@dataclass(frozen=True)
class Entry:
    """One thing on the calendar: a meeting (timed) or a task's due date (all day)."""

    kind: str
    pk: int
    title: str
    url: str
    first_day: dt.date
    last_day: dt.date
    starts_at: dt.datetime | None  # meetings only, aware
    ends_at: dt.datetime | None
    place: str
    organiser: str  # the host committee (and the visiting one), or the lead unit
    kind_label: str
    status: str
    status_label: str
    overdue: bool = False
    done: bool = False
    cancelled: bool = False
    updated_at: dt.datetime | None = None
    notes: tuple[str, ...] = ()

    @property
    def is_meeting(self) -> bool:
        return self.kind == MEETING

    @property
    def all_day(self) -> bool:
        return self.starts_at is None

    @property
    def local_start(self) -> dt.datetime | None:
        return timezone.localtime(self.starts_at) if self.starts_at else None

    @property
    def local_end(self) -> dt.datetime | None:
        return timezone.localtime(self.ends_at) if self.ends_at else None

    def sort_key(self) -> tuple[int, dt.datetime, int]:
        moment = self.starts_at or dt.datetime.combine(self.first_day, dt.time.min, tzinfo=dt.UTC)
        return (0 if self.all_day else 1, moment, self.pk)


@dataclass(frozen=True)
class Placed:
    """An entry on one day of the grid, with the times that day: a meeting over several days
    reads "từ 14:00" on its first day, "cả ngày" between and "đến 17:00" on its last."""

    entry: Entry
    date: dt.date

    @property
    def time(self) -> str:
        start, end = self.entry.local_start, self.entry.local_end
        if start is None:
            return ""
        if self.entry.first_day == self.entry.last_day:
            return f"{start:%H:%M}"
        if self.date == self.entry.first_day:
            return _("từ %(time)s") % {"time": f"{start:%H:%M}"}
        if self.date == self.entry.last_day and end is not None:
            return _("đến %(time)s") % {"time": f"{end:%H:%M}"}
        return _("cả ngày")

    @property
    def time_range(self) -> str:
        start, end = self.entry.local_start, self.entry.local_end
        if start is not None and end is not None and self.entry.first_day == self.entry.last_day:
            return f"{start:%H:%M}\u2013{end:%H:%M}"
        return self.time


@dataclass
class Day:
    date: dt.date
    in_month: bool
    is_today: bool
    holiday: str
    entries: list[Placed] = field(default_factory=list)

    @property
    def weekday(self) -> Any:
        return grid.WEEKDAYS[self.date.weekday()]

    @property
    def is_weekend(self) -> bool:
        return self.date.weekday() >= 5


@dataclass
class Calendar:
    """What a month or week page shows."""

    unit: Unit | None
    subtree: bool
    anchor: dt.date  # the day the page was asked for
    weeks: list[list[Day]]
    truncated: bool
    meeting_count: int
    task_count: int
    overdue_count: int

    @property
    def days(self) -> list[Day]:
        return [day for week in self.weeks for day in week]


MAX_RANGE_DAYS = 100


def check_range(start: dt.date, end: dt.date) -> None:
    """A range for the API: in order and at most MAX_RANGE_DAYS long."""
    if end < start:
        raise ValidationError({"end": _("Ngày kết thúc không được trước ngày bắt đầu.")})
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValidationError({"end": _("Mỗi lần chỉ lấy tối đa %(n)s ngày.") % {"n": MAX_RANGE_DAYS}})


# --- the unit's entries -----------------------------------------------------------------------


def _unit_ids(unit: Unit, *, subtree: bool) -> Any:
    return UnitClosure.objects.filter(ancestor=unit).values("descendant_id") if subtree else [unit.pk]


def _day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(first, dt.time.min, tzinfo=tz), dt.datetime.combine(
        last + grid.ONE_DAY, dt.time.min, tzinfo=tz
    )


def _meetings_between(qs: MeetingQuerySet, first: dt.date, last: dt.date) -> MeetingQuerySet:
    start, end = _day_bounds(first, last)
    return (
        qs.filter(starts_at__lt=end)
        .filter(Q(starts_at__gte=start) | Q(ends_at__gte=start))
        .select_related("host_committee", "visiting_committee")
        .order_by("starts_at", "id")
    )


def unit_meetings(user: AnyUser, unit: Unit, first: dt.date, last: dt.date, *, subtree: bool) -> MeetingQuerySet:
    """Meetings the user sees whose host or visiting committee belongs to the unit (or its subtree)."""
    units = _unit_ids(unit, subtree=subtree)
    qs = Meeting.objects.visible_to(user).filter(
        Q(host_committee__unit__in=units) | Q(visiting_committee__unit__in=units)
    )
    return _meetings_between(qs, first, last)


def _tasks_between(qs: TaskQuerySet, first: dt.date, last: dt.date, today: dt.date) -> TaskQuerySet:
    return (
        qs.filter(due_date__gte=first, due_date__lte=last)
        .with_status(today)
        .select_related("lead_unit")
        .order_by("due_date", "id")
    )


def unit_task_deadlines(
    user: AnyUser, unit: Unit, first: dt.date, last: dt.date, *, subtree: bool, today: dt.date
) -> TaskQuerySet:
    """Tasks the user sees, due in the range, led or coordinated by the unit (or its subtree)."""
    qs = task_queries.unit_tasks(user, unit, subtree=subtree, role=task_queries.ANY_ROLE)
    return _tasks_between(qs, first, last, today)


def meeting_entry(meeting: Meeting) -> Entry:
    start = timezone.localtime(meeting.starts_at)
    last_day = timezone.localtime(meeting.ends_at).date() if meeting.ends_at else start.date()
    last_day = min(last_day, start.date() + dt.timedelta(days=LONGEST_MEETING_DAYS - 1))
    organiser = str(meeting.host_committee)
    if meeting.visiting_committee is not None:
        organiser = _("%(host)s, đoàn %(visitor)s") % {"host": organiser, "visitor": meeting.visiting_committee}
    notes = (meeting.description,) if meeting.description else ()
    return Entry(
        kind=MEETING,
        pk=meeting.pk,
        title=meeting.title,
        url=meeting.get_absolute_url(),
        first_day=start.date(),
        last_day=last_day,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        place=meeting.place,
        organiser=organiser,
        kind_label=str(MeetingKind(meeting.kind).label),
        status=meeting.status,
        status_label=str(MeetingStatus(meeting.status).label),
        cancelled=meeting.status == MeetingStatus.CANCELLED,
        updated_at=meeting.updated_at,
        notes=notes,
    )


def task_entry(task: Task, today: dt.date) -> Entry:
    status = getattr(task, "status", None) or task.status_on(today)
    notes = [_("Tiến độ: %(percent)s%%") % {"percent": task.progress}]
    if task.was_extended:
        notes.append(_("Hạn ban đầu: %(date)s") % {"date": f"{task.original_due_date:%d/%m/%Y}"})
    return Entry(
        kind=TASK,
        pk=task.pk,
        title=task.title,
        url=task.get_absolute_url(),
        first_day=task.due_date,
        last_day=task.due_date,
        starts_at=None,
        ends_at=None,
        place="",
        organiser=task.lead_unit.name,
        kind_label=_("Hạn nhiệm vụ"),
        status=status,
        status_label=str(Status(status).label),
        overdue=status == Status.OVERDUE,
        done=task.completed_on is not None,
        updated_at=task.updated_at,
        notes=tuple(notes),
    )


def _capped[M: Model](qs: QuerySet[M], limit: int | None = None) -> tuple[list[M], bool]:
    limit = MAX_ENTRIES if limit is None else limit
    rows = list(qs[: limit + 1])
    return rows[:limit], len(rows) > limit


def unit_entries(
    user: AnyUser, unit: Unit, first: dt.date, last: dt.date, *, subtree: bool, today: dt.date
) -> tuple[list[Entry], bool]:
    """The unit's entries between two days (inclusive), meetings first; True when capped."""
    meetings, more_meetings = _capped(unit_meetings(user, unit, first, last, subtree=subtree))
    tasks, more_tasks = _capped(unit_task_deadlines(user, unit, first, last, subtree=subtree, today=today))
    entries = [meeting_entry(m) for m in meetings] + [task_entry(t, today) for t in tasks]
    return entries, more_meetings or more_tasks


def _calendar(
    user: AnyUser,
    unit: Unit | None,
    days: list[dt.date],
    *,
    anchor: dt.date,
    subtree: bool,
    today: dt.date,
    language: str,
    month: int | None,
) -> Calendar:
    first, last = days[0], days[-1]
    entries, truncated = unit_entries(user, unit, first, last, subtree=subtree, today=today) if unit else ([], False)
    holidays = grid.holiday_names(first, last, language)
    by_day = {
        d: Day(d, in_month=month is None or d.month == month, is_today=d == today, holiday=holidays.get(d, ""))
        for d in days
    }
    for entry in sorted(entries, key=Entry.sort_key):
        day = max(entry.first_day, first)
        while day <= min(entry.last_day, last):
            by_day[day].entries.append(Placed(entry, day))
            day += grid.ONE_DAY
    ordered = [by_day[d] for d in days]
    return Calendar(
        unit=unit,
        subtree=subtree,
        anchor=anchor,
        weeks=[ordered[i : i + 7] for i in range(0, len(ordered), 7)],
        truncated=truncated,
        meeting_count=sum(1 for e in entries if e.is_meeting),
        task_count=sum(1 for e in entries if not e.is_meeting),
        overdue_count=sum(1 for e in entries if e.overdue),
    )


def month_calendar(
    user: AnyUser, unit: Unit | None, day: dt.date, *, subtree: bool, today: dt.date, language: str
) -> Calendar:
    days = [d for week in grid.month_weeks(day) for d in week]
    return _calendar(user, unit, days, anchor=day, subtree=subtree, today=today, language=language, month=day.month)


def week_calendar(
    user: AnyUser, unit: Unit | None, day: dt.date, *, subtree: bool, today: dt.date, language: str
) -> Calendar:
    return _calendar(
        user, unit, grid.week_days(day), anchor=day, subtree=subtree, today=today, language=language, month=None
    )


def unit_options(user: AnyUser, unit: Unit | None) -> list[Unit]:
    """Units offered by the picker: the user's own units, the chosen unit's visible ancestors, the
    unit itself and its current sub-units, in one query."""
    condition = Q(pk__in=org_queries.switchable_units(user).order_by().values("id"))
    if unit is not None:
        condition |= Q(pk__in=Unit.objects.ancestors_of(unit).order_by().values("id"))
        condition |= Q(pk__in=Unit.objects.filter(parent=unit).current().values("id"))
    return list(Unit.objects.visible_to(user).filter(condition).order_by("depth", "kind", "name"))


# --- the feed ---------------------------------------------------------------------------------


def feed_window(today: dt.date) -> tuple[dt.date, dt.date]:
    return today - dt.timedelta(days=FEED_DAYS_BACK), today + dt.timedelta(days=FEED_DAYS_AHEAD)


def feed_entries(user: User, today: dt.date) -> list[Entry]:
    """What the feed owner sees on the calendars of the units they hold a role on (without
    sub-units, as the pages open), and the tasks they lead in person, over the feed's window."""
    first, last = feed_window(today)
    units = org_queries.switchable_units(user).order_by().values("id")
    meetings = Meeting.objects.visible_to(user).filter(
        Q(host_committee__unit__in=units) | Q(visiting_committee__unit__in=units)
    )
    coordinated = Task.coordinating_units.through.objects.filter(unit_id__in=units).values("task_id")
    tasks = Task.objects.visible_to(user).filter(
        Q(lead_unit__in=units) | Q(pk__in=coordinated) | Q(lead_person__user_id=user.pk)
    )
    meeting_rows, _more = _capped(_meetings_between(meetings, first, last), FEED_MAX_ENTRIES)
    task_rows, _more = _capped(_tasks_between(tasks, first, last, today), FEED_MAX_ENTRIES)
    return [meeting_entry(m) for m in meeting_rows] + [task_entry(t, today) for t in task_rows]


def feeds_of(user: User) -> QuerySet[CalendarFeed]:
    return CalendarFeed.objects.filter(user=user).order_by("revoked_at", "-created_at")


def active_feed(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def feed_or_404(user: User, pk: int) -> CalendarFeed:
    """Only the owner reaches a feed; anyone else gets 404."""
    feed = CalendarFeed.objects.filter(user=user, pk=pk).first()
    if feed is None:
        raise Http404(_("Không tìm thấy."))
    return feed
