"""Reporting API: forms and periods, reports and their values, the workflow, aggregates.

Writes go through the same services as the pages: a bulk write opens the report when needed and
saves every value in one call, all or nothing; errors are keyed by indicator code. The batch
variant writes many units' reports in one transaction: one unit out of scope (404), one role too
low (403) or one bad value (422) and nothing is saved for any of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from chidao.org.models import Unit
from chidao.org.scope import get_visible_or_404
from chidao.reporting import bulk_import, queries, services
from chidao.reporting.models import (
    FormField,
    FormSection,
    FormVersion,
    Indicator,
    Period,
    Report,
    ReportForm,
)
from chidao.reporting.schemas import (
    AggregatesOut,
    BatchOut,
    CumulativeOut,
    FormOut,
    ImportOut,
    PeriodOut,
    PeriodRef,
    ReasonIn,
    ReportDetailOut,
    ReportOut,
    SavedOut,
    ValuesIn,
)

if TYPE_CHECKING:
    from chidao.accounts.models import User

# The JSON types a value may have (ValueIn's value is typed Any for speed).
SCALARS = (bool, int, float, str, type(None))

router = Router(tags=["reporting"])

# Lists are serialised from plain rows, like the organisation API.
REPORT_ROW = {
    "form_code": F("form__code"),
    "unit_code": F("unit__code"),
    "unit_name": F("unit__name"),
    "period_label": F("period__label"),
}
REPORT_FIELDS = [name for name in ReportOut.model_fields if name not in REPORT_ROW]


def _actor(request: HttpRequest) -> User:
    return cast("User", request.user)  # authenticated by the API's django_auth


# --- resolving references ----------------------------------------------------------------------


def _form(request: HttpRequest, ref: int | str) -> ReportForm:
    """A visible form by id, or by code when that code is unambiguous for the user."""
    forms = ReportForm.objects.select_related("owner")
    if isinstance(ref, int) or ref.strip().isdigit():
        form: ReportForm = get_visible_or_404(forms, request.user, pk=int(ref))
        return form
    matches: list[ReportForm] = list(forms.visible_to(request.user).filter(code=ref.strip().upper())[:2])
    if not matches:
        raise Http404(_("Không tìm thấy."))
    if len(matches) > 1:
        raise ValidationError({"form": [_("Có nhiều biểu mẫu mã “%(code)s”; hãy dùng id.") % {"code": ref}]})
    return matches[0]


def _period(form: ReportForm, ref: int | PeriodRef) -> Period:
    if isinstance(ref, int):
        period = Period.objects.filter(pk=ref).first()
        if period is None:
            raise Http404(_("Không tìm thấy."))
        return period
    try:
        return services.ensure_period(ref.kind, ref.year, ref.number, ref.calendar or form.calendar)
    except (ValueError, KeyError) as exc:
        raise ValidationError(
            {"period": [_("Kỳ báo cáo không hợp lệ: %(kind)s %(number)s/%(year)s.") % ref.model_dump()]}
        ) from exc


def _unit(request: HttpRequest, ref: int | str) -> Unit:
    if isinstance(ref, int):
        return get_visible_or_404(Unit.objects.all(), request.user, pk=ref)
    return get_visible_or_404(Unit.objects.all(), request.user, code=ref.strip())


def _units(request: HttpRequest, refs: Iterable[int | str]) -> dict[int | str, Unit]:
    """Every referenced unit in one query; 404 when any is missing or out of scope."""
    refs = list(refs)
    ids = {r for r in refs if isinstance(r, int)}
    codes = {r.strip() for r in refs if isinstance(r, str)}
    found = Unit.objects.visible_to(request.user).filter(Q(pk__in=ids) | Q(code__in=codes))
    by_ref: dict[int | str, Unit] = {}
    for unit in found:
        by_ref[unit.pk] = unit
        by_ref[unit.code] = unit
    if any((r if isinstance(r, int) else r.strip()) not in by_ref for r in refs):
        raise Http404(_("Không tìm thấy."))
    return by_ref


def _report(request: HttpRequest, report_id: int) -> Report:
    return get_visible_or_404(
        Report.objects.select_related("form", "unit__parent", "period", "version"), request.user, pk=report_id
    )


def _report_out(report: Report) -> dict[str, Any]:
    row = {name: getattr(report, name) for name in REPORT_FIELDS}
    row.update(
        form_code=report.form.code,
        unit_code=report.unit.code,
        unit_name=report.unit.name,
        period_label=report.period.label,
    )
    return row


# --- catalogue -----------------------------------------------------------------------------------


@router.get("/forms", response=list[FormOut])
def list_forms(request: HttpRequest) -> list[dict[str, Any]]:
    """Visible forms with the fields of their current (newest published) version: four queries."""
    forms = list(ReportForm.objects.visible_to(request.user).order_by("code", "id"))
    current: dict[int, FormVersion] = {}
    for published in FormVersion.objects.filter(form__in=forms, published_at__isnull=False).order_by("number"):
        current[published.form_id] = published
    versions = list(current.values())
    sections: dict[int, list[FormSection]] = {}
    for section in FormSection.objects.filter(version__in=versions):
        sections.setdefault(section.version_id, []).append(section)
    fields: dict[int, list[FormField]] = {}
    for field in FormField.objects.filter(section__version__in=versions).select_related("indicator", "section"):
        fields.setdefault(field.section.version_id, []).append(field)
    result = []
    for form in forms:
        version = current.get(form.pk)
        vid = version.pk if version else 0
        result.append(
            {
                "id": form.pk,
                "code": form.code,
                "name": form.name,
                "owner_id": form.owner_id,
                "periodicity": form.periodicity,
                "calendar": form.calendar,
                "version": version.number if version else None,
                "sections": [{"id": s.pk, "title": s.title, "kind": s.kind} for s in sections.get(vid, [])],
                "fields": [_field_out(f) for f in fields.get(vid, [])],
            }
        )
    return result


def _field_out(field: FormField) -> dict[str, Any]:
    indicator = field.indicator
    return {
        "indicator_id": indicator.pk,
        "code": indicator.code,
        "name": indicator.name,
        "type": indicator.value_type,
        "unit_of_measure": indicator.unit_of_measure,
        "aggregation": indicator.aggregation,
        "required": field.required,
        "min_value": field.min_value,
        "max_value": field.max_value,
        "section_id": field.section_id,
    }


@router.get("/periods", response=list[PeriodOut])
def list_periods(request: HttpRequest, form: str = "", year: int | None = None) -> object:
    """Periods already in use, optionally those of a form's periodicity and calendar, of one year."""
    periods = Period.objects.all()
    if form:
        report_form = _form(request, form)
        periods = periods.filter(kind=report_form.periodicity, calendar=report_form.calendar)
    if year is not None:
        periods = periods.filter(year=year)
    return periods.order_by("start", "end")


