"""Real-time roll-up of approved values to every ancestor unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone

from chidao.org.models import UnitClosure
from chidao.reporting.models import (
    Aggregate,
    DataValue,
    Report,
    Status,
)

if TYPE_CHECKING:
    pass


# --- roll-up ---------------------------------------------------------------------------------


def numeric_values(report: Report | None) -> dict[int, Decimal]:
    if report is None:
        return {}
    return {
        i: v for i, v in report.values.filter(value__isnull=False).values_list("indicator_id", "value") if v is not None
    }


@dataclass
class _Row:
    """An aggregate row as the roll-up reads and writes it (lighter than model instances)."""

    pk: int
    unit_id: int
    indicator_id: int
    total: Decimal
    count: int
    minimum: Decimal | None
    maximum: Decimal | None
    latest: Decimal | None
    latest_at: dt.datetime | None
    updated_at: dt.datetime | None = None


ROW_FIELDS = ("id", "unit_id", "indicator_id", "total", "count", "minimum", "maximum", "latest", "latest_at")


def roll_up(
    report: Report, *, added: Mapping[int, Decimal], removed: Mapping[int, Decimal], at: dt.datetime | None
) -> None:
    """Apply one report's change to the aggregates of its unit and every ancestor.

    Sum and count move by the difference; minimum, maximum and latest move monotonically when a
    value arrives and are recomputed from the source values when one leaves. Missing rows are
    inserted first, then all rows are locked in (unit, indicator) order: every approver locks in
    the same order, so concurrent approvals queue instead of deadlocking."""
    indicator_ids = sorted(set(added) | set(removed))
    if not indicator_ids:
        return
    ancestors = sorted(UnitClosure.objects.filter(descendant_id=report.unit_id).values_list("ancestor_id", flat=True))
    scope = Aggregate.objects.filter(
        form_id=report.form_id, period_id=report.period_id, unit_id__in=ancestors, indicator_id__in=indicator_ids
    )
    present = set(scope.values_list("unit_id", "indicator_id"))
    missing = [(a, i) for a in ancestors for i in indicator_ids if (a, i) not in present]
    if missing:
        _insert_aggregates(report, missing)
    rows = [
        _Row(*values)
        for values in scope.select_for_update().order_by("unit_id", "indicator_id").values_list(*ROW_FIELDS)
    ]
    now = timezone.now()
    for row in rows:
        old, new = removed.get(row.indicator_id), added.get(row.indicator_id)
        if old is not None:
            row.total -= old
            row.count -= 1
        if new is not None:
            row.total += new
            row.count += 1
            if old is None:
                row.minimum = new if row.minimum is None else min(row.minimum, new)
                row.maximum = new if row.maximum is None else max(row.maximum, new)
                row.latest, row.latest_at = new, at
        if old is not None:
            _recompute_extremes(report, row)
        row.updated_at = now
    _write_aggregates(rows)


def _insert_aggregates(report: Report, keys: list[tuple[int, int]]) -> None:
    table = Aggregate._meta.db_table
    sql = (
        f"INSERT INTO {table} (form_id, period_id, unit_id, indicator_id, total, count) "  # noqa: S608  # our table
        "VALUES (%s, %s, %s, %s, 0, 0) ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(report.form_id, report.period_id, unit_id, ind) for unit_id, ind in keys])


def _write_aggregates(rows: list[_Row]) -> None:
    # One prepared UPDATE per row through executemany (pipelined by psycopg): bulk_update's CASE
    # expressions cost ~100 ms of Python for the 150 rows of one approval.
    table = Aggregate._meta.db_table
    sql = (
        f"UPDATE {table} SET total = %s, count = %s, minimum = %s, maximum = %s, "  # noqa: S608  # our table name
        "latest = %s, latest_at = %s, updated_at = %s WHERE id = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [(r.total, r.count, r.minimum, r.maximum, r.latest, r.latest_at, r.updated_at, r.pk) for r in rows],
        )


def _source_values(form_id: int, period_id: int, unit_id: int, indicator_id: int) -> Any:
    return DataValue.objects.filter(
        report__form_id=form_id,
        report__period_id=period_id,
        report__is_current=True,
        report__status=Status.APPROVED,
        report__unit__ancestor_links__ancestor_id=unit_id,
        indicator_id=indicator_id,
        value__isnull=False,
    )


def _recompute_extremes(report: Report, row: _Row) -> None:
    source = _source_values(report.form_id, report.period_id, row.unit_id, row.indicator_id)
    extremes = source.aggregate(minimum=Min("value"), maximum=Max("value"))
    row.minimum, row.maximum = extremes["minimum"], extremes["maximum"]
    newest = source.order_by("-report__approved_at", "-report_id").values_list("value", "report__approved_at").first()
    row.latest, row.latest_at = newest if newest else (None, None)
