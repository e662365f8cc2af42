"""Real-time roll-up of approved values to every ancestor unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import F, Max, Min
from django.utils import timezone

from chidao.org.models import UnitClosure
from chidao.reporting.models import (
    AGGREGATE_SHARDS,
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


def roll_up(
    report: Report, *, added: Mapping[int, Decimal], removed: Mapping[int, Decimal], at: dt.datetime | None
) -> None:
    """Apply one report's change to the aggregates of its unit and every ancestor.

    One INSERT … ON CONFLICT DO UPDATE moves every row by its difference in the database (sum and
    count by the delta; minimum and maximum only ever widen when a value arrives; latest takes
    the arriving value), so nothing is read first. Rows are written deepest first (the unit, its
    province, the country), indicator by indicator: every approver takes the row locks in that one
    order, so concurrent approvals queue instead of deadlocking, and the country's rows, which
    every approval of a period needs, are locked last and held only until the commit.

    Each figure is striped over AGGREGATE_SHARDS rows and a report writes only the stripe of its
    unit's id: eight approvers of one period then mostly lock different rows of the same province
    and country instead of queueing for one.

    When a value leaves (a correction replaces an approved report), its row's minimum, maximum
    and latest are recomputed from the source values, under the lock the upsert already holds."""
    indicator_ids = sorted(set(added) | set(removed))
    if not indicator_ids:
        return
    ancestors = list(
        UnitClosure.objects.filter(descendant_id=report.unit_id)
        .order_by("distance")
        .values_list("ancestor_id", flat=True)
    )
    now = timezone.now()
    shard = report.unit_id % AGGREGATE_SHARDS
    rows: list[tuple[Any, ...]] = []
    for unit_id in ancestors:
        for indicator_id in indicator_ids:
            old, new = removed.get(indicator_id), added.get(indicator_id)
            delta = (new if new is not None else Decimal(0)) - (old if old is not None else Decimal(0))
            count = (new is not None) - (old is not None)
            widen = new if old is None else None
            rows.append(
                (
                    report.form_id,
                    report.period_id,
                    unit_id,
                    indicator_id,
                    delta,
                    count,
                    widen,
                    widen,
                    new,
                    at if new is not None else None,
                    now,
                    shard,
                )
            )
    _upsert_aggregates(rows)
    left = [i for i in indicator_ids if removed.get(i) is not None]
    if left:
        _recompute_extremes(report, ancestors, left, shard)


def roll_up_new(report: Report, *, at: dt.datetime | None) -> None:
    """`roll_up` for a report that replaces nothing (the usual approval), in one statement built
    by the database from the report's values and the unit's ancestors: no values travel to Python
    and back. Same row order (deepest level first, then indicator) and arithmetic as `roll_up`."""
    table = Aggregate._meta.db_table
    sql = (
        f"INSERT INTO {table} (form_id, period_id, unit_id, indicator_id, total, count, "  # noqa: S608  # our tables
        "minimum, maximum, latest, latest_at, updated_at, shard) "
        "SELECT %s, %s, c.ancestor_id, v.indicator_id, v.value, 1, v.value, v.value, v.value, %s, %s, %s "
        f"FROM {DataValue._meta.db_table} v CROSS JOIN {UnitClosure._meta.db_table} c "
        "WHERE v.report_id = %s AND v.value IS NOT NULL AND c.descendant_id = %s "
        f"ORDER BY c.distance, v.indicator_id {_ON_CONFLICT}"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                report.form_id,
                report.period_id,
                at,
                timezone.now(),
                report.unit_id % AGGREGATE_SHARDS,
                report.pk,
                report.unit_id,
            ],
        )


def _upsert_aggregates(rows: list[tuple[Any, ...]]) -> None:
    table = Aggregate._meta.db_table
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    sql = (
        f"INSERT INTO {table} (form_id, period_id, unit_id, indicator_id, total, count, "  # noqa: S608  # our table
        f"minimum, maximum, latest, latest_at, updated_at, shard) VALUES {placeholders} {_ON_CONFLICT}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


def _on_conflict(table: str) -> str:
    """Sum and count move by the incoming difference; minimum and maximum widen to an incoming
    value; latest takes an incoming value (a row without `latest_at` brings none)."""
    return (
        "ON CONFLICT (form_id, period_id, unit_id, indicator_id, shard) DO UPDATE SET "
        f"total = {table}.total + excluded.total, "
        f"count = {table}.count + excluded.count, "
        f"minimum = CASE WHEN excluded.minimum IS NULL THEN {table}.minimum "
        f"WHEN {table}.minimum IS NULL OR excluded.minimum < {table}.minimum THEN excluded.minimum "
        f"ELSE {table}.minimum END, "
        f"maximum = CASE WHEN excluded.maximum IS NULL THEN {table}.maximum "
        f"WHEN {table}.maximum IS NULL OR excluded.maximum > {table}.maximum THEN excluded.maximum "
        f"ELSE {table}.maximum END, "
        f"latest = CASE WHEN excluded.latest_at IS NULL THEN {table}.latest ELSE excluded.latest END, "
        f"latest_at = COALESCE(excluded.latest_at, {table}.latest_at), "
        "updated_at = excluded.updated_at"
    )


_ON_CONFLICT = _on_conflict(Aggregate._meta.db_table)


def _source_values(form_id: int, period_id: int, unit_id: int, indicator_id: int, shard: int) -> Any:
    """The approved values one stripe of one figure stands for."""
    return DataValue.objects.alias(stripe=F("report__unit_id") % AGGREGATE_SHARDS).filter(
        stripe=shard,
        report__form_id=form_id,
        report__period_id=period_id,
        report__is_current=True,
        report__status=Status.APPROVED,
        report__unit__ancestor_links__ancestor_id=unit_id,
        indicator_id=indicator_id,
        value__isnull=False,
    )


def _recompute_extremes(report: Report, unit_ids: list[int], indicator_ids: list[int], shard: int) -> None:
    for unit_id in unit_ids:
        for indicator_id in indicator_ids:
            source = _source_values(report.form_id, report.period_id, unit_id, indicator_id, shard)
            extremes = source.aggregate(minimum=Min("value"), maximum=Max("value"))
            newest = (
                source.order_by("-report__approved_at", "-report_id")
                .values_list("value", "report__approved_at")
                .first()
            )
            latest, latest_at = newest if newest else (None, None)
            Aggregate.objects.filter(
                form_id=report.form_id,
                period_id=report.period_id,
                unit_id=unit_id,
                indicator_id=indicator_id,
                shard=shard,
            ).update(minimum=extremes["minimum"], maximum=extremes["maximum"], latest=latest, latest_at=latest_at)
