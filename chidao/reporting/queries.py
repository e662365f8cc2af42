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
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from chidao.org.models import Unit, UnitQuerySet
from chidao.reporting.models import (
    Aggregate,
    Assignment,
    DataValue,
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


def expected_units(form: ReportForm, period: Period, *, within: Unit | None = None) -> UnitQuerySet:
    """Units that must submit `form` for `period` (optionally only those under `within`)."""
    assignments = Assignment.objects.filter(form=form, valid_from__lte=period.end).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=period.start)
    )
    condition = Q(pk__in=[])
    for a in assignments.prefetch_related("units"):
        under = Q(ancestor_links__ancestor_id=a.parent_id)
        if a.unit_kind:
            condition |= under & Q(kind=a.unit_kind)
        if a.agency_type:
            condition |= under & Q(agency_type=a.agency_type)
        listed = [u.pk for u in a.units.all()]
        if listed:
            condition |= Q(pk__in=listed)
    qs = existed_during(Unit.objects.filter(condition), period)
    if within is not None:
        qs = qs.filter(ancestor_links__ancestor=within)
    return qs.distinct()


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


def completeness(form: ReportForm, period: Period, parent: Unit) -> Completeness:
    """Of the units directly under `parent` that must report: who sent, on time or late, who is missing."""
    units = list(expected_units(form, period).filter(parent=parent).order_by("name"))
    reports = {
        r.unit_id: r
        for r in Report.objects.filter(form=form, period=period, unit__in=units, is_current=True).select_related("unit")
    }
    result = Completeness(expected=len(units))
    for unit in units:
        report = reports.get(unit.pk)
        result.rows.append((unit, report))
        if report is None or report.submitted_at is None or report.status in {Status.DRAFT, Status.RETURNED}:
            result.missing.append(unit)
            continue
        if report.submitted_at.astimezone(timezone.get_current_timezone()).date() > report.due_date:
            result.submitted_late += 1
        else:
            result.submitted_on_time += 1
        if report.status == Status.APPROVED:
            result.approved += 1
    return result


def aggregates(
    form: ReportForm, period: Period, units: list[Unit], indicators: list[Indicator]
) -> dict[tuple[int, int], Aggregate]:
    """Aggregates by (unit id, indicator id): one query."""
    rows = Aggregate.objects.filter(form=form, period=period, unit__in=units, indicator__in=indicators)
    return rows.combined("unit_id", "indicator_id")  # type: ignore[return-value]


def aggregate_of(form: ReportForm, period: Period, unit: Unit, indicator: Indicator) -> Aggregate | None:
    """One figure, its stripes combined."""
    return aggregates(form, period, [unit], [indicator]).get((unit.pk, indicator.pk))


def trend(
    form: ReportForm, unit: Unit, indicators: list[Indicator], periods_: list[Period]
) -> dict[tuple[int, int], Aggregate]:
    """Aggregates by (period id, indicator id) of one unit over several periods: one query."""
    rows = Aggregate.objects.filter(form=form, unit=unit, indicator__in=indicators, period__in=periods_)
    return rows.combined("period_id", "indicator_id")  # type: ignore[return-value]


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


def verify_aggregates() -> VerifyReport:
    """Recompute total, count, minimum and maximum of every aggregate from the approved source
    values and list every difference (an aggregate that should not exist counts too).

    One form and period at a time, in SQL: the database groups the period's values by every
    ancestor of their unit, joins the stored aggregates and returns only the rows that differ,
    so time grows with the data and memory stays flat. A FULL JOIN (which PostgreSQL can only run as
    a hash or merge join) keeps the comparison linear even when a fresh period has no statistics
    yet: an anti-join planned as a nested loop over the grouped rows took minutes."""
    result = VerifyReport(checked=Aggregate.objects.count())  # stripes counted one by one
    pairs = sorted(
        set(Aggregate.objects.values_list("form_id", "period_id").distinct().order_by())
        | set(
            Report.objects.filter(is_current=True, status=Status.APPROVED)
            .values_list("form_id", "period_id")
            .distinct()
            .order_by()
        )
    )
    with connection.cursor() as cursor:
        for form_id, period_id in pairs:
            cursor.execute(_VERIFY_SQL, [form_id, period_id, Status.APPROVED, form_id, period_id])
            for kind, unit_id, indicator_id, stored, source in _verify_rows(cursor.fetchall()):
                key = (form_id, period_id, unit_id, indicator_id)
                if kind == "orphan":
                    result.differences.append(f"{key}: aggregate {stored[0]}/{stored[1]} has no source values")
                elif stored[1] is None:
                    result.differences.append(f"{key}: source values without an aggregate")
                else:
                    result.differences.append(f"{key}: stored {stored}, source {source}")
    return result


