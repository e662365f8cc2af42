"""Writes of periodic reporting.

Rules enforced here, for pages, Excel and the API alike:
- catalogue (indicators, forms, versions, assignments) is edited by the secretariat of its owner
  unit; a published form version is frozen, changes go into a new version;
- a report is filled by the secretariat of its unit, against the form version current when it was
  opened; values are parsed by type, checked against ranges, required fields and cross-field rules;
- the workflow follows `TRANSITIONS`; the parent unit's secretariat returns or approves; approved
  reports are locked, a correction is a new revision with a reason and replaces the old one only
  when approved;
- approval (and a correction's approval) updates the aggregates of every ancestor unit in the same
  transaction, locking aggregate rows in one global order so concurrent approvers never deadlock;
- every change writes an audit entry.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from chidao.audit import services as audit
from chidao.lib import periods, workdays
from chidao.org.models import Unit, UnitClosure
from chidao.org.scope import require_role
from chidao.reporting.models import (
    TRANSITIONS,
    Aggregate,
    Assignment,
    DataValue,
    FormField,
    FormRule,
    FormSection,
    FormVersion,
    HolidayShift,
    Indicator,
    Narrative,
    Period,
    Report,
    ReportForm,
    SectionKind,
    Status,
    ValueType,
)

if TYPE_CHECKING:
    from chidao.accounts.models import User

EDITOR = "secretariat"
THOUSANDS = re.compile(r"-?\d{1,3}(\.\d{3})+")


# --- periods ---------------------------------------------------------------------------------


def ensure_period(kind: str, year: int, number: int = 1, calendar: str = periods.Calendar.CALENDAR) -> Period:
    span = periods.span(kind, year, number, calendar)
    period, _created = Period.objects.get_or_create(
        kind=span.kind,
        calendar=span.calendar,
        year=span.year,
        number=span.number,
        start=span.start,
        end=span.end,
        defaults={"label": span.label},
    )
    return period


@transaction.atomic
def create_custom_period(*, actor: User, form: ReportForm, start: dt.date, end: dt.date, label: str) -> Period:
    """A custom range ("đợt báo cáo chuyên đề") for a form with custom periodicity."""
    require_role(actor, form.owner, EDITOR)
    if form.periodicity != periods.Kind.CUSTOM:
        raise ValidationError({"period": _("Biểu mẫu này báo cáo theo kỳ cố định, không dùng kỳ tùy chọn.")})
    if end < start:
        raise ValidationError({"end": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    if not label.strip():
        raise ValidationError({"label": _("Hãy đặt tên cho kỳ báo cáo.")})
    period, _created = Period.objects.get_or_create(
        kind=periods.Kind.CUSTOM,
        calendar=periods.Calendar.CALENDAR,
        year=end.year,
        number=1,
        start=start,
        end=end,
        defaults={"label": label.strip()[:100]},
    )
    audit.record(
        actor=actor, action="reporting.period.created", target=form, unit=form.owner, changes={"period": period.label}
    )
    return period


def due_date(form: ReportForm, period: Period) -> dt.date:
    if not form.due_in_working_days:
        return period.end + dt.timedelta(days=form.due_days)
    shifts = list(
        HolidayShift.objects.filter(day__gt=period.end, day__lte=period.end + dt.timedelta(days=form.due_days * 3 + 30))
    )
    return workdays.add_working_days(
        period.end,
        form.due_days,
        extra_days_off=[s.day for s in shifts if s.is_day_off],
        extra_work_days=[s.day for s in shifts if not s.is_day_off],
    )


# --- catalogue -------------------------------------------------------------------------------


@transaction.atomic
def create_indicator(
    *,
    actor: User,
    owner: Unit,
    code: str,
    name: str,
    value_type: str = ValueType.INTEGER,
    aggregation: str = "sum",
    unit_of_measure: str = "",
    is_key: bool = False,
    description: str = "",
) -> Indicator:
    require_role(actor, owner, EDITOR)
    code = code.strip().upper()
    if Indicator.objects.filter(owner=owner, code=code).exists():
        raise ValidationError({"code": _("Mã chỉ tiêu “%(code)s” đã có.") % {"code": code}})
    indicator = Indicator(
        owner=owner,
        code=code,
        name=name.strip(),
        value_type=value_type,
        aggregation=aggregation,
        unit_of_measure=unit_of_measure,
        is_key=is_key,
        description=description,
    )
    indicator.full_clean()
    indicator.save()
    audit.record(
        actor=actor,
        action="reporting.indicator.created",
        target=indicator,
        unit=owner,
        changes=audit.snapshot(indicator),
    )
    return indicator


@transaction.atomic
def create_form(
    *,
    actor: User,
    owner: Unit,
    code: str,
    name: str,
    periodicity: str = periods.Kind.QUARTER,
    calendar: str = periods.Calendar.ND09,
    due_days: int = 5,
    due_in_working_days: bool = True,
    cumulative_from_monthly: bool = False,
    description: str = "",
) -> ReportForm:
    """A new form with an empty draft version 1."""
    require_role(actor, owner, EDITOR)
    code = code.strip().upper()
    if ReportForm.objects.filter(owner=owner, code=code).exists():
        raise ValidationError({"code": _("Mã biểu mẫu “%(code)s” đã có.") % {"code": code}})
    form = ReportForm(
        owner=owner,
        code=code,
        name=name.strip(),
        periodicity=periodicity,
        calendar=calendar,
        due_days=due_days,
        due_in_working_days=due_in_working_days,
        cumulative_from_monthly=cumulative_from_monthly,
        description=description,
    )
    form.full_clean()
    form.save()
    FormVersion.objects.create(form=form, number=1)
    audit.record(actor=actor, action="reporting.form.created", target=form, unit=owner, changes=audit.snapshot(form))
    return form


def draft_version(form: ReportForm) -> FormVersion:
    """The unpublished version being edited; raises when the newest version is published."""
    version = form.versions.order_by("-number").first()
    if version is None or version.published_at is not None:
        raise ValidationError(_("Biểu mẫu đã ban hành; hãy tạo phiên bản mới để sửa."))
    return version


@transaction.atomic
def add_section(
    *, actor: User, form: ReportForm, title: str, kind: str = SectionKind.INDICATORS, guidance: str = ""
) -> FormSection:
    require_role(actor, form.owner, EDITOR)
    version = draft_version(form)
    section = FormSection.objects.create(
        version=version, title=title.strip(), kind=kind, guidance=guidance, order=version.sections.count() + 1
    )
    audit.record(
        actor=actor, action="reporting.form.section_added", target=form, unit=form.owner, changes={"section": title}
    )
    return section


@transaction.atomic
def add_field(
    *,
    actor: User,
    section: FormSection,
    indicator: Indicator,
    required: bool = True,
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
) -> FormField:
    form = section.version.form
    require_role(actor, form.owner, EDITOR)
    if section.version.published_at is not None:
        raise ValidationError(_("Phiên bản đã ban hành không sửa được."))
    if section.kind != SectionKind.INDICATORS:
        raise ValidationError({"section": _("Chỉ thêm chỉ tiêu vào phần bảng chỉ tiêu.")})
    if FormField.objects.filter(section__version=section.version, indicator=indicator).exists():
        raise ValidationError({"indicator": _("Chỉ tiêu %(code)s đã có trong biểu mẫu.") % {"code": indicator.code}})
    if min_value is not None and max_value is not None and min_value > max_value:
        raise ValidationError({"max_value": _("Giá trị lớn nhất phải không nhỏ hơn giá trị nhỏ nhất.")})
    field = FormField.objects.create(
        section=section,
        indicator=indicator,
        required=required,
        min_value=min_value,
        max_value=max_value,
        order=section.fields.count() + 1,
    )
    audit.record(
        actor=actor,
        action="reporting.form.field_added",
        target=form,
        unit=form.owner,
        changes={"indicator": indicator.code},
    )
    return field


@transaction.atomic
def add_rule(
    *, actor: User, form: ReportForm, left: Indicator, operator: str, right: Indicator, message: str = ""
) -> FormRule:
    require_role(actor, form.owner, EDITOR)
    version = draft_version(form)
    codes = set(FormField.objects.filter(section__version=version).values_list("indicator_id", flat=True))
    if left.pk not in codes or right.pk not in codes:
        raise ValidationError(_("Quy tắc chỉ dùng chỉ tiêu có trong biểu mẫu."))
    rule = FormRule(version=version, left=left, operator=operator, right=right, message=message)
    rule.full_clean()
    rule.save()
    audit.record(
        actor=actor, action="reporting.form.rule_added", target=form, unit=form.owner, changes={"rule": str(rule)}
    )
    return rule


@transaction.atomic
def publish_form(*, actor: User, form: ReportForm, note: str = "") -> FormVersion:
    require_role(actor, form.owner, EDITOR)
    version = draft_version(form)
    if not FormField.objects.filter(section__version=version).exists():
        raise ValidationError(_("Biểu mẫu chưa có chỉ tiêu nào."))
    version.published_at = timezone.now()
    version.note = note
    version.save(update_fields=["published_at", "note"])
    audit.record(
        actor=actor,
        action="reporting.form.published",
        target=form,
        unit=form.owner,
        changes={"version": version.number},
    )
    return version


@transaction.atomic
def new_version(*, actor: User, form: ReportForm) -> FormVersion:
    """Copy the newest published version into a new draft; reports keep their own version."""
    require_role(actor, form.owner, EDITOR)
    latest = form.current_version()
    if latest is None or form.versions.filter(published_at__isnull=True).exists():
        raise ValidationError(_("Biểu mẫu đang có phiên bản nháp."))
    draft = FormVersion.objects.create(form=form, number=latest.number + 1)
    for section in latest.sections.prefetch_related("fields"):
        copy = FormSection.objects.create(
            version=draft, order=section.order, kind=section.kind, title=section.title, guidance=section.guidance
        )
        FormField.objects.bulk_create(
            FormField(
                section=copy,
                indicator_id=f.indicator_id,
                order=f.order,
                required=f.required,
                min_value=f.min_value,
                max_value=f.max_value,
            )
            for f in section.fields.all()
        )
    FormRule.objects.bulk_create(
        FormRule(version=draft, left_id=r.left_id, operator=r.operator, right_id=r.right_id, message=r.message)
        for r in latest.rules.all()
    )
    audit.record(
        actor=actor,
        action="reporting.form.version_created",
        target=form,
        unit=form.owner,
        changes={"version": draft.number},
    )
    return draft


@transaction.atomic
def assign_form(
    *,
    actor: User,
    form: ReportForm,
    parent: Unit,
    valid_from: dt.date,
    unit_kind: str = "",
    agency_type: str = "",
    units: Iterable[Unit] = (),
) -> Assignment:
    """Units under `parent` of `unit_kind` (or `agency_type`, or the listed `units`) must submit `form`."""
    require_role(actor, parent, EDITOR)
    listed = list(units)
    if not (unit_kind or agency_type or listed):
        raise ValidationError(_("Hãy chọn cấp đơn vị, loại cơ quan hoặc danh sách đơn vị phải báo cáo."))
    subtree = set(Unit.objects.subtree_of(parent).values_list("id", flat=True))
    outside = [u.name for u in listed if u.pk not in subtree]
    if outside:
        raise ValidationError(
            {"units": _("Không thuộc %(parent)s: %(units)s") % {"parent": parent.name, "units": ", ".join(outside)}}
        )
    assignment = Assignment.objects.create(
        form=form, parent=parent, unit_kind=unit_kind, agency_type=agency_type, valid_from=valid_from
    )
    assignment.units.set(listed)
    audit.record(
        actor=actor,
        action="reporting.assignment.created",
        target=form,
        unit=parent,
        changes={
            "unit_kind": unit_kind,
            "agency_type": agency_type,
            "units": [u.pk for u in listed],
            "valid_from": valid_from,
        },
    )
    return assignment


# --- reports: opening and entering values ------------------------------------------------------


def is_assigned(form: ReportForm, unit: Unit, period: Period) -> bool:
    from chidao.reporting.queries import expected_units

    return expected_units(form, period, within=unit).filter(pk=unit.pk).exists()


@transaction.atomic
def open_report(*, actor: User, form: ReportForm, unit: Unit, period: Period) -> Report:
    """The unit's current report for the period, created as a draft when there is none."""
    require_role(actor, unit, EDITOR)
    existing = Report.objects.filter(form=form, unit=unit, period=period).order_by("-revision").first()
    if existing is not None:
        return existing
    if period.kind != form.periodicity and period.kind != periods.Kind.CUSTOM:
        raise ValidationError({"period": _("Biểu mẫu này báo cáo theo kỳ khác.")})
    version = form.current_version()
    if version is None:
        raise ValidationError(_("Biểu mẫu chưa được ban hành."))
    if not is_assigned(form, unit, period):
        raise ValidationError(_("%(unit)s không thuộc diện phải gửi biểu mẫu này.") % {"unit": unit.name})
    report = Report.objects.create(
        form=form, version=version, unit=unit, period=period, due_date=due_date(form, period), created_by=actor
    )
    audit.record(actor=actor, action="reporting.report.opened", target=report, unit=unit)
    return report


