"""API shapes for the calendar."""

import datetime as dt

from ninja import Schema


class EntryOut(Schema):
    kind: str  # "meeting" or "task"
    id: int
    title: str
    url: str
    first_day: dt.date
    last_day: dt.date
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    all_day: bool
    place: str
    organiser: str
    status: str
    status_label: str
    overdue: bool
    done: bool
    cancelled: bool


class HolidayOut(Schema):
    date: dt.date
    name: str


class CalendarOut(Schema):
    unit_id: int
    start: dt.date
    end: dt.date
    subtree: bool
    truncated: bool
    holidays: list[HolidayOut]
    entries: list[EntryOut]
