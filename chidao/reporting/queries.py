"""Reads of periodic reporting: what a unit owes, completeness, aggregates, drill-down, verify.

Reports, values and aggregates are read through `.visible_to(user)`; forms and indicators are
catalogue data visible to the owner's subtree and the units above it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Exists, F, FilteredRelation, Min, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from chidao.org.models import Unit, UnitClosure, UnitQuerySet
from chidao.reporting.models import (
    AGGREGATE_SHARDS,
    Aggregate,
    Aggregation,
    Assignment,
    DataValue,
    Figure,
    Indicator,
    Period,
    Report,
    ReportForm,
    ReportQuerySet,
    Status,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from chidao.accounts.models import User

    AnyUser = User | AnonymousUser


def existed_during(qs: UnitQuerySet, period: Period) -> UnitQuerySet:
    """Units that existed at some time in the period: completeness expects nothing of the others."""
    return qs.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=period.end),
        Q(valid_until__isnull=True) | Q(valid_until__gte=period.start),
    )


def is_expected(form: ReportForm, period: Period) -> Exists:
    """Whether a unit must submit `form` for `period`, as an expression over the unit's row: an
    assignment in force during the period names it, or takes its level or agency type under a
    scope that contains it. The one definition of "expected" (completeness, reminders, imports,
    opening a report); units that did not exist in the period are left out by `existed_during`."""
    under_scope = Exists(
        UnitClosure.objects.filter(ancestor_id=OuterRef("parent_id"), descendant_id=OuterRef(OuterRef("pk")))
    )
    listed = Exists(
        Assignment.units.through.objects.filter(assignment_id=OuterRef("pk"), unit_id=OuterRef(OuterRef("pk")))
    )
    by_rule = Q(unit_kind=OuterRef("kind")) | Q(agency_type__gt="", agency_type=OuterRef("agency_type"))
    in_force = Q(valid_until__isnull=True) | Q(valid_until__gte=period.start)
    return Exists(
        Assignment.objects.filter(in_force, form=form, valid_from__lte=period.end).filter(
            (by_rule & under_scope) | listed
        )
    )


def expected_units(form: ReportForm, period: Period, *, within: Unit | None = None) -> UnitQuerySet:
    """Units that must submit `form` for `period` (optionally only those under `within`): one lazy
    statement, so callers that narrow it (a parent's children, a list of ids) read only those."""
    qs = existed_during(Unit.objects.filter(is_expected(form, period)), period)
    if within is not None:
        qs = qs.filter(ancestor_links__ancestor=within)
    return qs


def reports_for(
    user: AnyUser, *, unit: Unit | None = None, status: str = "", period: Period | None = None
) -> ReportQuerySet:
    qs = Report.objects.visible_to(user).select_related("form", "unit", "period")
    if unit is not None:
        qs = qs.filter(unit__ancestor_links__ancestor=unit)
    if status:
        qs = qs.filter(status=status)
    if period is not None:
        qs = qs.filter(period=period)
    return qs


@dataclass
class Owed:
    form: ReportForm
    period: Period
    due: dt.date
    report: Report | None

    @property
    def overdue(self) -> bool:
        return self.report_open and timezone.localdate() > self.due

    @property
    def report_open(self) -> bool:
        return self.report is None or self.report.status in {Status.DRAFT, Status.RETURNED}


def owed_by(unit: Unit, *, today: dt.date | None = None, horizon_days: int = 45) -> list[Owed]:
    """Forms `unit` must send for periods ended before `today` + horizon and not yet approved,
    soonest due first: the "việc phải nộp" list."""
    from chidao.lib import periods
    from chidao.reporting.services import due_date

    day = today or timezone.localdate()
    forms = ReportForm.objects.filter(assignments__isnull=False).distinct()
    result: list[Owed] = []
    for form in forms:
        if form.current_version() is None:
            continue
        span = (
            periods.containing(day, form.periodicity, form.calendar)
            if form.periodicity != periods.Kind.CUSTOM
            else None
        )
        if span is None:
            continue
        candidates = [periods.previous(span), span]
        for candidate in candidates:
            period = Period.objects.filter(
                kind=candidate.kind, calendar=candidate.calendar, year=candidate.year, number=candidate.number
            ).first()
            if period is None:
                from chidao.reporting.services import ensure_period

                period = ensure_period(candidate.kind, candidate.year, candidate.number, candidate.calendar)
            if not expected_units(form, period).filter(pk=unit.pk).exists():
                continue
            report = Report.objects.filter(form=form, unit=unit, period=period).order_by("-revision").first()
            if report is not None and report.status in {Status.APPROVED, Status.SUBMITTED}:
                continue
            due = due_date(form, period)
            if due <= day + dt.timedelta(days=horizon_days):
                result.append(Owed(form=form, period=period, due=due, report=report))
    return sorted(result, key=lambda o: o.due)


@dataclass
class Completeness:
    """Who of the units under a parent sent a report. `rows` (each unit with its current report)
    is filled by `completeness`; the dashboard needs only the counts."""

    expected: int = 0
    submitted_on_time: int = 0
    submitted_late: int = 0
    approved: int = 0
    missing: list[Unit] = field(default_factory=list)
    rows: list[tuple[Unit, Report | None]] = field(default_factory=list)

    @property
    def submitted(self) -> int:
        return self.submitted_on_time + self.submitted_late

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.expected) if self.expected else 0

    def count(self, unit: Unit, status: str | None, submitted_at: dt.datetime | None, due: dt.date | None) -> None:
        """Count one expected unit by the status of its current report (None: no report)."""
        self.expected += 1
        if status is None or submitted_at is None or due is None or status in {Status.DRAFT, Status.RETURNED}:
            self.missing.append(unit)
            return
        if submitted_at.astimezone(timezone.get_current_timezone()).date() > due:
            self.submitted_late += 1
        else:
            self.submitted_on_time += 1
        if status == Status.APPROVED:
            self.approved += 1


