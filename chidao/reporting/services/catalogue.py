"""Periods and the catalogue: indicators, versioned forms, assignments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chidao.audit import services as audit
from chidao.lib import periods, workdays
from chidao.org.models import Unit
from chidao.org.scope import require_role
from chidao.reporting.models import (
    Assignment,
    FormField,
    FormRule,
    FormSection,
    FormVersion,
    HolidayShift,
    Indicator,
    Period,
    ReportForm,
    SectionKind,
    ValueType,
)

if TYPE_CHECKING:
    from chidao.accounts.models import User


from chidao.reporting.services.common import EDITOR

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
