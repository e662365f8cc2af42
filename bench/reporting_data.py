"""The reporting benchmark's data set (bench/reporting.py): a monthly form of 50 indicators, its
approved reports and values, and their aggregates.

The catalogue (indicators, form, assignment, periods) is written through
`chidao.reporting.services` with a superuser actor, as the application writes it. The bulk
(reports, values, aggregates) is written in SQL: COPY on PostgreSQL (psycopg's `cursor.copy`),
`executemany` on SQLite, and the aggregates in one `INSERT ... SELECT ... GROUP BY` over the unit
closure table, which is what the approval roll-up keeps current one report at a time. Bulk
reports have no audit entries: they stand for years of history, not for actions under test.

Values are integers from a fixed formula of (unit, period, indicator), so every run has the same
data and totals are exact on both databases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from bench.harness import BenchError, Laps
from chidao.lib import periods
from chidao.org.loader import ROOT_CODE, load_administrative_units, province_code
from chidao.org.models import Unit, UnitKind
from chidao.reporting import services
from chidao.reporting.models import AGGREGATE_SHARDS, Aggregation, Indicator, Period, ReportForm, Status, ValueType

if TYPE_CHECKING:
    from chidao.accounts.models import User

INDICATORS = 50
KEY_INDICATORS = 6
MONTHS = 60
# The 60 loaded months end with October 2026; the months after them hold reports still to approve.
LAST_LOADED = (2026, 10)
PROVINCE = province_code(48)  # Thành phố Đà Nẵng (94 communes): the `small` and `province` data set
FORM_CODE = "BCT35"

# Indicator names: the themes of a steering committee's monthly report (fictional figures).
THEMES = [
    ("Số buổi tuyên truyền, phổ biến", "buổi"),
    ("Số lượt người tham gia học tập, quán triệt", "lượt người"),
    ("Số bài viết đăng tải trên cổng thông tin", "bài"),
    ("Số tin, bài về bảo vệ nền tảng tư tưởng của Đảng", "bài"),
    ("Số cán bộ được tập huấn, bồi dưỡng", "người"),
    ("Số vụ việc được phát hiện, xử lý", "vụ việc"),
    ("Số chi bộ sinh hoạt chuyên đề", "chi bộ"),
    ("Tỷ lệ kiến nghị được giải quyết", "%"),
    ("Số hội nghị, tọa đàm tổ chức", "hội nghị"),
    ("Số lớp bồi dưỡng lý luận chính trị", "lớp"),
]


@dataclass
class Dataset:
    """What the benchmark measures against; `facts` go into the results' .meta.json."""

    admin: User
    form: ReportForm
    indicators: list[Indicator]
    key_indicators: list[Indicator]
    scope: Unit  # the dashboard's unit: the country (national) or the province
    communes: list[int]  # reporting units (ids), in tree order
    loaded_periods: list[Period]  # the 60 approved months, oldest first
    pending_periods: list[Period] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def dashboard_period(self) -> Period:
        return self.loaded_periods[-1]


