"""Reading the audit trail: scoped to unit administrators, and the chain verification."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Q

from chidao.audit.models import GENESIS_HASH, AuditEntry, AuditHead, AuditQuerySet

if TYPE_CHECKING:
    from chidao.accounts.models import User


def entries_for(
    user: User,
    *,
    action: str = "",
    actor: str = "",
    target: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> AuditQuerySet:
    """Entries of units the user administers (committee administrator or higher), newest first."""
    qs = AuditEntry.objects.visible_to(user, minimum_role="committee_admin")
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_repr__icontains=actor)
    if target:
        qs = qs.filter(Q(target_repr__icontains=target) | Q(target_id=target))
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs.select_related("unit").order_by("-id")


@dataclass
class ChainReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Recompute every hash, lane by lane in order; report broken links, altered entries and a
    cut tail (each lane's head must name its newest entry and count its entries)."""
    report = ChainReport()
    heads = {h.lane: h for h in AuditHead.objects.all()}
    expected: dict[int, str] = {}
    counts: dict[int, int] = {}
    for entry in AuditEntry.objects.order_by("lane", "id").iterator(chunk_size=batch_size):
        report.checked += 1
        counts[entry.lane] = counts.get(entry.lane, 0) + 1
        if entry.prev_hash != expected.get(entry.lane, GENESIS_HASH):
            report.problems.append(f"#{entry.pk}: prev_hash does not match the previous entry (removed or reordered)")
        if entry.compute_hash() != entry.hash:
            report.problems.append(f"#{entry.pk}: content does not match its hash (altered)")
        expected[entry.lane] = entry.hash
    for lane in sorted(set(heads) | set(counts)):
        head = heads.get(lane)
        if head is None:
            report.problems.append(f"lane {lane}: head missing")
            continue
        if head.last_hash != expected.get(lane, GENESIS_HASH):
            report.problems.append(
                f"lane {lane}: the newest entry is not the one recorded (entries removed at the end)"
            )
        if head.count != counts.get(lane, 0):
            report.problems.append(f"lane {lane}: {head.count} entries recorded, {counts.get(lane, 0)} found")
    return report
