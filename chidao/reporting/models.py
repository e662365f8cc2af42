"""Periodic reporting: indicators, versioned forms, periods, assignments, reports and roll-ups.

Terms: chỉ tiêu (Indicator), biểu mẫu báo cáo (ReportForm), kỳ báo cáo (Period), báo cáo (Report),
số liệu (DataValue), số liệu tổng hợp (Aggregate). Periods follow Nghị định 09/2019/NĐ-CP; see
chidao/lib/periods.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chidao.lib import periods
from chidao.org.scope import ScopedQuerySet, visible_unit_ids


class ValueType(models.TextChoices):
    INTEGER = "integer", _("Số nguyên")
    DECIMAL = "decimal", _("Số thập phân")
    PERCENT = "percent", _("Tỷ lệ %")
    BOOLEAN = "boolean", _("Có/Không")
    TEXT = "text", _("Văn bản")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Tổng")
    AVG = "avg", _("Trung bình")
    MIN = "min", _("Nhỏ nhất")
    MAX = "max", _("Lớn nhất")
    COUNT = "count", _("Số đơn vị báo cáo")
    LATEST = "latest", _("Giá trị mới nhất")


NUMERIC_TYPES = {ValueType.INTEGER, ValueType.DECIMAL, ValueType.PERCENT, ValueType.BOOLEAN}


class CatalogQuerySet(ScopedQuerySet[Any]):
    """Indicators and forms are defined by a unit and used by its whole subtree: visible to users
    of the owner's subtree and of the units above it."""

    scope_field = "owner"

    def visible_to(self, user: Any, *, minimum_role: str | None = None) -> Any:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        from chidao.org.models import UnitClosure

        below = visible_unit_ids(user, minimum_role=minimum_role)
        above = UnitClosure.objects.filter(descendant_id__in=below).values("ancestor_id")
        return self.filter(owner_id__in=above)