def build(*, national: bool, approvals: int) -> Dataset:
    """Units, catalogue, 60 approved months, then `approvals` submitted reports to approve one by
    one (in the months after the loaded ones, one report per commune and month)."""
    lap = Laps()
    steps = lap.steps

    load_administrative_units(include_history=False)
    lap("units")
    from chidao.accounts.models import User

    admin = User.objects.create_superuser(username="bench-admin", email="", password=None, full_name="Bench Admin")
    root = Unit.objects.get(code=ROOT_CODE)
    scope = root if national else Unit.objects.get(code=PROVINCE)
    communes = list(
        Unit.objects.filter(kind=UnitKind.COMMUNE, ancestor_links__ancestor=scope)
        .order_by("parent_id", "code")
        .values_list("id", flat=True)
    )
    form, indicators = _catalogue(admin, root, scope)
    months = _months(MONTHS)
    loaded = [services.ensure_period(periods.Kind.MONTH, y, m, periods.Calendar.CALENDAR) for y, m in months]
    data = Dataset(
        admin=admin,
        form=form,
        indicators=indicators,
        key_indicators=[i for i in indicators if i.is_key],
        scope=scope,
        communes=communes,
        loaded_periods=loaded,
    )
    lap("catalogue_through_services")
    with transaction.atomic():
        _without_reference_triggers()
        reports = insert_reports(data, loaded, communes, status=Status.APPROVED)
        lap("reports")
        values = insert_values(data, reports)
        lap("values")
        aggregates = insert_aggregates(form, loaded)
        lap("aggregates")
        _check_references()
        lap("reference_check")
    # Reports to approve one at a time, in the months after the loaded ones.
    pending = -(-approvals // len(communes))
    data.pending_periods = next_periods(data, pending)
    with transaction.atomic():
        queue = [(u, p) for p in data.pending_periods for u in communes][:approvals]
        pending_reports = insert_reports(data, [], [], status=Status.SUBMITTED, pairs=queue)
        pending_values = insert_values(data, pending_reports)
    lap("reports_to_approve")
    data.facts.update(
        {
            "scope": f"{scope.code} {scope.name}",
            "reporting_units": len(communes),
            "provinces_in_scope": Unit.objects.filter(parent=scope, kind=UnitKind.PROVINCE).count(),
            "indicators": len(indicators),
            "key_indicators": len(data.key_indicators),
            "months_loaded": len(loaded),
            "first_month": loaded[0].label,
            "last_month": loaded[-1].label,
            "reports_approved": len(reports),
            "values_approved": values,
            "aggregates": aggregates,
            "reports_submitted_for_approval": len(pending_reports),
            "values_submitted_for_approval": pending_values,
            "load_steps_s": steps,
        }
    )
    return data


def _months(count: int) -> list[tuple[int, int]]:
    year, month = LAST_LOADED
    result = []
    for _ in range(count):
        result.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return result[::-1]


def next_periods(data: Dataset, count: int) -> list[Period]:
    """`count` monthly periods after the last one that has reports."""
    latest = Period.objects.filter(reports__form=data.form).order_by("-start").first() or data.loaded_periods[-1]
    span = periods.span(latest.kind, latest.year, latest.number, latest.calendar)
    result = []
    for _ in range(count):
        span = _next(span)
        result.append(services.ensure_period(span.kind, span.year, span.number, span.calendar))
    return result


def _next(span: periods.Span) -> periods.Span:
    year, month = (span.year + 1, 1) if span.number == 12 else (span.year, span.number + 1)
    return periods.span(span.kind, year, month, span.calendar)


def _catalogue(admin: User, root: Unit, scope: Unit) -> tuple[ReportForm, list[Indicator]]:
    """50 indicators (6 key ones; every 10th a percentage averaged), a monthly form, assigned to
    the communes of `scope`, published."""
    indicators = []
    for n in range(1, INDICATORS + 1):
        name, measure = THEMES[(n - 1) % len(THEMES)]
        percent = measure == "%"
        indicators.append(
            services.create_indicator(
                actor=admin,
                owner=root,
                code=f"CT{n:02d}",
                name=f"{name} (nhóm {(n - 1) // len(THEMES) + 1})",
                unit_of_measure=measure,
                value_type=ValueType.PERCENT if percent else ValueType.INTEGER,
                aggregation=Aggregation.AVG if percent else Aggregation.SUM,
                is_key=n <= KEY_INDICATORS,
            )
        )
    form = services.create_form(
        actor=admin,
        owner=root,
        code=FORM_CODE,
        name="Báo cáo tháng công tác bảo vệ nền tảng tư tưởng của Đảng",
        periodicity=periods.Kind.MONTH,
        calendar=periods.Calendar.CALENDAR,
    )
    section = services.add_section(actor=admin, form=form, title="I. Kết quả thực hiện")
    for indicator in indicators:
        services.add_field(actor=admin, section=section, indicator=indicator)
    services.publish_form(actor=admin, form=form)
    first = dt.date(_months(MONTHS)[0][0], _months(MONTHS)[0][1], 1)
    services.assign_form(actor=admin, form=form, parent=scope, unit_kind=UnitKind.COMMUNE, valid_from=first)
    return form, indicators


def value_of(unit_id: int, period_id: int, indicator_index: int, *, percent: bool) -> int:
    """The fixed figure a unit reports for one indicator and month."""
    raw = (unit_id * 7919 + period_id * 104729 + indicator_index * 1299709) % 9973
    return raw % 101 if percent else raw % 500


# --- bulk writes -----------------------------------------------------------------------------


def insert_reports(
    data: Dataset,
    months: Sequence[Period],
    units: Sequence[int],
    *,
    status: str,
    pairs: Sequence[tuple[int, Period]] | None = None,
) -> list[tuple[int, int, int]]:
    """One current report per (unit, month), in `status`; returns (report id, unit id, period id)."""
    version = data.form.current_version()
    assert version is not None
    todo = list(pairs) if pairs is not None else [(u, p) for p in months for u in units]
    if not todo:
        return []
    admin = data.admin.pk
    approved = status == Status.APPROVED
    due = {p.pk: services.due_date(data.form, p) for p in {p for _u, p in todo}}
    columns = [
        "form_id",
        "version_id",
        "unit_id",
        "period_id",
        "revision",
        "is_current",
        "status",
        "due_date",
        "correction_reason",
        "returned_reason",
        "created_by_id",
        "submitted_at",
        "submitted_by_id",
        "approved_at",
        "approved_by_id",
        "created_at",
        "updated_at",
    ]

    def rows() -> Iterator[tuple[Any, ...]]:
        for index, (unit, period) in enumerate(todo):
            # Submitted a day after the month ends; approved in unit order the day after that.
            submitted = _at(period.end + dt.timedelta(days=1), index)
            approved_at = _at(period.end + dt.timedelta(days=2), index) if approved else None
            yield (
                data.form.pk,
                version.pk,
                unit,
                period.pk,
                1,
                True,
                status,
                due[period.pk],
                "",
                "",
                admin,
                submitted,
                admin,
                approved_at,
                admin if approved else None,
                submitted,
                approved_at or submitted,
            )

    bulk_insert("reporting_report", columns, rows())
    period_ids = sorted({p.pk for _u, p in todo})
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(period_ids))
        cursor.execute(
            f"SELECT id, unit_id, period_id FROM reporting_report WHERE form_id = %s AND status = %s "  # noqa: S608
            f"AND period_id IN ({placeholders}) ORDER BY id",
            [data.form.pk, status, *period_ids],
        )
        wanted = {(u, p.pk) for u, p in todo}
        return [(r, u, p) for r, u, p in cursor.fetchall() if (u, p) in wanted]


