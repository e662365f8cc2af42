"""The secret calendar address: created once and shown once, stored as a digest, revocable, audited."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from chidao.audit.models import AuditEntry
from chidao.org.scope import ScopeDenied
from chidao.schedule import services
from chidao.schedule.models import CalendarFeed
from tests.conftest import login


def test_only_a_digest_of_the_secret_is_stored(world):
    feed, secret = services.create_feed(actor=world.commune_officer)
    assert secret.startswith("cal_") and len(secret) > 40
    stored = CalendarFeed.objects.get(pk=feed.pk)
    assert secret not in (stored.digest, stored.prefix)
    assert stored.digest == services.digest(secret) and len(stored.digest) == 64
    entry = AuditEntry.objects.get(action="schedule.feed.created")
    assert entry.target_id == str(feed.pk) and secret not in str(entry.changes)


def test_a_new_address_replaces_the_old_one(world, client):
    old, old_secret = services.create_feed(actor=world.commune_officer)
    new, new_secret = services.create_feed(actor=world.commune_officer)
    old.refresh_from_db()
    assert old.revoked_at is not None and new.revoked_at is None
    assert client.get(reverse("schedule:ics", args=[old_secret])).status_code == 404
    assert client.get(reverse("schedule:ics", args=[new_secret])).status_code == 200
    assert AuditEntry.objects.filter(action="schedule.feed.revoked", target_id=str(old.pk)).count() == 1


def test_a_revoked_address_answers_404(world, client):
    feed, secret = services.create_feed(actor=world.commune_officer)
    url = reverse("schedule:ics", args=[secret])
    assert client.get(url).status_code == 200
    services.revoke_feed(actor=world.commune_officer, feed=feed)
    assert client.get(url).status_code == 404
    assert AuditEntry.objects.filter(action="schedule.feed.revoked").count() == 1
    services.revoke_feed(actor=world.commune_officer, feed=feed)  # twice: nothing more
    assert AuditEntry.objects.filter(action="schedule.feed.revoked").count() == 1


def test_unknown_or_malformed_secrets_answer_404(world, client):
    services.create_feed(actor=world.commune_officer)
    for secret in ("cal_nothing", "xyz", "cal_" + "A" * 43):
        assert client.get(reverse("schedule:ics", args=[secret])).status_code == 404


def test_an_inactive_users_address_stops_working(world, client):
    _feed, secret = services.create_feed(actor=world.commune_officer)
    world.commune_officer.is_active = False
    world.commune_officer.save(update_fields=["is_active"])
    assert client.get(reverse("schedule:ics", args=[secret])).status_code == 404


def test_only_the_owner_revokes(world):
    feed, _secret = services.create_feed(actor=world.commune_officer)
    with pytest.raises(ScopeDenied):
        services.revoke_feed(actor=world.system_admin, feed=feed)
    feed.refresh_from_db()
    assert feed.revoked_at is None


def test_the_feed_needs_no_session_and_marks_the_address_used(world, client):
    feed, secret = services.create_feed(actor=world.commune_officer)
    assert feed.last_used_at is None
    response = client.get(reverse("schedule:ics", args=[secret]))  # no login
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    feed.refresh_from_db()
    assert feed.last_used_at is not None
    first_use = feed.last_used_at
    client.get(reverse("schedule:ics", args=[secret]))
    feed.refresh_from_db()
    assert feed.last_used_at == first_use  # at most once a minute
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now() - dt.timedelta(minutes=5))
    client.get(reverse("schedule:ics", args=[secret]))
    feed.refresh_from_db()
    assert feed.last_used_at > timezone.now() - dt.timedelta(minutes=1)


def test_the_page_creates_the_address_and_shows_it_once(world, client):
    login(client, world.commune_officer)
    url = reverse("schedule:feed")
    html = client.get(url).content.decode()
    assert "Lịch của tôi trên điện thoại/Outlook" in html and "Chưa có địa chỉ đang dùng" in html
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == url
    html = client.get(url).content.decode()
    shown = re.search(r'id="feed-url">(http://testserver/calendar/feed/(cal_[\w-]+)\.ics)<', html)
    assert shown, html
    assert "webcal://testserver/calendar/feed/" in html
    assert "Đang dùng" in html and "Thu hồi địa chỉ" in html
    assert client.get(reverse("schedule:ics", args=[shown.group(2)])).status_code == 200
    again = client.get(url).content.decode()
    assert shown.group(2) not in again and 'id="feed-url"' not in again
    assert CalendarFeed.objects.get(user=world.commune_officer).prefix in again


def test_the_page_revokes_the_address(world, client):
    feed, secret = services.create_feed(actor=world.commune_officer)
    login(client, world.commune_officer)
    response = client.post(reverse("schedule:feed_revoke", args=[feed.pk]))
    assert response.status_code == 302
    html = client.get(reverse("schedule:feed")).content.decode()
    assert "Đã thu hồi địa chỉ lịch" in html and "Chưa có địa chỉ đang dùng" in html
    assert client.get(reverse("schedule:ics", args=[secret])).status_code == 404


def test_nobody_else_reaches_a_feed(world, client):
    feed, _secret = services.create_feed(actor=world.commune_officer)
    login(client, world.province_admin)
    assert client.post(reverse("schedule:feed_revoke", args=[feed.pk])).status_code == 404
    assert feed.prefix not in client.get(reverse("schedule:feed")).content.decode()
    feed.refresh_from_db()
    assert feed.revoked_at is None
    assert client.get(reverse("schedule:feed_revoke", args=[feed.pk])).status_code == 405
