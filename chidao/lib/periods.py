"""Reporting periods as Vietnamese offices use them, in two calendars.

Calendar periods are plain months, quarters, halves and years. The statistical cut-off of
Nghị định 09/2019/NĐ-CP (Điều 12, thời gian chốt số liệu báo cáo định kỳ) shifts them: a month's
data runs from the 15th of the previous month to the 14th; a quarter from the 15th of the month
before it to the 14th of its last month; the first 6 months, 9 months, 10 months and the year all
start on 15 December of the previous year and end on the 14th of June, September, October and
December. Cumulative periods ("6 tháng đầu năm", "9 tháng", "10 tháng đầu năm", "năm") are made of
the months they cover, so they can be summed from monthly data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"  # 6 tháng đầu năm
    NINE_MONTHS = "nine_months"
    TEN_MONTHS = "ten_months"
    YEAR = "year"
    CUSTOM = "custom"


class Calendar(StrEnum):
    CALENDAR = "calendar"
    ND09 = "nd09"


# Last month covered by each period kind (number = 1 for the single-number kinds).
CUMULATIVE_END_MONTH = {Kind.HALF: 6, Kind.NINE_MONTHS: 9, Kind.TEN_MONTHS: 10, Kind.YEAR: 12}
LABELS = {
    Kind.MONTH: "Tháng {number}/{year}",
    Kind.QUARTER: "Quý {roman}/{year}",
    Kind.HALF: "6 tháng đầu năm {year}",
    Kind.NINE_MONTHS: "9 tháng đầu năm {year}",
    Kind.TEN_MONTHS: "10 tháng đầu năm {year}",
    Kind.YEAR: "Năm {year}",
}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True, order=True)
class Span:
    """A period: kind, calendar, year, number (month 1-12, quarter 1-4, else 1) and dates."""

    year: int
    kind: Kind
    number: int
    calendar: Calendar
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return LABELS[self.kind].format(number=self.number, year=self.year, roman=ROMAN.get(self.number, ""))

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every month the period covers, for cumulative roll-up from monthly data."""
        first, last = _month_range(self.kind, self.number)
        return [(self.year, m) for m in range(first, last + 1)]


def _month_range(kind: Kind, number: int) -> tuple[int, int]:
    if kind == Kind.MONTH:
        return number, number
    if kind == Kind.QUARTER:
        return 3 * number - 2, 3 * number
    if kind in CUMULATIVE_END_MONTH:
        return 1, CUMULATIVE_END_MONTH[kind]
    raise ValueError(f"no month range for {kind}")


def _last_day(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _month_start(year: int, month: int, calendar: Calendar) -> dt.date:
    if calendar == Calendar.ND09:
        return dt.date(year - 1, 12, 15) if month == 1 else dt.date(year, month - 1, 15)
    return dt.date(year, month, 1)


def _month_end(year: int, month: int, calendar: Calendar) -> dt.date:
    return dt.date(year, month, 14) if calendar == Calendar.ND09 else _last_day(year, month)


def span(kind: Kind | str, year: int, number: int = 1, calendar: Calendar | str = Calendar.CALENDAR) -> Span:
    """The period `number` of `kind` in `year` (month 1-12, quarter 1-4; 1 for the others)."""
    kind, calendar = Kind(kind), Calendar(calendar)
    limits = {Kind.MONTH: 12, Kind.QUARTER: 4}
    if not 1 <= number <= limits.get(kind, 1):
        raise ValueError(f"{kind} number {number} out of range")
    first, last = _month_range(kind, number)
    return Span(year, kind, number, calendar, _month_start(year, first, calendar), _month_end(year, last, calendar))


def spans_of_year(kind: Kind | str, year: int, calendar: Calendar | str = Calendar.CALENDAR) -> list[Span]:
    count = {Kind.MONTH: 12, Kind.QUARTER: 4}.get(Kind(kind), 1)
    return [span(kind, year, n, calendar) for n in range(1, count + 1)]


def containing(day: dt.date, kind: Kind | str, calendar: Calendar | str = Calendar.CALENDAR) -> Span:
    """The period of `kind` whose dates contain `day` (for cumulative kinds: of the same data year)."""
    kind, calendar = Kind(kind), Calendar(calendar)
    year = day.year + 1 if calendar == Calendar.ND09 and day >= dt.date(day.year, 12, 15) else day.year
    for candidate in spans_of_year(kind, year, calendar):
        if candidate.start <= day <= candidate.end:
            return candidate
    raise ValueError(f"{day} is in no {kind} period of {year}")


def previous(period: Span) -> Span:
    """The period before: the previous month or quarter, or the same kind a year earlier."""
    if period.kind == Kind.MONTH:
        y, n = (period.year - 1, 12) if period.number == 1 else (period.year, period.number - 1)
    elif period.kind == Kind.QUARTER:
        y, n = (period.year - 1, 4) if period.number == 1 else (period.year, period.number - 1)
    else:
        y, n = period.year - 1, 1
    return span(period.kind, y, n, period.calendar)
