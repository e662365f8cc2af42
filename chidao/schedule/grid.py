"""Dates of the calendar pages: month grids (weeks Monday to Sunday, as Vietnamese calendars
print them), weeks, and the public holidays with their Vietnamese names. No database here."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.utils.translation import gettext_lazy as _

WEEKDAYS = (_("Thứ Hai"), _("Thứ Ba"), _("Thứ Tư"), _("Thứ Năm"), _("Thứ Sáu"), _("Thứ Bảy"), _("Chủ nhật"))
WEEKDAYS_SHORT = (_("T2"), _("T3"), _("T4"), _("T5"), _("T6"), _("T7"), _("CN"))
ONE_DAY = dt.timedelta(days=1)


def parse_day(text: str | None) -> dt.date | None:
    """`2026-03-10` or `2026-03` (the first of the month); None when it is not a date."""
    if not text:
        return None
    text = text.strip()
    try:
        if len(text) == 7:
            return dt.date.fromisoformat(f"{text}-01")
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` away from `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def month_weeks(day: dt.date) -> list[list[dt.date]]:
    """The weeks (Monday first) that show `day`'s month, with the neighbouring months' days that
    fill the first and last week."""
    first = first_of_month(day)
    last = add_months(first, 1) - ONE_DAY
    start, end = monday_of(first), monday_of(last) + dt.timedelta(days=6)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    return [days[i : i + 7] for i in range(0, len(days), 7)]


def week_days(day: dt.date) -> list[dt.date]:
    start = monday_of(day)
    return [start + dt.timedelta(days=i) for i in range(7)]


@lru_cache(maxsize=32)
def _holidays(year: int, language: str) -> dict[dt.date, str]:
    return dict(holidays.country_holidays("VN", years=year, language=language).items())


def holiday_names(start: dt.date, end: dt.date, language: str = "vi") -> dict[dt.date, str]:
    """Vietnam's public holidays between `start` and `end` (inclusive) with their names (Tết
    Nguyên Đán and its days off, Giỗ Tổ Hùng Vương, 30/4, 1/5, Quốc khánh, and the days off in
    lieu), in Vietnamese or, for any other interface language, in English."""
    lang = "vi" if language.startswith("vi") else "en_US"
    found: dict[dt.date, str] = {}
    for year in range(start.year, end.year + 1):
        for day, name in _holidays(year, lang).items():
            if start <= day <= end:
                found[day] = name
    return found
