"""Writes of the calendar app: creating and revoking a user's calendar feed.

Rules: the secret is returned once and never stored (only its SHA-256 digest, as for API tokens);
a user has one active feed, so creating a new address revokes the old one; only the owner revokes
a feed; both changes are audited. Using a feed marks it used at most once a minute, without audit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chidao.accounts.models import User
from chidao.audit import services as audit
from chidao.org.scope import ScopeDenied
from chidao.schedule.models import CalendarFeed

SECRET_PREFIX = "cal_"  # noqa: S105 -- a marker before the random part, not a secret
USED_RESOLUTION = dt.timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _revoke(actor: User, feed: CalendarFeed, now: dt.datetime) -> None:
    feed.revoked_at = now
    feed.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="schedule.feed.revoked", target=feed, unit=None)


@transaction.atomic
def create_feed(*, actor: User) -> tuple[CalendarFeed, str]:
    """A new feed address for the actor; the previous one, if any, stops working."""
    now = timezone.now()
    active = CalendarFeed.objects.select_for_update().filter(user=actor, revoked_at__isnull=True)
    replaced = [feed.pk for feed in active]
    for feed in active:
        _revoke(actor, feed, now)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    feed = CalendarFeed(user=actor, prefix=secret[len(SECRET_PREFIX) :][:6], digest=digest(secret))
    feed.full_clean()
    feed.save()
    audit.record(
        actor=actor,
        action="schedule.feed.created",
        target=feed,
        unit=None,
        changes={"prefix": feed.prefix, "replaced": replaced},
    )
    return feed, secret


@transaction.atomic
def revoke_feed(*, actor: User, feed: CalendarFeed) -> None:
    if feed.user_id != actor.pk:
        raise ScopeDenied(_("Chỉ chủ tài khoản được thu hồi địa chỉ lịch của mình."))
    if feed.revoked_at is None:
        _revoke(actor, feed, timezone.now())


def user_for_feed(secret: str) -> User | None:
    """The active user an active feed address belongs to, or None; marks the feed used."""
    if not secret.startswith(SECRET_PREFIX):
        return None
    feed = CalendarFeed.objects.select_related("user").filter(digest=digest(secret), revoked_at__isnull=True).first()
    if feed is None or not feed.user.is_active:
        return None
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > USED_RESOLUTION:
        # A conditional update: calendar clients poll, and two polls at once write once.
        CalendarFeed.objects.filter(pk=feed.pk, last_used_at=feed.last_used_at).update(last_used_at=now)
    return feed.user
