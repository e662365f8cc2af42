"""Working days in Vietnam: Monday to Friday, less public holidays (Tết included).

The `holidays` package knows the statutory holidays and their observed days; the government also
decides shifts each year (a Saturday worked to bridge a holiday, an extra day off), which an
administrator records and which are passed in as `extra_days_off` and `extra_work_days`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("VN", years=year))


def is_working_day(
    day: dt.date,
    *,
    extra_days_off: Iterable[dt.date] = (),
    extra_work_days: Iterable[dt.date] = (),
) -> bool:
    if day in set(extra_work_days):
        return True
    if day.weekday() >= 5 or day in set(extra_days_off):
        return False
    return day not in public_holidays(day.year)


def add_working_days(
    start: dt.date,
    days: int,
    *,
    extra_days_off: Iterable[dt.date] = (),
    extra_work_days: Iterable[dt.date] = (),
) -> dt.date:
    """The `days`-th working day after `start` (start itself not counted); 0 returns `start`."""
    off, work = frozenset(extra_days_off), frozenset(extra_work_days)
    day, left = start, days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, extra_days_off=off, extra_work_days=work):
            left -= 1
    return day