def parse_value(indicator: Indicator, raw: Any) -> tuple[Decimal | None, str]:
    """(number, text) from user input; raises a Vietnamese ValidationError naming the indicator."""
    if indicator.value_type == ValueType.TEXT:
        return None, str(raw or "").strip()
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, ""
    if indicator.value_type == ValueType.BOOLEAN:
        text = str(raw).strip().lower()
        if text in {"1", "true", "có", "co", "x", "yes"}:
            return Decimal(1), ""
        if text in {"0", "false", "không", "khong", "no"}:
            return Decimal(0), ""
        raise ValidationError(_("%(code)s: hãy chọn Có hoặc Không.") % {"code": indicator.code})
    text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
    if isinstance(raw, str) and ("," in text or THOUSANDS.fullmatch(text)):
        # Vietnamese writes 1.234,5: dots group thousands, the comma marks decimals.
        text = text.replace(".", "").replace(",", ".")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(
            _("%(code)s: “%(raw)s” không phải là số.") % {"code": indicator.code, "raw": raw}
        ) from exc
    if not number.is_finite():
        raise ValidationError(_("%(code)s: “%(raw)s” không phải là số.") % {"code": indicator.code, "raw": raw})
    if indicator.value_type == ValueType.INTEGER and number != number.to_integral_value():
        raise ValidationError(_("%(code)s: phải là số nguyên.") % {"code": indicator.code})
    if indicator.value_type == ValueType.PERCENT and not Decimal(0) <= number <= Decimal(100):
        raise ValidationError(_("%(code)s: tỷ lệ phải từ 0 đến 100.") % {"code": indicator.code})
    if abs(number) >= Decimal(10) ** 15:
        raise ValidationError(_("%(code)s: giá trị quá lớn.") % {"code": indicator.code})
    return number, ""