class Indicator(models.Model):
    """Chỉ tiêu: one figure a report asks for."""

    owner = models.ForeignKey("org.Unit", verbose_name=_("đơn vị ban hành"), on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("mã chỉ tiêu"), max_length=40)
    name = models.CharField(_("tên chỉ tiêu"), max_length=500)
    unit_of_measure = models.CharField(_("đơn vị tính"), max_length=50, blank=True)
    value_type = models.CharField(
        _("kiểu giá trị"), max_length=10, choices=ValueType.choices, default=ValueType.INTEGER
    )
    aggregation = models.CharField(
        _("cách tổng hợp"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    is_key = models.BooleanField(_("chỉ tiêu chính (hiện trên bảng điều khiển)"), default=False)
    description = models.TextField(_("hướng dẫn"), blank=True)

    objects = CatalogQuerySet.as_manager()

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = pgettext_lazy("plural", "chỉ tiêu")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["owner", "code"], name="indicator_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def is_numeric(self) -> bool:
        return self.value_type in NUMERIC_TYPES


class ReportForm(models.Model):
    """Biểu mẫu báo cáo định kỳ; its content lives in numbered versions."""

    owner = models.ForeignKey("org.Unit", verbose_name=_("đơn vị ban hành"), on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("mã biểu mẫu"), max_length=40)
    name = models.CharField(_("tên biểu mẫu"), max_length=500)
    periodicity = models.CharField(
        _("kỳ báo cáo"), max_length=12, choices=[(k.value, k.value) for k in periods.Kind], default=periods.Kind.QUARTER
    )
    calendar = models.CharField(
        _("cách tính kỳ"),
        max_length=10,
        choices=[
            (periods.Calendar.ND09.value, _("Chốt số liệu ngày 14 (Nghị định 09/2019/NĐ-CP)")),
            (periods.Calendar.CALENDAR.value, _("Theo tháng dương lịch")),
        ],
        default=periods.Calendar.ND09,
    )
    due_days = models.PositiveSmallIntegerField(_("hạn nộp (số ngày sau kỳ)"), default=5)
    due_in_working_days = models.BooleanField(_("tính theo ngày làm việc"), default=True)
    cumulative_from_monthly = models.BooleanField(_("kỳ lũy kế tính từ số liệu tháng"), default=False)
    description = models.TextField(_("mô tả"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CatalogQuerySet.as_manager()

    class Meta:
        verbose_name = _("biểu mẫu báo cáo")
        verbose_name_plural = pgettext_lazy("plural", "biểu mẫu báo cáo")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["owner", "code"], name="report_form_code_unique")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reporting:form_detail", args=[self.pk])

    def current_version(self) -> FormVersion | None:
        return self.versions.filter(published_at__isnull=False).order_by("-number").first()


class FormVersion(models.Model):
    """A published version is frozen: reports point at the version they were filled against."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    published_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("ghi chú thay đổi"), max_length=500, blank=True)

    class Meta:
        ordering = ["form", "number"]
        constraints = [models.UniqueConstraint(fields=["form", "number"], name="form_version_unique")]

    def __str__(self) -> str:
        return f"{self.form} v{self.number}"


class SectionKind(models.TextChoices):
    INDICATORS = "indicators", _("Bảng chỉ tiêu")
    NARRATIVE = "narrative", _("Nội dung văn bản")


class FormSection(models.Model):
    version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=SectionKind.choices, default=SectionKind.INDICATORS)
    title = models.CharField(_("tiêu đề"), max_length=300)
    guidance = models.TextField(_("hướng dẫn"), blank=True)

    class Meta:
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.title


class FormField(models.Model):
    section = models.ForeignKey(FormSection, on_delete=models.CASCADE, related_name="fields")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)
    required = models.BooleanField(_("bắt buộc"), default=True)
    min_value = models.DecimalField(_("giá trị nhỏ nhất"), max_digits=20, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("giá trị lớn nhất"), max_digits=20, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["section", "order", "id"]

    def __str__(self) -> str:
        return str(self.indicator)


class RuleOperator(models.TextChoices):
    LE = "<=", "≤"
    LT = "<", "<"
    GE = ">=", "≥"
    GT = ">", ">"
    EQ = "==", "="


class FormRule(models.Model):
    """A cross-field rule such as "số người được tập huấn ≤ số người đăng ký"."""

    version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="rules")
    left = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    operator = models.CharField(max_length=2, choices=RuleOperator.choices)
    right = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    message = models.CharField(_("thông báo lỗi"), max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.left.code} {self.operator} {self.right.code}"

    def holds(self, left: Decimal, right: Decimal) -> bool:
        return {
            "<=": left <= right,
            "<": left < right,
            ">=": left >= right,
            ">": left > right,
            "==": left == right,
        }[self.operator]


class Period(models.Model):
    """Kỳ báo cáo: one row per (kind, calendar, year, number); custom ranges have their own dates."""

    kind = models.CharField(max_length=12, choices=[(k.value, k.value) for k in periods.Kind])
    calendar = models.CharField(max_length=10, choices=[(c.value, c.value) for c in periods.Calendar])
    year = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField(default=1)
    start = models.DateField()
    end = models.DateField()
    label = models.CharField(max_length=100)

    class Meta:
        ordering = ["start", "end"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "calendar", "year", "number", "start", "end"], name="period_unique"
            ),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="period_ordered"),
        ]

    def __str__(self) -> str:
        """The period's name in the interface language ("Quý I/2026", "Q1 2026"); `label` keeps
        the Vietnamese name for documents, e-mails and the audit trail."""
        if self.kind == periods.Kind.CUSTOM:
            return self.label
        return str(PERIOD_NAMES[periods.Kind(self.kind)]) % {
            "number": self.number,
            "year": self.year,
            "roman": periods.ROMAN.get(self.number, ""),
        }

    def span(self) -> periods.Span:
        return periods.span(self.kind, self.year, self.number, self.calendar)


# Built once: a period select lists forty of them on every dashboard.
PERIOD_NAMES = {
    periods.Kind.MONTH: _("Tháng %(number)s/%(year)s"),
    periods.Kind.QUARTER: _("Quý %(roman)s/%(year)s"),
    periods.Kind.HALF: _("6 tháng đầu năm %(year)s"),
    periods.Kind.NINE_MONTHS: _("9 tháng đầu năm %(year)s"),
    periods.Kind.TEN_MONTHS: _("10 tháng đầu năm %(year)s"),
    periods.Kind.YEAR: _("Năm %(year)s"),
}


class HolidayShift(models.Model):
    """A day-off or working-day swap decided for one year (nghỉ bù, làm bù)."""

    day = models.DateField(_("ngày"), unique=True)
    is_day_off = models.BooleanField(_("là ngày nghỉ"), default=True)
    note = models.CharField(_("căn cứ"), max_length=300, blank=True)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {'nghỉ' if self.is_day_off else 'làm việc'}"


class AssignmentQuerySet(ScopedQuerySet["Assignment"]):
    scope_field = "parent"


class Assignment(models.Model):
    """Which units under `parent` must submit `form`: by level, by agency type, or listed."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="assignments")
    parent = models.ForeignKey("org.Unit", verbose_name=_("trong phạm vi"), on_delete=models.PROTECT, related_name="+")
    unit_kind = models.CharField(_("cấp đơn vị"), max_length=16, blank=True)
    agency_type = models.CharField(_("loại cơ quan"), max_length=32, blank=True)
    units = models.ManyToManyField("org.Unit", verbose_name=_("đơn vị cụ thể"), blank=True, related_name="+")
    valid_from = models.DateField(_("áp dụng từ"))
    valid_until = models.DateField(_("đến"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["form", "valid_from"]

    def __str__(self) -> str:
        return f"{self.form} → {self.parent}"


class Status(models.TextChoices):
    DRAFT = "draft", _("Đang nhập")
    SUBMITTED = "submitted", _("Đã gửi")
    RETURNED = "returned", _("Bị trả lại")
    APPROVED = "approved", _("Đã duyệt")
    SUPERSEDED = "superseded", _("Đã được thay thế")


# The workflow: (from, to) -> who acts ("unit": the reporting unit, "parent": the unit above).
TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.DRAFT, Status.SUBMITTED): "unit",
    (Status.RETURNED, Status.SUBMITTED): "unit",
    (Status.SUBMITTED, Status.RETURNED): "parent",
    (Status.SUBMITTED, Status.APPROVED): "parent",
}


class ReportQuerySet(ScopedQuerySet["Report"]):
    scope_field = "unit"

    def current(self) -> ReportQuerySet:
        return self.filter(is_current=True)


class Report(models.Model):
    """Báo cáo of one unit for one form and period. Revision 1 is the first report; a correction
    after approval is revision n+1 and replaces it only once approved."""

    form = models.ForeignKey(ReportForm, on_delete=models.PROTECT, related_name="reports")
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="reports")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="reports")
    revision = models.PositiveSmallIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    due_date = models.DateField()
    correction_reason = models.TextField(_("lý do điều chỉnh"), blank=True)
    returned_reason = models.TextField(_("lý do trả lại"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period__start", "unit__name"]
        indexes = [models.Index(fields=["form", "period", "status"]), models.Index(fields=["unit", "period"])]
        constraints = [
            models.UniqueConstraint(fields=["form", "unit", "period", "revision"], name="report_revision_unique"),
            models.UniqueConstraint(
                fields=["form", "unit", "period"],
                condition=Q(is_current=True),
                name="report_one_current",
            ),
        ]

    def __str__(self) -> str:
        suffix = f" (lần {self.revision})" if self.revision > 1 else ""
        return f"{self.form.name} — {self.unit.name} — {self.period.label}{suffix}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:report_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in {Status.DRAFT, Status.RETURNED}

    def is_late(self, today: dt.date) -> bool:
        if self.submitted_at is not None:
            return timezone.localtime(self.submitted_at).date() > self.due_date  # due dates are Vietnamese dates
        return today > self.due_date


class DataValueQuerySet(ScopedQuerySet["DataValue"]):
    scope_field = "report__unit"


class DataValue(models.Model):
    """One figure of a report, with who entered it and when."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    # No database constraint on `indicator` and `updated_by`: PostgreSQL checks each one row by row
    # at COMMIT, a second of a 100,000-value API batch. Every write takes the indicator from the
    # fields of the report's version, which keep it (FormField.indicator, PROTECT, constrained;
    # the version is PROTECTed by its reports), and the acting user; deletes through the ORM
    # still PROTECT and SET_NULL. `report` keeps its constraint.
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    text = models.TextField(blank=True)
    comment = models.CharField(_("ghi chú"), max_length=500, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = DataValueQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "indicator"], name="data_value_unique")]

    def __str__(self) -> str:
        return f"{self.indicator.code}={self.value if self.value is not None else self.text}"


class Narrative(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="narratives")
    section = models.ForeignKey(FormSection, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "section"], name="narrative_unique")]

    def __str__(self) -> str:
        return f"{self.section}: {self.text[:40]}"


AGGREGATE_SHARDS = 16


class AggregateQuerySet(ScopedQuerySet["Aggregate"]):
    scope_field = "unit"

    def combined(self, *key: str, latest: bool = True) -> dict[tuple[int, ...], Figure]:
        """The rows folded by `key` fields, in the database: one Figure per figure, whatever the
        number of its stripes. `latest` is read only for indicators whose rule is LATEST (a
        second, small query, left out with `latest=False` when the caller knows none is asked;
        `latest_at` is then not read either)."""
        base = self.order_by()
        names = ("form_id", "period_id", "unit_id", "indicator_id")
        positions = [names.index(k) for k in key]
        sums = {
            "s_total": models.Sum("total"),
            "s_count": models.Sum("count"),
            "s_minimum": models.Min("minimum"),
            "s_maximum": models.Max("maximum"),
            "s_updated_at": models.Max("updated_at"),
        }
        if latest:  # when the newest stripe's value is the figure
            sums["s_latest_at"] = models.Max("latest_at")
        result: dict[tuple[int, ...], Figure] = {}
        for row in base.values(*names).annotate(**sums).values_list(*names, *sums):
            form_id, period_id, unit_id, indicator_id, total, count, minimum, maximum, updated_at, *newest = row
            figure = Figure(
                form_id=form_id,
                period_id=period_id,
                unit_id=unit_id,
                indicator_id=indicator_id,
                total=total,
                count=count,
                minimum=minimum,
                maximum=maximum,
                latest_at=newest[0] if newest else None,
                updated_at=updated_at,
            )
            result[tuple(row[i] for i in positions)] = figure
        if not latest:
            return result
        newest = base.filter(indicator__aggregation=Aggregation.LATEST, latest_at__isnull=False)
        for *keys, value, at in newest.values_list(*key, "latest", "latest_at"):
            figure = result[tuple(keys)]
            if at == figure.latest_at:
                figure.latest = value
        return result


def figure_value(
    rule: str, *, total: Decimal, count: int, minimum: Decimal | None, maximum: Decimal | None, latest: Decimal | None
) -> Decimal | None:
    """The figure shown under an indicator's aggregation `rule`; None when nothing was counted."""
    if count == 0:
        return None
    return {
        Aggregation.SUM: total,
        Aggregation.AVG: total / count,
        Aggregation.MIN: minimum,
        Aggregation.MAX: maximum,
        Aggregation.COUNT: Decimal(count),
        Aggregation.LATEST: latest,
    }[Aggregation(rule)]


@dataclass(slots=True)
class Figure:
    """A figure read for display: an Aggregate's stripes combined (`AggregateQuerySet.combined`).
    A plain object, not a model instance: a national dashboard reads about 500 of them a page."""

    form_id: int
    period_id: int
    unit_id: int
    indicator_id: int
    total: Decimal
    count: int
    minimum: Decimal | None
    maximum: Decimal | None
    latest_at: dt.datetime | None
    updated_at: dt.datetime | None
    latest: Decimal | None = None

    def value(self, rule: str) -> Decimal | None:
        return figure_value(
            rule, total=self.total, count=self.count, minimum=self.minimum, maximum=self.maximum, latest=self.latest
        )


class Aggregate(models.Model):
    """Số liệu tổng hợp: approved values of a unit's whole subtree (itself included), kept current
    in the approving transaction. Read with the indicator's rule: sum, total/count, min, max, count,
    latest."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    total = models.DecimalField(max_digits=24, decimal_places=4, default=Decimal(0))
    count = models.PositiveIntegerField(default=0)
    minimum = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    maximum = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    latest = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    latest_at = models.DateTimeField(null=True)
    updated_at = models.DateTimeField(null=True)
    # A figure is kept in up to AGGREGATE_SHARDS rows (stripes), one per remainder of the reporting
    # unit's id: approvals from different units rarely wait for the same province or country row.
    # Readers combine the stripes (`combine`); `reporting.queries` does it for every read.
    shard = models.PositiveSmallIntegerField(default=0)

    objects = AggregateQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["form", "period", "unit", "indicator", "shard"], name="aggregate_unique"),
        ]
        indexes = [models.Index(fields=["unit", "period"])]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.period_id}/{self.indicator_id}: {self.total} ({self.count})"

    def combine(self, other: Aggregate) -> None:
        """Fold another stripe of the same figure into this one (in memory)."""
        self.total += other.total
        self.count += other.count
        if other.minimum is not None and (self.minimum is None or other.minimum < self.minimum):
            self.minimum = other.minimum
        if other.maximum is not None and (self.maximum is None or other.maximum > self.maximum):
            self.maximum = other.maximum
        if other.latest_at is not None and (self.latest_at is None or other.latest_at > self.latest_at):
            self.latest, self.latest_at = other.latest, other.latest_at
        if other.updated_at is not None and (self.updated_at is None or other.updated_at > self.updated_at):
            self.updated_at = other.updated_at

    def value(self, rule: str) -> Decimal | None:
        """The figure shown for this aggregate under `rule`."""
        return figure_value(
            rule, total=self.total, count=self.count, minimum=self.minimum, maximum=self.maximum, latest=self.latest
        )