def _at(day: dt.date, index: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=index % 80000)


def insert_values(data: Dataset, reports: Iterable[tuple[int, int, int]]) -> int:
    """Every indicator's value for each (report id, unit id, period id); returns the row count."""
    admin = data.admin.pk
    now = timezone.now()
    indicators = [(i.pk, n, i.value_type == ValueType.PERCENT) for n, i in enumerate(data.indicators)]
    columns = ["report_id", "indicator_id", "value", "text", "comment", "updated_by_id", "updated_at"]
    count = 0
    if connection.vendor == "postgresql":
        # Ten million rows: one formatted line each, no per-field conversion.
        tail = f"\t\t\t{admin}\t{now.isoformat()}\n"

        def lines() -> Iterator[str]:
            nonlocal count
            for report, unit, period in reports:
                for indicator, n, percent in indicators:
                    count += 1
                    yield f"{report}\t{indicator}\t{value_of(unit, period, n, percent=percent)}{tail}"

        copy_lines("reporting_datavalue", columns, lines())
        return count

    def rows() -> Iterator[tuple[Any, ...]]:
        nonlocal count
        for report, unit, period in reports:
            for indicator, n, percent in indicators:
                count += 1
                yield (report, indicator, value_of(unit, period, n, percent=percent), "", "", admin, now)

    bulk_insert("reporting_datavalue", columns, rows())
    return count


# The aggregates of every unit (each commune, province and the country) for every month, from the
# approved values, as the roll-up keeps them: sum, count, min, max, and the value of the most
# recently approved report (`latest`), in the stripes the roll-up writes (one per remainder of the
# reporting unit's id). One INSERT ... SELECT grouped over the closure table.
AGGREGATES_POSTGRES = """
    INSERT INTO reporting_aggregate
        (form_id, unit_id, period_id, indicator_id, total, count, minimum, maximum, latest, latest_at, updated_at,
         shard)
    SELECT r.form_id, c.ancestor_id, r.period_id, v.indicator_id,
           SUM(v.value), COUNT(*), MIN(v.value), MAX(v.value),
           -- the arg-max of (approved_at, report id), without sorting each group
           (MAX(ARRAY[EXTRACT(EPOCH FROM r.approved_at), r.id::numeric, v.value]))[3],
           MAX(r.approved_at), MAX(r.approved_at), r.unit_id %% %(shards)s
    FROM reporting_datavalue v
    JOIN reporting_report r ON r.id = v.report_id
    JOIN org_unitclosure c ON c.descendant_id = r.unit_id
    WHERE r.form_id = %(form)s AND r.period_id = %(period)s AND r.is_current AND r.status = 'approved'
      AND v.value IS NOT NULL
    GROUP BY r.form_id, c.ancestor_id, r.period_id, v.indicator_id, r.unit_id %% %(shards)s
"""
AGGREGATES_SQLITE = """
    INSERT INTO reporting_aggregate
        (form_id, unit_id, period_id, indicator_id, total, count, minimum, maximum, latest, latest_at, updated_at,
         shard)
    SELECT form_id, ancestor_id, period_id, indicator_id,
           SUM(value), COUNT(*), MIN(value), MAX(value), MAX(CASE WHEN newest = 1 THEN value END),
           MAX(approved_at), MAX(approved_at), shard
    FROM (
        SELECT r.form_id, c.ancestor_id, r.period_id, v.indicator_id, v.value, r.approved_at,
               r.unit_id %% %(shards)s AS shard,
               ROW_NUMBER() OVER (
                   PARTITION BY c.ancestor_id, r.period_id, v.indicator_id, r.unit_id %% %(shards)s
                   ORDER BY r.approved_at DESC, r.id DESC
               ) AS newest
        FROM reporting_datavalue v
        JOIN reporting_report r ON r.id = v.report_id
        JOIN org_unitclosure c ON c.descendant_id = r.unit_id
        WHERE r.form_id = %(form)s AND r.period_id = %(period)s AND r.is_current AND r.status = 'approved'
          AND v.value IS NOT NULL
    ) AS source
    GROUP BY form_id, ancestor_id, period_id, indicator_id, shard
"""


