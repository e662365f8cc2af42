"""Audit trail: append-only, each entry chained to the previous one by a SHA-256 hash."""

from __future__ import annotations

import hashlib
import json
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chidao.org.scope import ScopedQuerySet

GENESIS_HASH = "0" * 64


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(ScopedQuerySet["AuditEntry"]):
    scope_field = "unit"

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("thời điểm"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_repr = models.CharField(_("người thực hiện"), max_length=255, blank=True)
    action = models.CharField(_("thao tác"), max_length=100, db_index=True)
    target_type = models.CharField(_("loại đối tượng"), max_length=100)
    target_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    target_repr = models.CharField(_("đối tượng"), max_length=500, blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    changes = models.JSONField(_("thay đổi"), default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    path = models.CharField(max_length=500, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # The chain this entry belongs to (see AuditHead): every entry about one object is in the same lane.
    lane = models.PositiveSmallIntegerField(default=0)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = pgettext_lazy("plural", "nhật ký thay đổi")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["unit", "-at"]),
            models.Index(fields=["lane", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("audit:entry_detail", args=[self.pk])

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")

    def change_rows(self) -> list[tuple[str, Any, Any, bool]]:
        """(field, before, after, is_change) rows for display; snapshots have no "before"."""
        rows = []
        for key, value in self.changes.items():
            if isinstance(value, list) and len(value) == 2 and self.action.endswith((".updated", ".ended")):
                rows.append((key, value[0], value[1], True))
            else:
                rows.append((key, None, value, False))
        return rows

    def payload(self) -> dict[str, Any]:
        """Everything the hash covers."""
        return {
            "at": self.at.isoformat(),
            "actor": self.actor_id,
            "actor_repr": self.actor_repr,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "target_repr": self.target_repr,
            "unit": self.unit_id,
            "changes": self.changes,
            "request_id": self.request_id,
            "ip": self.ip,
            "user_agent": self.user_agent,
            "path": self.path,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        canonical = json.dumps(self.payload(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


class AuditHead(models.Model):
    """The newest hash and the entry count of one lane of the chain. Locking it serialises the
    writers of that lane.

    The trail is split into a fixed number of lanes (AUDIT_LANES), each a hash chain of its own,
    chosen by the entry's target: writers about different objects rarely wait for each other,
    while every entry about one object stays in one ordered chain. Removing, altering or
    reordering an entry, or moving it to another lane, breaks its lane's chain."""

    lane = models.PositiveSmallIntegerField(unique=True, default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    count = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.count} entries, head {self.last_hash[:12]}"
