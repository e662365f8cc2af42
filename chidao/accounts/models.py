"""Accounts: users and the roles they hold on units."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class User(AbstractUser):
    full_name = models.CharField(_("họ và tên"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = pgettext_lazy("plural", "người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username

    def requires_two_factor(self) -> bool:
        """Administrators must use TOTP (issue #3); everyone else may."""
        return self.is_superuser or self.role_grants.filter(role__in=ADMIN_ROLES).exists()


class AccessRole(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("Quản trị hệ thống")
    COMMITTEE_ADMIN = "committee_admin", _("Quản trị Ban Chỉ đạo")
    SECRETARIAT = "secretariat", _("Thư ký, biên tập")
    MEMBER = "member", _("Thành viên")
    VIEWER = "viewer", _("Chỉ xem")


ROLE_LEVEL: dict[str, int] = {
    AccessRole.VIEWER: 1,
    AccessRole.MEMBER: 2,
    AccessRole.SECRETARIAT: 3,
    AccessRole.COMMITTEE_ADMIN: 4,
    AccessRole.SYSTEM_ADMIN: 5,
}
ADMIN_ROLES = (AccessRole.SYSTEM_ADMIN, AccessRole.COMMITTEE_ADMIN)


class RoleGrant(models.Model):
    """A role held on a unit; it reaches the unit's whole subtree."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    unit = models.ForeignKey("org.Unit", verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("vai trò"), max_length=20, choices=AccessRole.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = pgettext_lazy("plural", "phân quyền")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="role_grant_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"

    @property
    def level(self) -> int:
        return ROLE_LEVEL[self.role]


class ApiToken(models.Model):
    """A personal token for other systems to call the API as this user (Authorization: Bearer).

    Only a SHA-256 digest is stored; the token itself is shown once, when it is created."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên gợi nhớ"), max_length=100)
    prefix = models.CharField(max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("khóa API")
        verbose_name_plural = pgettext_lazy("plural", "khóa API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