def _check_range(field: FormField, number: Decimal | None) -> None:
    code = field.indicator.code
    if number is None:
        return
    if field.min_value is not None and number < field.min_value:
        raise ValidationError(_("%(code)s: không được nhỏ hơn %(v)s.") % {"code": code, "v": _fmt(field.min_value)})
    if field.max_value is not None and number > field.max_value:
        raise ValidationError(_("%(code)s: không được lớn hơn %(v)s.") % {"code": code, "v": _fmt(field.max_value)})


def _fmt(number: Decimal) -> str:
    return f"{number.normalize():f}"


def form_fields(version: FormVersion) -> dict[int, FormField]:
    """The version's indicator fields by indicator id."""
    return {f.indicator_id: f for f in FormField.objects.filter(section__version=version).select_related("indicator")}


def _require_editable(actor: User, report: Report) -> None:
    require_role(actor, report.unit, EDITOR)
    if not report.is_editable:
        raise ValidationError(
            _("Báo cáo ở trạng thái “%(status)s” không sửa được.") % {"status": report.get_status_display()}
        )


@transaction.atomic
def save_values(
    *,
    actor: User,
    report: Report,
    values: Mapping[int, Any],
    comments: Mapping[int, str] | None = None,
    narratives: Mapping[int, str] | None = None,
) -> list[DataValue]:
    """Store values by indicator id (and comments, narratives by section id): all valid or none saved.

    Errors are keyed "v<indicator id>" / "n<section id>" so forms and the API can place them."""
    report = Report.objects.select_for_update(of=("self",)).select_related("version", "unit").get(pk=report.pk)
    _require_editable(actor, report)
    fields = form_fields(report.version)
    errors: dict[str, list[str]] = {}
    parsed: dict[int, tuple[Decimal | None, str]] = {}
    for indicator_id, raw in values.items():
        field = fields.get(int(indicator_id))
        if field is None:
            errors.setdefault("__all__", []).append(
                _("Chỉ tiêu #%(id)s không có trong biểu mẫu.") % {"id": indicator_id}
            )
            continue
        try:
            number, text = parse_value(field.indicator, raw)
            _check_range(field, number)
        except ValidationError as exc:
            errors[f"v{field.indicator_id}"] = exc.messages
            continue
        parsed[field.indicator_id] = (number, text)
    comments = comments or {}
    for indicator_id in comments:
        if int(indicator_id) not in fields:
            errors.setdefault("__all__", []).append(
                _("Chỉ tiêu #%(id)s không có trong biểu mẫu.") % {"id": indicator_id}
            )
    sections = {}
    if narratives:
        sections = {s.pk: s for s in report.version.sections.filter(kind=SectionKind.NARRATIVE)}
        for section_id in narratives:
            if int(section_id) not in sections:
                errors.setdefault("__all__", []).append(_("Phần #%(id)s không có trong biểu mẫu.") % {"id": section_id})
    if errors:
        raise ValidationError(errors)

    existing = {v.indicator_id: v for v in report.values.select_for_update()}
    changed: list[DataValue] = []
    changes: dict[str, Any] = {}
    now = timezone.now()
    for indicator_id in sorted(set(parsed) | {int(i) for i in comments}):
        current = existing.get(indicator_id) or DataValue(report=report, indicator_id=indicator_id)
        before = (current.value, current.text, current.comment)
        if indicator_id in parsed:
            current.value, current.text = parsed[indicator_id]
        if indicator_id in comments:
            current.comment = comments[indicator_id].strip()[:500]
        if (current.value, current.text, current.comment) != before or current.pk is None:
            current.updated_by = actor
            current.updated_at = now
            changed.append(current)
            changes[fields[indicator_id].indicator.code] = [
                _plain(before[0], before[1]),
                _plain(current.value, current.text),
            ]
    _write_values(changed)
    for section_id, text in (narratives or {}).items():
        narrative, _created = Narrative.objects.get_or_create(report=report, section=sections[int(section_id)])
        if narrative.text != text:
            changes[f"section:{section_id}"] = [narrative.text[:200], text[:200]]
            narrative.text = text
            narrative.save(update_fields=["text"])
    if changes:
        report.save(update_fields=["updated_at"])
        audit.record(
            actor=actor, action="reporting.report.values_saved", target=report, unit=report.unit, changes=changes
        )
    return changed