def insert_aggregates(form: ReportForm, months: Sequence[Period]) -> int:
    """Every aggregate of `form` from its approved values, one month at a time: rows of a month
    lie together on disk, as when the roll-up creates them while that month's reports are
    approved. Returns the row count."""
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # This bulk load's transaction only: group a month's keys in memory rather than on disk.
            cursor.execute("SET LOCAL work_mem = '256MB'")
        sql = AGGREGATES_POSTGRES if connection.vendor == "postgresql" else AGGREGATES_SQLITE
        for month in months:
            cursor.execute(sql, {"form": form.pk, "period": month.pk, "shards": AGGREGATE_SHARDS})
            count += int(cursor.rowcount)
    return count


# Foreign keys of the bulk-loaded tables, checked in one set-based query each after the load.
REFERENCES = [
    ("reporting_report", "form_id", "reporting_reportform"),
    ("reporting_report", "version_id", "reporting_formversion"),
    ("reporting_report", "unit_id", "org_unit"),
    ("reporting_report", "period_id", "reporting_period"),
    ("reporting_datavalue", "report_id", "reporting_report"),
    ("reporting_datavalue", "indicator_id", "reporting_indicator"),
    ("reporting_aggregate", "unit_id", "org_unit"),
    ("reporting_aggregate", "period_id", "reporting_period"),
    ("reporting_aggregate", "indicator_id", "reporting_indicator"),
]


def _without_reference_triggers() -> None:
    """PostgreSQL checks Django's foreign keys (DEFERRABLE INITIALLY DEFERRED) one row at a time at
    COMMIT: for 20 million rows that is minutes. As pg_restore --disable-triggers does, this
    transaction skips them (the benchmark's database user is a superuser); `_check_references`
    then checks every reference in one anti-join per foreign key."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")


def _check_references() -> None:
    if connection.vendor != "postgresql":
        return  # SQLite checked each row as it was inserted (PRAGMA foreign_keys=ON)
    with connection.cursor() as cursor:
        for table, column, target in REFERENCES:
            cursor.execute(
                f"SELECT COUNT(*) FROM {table} t WHERE NOT EXISTS "  # noqa: S608
                f"(SELECT 1 FROM {target} x WHERE x.id = t.{column})"
            )
            (orphans,) = cursor.fetchone()
            if orphans:
                raise BenchError(f"{orphans} rows of {table}.{column} point at no {target}")


def bulk_insert(table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """COPY on PostgreSQL, `executemany` in chunks on SQLite."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        copy_lines(table, columns, ("\t".join(_text(v) for v in row) + "\n" for row in rows))
        return
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    chunk: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for row in rows:
            chunk.append(tuple(_sqlite(v) for v in row))
            if len(chunk) >= 20000:
                cursor.executemany(sql, chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)


def _sqlite(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def copy_lines(table: str, columns: Sequence[str], lines: Iterable[str]) -> None:
    """COPY in text format from ready lines, written in ~4 MB chunks (faster than row by row)."""
    raw = connection.connection
    assert raw is not None
    chunk: list[str] = []
    size = 0
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for line in lines:
            chunk.append(line)
            size += len(line)
            if size > 4_000_000:
                copy.write("".join(chunk))
                chunk, size = [], 0
        copy.write("".join(chunk))


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)
