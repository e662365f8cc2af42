"""Forms of the document tools: composing an outgoing document and importing a register."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from chidao.documents import compose
from chidao.documents.models import DocumentKind, Visibility
from chidao.forms import DateInput, StyledFormMixin
from chidao.lib.uploads import XLSX
from chidao.org.models import Committee, Unit

ON_BEHALF_CHOICES = [
    ("", gettext_lazy("Người đứng đầu ký trực tiếp")),
    ("TM", gettext_lazy("Thay mặt tập thể (TM. / T/M)")),
    ("KT", gettext_lazy("Ký thay người đứng đầu (KT. / K/T)")),
    ("TL", gettext_lazy("Thừa lệnh (TL. / T/L)")),
    ("TUQ", gettext_lazy("Thừa ủy quyền (TUQ. / T/UQ)")),
    ("Q", gettext_lazy("Quyền (Q.)")),
]


class CommitteeChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # generic only in the stubs
    def label_from_instance(self, obj: Committee) -> str:
        return f"{obj.name} — {obj.unit.name}"


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ComposeForm(StyledFormMixin, forms.Form):
    committee = CommitteeChoiceField(
        label=gettext_lazy("Ban Chỉ đạo ban hành"),
        queryset=Committee.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "Thể thức theo loại Ban Chỉ đạo: thuộc cấp ủy Đảng theo Hướng dẫn 36-HD/VPTW, thuộc cơ quan nhà "
            "nước theo Nghị định 30/2020/NĐ-CP. Để trống nếu đơn vị ban hành (thể thức nhà nước)."
        ),
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Đơn vị ban hành"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=gettext_lazy("Khi đã chọn Ban Chỉ đạo, văn bản vào sổ văn bản đi của đơn vị có Ban Chỉ đạo đó."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Loại văn bản"),
        choices=[(k, DocumentKind(k).label) for k in compose.COMPOSABLE],
    )
    number = forms.CharField(
        label=gettext_lazy("Số"), max_length=6, required=False, help_text=gettext_lazy("Để trống để văn thư ghi số.")
    )
    issuer_code = forms.CharField(
        label=gettext_lazy("Ký hiệu cơ quan ban hành"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("Để trống: BCĐ với Ban Chỉ đạo, UBND với Ủy ban nhân dân."),
    )
    drafting_code = forms.CharField(
        label=gettext_lazy("Ký hiệu đơn vị soạn thảo"),
        max_length=20,
        required=False,
        initial="VP",
        help_text=gettext_lazy("Chỉ với công văn của cơ quan nhà nước: “VP” trong “Số: 12/BCĐ-VP”."),
    )
    title = forms.CharField(
        label=gettext_lazy("Trích yếu"),
        max_length=1000,
        help_text=gettext_lazy("Ví dụ: Triển khai thực hiện Nghị quyết số 35-NQ/TW năm 2026. Công văn tự thêm “V/v”."),
    )
    place = forms.CharField(
        label=gettext_lazy("Địa danh"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Để trống: lấy theo đơn vị hành chính (ví dụ “Hải Châu”)."),
    )
    issued_on = forms.DateField(label=gettext_lazy("Ngày ban hành"), widget=DateInput())
    addressees = forms.CharField(
        label=gettext_lazy("Kính gửi"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=gettext_lazy("Chỉ với công văn: mỗi dòng một nơi nhận."),
    )
    body = forms.CharField(
        label=gettext_lazy("Nội dung"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=gettext_lazy("Mỗi dòng một đoạn; dòng bắt đầu bằng “I.”, “1.” hoặc “a)” là đề mục."),
    )
    recipients = forms.CharField(
        label=gettext_lazy("Nơi nhận"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=gettext_lazy("Mỗi dòng một nơi; dòng “Lưu” được thêm tự động."),
    )
    on_behalf = forms.ChoiceField(label=gettext_lazy("Thẩm quyền ký"), choices=ON_BEHALF_CHOICES, required=False)
    on_behalf_of = forms.CharField(
        label=gettext_lazy("Thay mặt, ký thay cho"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Để trống: “BAN CHỈ ĐẠO” khi thay mặt, “TRƯỞNG BAN” khi ký thay."),
    )
    position = forms.CharField(label=gettext_lazy("Chức vụ người ký"), max_length=200, required=False)
    signer = forms.CharField(label=gettext_lazy("Người ký"), max_length=255, required=False)
    visibility = forms.ChoiceField(
        label=gettext_lazy("Phạm vi xem"), choices=Visibility.choices, initial=Visibility.SUBTREE
    )

    def __init__(self, *args: Any, units: Any, committees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["committee"].queryset = committees  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        committee = data.get("committee")
        if committee is not None:
            data["unit"] = committee.unit
        elif data.get("unit") is None and "unit" not in self.errors:
            self.add_error("unit", gettext_lazy("Chọn Ban Chỉ đạo hoặc đơn vị ban hành."))
        return data


class ImportForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Sổ văn bản của đơn vị"), queryset=Unit.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label=gettext_lazy("Tệp Excel (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": XLSX.extension}),
        help_text=gettext_lazy("Điền theo tệp mẫu. Có lỗi thì không văn bản nào được lưu."),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