def _write_values(values: list[DataValue]) -> None:
    """Insert new values in bulk and update changed ones with pipelined statements: an Excel or
    API upload of thousands of values costs a few statements, not one round trip per value."""
    DataValue.objects.bulk_create([v for v in values if v.pk is None], batch_size=2000)
    updates = [(v.value, v.text, v.comment, v.updated_by_id, v.updated_at, v.pk) for v in values if v.pk is not None]
    if updates:
        table = DataValue._meta.db_table
        sql = (
            f"UPDATE {table} SET value = %s, text = %s, comment = %s, updated_by_id = %s, updated_at = %s WHERE id = %s"  # noqa: S608  # our table
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, updates)


def _plain(number: Decimal | None, text: str) -> str | None:
    return _fmt(number) if number is not None else (text or None)


def validate_report(report: Report) -> dict[str, list[str]]:
    """Everything that blocks submission: required values and cross-field rules."""
    fields = form_fields(report.version)
    values = {v.indicator_id: v for v in report.values.all()}
    errors: dict[str, list[str]] = {}
    for indicator_id, field in fields.items():
        value = values.get(indicator_id)
        empty = value is None or (value.value is None and not value.text)
        if field.required and empty:
            errors[f"v{indicator_id}"] = [_("%(code)s: chưa nhập.") % {"code": field.indicator.code}]
    for rule in report.version.rules.select_related("left", "right"):
        left, right = values.get(rule.left_id), values.get(rule.right_id)
        if left is None or right is None or left.value is None or right.value is None:
            continue
        if not rule.holds(left.value, right.value):
            message = rule.message or _("%(left)s phải %(op)s %(right)s.") % {
                "left": rule.left.name,
                "op": rule.get_operator_display(),
                "right": rule.right.name,
            }
            errors.setdefault(f"v{rule.left_id}", []).append(message)
    return errors