# --- reports -------------------------------------------------------------------------------------


@router.get("/reports", response=list[ReportOut])
@paginate(LimitOffsetPagination)
def list_reports(
    request: HttpRequest,
    form: str = "",
    period: int | None = None,
    unit: str = "",
    status: str = "",
    all_revisions: bool = False,
) -> object:
    """Reports of the user's units (and the units under `unit`), newest period first."""
    under = _unit(request, int(unit) if unit.isdigit() else unit) if unit else None
    in_period = _period_by_id(period) if period is not None else None
    reports = queries.reports_for(request.user, unit=under, status=status, period=in_period)
    if form:
        reports = reports.filter(form=_form(request, form))
    if not all_revisions:
        reports = reports.filter(is_current=True)
    return reports.order_by("-period__start", "unit__name", "id").values(*REPORT_FIELDS, **REPORT_ROW)


def _period_by_id(period_id: int) -> Period:
    period = Period.objects.filter(pk=period_id).first()
    if period is None:
        raise Http404(_("Không tìm thấy."))
    return period


@router.get("/reports/{report_id}", response=ReportDetailOut)
def get_report(request: HttpRequest, report_id: int) -> dict[str, Any]:
    report = _report(request, report_id)
    row = _report_out(report)
    row.update(
        version=report.version.number,
        returned_reason=report.returned_reason,
        correction_reason=report.correction_reason,
        values=[
            {
                "indicator_id": v.indicator_id,
                "code": v.indicator.code,
                "value": v.value,
                "text": v.text,
                "comment": v.comment,
                "updated_at": v.updated_at,
            }
            for v in report.values.select_related("indicator").order_by("indicator__code")
        ],
        narratives=[
            {"section_id": n.section_id, "title": n.section.title, "text": n.text}
            for n in report.narratives.select_related("section").order_by("section__order", "section_id")
        ],
    )
    return row


