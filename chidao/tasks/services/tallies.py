"""Counts of completed tasks by lead unit, source and timeliness (models.DoneTally).

Rules: a task counts once, when `complete_task` marks it done, in the same transaction; the
tallies always equal the completed tasks counted live (`rebuild_tallies` restores that after a
bulk load and reports whether anything differed)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, F, Q

from chidao.tasks.models import DoneTally, Task


def count_done(task: Task) -> None:
    """Add the completed `task` to its tally (an upsert: safe under concurrent completions)."""
    table = connection.ops.quote_name(DoneTally._meta.db_table)
    late = task.completed_on is not None and task.completed_on > task.due_date
    with connection.cursor() as cursor:
        # Only the quoted table name is interpolated; values are parameters.
        cursor.execute(
            f"INSERT INTO {table} (lead_unit_id, source, late, count) VALUES (%s, %s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (lead_unit_id, source, late) DO UPDATE SET count = {table}.count + 1",
            [task.lead_unit_id, task.source, late],
        )


@dataclass
class RebuildResult:
    rows: int
    differences: int
    dry_run: bool = False

    def __str__(self) -> str:
        suffix = " (dry run, rolled back)" if self.dry_run else ""
        return f"task tallies: {self.rows} rows, {self.differences} differed from the tasks{suffix}"


def live_tallies() -> dict[tuple[int, str, bool], int]:
    grouped = (
        Task.objects.filter(completed_on__isnull=False)
        .order_by()
        .annotate(late=Q(completed_on__gt=F("due_date")))
        .values_list("lead_unit_id", "source", "late")
        .annotate(n=Count("id"))
    )
    return {(unit, source, bool(late)): n for unit, source, late, n in grouped}


@transaction.atomic
def rebuild_tallies(*, dry_run: bool = False) -> RebuildResult:
    """Recount every tally from the tasks (idempotent); how many rows differed before."""
    live = live_tallies()
    stored = {(t.lead_unit_id, t.source, t.late): t.count for t in DoneTally.objects.all()}
    differences = sum(1 for key in live.keys() | stored.keys() if live.get(key) != stored.get(key))
    DoneTally.objects.all().delete()
    DoneTally.objects.bulk_create(
        [DoneTally(lead_unit_id=unit, source=source, late=late, count=n) for (unit, source, late), n in live.items()],
        batch_size=5000,
    )
    if dry_run:
        transaction.set_rollback(True)
    return RebuildResult(rows=len(live), differences=differences, dry_run=dry_run)
