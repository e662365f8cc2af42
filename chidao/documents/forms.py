"""Input parsing for the registry pages; the rules themselves live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chidao.documents import files
from chidao.documents.models import Direction, DocumentKind, RelationKind, Visibility
from chidao.forms import DateInput, StyledFormMixin
from chidao.org.models import Unit


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # generic only in the stubs
    def label_from_instance(self, obj: Unit) -> str:
        return f"{'— ' * obj.depth}{obj.name}"


class DocumentForm(StyledFormMixin, forms.Form):
    unit = UnitChoiceField(label=_("Sổ văn bản của đơn vị"), queryset=Unit.objects.none())
    direction = forms.ChoiceField(label=_("Loại sổ"), choices=Direction.choices, initial=Direction.INCOMING)
    kind = forms.ChoiceField(label=_("Loại văn bản"), choices=DocumentKind.choices)
    symbol = forms.CharField(
        label=_("Số, ký hiệu"),
        max_length=100,
        required=False,
        help_text=_("Văn bản của Đảng: 35-NQ/TW, 123-KH/TU; của cơ quan nhà nước: 45/KH-UBND, 12/2020/NĐ-CP."),
    )
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=255, help_text=_("Ví dụ: Bộ Chính trị"))
    issued_on = forms.DateField(label=_("Ngày ban hành"), widget=DateInput())
    title = forms.CharField(label=_("Trích yếu"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    signer = forms.CharField(label=_("Người ký"), max_length=255, required=False)
    visibility = forms.ChoiceField(label=_("Phạm vi xem"), choices=Visibility.choices, initial=Visibility.SUBTREE)
    received_number = forms.IntegerField(label=_("Số đến"), min_value=1, required=False)
    received_on = forms.DateField(label=_("Ngày đến"), widget=DateInput(), required=False)
    effective_on = forms.DateField(label=_("Ngày hiệu lực"), widget=DateInput(), required=False)
    summary = forms.CharField(label=_("Tóm tắt nội dung"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    full_text = forms.CharField(label=_("Toàn văn"), widget=forms.Textarea(attrs={"rows": 8}), required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class RelationForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Quan hệ"), choices=RelationKind.choices)
    target = forms.CharField(
        label=_("Văn bản liên quan"),
        max_length=100,
        help_text=_("Số, ký hiệu (ví dụ 35-NQ/TW) hoặc mã số văn bản dạng #123."),
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)


class AttachmentForm(StyledFormMixin, forms.Form):
    upload = forms.FileField(
        label=_("Tệp đính kèm"),
        widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT}),
        help_text=_("PDF, Word (.docx), Excel (.xlsx) hoặc ảnh PNG, JPEG; loại tệp được kiểm tra theo nội dung."),
    )
