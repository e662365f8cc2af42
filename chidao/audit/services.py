"""Writing the audit trail.

Rules: an entry is written inside the caller's transaction (so a rolled-back change leaves no
entry), each lane of the chain is extended under a row lock on its `AuditHead` (so concurrent
writers never fork it), and entries are never changed or deleted.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from chidao.audit.context import current_request
from chidao.audit.models import AuditEntry, AuditHead

if TYPE_CHECKING:
    from chidao.accounts.models import User
    from chidao.org.models import Unit


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of `instance` (foreign keys as ids), JSON-ready."""
    names = fields or [
        f.attname
        for f in instance._meta.concrete_fields
        if f.attname not in {"id", "created_at", "updated_at", "name_folded", "password"}
    ]
    return {name: _jsonable(getattr(instance, name)) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields that changed."""
    return {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}


@dataclass(frozen=True)
class Change:
    """One entry for `record_many`."""

    action: str
    target: models.Model
    unit: Unit | None
    changes: dict[str, Any] | None = None


@transaction.atomic(savepoint=False)
def record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    unit: Unit | None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry: `action` is a dotted name such as "org.membership.created"."""
    return record_many(actor=actor, items=[Change(action, target, unit, changes)])[0]


# Independent hash chains of the trail (see AuditHead). Changing it later is safe: existing
# entries keep their lane, new ones spread over the new number.
AUDIT_LANES = 16


def lane_of(target_type: str, target_id: str) -> int:
    return zlib.crc32(f"{target_type}:{target_id}".encode()) % AUDIT_LANES


@transaction.atomic(savepoint=False)
def record_many(*, actor: User | None, items: list[Change]) -> list[AuditEntry]:
    """Append entries in order under one lock per lane: bulk writes (an API batch of thousands of
    reports) keep one entry per object without one round trip each.

    The entries are built before any lock is taken and only chained under it; lanes are locked in
    ascending order (so two writers never wait for each other in a cycle) and held until the
    caller's commit."""
    return _append(actor, items, _jsonable)


@transaction.atomic(savepoint=False)
def record_many_ready(*, actor: User | None, items: list[Change]) -> list[AuditEntry]:
    """`record_many` for changes that are JSON-ready already (str, int, float, None, and lists or
    dicts of them, with str keys), which are stored as given instead of being walked once more:
    a batch of thousands of reports with fifty values each spends noticeable time in that walk."""
    return _append(actor, items, lambda changes: changes)


def _append(actor: User | None, items: list[Change], prepare: Callable[[Any], Any]) -> list[AuditEntry]:
    ctx = current_request.get()
    actor_id = actor.pk if actor is not None and actor.pk else None
    actor_repr = str(actor) if actor is not None else "system"
    entries = []
    for item in items:
        target_type, target_id = item.target._meta.label_lower, str(item.target.pk or "")
        entries.append(
            AuditEntry(
                actor_id=actor_id,
                actor_repr=actor_repr,
                action=item.action,
                target_type=target_type,
                target_id=target_id,
                target_repr=str(item.target)[:500],
                unit=item.unit,
                changes=prepare(item.changes or {}),
                request_id=ctx.request_id,
                ip=ctx.ip,
                user_agent=ctx.user_agent,
                path=ctx.path,
                lane=lane_of(target_type, target_id),
            )
        )
    lanes = sorted({e.lane for e in entries})
    heads = {h.lane: h for h in AuditHead.objects.select_for_update().filter(lane__in=lanes).order_by("lane")}
    for lane in lanes:
        if lane not in heads:
            # A lane's first entry: create its head, or wait for whoever just did. The key is
            # explicit (lane + 1; the single head of the unlaned trail was row 1, lane 0), so no
            # sequence can collide with an existing row and turn the insert into a silent no-op.
            AuditHead.objects.bulk_create([AuditHead(pk=lane + 1, lane=lane)], ignore_conflicts=True)
            heads[lane] = AuditHead.objects.select_for_update().get(lane=lane)
    now = timezone.now()
    previous = {lane: heads[lane].last_hash for lane in lanes}
    for entry in entries:
        entry.at = now
        entry.prev_hash = previous[entry.lane]
        entry.hash = entry.compute_hash()
        previous[entry.lane] = entry.hash
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    added = Counter(e.lane for e in entries)
    for lane in lanes:
        AuditHead.objects.filter(pk=heads[lane].pk).update(
            last_hash=previous[lane], count=heads[lane].count + added[lane]
        )
    return entries
