"""Reads for the data-entry pages: the report grid, its history, a form's recent periods.

Reports, values and audit entries are read through `.visible_to(user)`. The grid costs the same
number of queries whatever the number of indicators (pinned in tests/reporting/test_views.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch
from django.utils import timezone

from chidao.audit.models import AuditEntry
from chidao.lib import periods
from chidao.reporting import services
from chidao.reporting.models import (
    DataValue,
    FormField,
    FormRule,
    FormSection,
    FormVersion,
    Indicator,
    Period,
    Report,
    ReportForm,
    SectionKind,
    Status,
    ValueType,
)

if TYPE_CHECKING:
    from chidao.accounts.models import User


def plain(number: Decimal | None) -> str:
    """A stored figure as typed back into an input: no exponent, no trailing zeros."""
    if number is None:
        return ""
    return f"{number.normalize():f}"


@dataclass
class Cell:
    """One indicator row of the grid (or one narrative section): what the input shows and says."""

    key: str  # the input name and the error key of services.save_values: "v<indicator id>", "n<section id>"
    raw: str = ""
    comment: str = ""
    previous: str = ""
    errors: list[str] = field(default_factory=list)
    saved: bool = False
    field: FormField | None = None

    @property
    def indicator(self) -> Indicator | None:
        return self.field.indicator if self.field is not None else None

    @property
    def comment_key(self) -> str:
        return f"c{self.key[1:]}"


@dataclass
class GridSection:
    section: FormSection
    cells: list[Cell]

    @property
    def is_narrative(self) -> bool:
        return self.section.kind == SectionKind.NARRATIVE


def previous_period(period: Period) -> Period | None:
    """The stored period before `period` (previous month or quarter, or a year earlier)."""
    if period.kind == periods.Kind.CUSTOM:
        return None
    before = periods.previous(period.span())
    return Period.objects.filter(
        kind=before.kind, calendar=before.calendar, year=before.year, number=before.number
    ).first()


def grid(
    user: User,
    report: Report,
    *,
    posted: Mapping[str, Any] | None = None,
    errors: Mapping[str, list[str]] | None = None,
) -> list[GridSection]:
    """The report's sections with their inputs; `posted` (a rejected POST) wins over stored values
    so the user sees what they typed next to its error."""
    errors = errors or {}
    sections = FormSection.objects.filter(version_id=report.version_id).prefetch_related(
        Prefetch("fields", queryset=FormField.objects.select_related("indicator"))
    )
    values = {v.indicator_id: v for v in report.values.all()}
    narratives = {n.section_id: n.text for n in report.narratives.all()}
    previous: dict[int, Decimal | None] = {}
    before = previous_period(report.period)
    if before is not None:
        previous = dict(
            DataValue.objects.visible_to(user)
            .filter(
                report__form_id=report.form_id,
                report__unit_id=report.unit_id,
                report__period=before,
                report__is_current=True,
                report__status=Status.APPROVED,
            )
            .values_list("indicator_id", "value")
        )
    result = []
    for section in sections:
        cells = []
        if section.kind == SectionKind.NARRATIVE:
            key = f"n{section.pk}"
            raw = posted[key] if posted is not None and key in posted else narratives.get(section.pk, "")
            cells.append(Cell(key=key, raw=raw, errors=list(errors.get(key, []))))
        for form_field in section.fields.all():
            indicator_id = form_field.indicator_id
            key = f"v{indicator_id}"
            stored = values.get(indicator_id)
            raw = stored_raw(form_field.indicator, stored)
            comment = stored.comment if stored is not None else ""
            if posted is not None:
                raw = posted.get(key, raw)
                comment = posted.get(f"c{indicator_id}", comment)
            cells.append(
                Cell(
                    key=key,
                    raw=raw,
                    comment=comment,
                    previous=plain(previous.get(indicator_id)),
                    errors=list(errors.get(key, [])),
                    field=form_field,
                )
            )
        result.append(GridSection(section=section, cells=cells))
    return result


def stored_raw(indicator: Indicator, value: DataValue | None) -> str:
    if value is None:
        return ""
    if indicator.value_type == ValueType.TEXT:
        return value.text
    return plain(value.value)


def revisions(user: User, report: Report) -> list[Report]:
    """Every revision of the report's form, unit and period, first to last."""
    return list(
        Report.objects.visible_to(user)
        .filter(form_id=report.form_id, unit_id=report.unit_id, period_id=report.period_id)
        .order_by("revision")
    )


def history(user: User, reports: list[Report]) -> list[AuditEntry]:
    """The audit entries of these reports, newest first."""
    return list(
        AuditEntry.objects.visible_to(user)
        .filter(target_type="reporting.report", target_id__in=[str(r.pk) for r in reports])
        .order_by("-id")[:100]
    )


def recent_periods(form: ReportForm, *, count: int = 6, today: dt.date | None = None) -> list[Period]:
    """The period of `form`'s periodicity containing today and the ones before it, newest first."""
    if form.periodicity == periods.Kind.CUSTOM:
        return list(Period.objects.filter(kind=periods.Kind.CUSTOM).order_by("-start")[:count])
    span = periods.containing(today or timezone.localdate(), form.periodicity, form.calendar)
    result = []
    for _ in range(count):
        result.append(services.ensure_period(span.kind, span.year, span.number, span.calendar))
        span = periods.previous(span)
    return result


def newest_version_content(form: ReportForm) -> tuple[FormVersion | None, list[FormSection], list[FormRule]]:
    """The form's newest version (the draft when there is one) with its sections and rules."""
    version = form.versions.order_by("-number").first()
    if version is None:
        return None, [], []
    sections = list(
        version.sections.prefetch_related(Prefetch("fields", queryset=FormField.objects.select_related("indicator")))
    )
    rules = list(version.rules.select_related("left", "right"))
    return version, sections, rules