# --- workflow --------------------------------------------------------------------------------


def _transition(actor: User, report: Report, target: str) -> None:
    who = TRANSITIONS.get((report.status, target))
    if who is None:
        raise ValidationError(
            {
                "status": _("Không thể chuyển báo cáo từ “%(from)s” sang “%(to)s”.")
                % {"from": report.get_status_display(), "to": Status(target).label}
            }
        )
    if who == "unit":
        require_role(actor, report.unit, EDITOR)
    else:
        require_role(actor, report.unit.parent or report.unit, EDITOR)


@transaction.atomic
def submit_report(*, actor: User, report: Report) -> Report:
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("unit__parent", "form", "period")
        .get(pk=report.pk)
    )
    _transition(actor, report, Status.SUBMITTED)
    errors = validate_report(report)
    if errors:
        raise ValidationError(errors)
    report.status = Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = actor
    report.returned_reason = ""
    report.save(update_fields=["status", "submitted_at", "submitted_by", "returned_reason", "updated_at"])
    audit.record(actor=actor, action="reporting.report.submitted", target=report, unit=report.unit)
    return report


@transaction.atomic
def return_report(*, actor: User, report: Report, reason: str) -> Report:
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("unit__parent", "form", "period")
        .get(pk=report.pk)
    )
    _transition(actor, report, Status.RETURNED)
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do trả lại.")})
    report.status = Status.RETURNED
    report.returned_reason = reason.strip()
    report.save(update_fields=["status", "returned_reason", "updated_at"])
    audit.record(
        actor=actor, action="reporting.report.returned", target=report, unit=report.unit, changes={"reason": reason}
    )
    return report


