"""The calendar's dates: weeks Monday to Sunday, month steps, holidays by name."""

from __future__ import annotations

import datetime as dt

from chidao.schedule import grid


def test_month_grid_runs_monday_to_sunday_and_covers_the_month():
    weeks = grid.month_weeks(dt.date(2026, 3, 15))
    assert weeks[0][0] == dt.date(2026, 2, 23)  # the Monday before 1 March (a Sunday)
    assert weeks[-1][-1] == dt.date(2026, 4, 5)
    assert all(len(w) == 7 and w[0].weekday() == 0 and w[6].weekday() == 6 for w in weeks)
    days = [d for w in weeks for d in w]
    assert dt.date(2026, 3, 1) in days and dt.date(2026, 3, 31) in days


def test_a_month_starting_on_monday_has_no_leading_days():
    weeks = grid.month_weeks(dt.date(2026, 6, 10))
    assert weeks[0][0] == dt.date(2026, 6, 1)


def test_month_steps_cross_years():
    assert grid.add_months(dt.date(2026, 1, 31), -1) == dt.date(2025, 12, 1)
    assert grid.add_months(dt.date(2026, 12, 5), 1) == dt.date(2027, 1, 1)


def test_week_is_the_monday_to_sunday_around_a_day():
    days = grid.week_days(dt.date(2026, 3, 12))  # a Thursday
    assert days[0] == dt.date(2026, 3, 9) and days[-1] == dt.date(2026, 3, 15)


def test_weekday_names_are_vietnamese_from_monday():
    assert [str(n) for n in grid.WEEKDAYS] == [
        "Thứ Hai",
        "Thứ Ba",
        "Thứ Tư",
        "Thứ Năm",
        "Thứ Sáu",
        "Thứ Bảy",
        "Chủ nhật",
    ]


def test_parse_day_accepts_a_date_or_a_month_and_refuses_the_rest():
    assert grid.parse_day("2026-03-10") == dt.date(2026, 3, 10)
    assert grid.parse_day("2026-03") == dt.date(2026, 3, 1)
    assert grid.parse_day("2026-02-30") is None
    assert grid.parse_day("hôm nay") is None
    assert grid.parse_day(None) is None


def test_holidays_have_vietnamese_names_across_a_year_end():
    found = grid.holiday_names(dt.date(2025, 12, 20), dt.date(2026, 2, 28))
    assert found[dt.date(2026, 1, 1)] == "Tết Dương lịch"
    assert "Tết Nguyên Đán" in found[dt.date(2026, 2, 17)]
    assert all(dt.date(2025, 12, 20) <= d <= dt.date(2026, 2, 28) for d in found)
    assert grid.holiday_names(dt.date(2026, 9, 1), dt.date(2026, 9, 2), "en")[dt.date(2026, 9, 2)] == "National Day"
