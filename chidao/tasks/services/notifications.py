"""A user's own notifications and reminder settings.

Marking a notification read is the user's private state, not a change to the committee's work:
it writes no audit entry. Reminder settings do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chidao.audit import services as audit
from chidao.tasks.models import Notification, NotificationKind, ReminderPreference

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


def email_notifications(notification_ids: list[int]) -> int:
    """E-mail the event notifications `notification_ids` (assigned, extension asked or decided,
    completed, evaluated) to their users who have an address and did not turn e-mail off; the
    number sent. Each notification is claimed by a conditional update first, so a retried or
    duplicated job sends nothing twice."""
    from chidao.tasks.models import REMINDER_KINDS

    now = timezone.now()
    with transaction.atomic():
        claimable = (
            Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
            .exclude(kind__in=REMINDER_KINDS)
            .exclude(user__email="")
            .exclude(user__task_reminder_preference__email=False)
            .filter(user__is_active=True)
        )
        ids = list(claimable.values_list("pk", flat=True))
        if not ids:
            return 0
        Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(emailed_at=now)
        rows = list(
            Notification.objects.filter(pk__in=ids)
            .order_by("pk")
            .values_list("kind", "text", "task_id", "user__email", "user__full_name", "user__username")
        )
    messages = []
    settings_path = reverse("tasks:preferences")
    for kind, text, task_id, email, full_name, username in rows:
        subject = _("[chidao] %(kind)s") % {"kind": NotificationKind(kind).label}
        body = _(
            "Kính gửi đồng chí %(name)s,\n\n%(text)s\n\nXem nhiệm vụ: %(path)s\n\nCài đặt thư điện tử: %(settings)s"
        ) % {
            "name": full_name or username,
            "text": text,
            "path": reverse("tasks:detail", args=[task_id]),
            "settings": settings_path,
        }
        messages.append(EmailMessage(subject, body, None, [email]))
    with mailers.default as mailer:
        return mailer.send_messages(messages) or 0
