"""Month and week pages: what each persona sees, holidays, navigation, htmx, query count."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chidao.meetings import services as meeting_services
from chidao.org.queries import SESSION_KEY
from chidao.schedule import queries
from tests.conftest import login
from tests.schedule.conftest import at
from tests.tasks.conftest import make_task


def page(client, view="month", **params):
    response = client.get(reverse(f"schedule:{view}"), params)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def entry_ids(html: str) -> set[str]:
    return set(re.findall(r'data-entry="([a-z]+-\d+)"', html))


def cell(html: str, day: dt.date) -> str:
    """The month grid's cell of `day`."""
    match = re.search(rf'<td[^>]*data-date="{day:%Y-%m-%d}"[^>]*>(.*?)</td>', html, re.S)
    assert match, day
    return match.group(0)


def shown_on(client, day: dt.date, **params) -> set[str]:
    """Entries in the cell of `day` on the month page that holds it."""
    return entry_ids(cell(page(client, date=day.isoformat(), **params), day))


def test_commune_officer_sees_the_communes_meetings_and_deadlines(cw, client):
    login(client, cw.commune_officer)
    unit = {"unit": cw.commune_a.pk}
    assert shown_on(client, cw.today + dt.timedelta(days=1), **unit) == {f"meeting-{cw.meeting_a.pk}"}
    assert shown_on(client, cw.today + dt.timedelta(days=3), **unit) == {f"meeting-{cw.delegation.pk}"}
    assert shown_on(client, cw.today + dt.timedelta(days=4), **unit) == {f"task-{cw.task_a.pk}"}
    # commune A coordinates this task of commune B
    assert shown_on(client, cw.today + dt.timedelta(days=5), **unit) == {f"task-{cw.task_coordinated.pk}"}


def test_entries_link_to_their_pages_and_show_the_time(cw, client):
    login(client, cw.commune_officer)
    day = cw.today + dt.timedelta(days=1)
    html = cell(page(client, date=day.isoformat()), day)
    assert f'href="{cw.meeting_a.get_absolute_url()}"' in html
    assert "08:00" in html and cw.meeting_a.title in html
    html = cell(page(client, date=(cw.today + dt.timedelta(days=4)).isoformat()), cw.today + dt.timedelta(days=4))
    assert f'href="{cw.task_a.get_absolute_url()}"' in html


def test_overdue_and_done_tasks_are_marked(cw, client):
    login(client, cw.commune_officer)
    yesterday = cw.today - dt.timedelta(days=1)
    html = cell(page(client, date=yesterday.isoformat()), yesterday)
    assert "calendar-entry-overdue" in html and "Quá hạn" in html and cw.task_overdue.title in html
    html = cell(page(client, date=cw.today.isoformat()), cw.today)
    assert "calendar-entry-done" in html and "Đã xong" in html and "calendar-entry-overdue" not in html


def test_sibling_officer_sees_neither_commune_a_meeting_nor_its_task(cw, client):
    login(client, cw.sibling_officer)
    tomorrow, in_four = cw.today + dt.timedelta(days=1), cw.today + dt.timedelta(days=4)
    assert shown_on(client, tomorrow) == {f"meeting-{cw.meeting_b.pk}"}
    shown = shown_on(client, in_four)
    assert f"task-{cw.task_b.pk}" in shown and f"task-{cw.task_a.pk}" not in shown
    html = page(client, date=tomorrow.isoformat())
    assert cw.meeting_a.title not in html and cw.delegation.title not in html
    response = client.get(reverse("schedule:month"), {"unit": cw.commune_a.pk})
    assert response.status_code == 404