def _current_report(form: ReportForm, period: Period) -> FilteredRelation:
    return FilteredRelation(
        "reports", condition=Q(reports__form=form, reports__period=period, reports__is_current=True)
    )


def completeness(form: ReportForm, period: Period, parent: Unit) -> Completeness:
    """Of the units directly under `parent` that must report: who sent, on time or late, who is
    missing. The expected units with the id of their current report, then those reports."""
    units = list(
        expected_units(form, period)
        .filter(parent=parent)
        .annotate(current=_current_report(form, period))
        .annotate(report_pk=F("current__pk"))
        .order_by("name")
    )
    reports = Report.objects.in_bulk([pk for u in units if (pk := u.report_pk) is not None])  # type: ignore[attr-defined]
    result = Completeness()
    for unit in units:
        report = reports.get(unit.report_pk)  # type: ignore[attr-defined]  # annotation
        if report is not None:
            report.unit = unit
        result.rows.append((unit, report))
        if report is None:
            result.count(unit, None, None, None)
        else:
            result.count(unit, report.status, report.submitted_at, report.due_date)
    return result


def aggregates(
    form: ReportForm, period: Period, units: list[Unit], indicators: list[Indicator]
) -> dict[tuple[int, int], Figure]:
    """Aggregates by (unit id, indicator id): one query."""
    rows = Aggregate.objects.filter(form=form, period=period, unit__in=units, indicator__in=indicators)
    return rows.combined("unit_id", "indicator_id", latest=_any_latest(indicators))  # type: ignore[return-value]


def aggregate_of(form: ReportForm, period: Period, unit: Unit, indicator: Indicator) -> Figure | None:
    """One figure, its stripes combined."""
    return aggregates(form, period, [unit], [indicator]).get((unit.pk, indicator.pk))


def _any_latest(indicators: list[Indicator]) -> bool:
    return any(indicator.aggregation == Aggregation.LATEST for indicator in indicators)