@transaction.atomic
def approve_report(*, actor: User, report: Report) -> Report:
    """Approve and roll the figures up to every ancestor, in this transaction."""
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("unit__parent", "form", "period")
        .get(pk=report.pk)
    )
    _transition(actor, report, Status.APPROVED)
    replaced = None
    if not report.is_current:
        replaced = Report.objects.select_for_update(of=("self",)).get(
            form=report.form_id, unit=report.unit_id, period=report.period_id, is_current=True
        )
        replaced.is_current = False
        replaced.status = Status.SUPERSEDED
        replaced.save(update_fields=["is_current", "status", "updated_at"])
        report.is_current = True
    report.status = Status.APPROVED
    report.approved_at = timezone.now()
    report.approved_by = actor
    report.save(update_fields=["status", "is_current", "approved_at", "approved_by", "updated_at"])
    roll_up(
        report,
        added=numeric_values(report),
        removed=numeric_values(replaced) if replaced else {},
        at=report.approved_at,
    )
    audit.record(
        actor=actor,
        action="reporting.report.approved",
        target=report,
        unit=report.unit,
        changes={"replaces": replaced.pk} if replaced else {},
    )
    return report


@transaction.atomic
def start_correction(*, actor: User, report: Report, reason: str) -> Report:
    """A new revision of an approved report, copied for editing; the approved one stays in force
    (and in the roll-up) until the correction is approved."""
    require_role(actor, report.unit, EDITOR)
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do điều chỉnh.")})
    current = Report.objects.select_for_update(of=("self",)).get(
        form=report.form_id, unit=report.unit_id, period=report.period_id, is_current=True
    )
    if current.status != Status.APPROVED:
        raise ValidationError(_("Chỉ điều chỉnh báo cáo đã được duyệt."))
    if Report.objects.filter(
        form=report.form_id, unit=report.unit_id, period=report.period_id, revision__gt=current.revision
    ).exists():
        raise ValidationError(_("Báo cáo đang có một lần điều chỉnh chưa duyệt."))
    correction = Report.objects.create(
        form=current.form,
        version=current.version,
        unit=current.unit,
        period=current.period,
        revision=current.revision + 1,
        is_current=False,
        due_date=current.due_date,
        correction_reason=reason.strip(),
        created_by=actor,
    )
    DataValue.objects.bulk_create(
        DataValue(
            report=correction,
            indicator_id=v.indicator_id,
            value=v.value,
            text=v.text,
            comment=v.comment,
            updated_by=actor,
        )
        for v in current.values.all()
    )
    Narrative.objects.bulk_create(
        Narrative(report=correction, section_id=n.section_id, text=n.text) for n in current.narratives.all()
    )
    audit.record(
        actor=actor,
        action="reporting.report.correction_started",
        target=correction,
        unit=correction.unit,
        changes={"reason": reason},
    )
    return correction


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