def test_a_delegation_shows_on_both_committees_calendars(cw, client):
    day = cw.today + dt.timedelta(days=3)
    login(client, cw.outsider)  # Quảng Ninh's officer: the visiting committee
    assert f"meeting-{cw.delegation.pk}" in shown_on(client, day, unit=cw.province_b.pk)
    assert f"meeting-{cw.delegation.pk}" in shown_on(client, day)  # P22 is the outsider's own unit
    client.logout()
    login(client, cw.commune_officer)
    assert f"meeting-{cw.delegation.pk}" in shown_on(client, day)
    host_side = page(client, date=day.isoformat(), unit=cw.commune_a.pk)
    assert "đoàn Ban Chỉ đạo 35 tỉnh Quảng Ninh" in host_side


def test_the_subtree_option_adds_the_communes_of_a_province(cw, client):
    login(client, cw.province_admin)
    tomorrow = cw.today + dt.timedelta(days=1)
    alone = shown_on(client, tomorrow, unit=cw.province_a.pk)
    assert alone == set()
    with_communes = shown_on(client, tomorrow, unit=cw.province_a.pk, subtree=1)
    assert with_communes == {f"meeting-{cw.meeting_a.pk}", f"meeting-{cw.meeting_b.pk}"}
    assert f"meeting-{cw.meeting_province.pk}" in shown_on(
        client, cw.today + dt.timedelta(days=2), unit=cw.province_a.pk
    )


def test_default_unit_is_the_working_unit_of_the_switcher(cw, client):
    login(client, cw.province_admin)
    session = client.session
    session[SESSION_KEY] = cw.commune_b.pk
    session.save()
    html = page(client, date=(cw.today + dt.timedelta(days=1)).isoformat())
    assert f'<option value="{cw.commune_b.pk}" selected>' in html
    assert f"meeting-{cw.meeting_b.pk}" in entry_ids(html)
    assert f"meeting-{cw.meeting_a.pk}" not in entry_ids(html)


def test_month_grid_has_vietnamese_weekdays_today_and_holidays(cw, client):
    login(client, cw.commune_officer)
    html = page(client)
    headers = re.findall(r'<th scope="col">([^<]+)</th>', html)
    assert headers == ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
    first_day = re.search(r'data-date="(\d{4}-\d\d-\d\d)"', html).group(1)
    assert dt.date.fromisoformat(first_day).weekday() == 0
    today_cell = cell(html, cw.today)
    assert 'aria-current="date"' in today_cell and "calendar-today" in today_cell
    april = page(client, date="2026-04-15")
    assert "calendar-holiday" in cell(april, dt.date(2026, 4, 30))
    assert "Ngày Chiến thắng" in cell(april, dt.date(2026, 4, 30))
    assert "Giỗ Tổ Hùng Vương" in cell(april, dt.date(2026, 4, 26))


def test_month_navigation_links_work_with_and_without_htmx(cw, client):
    login(client, cw.commune_officer)
    html = page(client, date="2026-01-15", unit=cw.commune_a.pk)
    assert "Tháng 1 năm 2026" in html
    previous = f"/calendar/?unit={cw.commune_a.pk}&amp;date=2025-12-01"
    following = f"/calendar/?unit={cw.commune_a.pk}&amp;date=2026-02-01"
    assert f'href="{previous}" hx-get="{previous}"' in html
    assert f'href="{following}" hx-get="{following}"' in html
    assert "Tháng 12 năm 2025" in page(client, date="2025-12-01", unit=cw.commune_a.pk)
    partial = client.get(reverse("schedule:month"), {"date": "2026-02-01"}, headers={"HX-Request": "true"})
    text = partial.content.decode()
    assert partial.status_code == 200 and text.lstrip().startswith('<div id="calendar">')
    assert "<html" not in text and "Tháng 2 năm 2026" in text


def test_bad_dates_fall_back_to_today_and_bad_units_answer_404(cw, client):
    login(client, cw.commune_officer)
    html = page(client, date="2026-02-31")
    assert f"Tháng {cw.today.month} năm {cw.today.year}" in html
    assert client.get(reverse("schedule:month"), {"unit": "abc"}).status_code == 404
    assert client.get(reverse("schedule:week"), {"unit": 999999}).status_code == 404