def source_values(
    user: AnyUser, form: ReportForm, period: Period, unit: Unit, indicator: Indicator
) -> QuerySet[DataValue]:
    """The approved values behind an aggregate: who entered them and when (drill-down)."""
    return (
        DataValue.objects.visible_to(user)
        .filter(
            report__form=form,
            report__period=period,
            report__is_current=True,
            report__status=Status.APPROVED,
            report__unit__ancestor_links__ancestor=unit,
            indicator=indicator,
        )
        .select_related("report__unit", "updated_by", "report__approved_by")
        .order_by("report__unit__name")
    )


def naive_totals(
    form: ReportForm, period: Period, units: list[Unit], indicators: list[Indicator]
) -> dict[tuple[int, int], Decimal]:
    """The same totals as `aggregates`, computed from raw values at request time (benchmark's
    naive path, and `verify`)."""
    rows = (
        DataValue.objects.filter(
            report__form=form,
            report__period=period,
            report__is_current=True,
            report__status=Status.APPROVED,
            indicator__in=indicators,
            value__isnull=False,
            report__unit__ancestor_links__ancestor__in=units,
        )
        .values(unit_id=F("report__unit__ancestor_links__ancestor_id"), ind=F("indicator_id"))
        .annotate(total=Sum("value"))
    )
    return {(r["unit_id"], r["ind"]): r["total"] for r in rows}


@dataclass
class VerifyReport:
    checked: int = 0
    differences: list[str] = field(default_factory=list)


def verify_aggregates(*, workers: int = 1) -> VerifyReport:
    """Check every aggregate row against the approved values and list every difference (a row
    that should not exist, or a missing one, counts too). `chidao reporting verify`.

    The check is local, so it is linear in the data: each stripe of a figure (unit, indicator,
    shard) must hold its unit's own approved value, when the unit's id falls in that stripe,
    combined with the same stripe of its direct children's figures: totals and counts add up,
    minimum and maximum are the least and greatest of the parts. Every stripe holding its parts
    means, by induction from the leaves up, that every figure equals its whole subtree, which is
    what `roll_up` maintains — without expanding each value to all of its ancestors. Average,
    count and latest are read from these same components (`Aggregate.value`).

    A stripe whose child stripe is wrong cannot be judged (it is compared with a wrong part), so
    only the deepest differences of a chain are listed; once they are repaired, a second run
    judges the units above them. One form and period per query, returning only the rows that
    differ; `workers` > 1 checks that many periods at once on PostgreSQL, each thread on a
    connection of its own (the work is the database's)."""
    pairs = _verified_pairs()
    result = VerifyReport()
    # Other connections cannot see what a transaction in progress wrote: inside one, check alone.
    if workers > 1 and len(pairs) > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(_verify_in_thread, [pairs[k::workers] for k in range(workers)]))
    else:
        outcomes = [_verify_pairs(pairs)]
    rows: list[tuple[Any, ...]] = []
    for checked, found in outcomes:
        result.checked += checked
        rows.extend(found)
    rows.sort(key=lambda r: (r[0], r[1], r[3], r[4], r[5]))  # form, period, unit, indicator, stripe
    result.differences = _deepest(rows)
    return result


def _verified_pairs() -> list[tuple[int, int]]:
    """(form, period) pairs that have aggregates or approved reports, by skipping along the
    indexes (one probe per pair) instead of reading every row for a DISTINCT."""
    pairs: set[tuple[int, int]] = set()
    forms = ReportForm.objects.values_list("pk", flat=True)
    sources: list[QuerySet[Any]] = [
        Aggregate.objects.order_by(),
        Report.objects.filter(is_current=True, status=Status.APPROVED).order_by(),
    ]
    for form_id in forms:
        for source in sources:
            period_id: int | None = -1
            while period_id is not None:
                period_id = source.filter(form_id=form_id, period_id__gt=period_id).aggregate(next=Min("period_id"))[
                    "next"
                ]
                if period_id is not None:
                    pairs.add((form_id, period_id))
    return sorted(pairs)


