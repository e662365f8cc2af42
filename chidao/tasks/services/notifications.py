"""A user's own notifications and reminder settings.

Marking a notification read is the user's private state, not a change to the committee's work:
it writes no audit entry. Reminder settings do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chidao.audit import services as audit
from chidao.tasks.models import Notification, ReminderPreference

if TYPE_CHECKING:
    from chidao.accounts.models import User

DEFAULT_DAYS_BEFORE = 3


def default_days_before() -> int:
    return int(getattr(settings, "TASKS_REMINDER_DAYS_BEFORE", DEFAULT_DAYS_BEFORE))


def default_daily_digest() -> bool:
    return bool(getattr(settings, "TASKS_REMINDER_DAILY_DIGEST", False))


def mark_read(*, actor: User, notification_ids: list[int] | None = None) -> int:
    """Mark the actor's notifications read (all unread ones when no ids are given)."""
    qs = Notification.objects.visible_to(actor).unread()
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


def preference_for(user: User) -> ReminderPreference:
    """The user's settings, or the defaults (unsaved) when they never changed them."""
    found = ReminderPreference.objects.filter(user=user).first()
    return found or ReminderPreference(
        user=user, days_before=default_days_before(), daily_digest=default_daily_digest(), email=True
    )


@transaction.atomic
def save_preference(*, actor: User, days_before: int, daily_digest: bool, email: bool) -> ReminderPreference:
    if not 0 <= days_before <= 60:
        raise ValidationError({"days_before": _("Số ngày nhắc trước hạn phải từ 0 đến 60.")})
    preference, _created = ReminderPreference.objects.update_or_create(
        user=actor, defaults={"days_before": days_before, "daily_digest": daily_digest, "email": email}
    )
    audit.record(
        actor=actor,
        action="tasks.reminder_preference.saved",
        target=preference,
        unit=None,
        changes={"days_before": days_before, "daily_digest": daily_digest, "email": email},
    )
    return preference
