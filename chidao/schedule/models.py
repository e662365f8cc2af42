"""Calendar feeds: the secret address a user gives their phone or Outlook to subscribe to their
calendar (lịch công tác) as iCalendar (RFC 5545).

Like an API token, only a SHA-256 digest of the secret is stored; the address is shown once, when
it is created. A user has at most one active feed; revoking it makes its address answer 404.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CalendarFeed(models.Model):
    """Địa chỉ lịch bí mật của một người dùng."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    prefix = models.CharField(max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)

    class Meta:
        verbose_name = _("địa chỉ lịch")
        verbose_name_plural = pgettext_lazy("plural", "địa chỉ lịch")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="calendar_feed_one_active_per_user",
                violation_error_message=_("Mỗi tài khoản chỉ có một địa chỉ lịch đang dùng."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