def _verify_in_thread(pairs: list[tuple[int, int]]) -> tuple[int, list[tuple[Any, ...]]]:
    try:
        return _verify_pairs(pairs)
    finally:
        connection.close()  # this thread's own connection


def _verify_pairs(pairs: list[tuple[int, int]]) -> tuple[int, list[tuple[Any, ...]]]:
    checked, found = 0, []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Each query runs once and briefly: compiling it costs more than it saves. Its hash
            # tables (a period's aggregates) fit in memory instead of spilling to disk.
            cursor.execute("SET jit = off")
            cursor.execute("SET work_mem = '64MB'")
        for form_id, period_id in pairs:
            params: dict[str, int | str] = {
                "form": form_id,
                "period": period_id,
                "status": Status.APPROVED,
                "shards": AGGREGATE_SHARDS,
            }
            cursor.execute(_verify_sql(), params)
            for row in cursor.fetchall():
                if row[0] == "checked":
                    checked += row[1]
                else:
                    found.append((form_id, period_id, *row))
        if connection.vendor == "postgresql":
            cursor.execute("RESET jit")
            cursor.execute("RESET work_mem")
    return checked, found


def _deepest(rows: list[tuple[Any, ...]]) -> list[str]:
    """Messages for the differing stripes, leaving out each one a child stripe of which differs
    too (its expected value was built from a wrong part)."""
    if not rows:
        return []
    units = {row[3] for row in rows}
    parents = dict(
        UnitClosure.objects.filter(descendant_id__in=units, distance=1).values_list("descendant_id", "ancestor_id")
    )
    # (form, period, unit, indicator, shard) of each stripe below which something differs
    above = {(r[0], r[1], parents[r[3]], r[4], r[5]) for r in rows if r[3] in parents}
    messages = []
    for form_id, period_id, kind, unit_id, indicator_id, shard, *figures in rows:
        if (form_id, period_id, unit_id, indicator_id, shard) in above:
            continue
        stored, source = _figures(figures[0:4]), _figures(figures[4:8])
        key = (form_id, period_id, unit_id, indicator_id)
        if kind == "orphan":
            messages.append(f"{key}: aggregate {stored[0]}/{stored[1]} has no source values (stripe {shard})")
        elif stored[1] is None:
            messages.append(f"{key}: source values without an aggregate (stripe {shard})")
        else:
            messages.append(f"{key}: stored {stored}, source {source} (stripe {shard})")
    return messages


def _figures(row: list[Any]) -> tuple[Decimal | int | None, ...]:
    """(total, count, minimum, maximum) as read by either database, printed alike: Decimal('9.5')."""
    total, count, minimum, maximum = row
    return _amount(total), None if count is None else int(count), _amount(minimum), _amount(maximum)


def _amount(value: Any) -> Decimal | None:
    if value is None:
        return None
    number = Decimal(str(value)).normalize()
    exponent = number.as_tuple().exponent
    return number.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else number  # 1E+1 -> 10