@contextmanager
def _keyed_by_code(indicators: Iterable[Indicator]) -> Iterator[None]:
    """Services key value errors "v<indicator id>"; API clients know indicators by code."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        codes = {f"v{i.pk}": i.code for i in indicators}
        raise ValidationError({codes.get(k, k): v for k, v in exc.message_dict.items()}) from exc


class _Refs:
    """Forms and periods resolved once per request, however many entries name them."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.forms: dict[int | str, ReportForm] = {}
        self.periods: dict[tuple[int, str], Period] = {}
        self.indicators: dict[int, dict[str, Indicator]] = {}
        self.current: dict[int, FormVersion] = {}

    def form(self, ref: int | str) -> ReportForm:
        if ref not in self.forms:
            self.forms[ref] = _form(self.request, ref)
        return self.forms[ref]

    def period(self, form: ReportForm, ref: int | PeriodRef) -> Period:
        key = (form.pk, repr(ref))
        if key not in self.periods:
            self.periods[key] = _period(form, ref)
        return self.periods[key]

    def form_indicators(self, form: ReportForm) -> dict[str, Indicator]:
        """The indicators of the form's current version, by code."""
        if form.pk not in self.current:
            version = form.current_version()
            if version is None:
                raise ValidationError({"form": [_("Biểu mẫu chưa được ban hành.")]})
            self.current[form.pk] = version
        return self.indicators_of_version(self.current[form.pk])

    def indicators_of_version(self, version: FormVersion) -> dict[str, Indicator]:
        if version.pk not in self.indicators:
            fields = services.form_fields(version).values()
            self.indicators[version.pk] = {f.indicator.code: f.indicator for f in fields}
        return self.indicators[version.pk]

    def indicators_of(self, report: Report) -> dict[str, Indicator]:
        """The report's form version's indicators by code (reports of one form share versions)."""
        if report.version_id not in self.indicators:
            fields = services.form_fields(report.version).values()
            self.indicators[report.version_id] = {f.indicator.code: f.indicator for f in fields}
        return self.indicators[report.version_id]


def _write(
    request: HttpRequest, refs: _Refs, entry: ValuesIn, form: ReportForm, period: Period, unit: Unit
) -> SavedOut:
    """Open the report if needed and save the entry's values with one service call.

    Errors come back keyed by indicator code ("TH"), or "__all__"."""
    actor = _actor(request)
    report = services.open_report(actor=actor, form=form, unit=unit, period=period)
    by_code = refs.indicators_of(report)
    errors: dict[str, list[str]] = {}
    values: dict[int, Any] = {}
    comments: dict[int, str] = {}
    for item in entry.values:
        code = item["indicator"].strip().upper()
        indicator: Indicator | None = by_code.get(code)
        if indicator is None:
            errors[item["indicator"]] = [_("%(code)s: chỉ tiêu không có trong biểu mẫu.") % {"code": item["indicator"]}]
            continue
        if indicator.pk in values:
            errors[code] = [_("%(code)s: chỉ tiêu được gửi hai lần.") % {"code": code}]
            continue
        raw = item.get("value")
        if not isinstance(raw, SCALARS):
            errors[code] = [_("%(code)s: giá trị phải là số, chuỗi, true/false hoặc null.") % {"code": code}]
            continue
        values[indicator.pk] = raw
        comment = item.get("comment")
        if comment is not None:
            comments[indicator.pk] = comment
    if errors:
        raise ValidationError(errors)
    with _keyed_by_code(by_code.values()):
        changed = services.save_values(
            actor=actor,
            report=report,
            values=values,
            comments=comments,
            narratives={n.section: n.text for n in entry.narratives},
        )
    return SavedOut(report_id=report.pk, unit_id=unit.pk, status=report.status, changed=len(changed))


@router.put("/values", response=SavedOut)
def put_values(request: HttpRequest, payload: ValuesIn) -> SavedOut:
    """Write one unit's values (and narratives) for a form and period: all valid or none saved."""
    refs = _Refs(request)
    form = refs.form(payload.form)
    unit = _unit(request, payload.unit)
    with transaction.atomic():
        return _write(request, refs, payload, form, refs.period(form, payload.period), unit)


