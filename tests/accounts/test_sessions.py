"""The idle timeout slides without a session write on every request."""

from __future__ import annotations

import time

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chidao.accounts.middleware import TOUCHED_KEY
from tests.accounts.conftest import PASSWORD

LOGIN = "/account/login/"


def _session_writes(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum(1 for q in queries.captured_queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"])


def _expiry(client) -> float:
    return Session.objects.get(session_key=client.session.session_key).expire_date.timestamp()


def test_pages_within_the_interval_do_not_write_the_session(client, world, settings):
    settings.SESSION_TOUCH_INTERVAL = 300
    assert client.post(LOGIN, {"username": "commune_officer", "password": PASSWORD}).status_code == 302
    expiry = _expiry(client)
    assert _session_writes(client, reverse("home")) == 0
    assert _session_writes(client, reverse("home")) == 0
    assert _expiry(client) == expiry


def test_a_page_after_the_interval_extends_the_idle_timeout(client, world, settings):
    settings.SESSION_TOUCH_INTERVAL = 300
    assert client.post(LOGIN, {"username": "commune_officer", "password": PASSWORD}).status_code == 302
    session = client.session
    session[TOUCHED_KEY] = int(time.time()) - 301  # last saved more than five minutes ago
    session.save()
    before = _expiry(client)
    time.sleep(0.01)
    assert _session_writes(client, reverse("home")) == 1
    assert _expiry(client) > before
    assert client.session[TOUCHED_KEY] >= int(time.time()) - 1


def test_logout_leaves_no_session_behind(client, world):
    assert client.post(LOGIN, {"username": "commune_officer", "password": PASSWORD}).status_code == 302
    key = client.session.session_key
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert not Session.objects.exists()