# Differences are judged to 1/20,000: values have four decimals, and SQLite sums them as floats.
_DIFFERS = "(({a} IS NULL) <> ({s} IS NULL) OR ABS({a} - {s}) > 0.00005)"
# The same check in two shapes. PostgreSQL hash-joins the stored stripes with the computed ones
# (FULL OUTER JOIN) fastest: 16 s for the national data set against 31 s for the grouped shape.
# SQLite runs a FULL OUTER JOIN of two derived tables as nested loops (no index on either side):
# two minutes for one province's five years; grouping the union of both sides takes 2 s. The
# tests run on both databases, so both shapes are held to the same cases.
_VERIFY_JOINED = f"""
WITH agg AS MATERIALIZED (
    SELECT id, unit_id, indicator_id, shard, total, count AS n, minimum AS mn, maximum AS mx
    FROM {Aggregate._meta.db_table} WHERE form_id = %(form)s AND period_id = %(period)s
), kids AS (
    SELECT c.ancestor_id AS unit_id, a.indicator_id, a.shard,
           SUM(a.total) AS total, SUM(a.n) AS n, MIN(a.mn) AS mn, MAX(a.mx) AS mx
    FROM agg a JOIN {UnitClosure._meta.db_table} c ON c.descendant_id = a.unit_id AND c.distance = 1
    GROUP BY c.ancestor_id, a.indicator_id, a.shard
), own AS (
    SELECT r.unit_id, v.indicator_id, r.unit_id %% %(shards)s AS shard, v.value
    FROM {DataValue._meta.db_table} v JOIN {Report._meta.db_table} r ON r.id = v.report_id
    WHERE r.form_id = %(form)s AND r.period_id = %(period)s AND r.is_current AND r.status = %(status)s
      AND v.value IS NOT NULL
), src AS (
    SELECT COALESCE(o.unit_id, k.unit_id) AS unit_id, COALESCE(o.indicator_id, k.indicator_id) AS indicator_id,
           COALESCE(o.shard, k.shard) AS shard,
           COALESCE(o.value, 0) + COALESCE(k.total, 0) AS total,
           CASE WHEN o.value IS NULL THEN 0 ELSE 1 END + COALESCE(k.n, 0) AS n,
           CASE WHEN k.mn IS NULL OR o.value < k.mn THEN o.value ELSE k.mn END AS mn,
           CASE WHEN k.mx IS NULL OR o.value > k.mx THEN o.value ELSE k.mx END AS mx
    FROM own o FULL OUTER JOIN kids k
      ON k.unit_id = o.unit_id AND k.indicator_id = o.indicator_id AND k.shard = o.shard
    WHERE o.value IS NOT NULL OR k.n <> 0
)
SELECT CASE WHEN src.unit_id IS NULL THEN 'orphan' ELSE 'differs' END,
       COALESCE(src.unit_id, agg.unit_id), COALESCE(src.indicator_id, agg.indicator_id),
       COALESCE(src.shard, agg.shard),
       agg.total, agg.n, agg.mn, agg.mx, src.total, src.n, src.mn, src.mx
FROM src FULL OUTER JOIN agg
  ON agg.unit_id = src.unit_id AND agg.indicator_id = src.indicator_id AND agg.shard = src.shard
WHERE (src.unit_id IS NULL AND (agg.n <> 0 OR agg.total <> 0))
   OR (src.unit_id IS NOT NULL AND (
        agg.id IS NULL OR agg.n <> src.n OR {_DIFFERS.format(a="agg.total", s="src.total")}
        OR {_DIFFERS.format(a="agg.mn", s="src.mn")} OR {_DIFFERS.format(a="agg.mx", s="src.mx")}))
UNION ALL
SELECT 'checked', COUNT(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM agg
"""  # noqa: S608  # our own table names

