"""Every calendar route with each persona.

Commune A's calendar (its meeting, the delegation Quảng Ninh sends it, its tasks) is open to its
officer and to those above it (the Đà Nẵng administrator and viewer, the system administrator);
the sibling commune's officer, Quảng Ninh's officer and an officer of a Quảng Ninh commune get 404
for it, and never see commune A's entries on their own calendars, except the delegation for the
Quảng Ninh officer, whose committee is the visiting side. A feed is reached only through its secret
and revoked only by its owner.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from chidao.accounts.models import AccessRole
from chidao.schedule import services
from chidao.schedule.models import CalendarFeed
from tests.conftest import login, make_user

# route name -> what the URL takes and the method that exercises it
ROUTES = {
    "month": ("unit page", "get"),
    "week": ("unit page", "get"),
    "feed": ("own feeds page", "get"),
    "feed_revoke": ("feed pk", "post"),
    "ics": ("feed secret", "get"),
}

SEES_COMMUNE_A = ("commune_officer", "province_admin", "system_admin", "viewer")
STRANGERS = ("sibling_officer", "outsider", "stranger")


def _schedule_routes() -> list[str]:
    resolver = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "schedule")
    return [p.name for p in resolver.url_patterns if isinstance(p, URLPattern) and p.name]


def test_every_schedule_route_is_in_the_matrix():
    assert set(_schedule_routes()) == set(ROUTES)


@pytest.fixture
def users(cw):
    stranger = make_user("commune_c_officer", AccessRole.SECRETARIAT, cw.commune_c)
    names = (*SEES_COMMUNE_A, "sibling_officer", "outsider")
    return {name: getattr(cw, name) for name in names} | {"stranger": stranger, "lead_user": cw.tw.lead_user}


def _entries(html: str) -> set[str]:
    return set(re.findall(r'data-entry="([a-z]+-\d+)"', html))


@pytest.mark.parametrize("view", ["month", "week"])
def test_commune_a_calendar_is_open_inside_and_404_outside(cw, users, client, view):
    url = reverse(f"schedule:{view}")
    params = {"unit": cw.commune_a.pk, "date": cw.meeting_a.starts_at.date().isoformat()}
    for name, user in users.items():
        login(client, user)
        response = client.get(url, params)
        if name in SEES_COMMUNE_A:
            assert response.status_code == 200, name
            assert f"meeting-{cw.meeting_a.pk}" in _entries(response.content.decode()), name
        elif name in STRANGERS:
            assert response.status_code == 404, name
        client.logout()


def test_own_calendars_never_show_commune_a_entries_to_strangers(cw, users, client):
    commune_a = {f"meeting-{cw.meeting_a.pk}", f"task-{cw.task_a.pk}", f"task-{cw.task_overdue.pk}"}
    for name in (*STRANGERS, "lead_user"):
        login(client, users[name])
        for view in ("month", "week"):
            for day in (cw.today, cw.task_a.due_date):
                response = client.get(reverse(f"schedule:{view}"), {"date": day.isoformat(), "subtree": 1})
                assert response.status_code == 200, (name, view)
                shown = _entries(response.content.decode())
                assert not shown & commune_a, (name, view, day)
                if name != "outsider" and view == "month":
                    assert f"meeting-{cw.delegation.pk}" not in shown, name
        client.logout()
    login(client, users["outsider"])
    response = client.get(reverse("schedule:month"), {"date": cw.delegation.starts_at.date().isoformat()})
    assert f"meeting-{cw.delegation.pk}" in _entries(response.content.decode())


def test_feed_pages_show_only_ones_own_feeds_and_only_the_owner_revokes(cw, users, client):
    feed, _secret = services.create_feed(actor=cw.commune_officer)
    for name, user in users.items():
        login(client, user)
        page = client.get(reverse("schedule:feed"))
        assert page.status_code == 200, name
        if name == "commune_officer":
            assert feed.prefix in page.content.decode()
            continue
        assert feed.prefix not in page.content.decode(), name
        assert client.post(reverse("schedule:feed_revoke", args=[feed.pk])).status_code == 404, name
        feed.refresh_from_db()
        assert feed.revoked_at is None, name
        client.logout()
    client.logout()
    login(client, cw.commune_officer)
    assert client.post(reverse("schedule:feed_revoke", args=[feed.pk])).status_code == 302
    assert CalendarFeed.objects.get(pk=feed.pk).revoked_at is not None


def test_each_feed_holds_what_its_owner_sees(cw, users, client):
    delegation = f"meeting-{cw.delegation.pk}@chidao"
    meeting_a = f"meeting-{cw.meeting_a.pk}@chidao"
    task_a = f"task-{cw.task_a.pk}@chidao"
    for name, user in users.items():
        _feed, secret = services.create_feed(actor=user)
        text = client.get(reverse("schedule:ics", args=[secret])).content.decode()
        uids = set(re.findall(r"^UID:(\S+)\r$", text, re.M))
        assert (meeting_a in uids) == (name == "commune_officer"), name
        assert (task_a in uids) == (name == "commune_officer"), name
        assert (delegation in uids) == (name in ("commune_officer", "outsider")), name


def test_the_secret_is_the_only_key_to_a_feed(cw, users, client):
    _feed, secret = services.create_feed(actor=cw.commune_officer)
    login(client, users["sibling_officer"])  # a session changes nothing: the feed is the owner's
    text = client.get(reverse("schedule:ics", args=[secret])).content.decode()
    assert f"meeting-{cw.meeting_a.pk}@chidao" in text
    assert f"meeting-{cw.meeting_b.pk}@chidao" not in text
    assert client.get(reverse("schedule:ics", args=[secret[:-1]])).status_code == 404
    assert client.post(reverse("schedule:ics", args=[secret])).status_code == 405


def test_anonymous_visitors_are_sent_to_login(cw, client):
    feed, _secret = services.create_feed(actor=cw.commune_officer)
    for name in ("month", "week", "feed"):
        response = client.get(reverse(f"schedule:{name}"))
        assert response.status_code == 302 and "/account/login/" in response["Location"], name
    response = client.post(reverse("schedule:feed_revoke", args=[feed.pk]))
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    feed.refresh_from_db()
    assert feed.revoked_at is None
    assert client.get(reverse("schedule:ics", args=["cal_unknown"])).status_code == 404


# API routes of the calendar router (served at /api/calendar/ once chidao/api.py mounts it; here
# through the test API of tests/schedule/urls.py, which mounts the same router).
API_ROUTES = {"/calendar-api/calendar/entries": "get"}


@pytest.mark.urls("tests.schedule.urls")
def test_every_calendar_api_route_is_in_the_matrix():
    from tests.schedule.urls import test_api

    assert set(test_api.get_openapi_schema()["paths"]) == set(API_ROUTES)


@pytest.mark.urls("tests.schedule.urls")
def test_calendar_api_is_open_inside_and_404_outside(cw, users, client):
    day = cw.meeting_a.starts_at.date().isoformat()
    params = {"unit": cw.commune_a.pk, "start": day, "end": day}
    for name, user in users.items():
        login(client, user)
        for path in API_ROUTES:
            response = client.get(path, params)
            if name in SEES_COMMUNE_A:
                assert response.status_code == 200, name
                assert cw.meeting_a.pk in [e["id"] for e in response.json()["entries"] if e["kind"] == "meeting"]
            elif name in STRANGERS:
                assert response.status_code == 404, name
        client.logout()
    for path in API_ROUTES:
        assert client.get(path, params).status_code == 401
