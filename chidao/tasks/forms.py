"""Input parsing for the task pages; the rules themselves live in services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms import formset_factory
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chidao.forms import DateInput, PlainDateInput, PlainSelect, PlainTextInput, StyledFormMixin
from chidao.org.models import Person, Unit
from chidao.tasks.models import Priority, Rating, Recurrence, Source, Status
from chidao.tasks.queries import ANY_ROLE, COORDINATING, LEAD

STATUS_FILTER_CHOICES = [
    ("", _("Mọi tình trạng")),
    ("open", _("Chưa hoàn thành")),
    *Status.choices,
    ("done", _("Đã hoàn thành")),
]


class _UnitChoices(ModelChoiceIterator[Unit]):
    """Options from (id, name, depth) rows: a province offers ~170 units, and building a model
    instance for each costs more than the rest of the filter form."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, name, depth in self.queryset.values_list("pk", "name", "depth"):
            yield (pk, f"{'— ' * max(depth - 1, 0)}{name}")


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    iterator = _UnitChoices

    def label_from_instance(self, obj: Any) -> str:
        unit: Unit = obj
        return f"{'— ' * max(unit.depth - 1, 0)}{unit.name}"


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        unit: Unit = obj
        return unit.name


def _multi_widget() -> forms.SelectMultiple:
    return forms.SelectMultiple(attrs={"size": 6})


class TaskForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Tên nhiệm vụ"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    description = forms.CharField(
        label=_("Nội dung, yêu cầu"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    source = forms.ChoiceField(
        label=_("Nguồn giao"), choices=[c for c in Source.choices if c[0] != Source.MEETING], initial=Source.DIRECT
    )
    document_reference = forms.CharField(
        label=_("Số, ký hiệu văn bản hoặc kế hoạch"),
        max_length=100,
        required=False,
        help_text=_("Bắt buộc khi giao theo văn bản hoặc kế hoạch. Ví dụ: 125-KH/TU"),
    )
    document_title = forms.CharField(label=_("Trích yếu"), max_length=500, required=False)
    lead_unit = UnitChoiceField(
        label=_("Đơn vị chủ trì"), queryset=Unit.objects.none(), empty_label=_("— Chọn đơn vị chủ trì —")
    )
    lead_person = forms.ModelChoiceField(
        label=_("Người chủ trì"), queryset=Person.objects.none(), required=False, empty_label=_("(không chỉ định)")
    )
    coordinating_units = UnitMultipleChoiceField(
        label=_("Đơn vị phối hợp"), queryset=Unit.objects.none(), required=False, widget=_multi_widget()
    )
    assigned_on = forms.DateField(label=_("Ngày giao"), widget=DateInput())
    due_date = forms.DateField(label=_("Hạn hoàn thành"), widget=DateInput())
    priority = forms.ChoiceField(label=_("Mức độ"), choices=Priority.choices, initial=Priority.NORMAL)
    recurrence = forms.ChoiceField(
        label=_("Lặp lại"),
        choices=Recurrence.choices,
        required=False,
        help_text=_("Nhiệm vụ định kỳ: khi báo cáo hoàn thành một kỳ, kỳ tiếp theo được tạo tự động."),
    )

    def __init__(self, *args: Any, units: Any, people: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("assigned_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["coordinating_units"].queryset = units  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["lead_person"].queryset = people  # type: ignore[attr-defined]  # ModelChoiceField


class SubtaskForm(TaskForm):
    """A part of a task for a unit under its lead unit: same source, no recurrence of its own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("source", "document_reference", "document_title", "recurrence", "assigned_on"):
            del self.fields[name]


class TaskEditForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Tên nhiệm vụ"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    description = forms.CharField(
        label=_("Nội dung, yêu cầu"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    document_reference = forms.CharField(label=_("Số, ký hiệu văn bản hoặc kế hoạch"), max_length=100, required=False)
    document_title = forms.CharField(label=_("Trích yếu"), max_length=500, required=False)
    lead_person = forms.ModelChoiceField(
        label=_("Người chủ trì"), queryset=Person.objects.none(), required=False, empty_label=_("(không chỉ định)")
    )
    coordinating_units = UnitMultipleChoiceField(
        label=_("Đơn vị phối hợp"), queryset=Unit.objects.none(), required=False, widget=_multi_widget()
    )
    priority = forms.ChoiceField(label=_("Mức độ"), choices=Priority.choices)

    def __init__(self, *args: Any, units: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coordinating_units"].queryset = units  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["lead_person"].queryset = people  # type: ignore[attr-defined]  # ModelChoiceField


class ProgressForm(StyledFormMixin, forms.Form):
    percent = forms.IntegerField(
        label=_("Tiến độ (%)"),
        min_value=0,
        max_value=100,
        error_messages={
            # "%%": Django formats these messages with the limit as a parameter.
            "min_value": _("Tiến độ phải từ 0 đến 100%%."),
            "max_value": _("Tiến độ phải từ 0 đến 100%%."),
        },
    )
    text = forms.CharField(label=_("Kết quả đã thực hiện"), widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label=_("Ý kiến"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Tệp đính kèm"),
        help_text=_("PDF, Word (.docx), Excel (.xlsx) hoặc ảnh (PNG, JPEG, GIF, WebP)."),
    )


class ExtensionRequestForm(StyledFormMixin, forms.Form):
    requested_due_date = forms.DateField(label=_("Đề nghị gia hạn đến ngày"), widget=DateInput())
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 3}))


class RadioFormMixin(StyledFormMixin):
    """Radio buttons get Bootstrap's check class on each input (the shared mixin styles them as a
    text box)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["class"] = "form-check-input"


class ExtensionDecisionForm(RadioFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Ý kiến"),
        choices=[("approve", _("Đồng ý gia hạn")), ("refuse", _("Không đồng ý"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Lý do"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi không đồng ý."),
    )


class CompletionForm(StyledFormMixin, forms.Form):
    completed_on = forms.DateField(label=_("Ngày hoàn thành"), widget=DateInput())
    report = forms.CharField(label=_("Báo cáo kết quả thực hiện"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("completed_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class EvaluationForm(RadioFormMixin, forms.Form):
    rating = forms.ChoiceField(label=_("Đánh giá"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Nhận xét"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class FilterForm(StyledFormMixin, forms.Form):
    """Filters of the three lists (read from the query string; invalid values are ignored)."""

    status = forms.ChoiceField(label=_("Tình trạng"), choices=STATUS_FILTER_CHOICES, required=False, widget=PlainSelect)
    source = forms.ChoiceField(
        label=_("Nguồn giao"), choices=[("", _("Mọi nguồn")), *Source.choices], required=False, widget=PlainSelect
    )
    due_from = forms.DateField(label=_("Hạn từ ngày"), required=False, widget=PlainDateInput())
    due_to = forms.DateField(label=_("đến ngày"), required=False, widget=PlainDateInput())
    q = forms.CharField(label=_("Tên nhiệm vụ"), required=False, max_length=200, widget=PlainTextInput())


class UnitFilterForm(FilterForm):
    """The unit list adds the unit (unit switcher or ?unit=), its subtree and the unit's role."""

    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    subtree = forms.ChoiceField(
        label=_("Phạm vi"),
        choices=[("1", _("Gồm đơn vị trực thuộc")), ("0", _("Chỉ đơn vị này"))],
        required=False,
        widget=PlainSelect,
    )
    role = forms.ChoiceField(
        label=_("Vai trò của đơn vị"),
        choices=[(LEAD, _("Chủ trì")), (COORDINATING, _("Phối hợp")), (ANY_ROLE, _("Chủ trì hoặc phối hợp"))],
        required=False,
        widget=PlainSelect,
    )
    lead_unit = UnitChoiceField(
        label=_("Đơn vị chủ trì"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Mọi đơn vị"),
        widget=PlainSelect,
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]  # ModelChoiceField


class AssignedFilterForm(FilterForm):
    """The list of tasks I assigned adds the lead unit, among the units I gave tasks to."""

    lead_unit = UnitChoiceField(
        label=_("Đơn vị chủ trì"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Mọi đơn vị"),
        widget=PlainSelect,
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]  # ModelChoiceField


class ConclusionRowForm(StyledFormMixin, forms.Form):
    """One conclusion of the meeting: tick it to turn it into a task."""

    selected = forms.BooleanField(label=_("Giao"), required=False)
    conclusion = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(
        label=_("Tên nhiệm vụ"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    lead_unit = UnitChoiceField(
        label=_("Đơn vị chủ trì"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— Chọn đơn vị chủ trì —"),
    )
    lead_person = forms.ModelChoiceField(
        label=_("Người chủ trì"), queryset=Person.objects.none(), required=False, empty_label=_("(không chỉ định)")
    )
    coordinating_units = UnitMultipleChoiceField(
        label=_("Đơn vị phối hợp"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    due_date = forms.DateField(label=_("Hạn hoàn thành"), required=False, widget=DateInput())

    def __init__(self, *args: Any, units: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["coordinating_units"].queryset = units  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["lead_person"].queryset = people  # type: ignore[attr-defined]  # ModelChoiceField

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("selected"):
            if not (data.get("title") or "").strip():
                self.add_error("title", _("Hãy nhập tên nhiệm vụ."))
            if data.get("lead_unit") is None:
                self.add_error("lead_unit", _("Hãy chọn đơn vị chủ trì."))
            if data.get("due_date") is None:
                self.add_error("due_date", _("Hãy nhập hạn hoàn thành."))
        return data


ConclusionFormSet = formset_factory(ConclusionRowForm, extra=0)


class PreferenceForm(StyledFormMixin, forms.Form):
    days_before = forms.IntegerField(
        label=_("Nhắc trước hạn (số ngày)"), min_value=0, max_value=60, help_text=_("0: không nhắc trước hạn.")
    )
    daily_digest = forms.BooleanField(label=_("Gộp các nhắc việc thành một thư mỗi ngày"), required=False)
    email = forms.BooleanField(label=_("Nhận nhắc việc qua thư điện tử"), required=False)


def default_due(days: int = 30) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)