_VERIFY_UNIONED = f"""
WITH agg AS MATERIALIZED (
    SELECT unit_id, indicator_id, shard, total, count AS n, minimum AS mn, maximum AS mx
    FROM {Aggregate._meta.db_table} WHERE form_id = %(form)s AND period_id = %(period)s
), parts AS (
    SELECT r.unit_id, v.indicator_id, r.unit_id %% %(shards)s AS shard,
           v.value AS total, 1 AS n, v.value AS mn, v.value AS mx
    FROM {DataValue._meta.db_table} v JOIN {Report._meta.db_table} r ON r.id = v.report_id
    WHERE r.form_id = %(form)s AND r.period_id = %(period)s AND r.is_current AND r.status = %(status)s
      AND v.value IS NOT NULL
    UNION ALL
    SELECT c.ancestor_id, a.indicator_id, a.shard, a.total, a.n, a.mn, a.mx
    FROM agg a JOIN {UnitClosure._meta.db_table} c ON c.descendant_id = a.unit_id AND c.distance = 1
), src AS (
    SELECT unit_id, indicator_id, shard, SUM(total) AS total, SUM(n) AS n, MIN(mn) AS mn, MAX(mx) AS mx
    FROM parts GROUP BY unit_id, indicator_id, shard HAVING SUM(n) <> 0
), sides AS (
    SELECT 1 AS stored, unit_id, indicator_id, shard, total, n, mn, mx FROM agg
    UNION ALL
    SELECT 0, unit_id, indicator_id, shard, total, n, mn, mx FROM src
), paired AS (
    SELECT unit_id, indicator_id, shard, MIN(stored) AS only_stored, MAX(stored) AS has_stored,
           MAX(CASE WHEN stored = 1 THEN total END) AS a_total, MAX(CASE WHEN stored = 1 THEN n END) AS a_n,
           MAX(CASE WHEN stored = 1 THEN mn END) AS a_mn, MAX(CASE WHEN stored = 1 THEN mx END) AS a_mx,
           MAX(CASE WHEN stored = 0 THEN total END) AS s_total, MAX(CASE WHEN stored = 0 THEN n END) AS s_n,
           MAX(CASE WHEN stored = 0 THEN mn END) AS s_mn, MAX(CASE WHEN stored = 0 THEN mx END) AS s_mx
    FROM sides GROUP BY unit_id, indicator_id, shard
)
SELECT CASE WHEN only_stored = 1 THEN 'orphan' ELSE 'differs' END, unit_id, indicator_id, shard,
       a_total, a_n, a_mn, a_mx, s_total, s_n, s_mn, s_mx
FROM paired
WHERE (only_stored = 1 AND (a_n <> 0 OR a_total <> 0))
   OR (only_stored = 0 AND (
        has_stored = 0 OR a_n <> s_n OR {_DIFFERS.format(a="a_total", s="s_total")}
        OR {_DIFFERS.format(a="a_mn", s="s_mn")} OR {_DIFFERS.format(a="a_mx", s="s_mx")}))
UNION ALL
SELECT 'checked', COUNT(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM agg
"""  # noqa: S608  # our own table names


def _verify_sql() -> str:
    return _VERIFY_JOINED if connection.vendor == "postgresql" else _VERIFY_UNIONED


@dataclass
class DashboardFigures:
    """What a dashboard shows of one unit: its children (units that existed in the period), the
    figures of the unit and its children by (unit id, indicator id), the unit's trend by (period
    id, indicator id), and, when asked, which of the children sent their report."""

    children: list[Unit]
    by_unit: dict[tuple[int, int], Figure]
    trend: dict[tuple[int, int], Figure]
    completeness: Completeness | None = None


def dashboard_rows(
    form: ReportForm,
    period: Period,
    unit: Unit,
    indicators: list[Indicator],
    *,
    trend_periods: list[Period] | None = None,
    trend_indicators: list[Indicator] | None = None,
    with_completeness: bool = False,
) -> DashboardFigures:
    """Children of `unit` that existed in the period with their figures and the unit's own, the
    unit's figures over `trend_periods`, and the children's completeness: two statements,
    whatever the number of units, periods and indicators."""
    children_qs = existed_during(Unit.objects.filter(parent=unit), period).order_by("name")
    if with_completeness:
        children_qs = children_qs.annotate(
            expected=is_expected(form, period), current=_current_report(form, period)
        ).annotate(
            report_status=F("current__status"),
            report_submitted_at=F("current__submitted_at"),
            report_due=F("current__due_date"),
        )
    children = list(children_qs)
    summary = None
    if with_completeness:
        summary = Completeness()
        for child in children:
            if child.expected:  # type: ignore[attr-defined]  # annotations
                summary.count(child, child.report_status, child.report_submitted_at, child.report_due)  # type: ignore[attr-defined]
    # The form in each branch: SQLite then seeks the index once per branch (a "multi-index OR");
    # with the form outside the OR it reads every figure of the form.
    condition = Q(form=form, period=period, unit__in=[unit.pk, *(c.pk for c in children)], indicator__in=indicators)
    trended = trend_indicators or []
    if trend_periods and trended:
        condition |= Q(form=form, unit=unit, period__in=trend_periods, indicator__in=trended)
    figures = Aggregate.objects.filter(condition).combined(
        "period_id", "unit_id", "indicator_id", latest=_any_latest([*indicators, *trended])
    )
    by_unit: dict[tuple[int, int], Figure] = {}
    trend_: dict[tuple[int, int], Figure] = {}
    for (period_id, unit_id, indicator_id), figure in figures.items():
        if period_id == period.pk:
            by_unit[unit_id, indicator_id] = figure
        if unit_id == unit.pk:
            trend_[period_id, indicator_id] = figure
    return DashboardFigures(children, by_unit, trend_, summary)


