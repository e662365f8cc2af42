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
    """Recompute every hash in order; report broken links, altered entries and a cut tail."""
    report = ChainReport()
    expected_prev = GENESIS_HASH
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=batch_size):
        report.checked += 1
        if entry.prev_hash != expected_prev:
            report.problems.append(f"#{entry.pk}: prev_hash does not match the previous entry (removed or reordered)")
        if entry.compute_hash() != entry.hash:
            report.problems.append(f"#{entry.pk}: content does not match its hash (altered)")
        expected_prev = entry.hash
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None:
        if head.last_hash != expected_prev:
            report.problems.append("head: the newest entry is not the one recorded (entries removed at the end)")
        if head.count != report.checked:
            report.problems.append(f"head: {head.count} entries recorded, {report.checked} found")
    elif report.checked:
        report.problems.append("head: missing")
    return report