# --- reminders -------------------------------------------------------------------------------

REMINDED_ROLES = ("secretariat", "committee_admin")


@transaction.atomic
def send_reminders(*, actor: User | None, form: ReportForm, period: Period, parent: Unit) -> int:
    """E-mail the secretariat of each unit under `parent` that has not sent `form` for `period`;
    returns the number of units reminded. Units without an e-mail address are listed in the audit
    entry so the sender can call them."""
    from django.core.mail import send_mail
    from django.urls import reverse

    from chidao.accounts.models import RoleGrant
    from chidao.reporting import queries

    if actor is not None:
        require_role(actor, parent, EDITOR)
    missing = queries.completeness(form, period, parent).missing
    recipients: dict[int, set[str]] = {}
    grants = RoleGrant.objects.filter(unit__in=missing, role__in=REMINDED_ROLES, user__is_active=True).exclude(
        user__email=""
    )
    for unit_id, email in grants.values_list("unit_id", "user__email"):
        recipients.setdefault(unit_id, set()).add(email)
    due = due_date(form, period)
    sent: list[int] = []
    for unit in missing:
        if unit.pk not in recipients:
            continue
        subject = _("[chidao] Nhắc nộp báo cáo: %(form)s — %(period)s") % {"form": form.name, "period": period.label}
        body = _(
            "Kính gửi bộ phận thư ký %(unit)s,\n\n"
            "Đến nay %(unit)s chưa gửi %(form)s (%(code)s) kỳ %(period)s; hạn nộp là ngày %(due)s.\n"
            "Đề nghị đồng chí nhập và gửi báo cáo trên hệ thống chidao, mục “Việc phải nộp” (%(path)s).\n\n"
            "%(parent)s"
        ) % {
            "unit": unit.name,
            "form": form.name,
            "code": form.code,
            "period": period.label,
            "due": f"{due:%d/%m/%Y}",
            "path": reverse("reporting:owed"),
            "parent": parent.name,
        }
        send_mail(subject, body, None, sorted(recipients[unit.pk]))
        sent.append(unit.pk)
    audit.record(
        actor=actor,
        action="reporting.reminder.sent",
        target=form,
        unit=parent,
        changes={
            "period": period.label,
            "units": sent,
            "without_email": [u.pk for u in missing if u.pk not in sent],
        },
    )
    return len(sent)