CUMULATIVE_KINDS = ("half", "nine_months", "ten_months", "year")


@dataclass
class Cumulative:
    """One cumulative period of a monthly form for one unit: its figures by indicator id and how
    many of its months have approved data so far."""

    kind: str
    year: int
    label: str
    start: dt.date
    end: dt.date
    months: int
    months_with_data: int
    values: dict[int, Decimal | None]


def cumulative(form: ReportForm, unit: Unit, span_kind: str, year: int) -> dict[int, Decimal | None]:
    """Cumulative figures (6, 9, 10 months, year) of a monthly form computed from its monthly
    aggregates, by indicator id, instead of asking units to type them again: sums add up, counts
    add up, minimum and maximum take the extremes, latest takes the newest month's value."""
    return cumulative_period(form, unit, span_kind, year).values


def cumulative_period(form: ReportForm, unit: Unit, span_kind: str, year: int) -> Cumulative:
    from chidao.lib import periods as lib_periods

    span = lib_periods.span(span_kind, year, 1, form.calendar)
    month_numbers = [m for _y, m in span.months()]
    months = Period.objects.filter(
        kind=lib_periods.Kind.MONTH, calendar=form.calendar, year=year, number__in=month_numbers
    )
    rows = Aggregate.objects.filter(form=form, unit=unit, period__in=months)
    by_indicator: dict[int, list[Figure]] = {}
    starts = dict(months.values_list("pk", "start"))
    rules = dict(Indicator.objects.filter(pk__in=rows.values("indicator_id")).values_list("pk", "aggregation"))
    for row in rows.combined("period_id", "indicator_id").values():
        if not row.count:
            continue
        by_indicator.setdefault(row.indicator_id, []).append(row)
    result: dict[int, Decimal | None] = {}
    for indicator_id, items in by_indicator.items():
        rule = rules[indicator_id]
        total = sum((a.total for a in items), Decimal(0))
        count = sum(a.count for a in items)
        if rule == Aggregation.SUM:
            result[indicator_id] = total
        elif rule == Aggregation.AVG:
            result[indicator_id] = total / count if count else None
        elif rule == Aggregation.COUNT:
            result[indicator_id] = Decimal(max(a.count for a in items))
        elif rule == Aggregation.MIN:
            result[indicator_id] = min((a.minimum for a in items if a.minimum is not None), default=None)
        elif rule == Aggregation.MAX:
            result[indicator_id] = max((a.maximum for a in items if a.maximum is not None), default=None)
        else:
            newest = max(items, key=lambda a: starts[a.period_id])
            result[indicator_id] = newest.latest
    with_data = len({row.period_id for items in by_indicator.values() for row in items})
    label = str(Period(kind=span_kind, year=year, number=1, calendar=form.calendar))
    return Cumulative(span_kind, year, label, span.start, span.end, len(month_numbers), with_data, result)


def cumulative_periods(form: ReportForm, unit: Unit, year: int) -> list[Cumulative]:
    """The 6-, 9-, 10-month and annual figures of `year`, for a monthly form that computes them."""
    return [cumulative_period(form, unit, kind, year) for kind in CUMULATIVE_KINDS]