@router.put("/values/batch", response=BatchOut)
def put_values_batch(request: HttpRequest, payload: list[ValuesIn]) -> BatchOut:
    """Write many units' reports in one transaction, one service call per form and period. Every
    unit is resolved before anything is written; errors are keyed "<unit code>.<indicator code>" and
    nothing is saved when any entry fails."""
    refs = _Refs(request)
    units = _units(request, [e.unit for e in payload])
    groups: dict[tuple[int, int], tuple[ReportForm, Period, list[services.Entry]]] = {}
    codes: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    ids_by_form: dict[int, dict[str, int]] = {}  # indicator ids by code, read once per form
    for item in payload:
        unit = units[item.unit if isinstance(item.unit, int) else item.unit.strip()]
        form = refs.form(item.form)
        period = refs.period(form, item.period)
        if form.pk not in ids_by_form:
            indicators = refs.form_indicators(form)
            ids_by_form[form.pk] = {code: i.pk for code, i in indicators.items()}
            codes.update((f"v{i.pk}", code) for code, i in indicators.items())
        ids = ids_by_form[form.pk]
        values: dict[int, Any] = {}
        comments: dict[int, str] = {}
        for value in item.values:
            given = value["indicator"]
            indicator_id = ids.get(given) or ids.get(given.strip().upper())
            raw = value.get("value")
            if not isinstance(raw, SCALARS):
                errors[f"{unit.code}.{given}"] = [
                    _("%(code)s: giá trị phải là số, chuỗi, true/false hoặc null.") % {"code": given}
                ]
                continue
            if indicator_id is None or indicator_id in values:
                message = (
                    _("%(code)s: chỉ tiêu không có trong biểu mẫu.")
                    if indicator_id is None
                    else _("%(code)s: chỉ tiêu được gửi hai lần.")
                )
                errors[f"{unit.code}.{given}"] = [message % {"code": given}]
                continue
            values[indicator_id] = raw
            comment = value.get("comment")
            if comment is not None:
                comments[indicator_id] = comment
        entry = services.Entry(
            unit=unit, values=values, comments=comments, narratives={n.section: n.text for n in item.narratives}
        )
        groups.setdefault((form.pk, period.pk), (form, period, []))[2].append(entry)
    if errors:
        raise ValidationError(errors)
    saved: list[SavedOut] = []
    with transaction.atomic():
        for form, period, entries in groups.values():
            try:
                reports = services.save_values_batch(actor=_actor(request), form=form, period=period, entries=entries)
            except ValidationError as exc:
                if not hasattr(exc, "error_dict"):
                    raise
                detail = {}
                for key, messages in exc.message_dict.items():
                    unit_code, _dot, rest = key.partition(".")
                    detail[f"{unit_code}.{codes.get(rest, rest)}" if rest else key] = messages
                raise ValidationError(detail) from exc
            saved.extend(
                SavedOut(report_id=r.pk, unit_id=r.unit_id, status=r.status, changed=len(e.values))
                for r, e in zip(reports, entries, strict=True)
            )
    return BatchOut(reports=saved, changed=sum(s.changed for s in saved))


# --- workflow ------------------------------------------------------------------------------------


@router.post("/reports/{report_id}/submit", response=ReportOut)
def submit_report(request: HttpRequest, report_id: int) -> dict[str, Any]:
    report = _report(request, report_id)
    with _keyed_by_code(f.indicator for f in services.form_fields(report.version).values()):
        report = services.submit_report(actor=_actor(request), report=report)
    return _report_out(report)


@router.post("/reports/{report_id}/return", response=ReportOut)
def return_report(request: HttpRequest, report_id: int, payload: ReasonIn) -> dict[str, Any]:
    report = services.return_report(actor=_actor(request), report=_report(request, report_id), reason=payload.reason)
    return _report_out(report)


@router.post("/reports/{report_id}/approve", response=ReportOut)
def approve_report(request: HttpRequest, report_id: int) -> dict[str, Any]:
    report = services.approve_report(actor=_actor(request), report=_report(request, report_id))
    return _report_out(report)


@router.post("/reports/{report_id}/correction", response={201: ReportOut})
def start_correction(request: HttpRequest, report_id: int, payload: ReasonIn) -> Status[dict[str, Any]]:
    """A new revision of an approved report; the approved one stays in force until it is approved."""
    correction = services.start_correction(
        actor=_actor(request), report=_report(request, report_id), reason=payload.reason
    )
    return Status(201, _report_out(correction))