def test_week_view_has_seven_days_with_times(cw, client):
    login(client, cw.commune_officer)
    day = cw.today + dt.timedelta(days=1)
    html = page(client, "week", date=day.isoformat())
    days = re.findall(r'<th scope="col"[^>]*data-date="([\d-]+)"', html)
    assert len(days) == 7 and dt.date.fromisoformat(days[0]).weekday() == 0
    assert day.isoformat() in days
    assert "08:00\u201311:30" in html and cw.meeting_a.place in html
    assert f"Tuần {dt.date.fromisoformat(days[0]).isocalendar().week}:" in html
    following = (dt.date.fromisoformat(days[0]) + dt.timedelta(days=7)).isoformat()
    assert "Tuần sau" in html
    assert following in page(client, "week", date=following)


def test_a_meeting_over_several_days_shows_on_each(cw, client):
    start = cw.today + dt.timedelta(days=20)
    meeting = meeting_services.create_meeting(
        actor=cw.commune_officer,
        host_committee=cw.mw.host,
        title="Lớp tập huấn nghiệp vụ ba ngày",
        kind="training",
        starts_at=at(start, 8),
        ends_at=at(start + dt.timedelta(days=2), 17),
    )
    login(client, cw.commune_officer)
    for offset in range(4):
        day = start + dt.timedelta(days=offset)
        assert (f"meeting-{meeting.pk}" in shown_on(client, day)) == (offset < 3), day
    times = [
        re.search(r'class="calendar-time">([^<]*)<', cell(page(client, date=d.isoformat()), d)).group(1)
        for d in (start + dt.timedelta(days=i) for i in range(3))
    ]
    assert times == ["từ 08:00", "cả ngày", "đến 17:00"]


def test_a_user_without_any_unit_gets_an_empty_calendar(cw, client):
    login(client, cw.tw.lead_user)
    html = page(client)
    assert "Bạn chưa được phân quyền tại đơn vị nào" in html
    assert entry_ids(html) == set()


@pytest.mark.parametrize("view", ["month", "week"])
def test_a_page_costs_the_same_queries_whatever_the_number_of_entries(cw, client, view):
    login(client, cw.province_admin)
    day = cw.today + dt.timedelta(days=30)
    params = {"unit": cw.province_a.pk, "subtree": 1, "date": day.isoformat()}
    url = reverse(f"schedule:{view}")

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, params)
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    few, _html = count()
    for i in range(12):
        officer, host = (cw.commune_officer, cw.mw.host) if i % 2 else (cw.sibling_officer, cw.mw.sibling)
        meeting_services.create_meeting(
            actor=officer, host_committee=host, title=f"Họp số {i}", starts_at=at(day, 7 + i)
        )
        make_task(
            cw.tw,
            title=f"Nhiệm vụ số {i}",
            lead_unit=cw.commune_a if i % 2 else cw.commune_b,
            coordinating_units=[cw.commune_b] if i % 2 else [],
            due_date=day,
        )
    many, html = count()
    assert sum(1 for e in entry_ids(html) if e.startswith("meeting-")) >= 12
    assert sum(1 for e in entry_ids(html) if e.startswith("task-")) >= 12
    assert many == few
    assert many <= 15  # session, user, device, unit, picker, base template, one per kind of entry


def test_pages_stop_at_the_cap_and_say_so(cw, client, monkeypatch):
    monkeypatch.setattr(queries, "MAX_ENTRIES", 2)
    login(client, cw.commune_officer)
    day = cw.today + dt.timedelta(days=40)
    for i in range(3):
        make_task(cw.tw, title=f"Nhiệm vụ {i}", due_date=day)
    html = page(client, date=day.isoformat())
    assert "Có quá nhiều mục" in html
    assert len([e for e in entry_ids(cell(html, day)) if e.startswith("task-")]) == 2


def test_anonymous_users_are_sent_to_login(client, world):
    response = client.get(reverse("schedule:month"))
    assert response.status_code == 302 and "/account/login/" in response["Location"]
