"""Calendar API: the same entries and scope as the pages, errors keyed by field."""

from __future__ import annotations

import datetime as dt

import pytest

from chidao.accounts.services import create_api_token
from tests.conftest import login

pytestmark = pytest.mark.urls("tests.schedule.urls")
URL = "/calendar-api/calendar/entries"


def get(client, unit, start, end, **extra):
    return client.get(URL, {"unit": unit.pk, "start": start.isoformat(), "end": end.isoformat(), **extra})


def test_entries_of_a_unit_with_holidays(cw, client):
    login(client, cw.commune_officer)
    start, end = cw.today - dt.timedelta(days=2), cw.today + dt.timedelta(days=6)
    response = get(client, cw.commune_a, start, end)
    assert response.status_code == 200
    data = response.json()
    keys = {(e["kind"], e["id"]) for e in data["entries"]}
    assert keys == {
        ("meeting", cw.meeting_a.pk),
        ("meeting", cw.delegation.pk),
        ("task", cw.task_a.pk),
        ("task", cw.task_overdue.pk),
        ("task", cw.task_done.pk),
        ("task", cw.task_coordinated.pk),
    }
    overdue = next(e for e in data["entries"] if e["id"] == cw.task_overdue.pk and e["kind"] == "task")
    assert overdue["overdue"] is True and overdue["all_day"] is True and overdue["status"] == "overdue"
    meeting = next(e for e in data["entries"] if e["id"] == cw.meeting_a.pk and e["kind"] == "meeting")
    assert meeting["url"] == cw.meeting_a.get_absolute_url() and meeting["all_day"] is False
    assert data["truncated"] is False and data["unit_id"] == cw.commune_a.pk
    holidays = {
        h["date"]: h["name"]
        for h in get(client, cw.commune_a, dt.date(2026, 4, 1), dt.date(2026, 5, 2)).json()["holidays"]
    }
    assert holidays["2026-04-30"] == "Ngày Chiến thắng"


def test_subtree_and_the_sibling_commune(cw, client):
    login(client, cw.province_admin)
    tomorrow = cw.today + dt.timedelta(days=1)
    alone = get(client, cw.province_a, tomorrow, tomorrow).json()["entries"]
    below = get(client, cw.province_a, tomorrow, tomorrow, subtree="true").json()["entries"]
    assert alone == []
    assert {e["id"] for e in below} == {cw.meeting_a.pk, cw.meeting_b.pk}
    client.logout()
    login(client, cw.sibling_officer)
    assert get(client, cw.commune_a, tomorrow, tomorrow).status_code == 404
    own = get(client, cw.commune_b, tomorrow, tomorrow).json()["entries"]
    assert [e["id"] for e in own] == [cw.meeting_b.pk]


def test_bad_ranges_are_refused_by_field(cw, client):
    login(client, cw.commune_officer)
    response = get(client, cw.commune_a, cw.today, cw.today - dt.timedelta(days=1))
    assert response.status_code == 422 and "end" in response.json()["detail"]
    response = get(client, cw.commune_a, cw.today, cw.today + dt.timedelta(days=100))
    assert response.status_code == 422 and "100" in response.json()["detail"]["end"][0]


def test_a_bearer_token_reads_like_its_owner_and_anonymous_gets_401(cw, client):
    _token, secret = create_api_token(actor=cw.outsider, name="Phần mềm lịch của tỉnh")
    day = cw.today + dt.timedelta(days=3)
    response = client.get(
        URL,
        {"unit": cw.province_b.pk, "start": day.isoformat(), "end": day.isoformat()},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200
    assert [e["id"] for e in response.json()["entries"]] == [cw.delegation.pk]
    assert get(client, cw.commune_a, day, day).status_code == 401