# --- aggregates ----------------------------------------------------------------------------------


@router.get("/aggregates", response=AggregatesOut)
def aggregates(request: HttpRequest, form: str, period: int, unit: str) -> dict[str, Any]:
    """Approved figures of the unit's subtree and of each child's subtree, by each indicator's rule."""
    report_form = _form(request, form)
    in_period = _period_by_id(period)
    parent = _unit(request, int(unit) if unit.isdigit() else unit)
    version = report_form.current_version()
    indicators = (
        [f.indicator for f in services.form_fields(version).values() if f.indicator.is_numeric] if version else []
    )
    figures = queries.dashboard_rows(report_form, in_period, parent, indicators)
    children, found = figures.children, figures.by_unit
    rows = []
    for row_unit, is_total in [(parent, True), *((child, False) for child in children)]:
        values = []
        for indicator in indicators:
            aggregate = found.get((row_unit.pk, indicator.pk))
            values.append(
                {
                    "indicator_id": indicator.pk,
                    "code": indicator.code,
                    "aggregation": indicator.aggregation,
                    "value": aggregate.value(indicator.aggregation) if aggregate else None,
                    "count": aggregate.count if aggregate else 0,
                    "updated_at": aggregate.updated_at if aggregate else None,
                }
            )
        rows.append(
            {
                "unit_id": row_unit.pk,
                "unit_code": row_unit.code,
                "unit_name": row_unit.name,
                "is_total": is_total,
                "values": values,
            }
        )
    return {"form_id": report_form.pk, "period_id": in_period.pk, "unit_id": parent.pk, "rows": rows}


@router.get("/cumulative", response=CumulativeOut)
def cumulative(request: HttpRequest, form: str, unit: str, kind: str, year: int) -> dict[str, Any]:
    """6-month, 9-month, 10-month or annual figures of a unit's subtree, computed from the approved
    monthly figures of a form that says so (`cumulative_from_monthly`)."""
    from chidao.lib import periods as lib_periods

    report_form = _form(request, form)
    parent = _unit(request, int(unit) if unit.isdigit() else unit)
    if kind not in queries.CUMULATIVE_KINDS:
        raise ValidationError(
            {"kind": _("Kỳ lũy kế phải là một trong: %(kinds)s.") % {"kinds": ", ".join(queries.CUMULATIVE_KINDS)}}
        )
    if report_form.periodicity != lib_periods.Kind.MONTH or not report_form.cumulative_from_monthly:
        raise ValidationError({"form": _("Biểu mẫu này không tính kỳ lũy kế từ số liệu tháng.")})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Năm không hợp lệ.")})
    version = report_form.current_version()
    indicators = (
        [f.indicator for f in services.form_fields(version).values() if f.indicator.is_numeric] if version else []
    )
    result = queries.cumulative_period(report_form, parent, kind, year)
    return {
        "form_id": report_form.pk,
        "unit_id": parent.pk,
        "kind": kind,
        "year": year,
        "label": result.label,
        "start": result.start,
        "end": result.end,
        "months": result.months,
        "months_with_data": result.months_with_data,
        "values": [
            {"indicator_id": i.pk, "code": i.code, "aggregation": i.aggregation, "value": result.values.get(i.pk)}
            for i in indicators
        ],
    }


# --- bulk import from Excel ----------------------------------------------------------------------


@router.post("/values/xlsx", response=ImportOut)
def import_values_xlsx(
    request: HttpRequest, file: File[UploadedFile], form: Form[str], period: Form[int | None] = None
) -> ImportOut:
    """Load an edited bulk export (.xlsx, `multipart/form-data`) of `form` (id or code): the rows of
    every unit and period in one transaction, all or nothing, same rules as the import page.
    `period`: id of the period of rows without a "Kỳ báo cáo" (and the only one allowed). Errors
    come back as {"detail": {"file": ["Sheet “Số liệu”, dòng 12, cột G: …", …]}}."""
    report_form = _form(request, form)
    chosen = _period_by_id(period) if period is not None else None
    try:
        result = bulk_import.import_values(
            actor=_actor(request), data=bulk_import.read_upload(file), form=report_form, period=chosen
        )
    except bulk_import.ImportFailed as exc:
        raise ValidationError({"file": exc.errors}) from exc
    return ImportOut(rows=result.rows, changed=result.changed, unchanged=result.unchanged, reports=result.reports)
