"""Input parsing for the reporting pages; the rules themselves live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chidao.forms import DateInput, StyledFormMixin
from chidao.lib import periods
from chidao.org.models import AgencyType, Unit, UnitKind
from chidao.reporting.models import (
    Aggregation,
    FormSection,
    Indicator,
    Period,
    ReportForm,
    RuleOperator,
    SectionKind,
    Status,
    ValueType,
)

PERIODICITY_CHOICES = [
    (periods.Kind.MONTH.value, _("Tháng")),
    (periods.Kind.QUARTER.value, _("Quý")),
    (periods.Kind.HALF.value, _("6 tháng")),
    (periods.Kind.NINE_MONTHS.value, _("9 tháng")),
    (periods.Kind.TEN_MONTHS.value, _("10 tháng")),
    (periods.Kind.YEAR.value, _("Năm")),
]
PERIODICITY_LABELS = dict(PERIODICITY_CHOICES)


class IndicatorForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Mã chỉ tiêu"), max_length=40)
    name = forms.CharField(label=_("Tên chỉ tiêu"), max_length=500)
    unit_of_measure = forms.CharField(label=_("Đơn vị tính"), max_length=50, required=False)
    value_type = forms.ChoiceField(label=_("Kiểu giá trị"), choices=ValueType.choices, initial=ValueType.INTEGER)
    aggregation = forms.ChoiceField(label=_("Cách tổng hợp"), choices=Aggregation.choices, initial=Aggregation.SUM)
    is_key = forms.BooleanField(label=_("Chỉ tiêu chính (hiện trên bảng điều khiển)"), required=False)
    description = forms.CharField(label=_("Hướng dẫn"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReportFormForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Mã biểu mẫu"), max_length=40)
    name = forms.CharField(label=_("Tên biểu mẫu"), max_length=500)
    periodicity = forms.ChoiceField(label=_("Kỳ báo cáo"), choices=PERIODICITY_CHOICES, initial=periods.Kind.QUARTER)
    calendar = forms.ChoiceField(
        label=_("Cách tính kỳ"),
        choices=[
            (periods.Calendar.ND09.value, _("Chốt số liệu ngày 14 (Nghị định 09/2019/NĐ-CP)")),
            (periods.Calendar.CALENDAR.value, _("Theo tháng dương lịch")),
        ],
        initial=periods.Calendar.ND09,
    )
    due_days = forms.IntegerField(label=_("Hạn nộp (số ngày sau kỳ)"), min_value=0, max_value=365, initial=5)
    due_in_working_days = forms.BooleanField(label=_("Tính theo ngày làm việc"), required=False, initial=True)
    cumulative_from_monthly = forms.BooleanField(label=_("Kỳ lũy kế tính từ số liệu tháng"), required=False)
    description = forms.CharField(label=_("Mô tả"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SectionForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Tiêu đề phần"), max_length=300)
    kind = forms.ChoiceField(label=_("Loại"), choices=SectionKind.choices)
    guidance = forms.CharField(label=_("Hướng dẫn"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class FieldForm(StyledFormMixin, forms.Form):
    section = forms.ModelChoiceField(label=_("Phần"), queryset=FormSection.objects.none())
    indicator = forms.ModelChoiceField(label=_("Chỉ tiêu"), queryset=Indicator.objects.none())
    required = forms.BooleanField(label=_("Bắt buộc"), required=False, initial=True)
    min_value = forms.DecimalField(label=_("Giá trị nhỏ nhất"), required=False, max_digits=20, decimal_places=4)
    max_value = forms.DecimalField(label=_("Giá trị lớn nhất"), required=False, max_digits=20, decimal_places=4)

    def __init__(self, *args: Any, sections: Any, indicators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = sections  # type: ignore[attr-defined]
        self.fields["indicator"].queryset = indicators  # type: ignore[attr-defined]


class RuleForm(StyledFormMixin, forms.Form):
    left = forms.ModelChoiceField(label=_("Chỉ tiêu vế trái"), queryset=Indicator.objects.none())
    operator = forms.ChoiceField(label=_("Phép so sánh"), choices=RuleOperator.choices)
    right = forms.ModelChoiceField(label=_("Chỉ tiêu vế phải"), queryset=Indicator.objects.none())
    message = forms.CharField(label=_("Thông báo lỗi"), max_length=300, required=False)

    def __init__(self, *args: Any, indicators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["left"].queryset = indicators  # type: ignore[attr-defined]
        self.fields["right"].queryset = indicators  # type: ignore[attr-defined]


class PublishForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("Ghi chú thay đổi"), max_length=500, required=False)


class AssignmentForm(StyledFormMixin, forms.Form):
    parent = forms.ModelChoiceField(label=_("Trong phạm vi"), queryset=Unit.objects.none())
    unit_kind = forms.ChoiceField(
        label=_("Cấp đơn vị phải báo cáo"), choices=[("", "---------"), *UnitKind.choices], required=False
    )
    agency_type = forms.ChoiceField(
        label=_("Hoặc loại cơ quan"), choices=[("", "---------"), *AgencyType.choices], required=False
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Hoặc danh sách đơn vị cụ thể"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Giữ Ctrl để chọn nhiều đơn vị."),
    )
    valid_from = forms.DateField(label=_("Áp dụng từ"), widget=DateInput())

    def __init__(self, *args: Any, parents: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["units"].queryset = units  # type: ignore[attr-defined]


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label


class ReportFilterForm(StyledFormMixin, forms.Form):
    form = forms.ModelChoiceField(label=_("Biểu mẫu"), queryset=ReportForm.objects.none(), required=False)
    period = forms.ModelChoiceField(label=_("Kỳ báo cáo"), queryset=Period.objects.none(), required=False)
    status = forms.ChoiceField(label=_("Trạng thái"), choices=[("", _("Tất cả")), *Status.choices], required=False)

    def __init__(self, *args: Any, report_forms: Any, periods: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["form"].queryset = report_forms  # type: ignore[attr-defined]
        self.fields["period"].queryset = periods  # type: ignore[attr-defined]