def _verify_rows(rows: list[tuple[Any, ...]]) -> list[tuple[str, int, int, tuple[Any, ...], tuple[Any, ...]]]:
    return [(r[0], r[1], r[2], tuple(_norm(x) for x in r[3:7]), tuple(_norm(x) for x in r[7:11])) for r in rows]


def _norm(value: Any) -> Any:
    return Decimal(str(value)).normalize() if value is not None and not isinstance(value, int) else value


# Differences are judged to 1/20,000: values have four decimals, and SQLite sums them as floats.
_DIFFERS = "(({a} IS NULL) <> ({s} IS NULL) OR ABS({a} - {s}) > 0.00005)"
_VERIFY_SQL = f"""
WITH src AS (
    SELECT c.ancestor_id AS unit_id, v.indicator_id AS indicator_id,
           SUM(v.value) AS total, COUNT(*) AS n, MIN(v.value) AS mn, MAX(v.value) AS mx
    FROM {DataValue._meta.db_table} v
    JOIN {Report._meta.db_table} r ON r.id = v.report_id
    JOIN org_unitclosure c ON c.descendant_id = r.unit_id
    WHERE r.form_id = %s AND r.period_id = %s AND r.is_current AND r.status = %s AND v.value IS NOT NULL
    GROUP BY c.ancestor_id, v.indicator_id
), agg AS (
    SELECT MIN(id) AS id, unit_id, indicator_id, SUM(total) AS total, SUM(count) AS count,
           MIN(minimum) AS minimum, MAX(maximum) AS maximum
    FROM {Aggregate._meta.db_table} WHERE form_id = %s AND period_id = %s
    GROUP BY unit_id, indicator_id
)
SELECT CASE WHEN src.unit_id IS NULL THEN 'orphan' ELSE 'differs' END,
       COALESCE(src.unit_id, agg.unit_id), COALESCE(src.indicator_id, agg.indicator_id),
       agg.total, agg.count, agg.minimum, agg.maximum, src.total, src.n, src.mn, src.mx
FROM src FULL OUTER JOIN agg ON agg.unit_id = src.unit_id AND agg.indicator_id = src.indicator_id
WHERE (src.unit_id IS NULL AND (agg.count <> 0 OR agg.total <> 0))
   OR (src.unit_id IS NOT NULL AND (
        agg.id IS NULL OR agg.count <> src.n OR {_DIFFERS.format(a="agg.total", s="src.total")}
        OR {_DIFFERS.format(a="agg.minimum", s="src.mn")} OR {_DIFFERS.format(a="agg.maximum", s="src.mx")}))
"""  # noqa: S608  # our own table names


def dashboard_rows(
    form: ReportForm, period: Period, unit: Unit, indicators: list[Indicator]
) -> tuple[list[Unit], dict[tuple[int, int], Aggregate]]:
    """Children of `unit` that existed in the period with their aggregates, plus the unit itself."""
    children = list(existed_during(Unit.objects.filter(parent=unit), period).order_by("name"))
    return children, aggregates(form, period, [unit, *children], indicators)


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
    from chidao.reporting.models import Aggregation

    span = lib_periods.span(span_kind, year, 1, form.calendar)
    month_numbers = [m for _y, m in span.months()]
    months = Period.objects.filter(
        kind=lib_periods.Kind.MONTH, calendar=form.calendar, year=year, number__in=month_numbers
    )
    rows = Aggregate.objects.filter(form=form, unit=unit, period__in=months)
    by_indicator: dict[int, list[Aggregate]] = {}
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
