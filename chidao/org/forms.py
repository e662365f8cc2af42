"""Input parsing for the organisation pages; the rules themselves live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chidao.forms import DateInput, StyledFormMixin
from chidao.org.models import (
    AgencyType,
    CommitteeGroup,
    CommitteeKind,
    GroupKind,
    Membership,
    Person,
    Role,
    Unit,
)


class AgencyForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Tên cơ quan, đơn vị"), max_length=255)
    agency_type = forms.ChoiceField(label=_("Loại cơ quan"), choices=AgencyType.choices)
    code = forms.CharField(
        label=_("Mã"),
        max_length=40,
        required=False,
        help_text=_("Để trống để hệ thống tự đặt mã."),
    )
    note = forms.CharField(label=_("Ghi chú"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class UnitEditForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Tên"), max_length=255)
    code = forms.CharField(label=_("Mã"), max_length=40)
    valid_from = forms.DateField(label=_("Hiệu lực từ"), required=False, widget=DateInput())
    valid_until = forms.DateField(label=_("Hiệu lực đến"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Ghi chú"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))
        return data


class CommitteeForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Tên Ban Chỉ đạo"), max_length=500)
    short_name = forms.CharField(label=_("Tên viết tắt"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("Loại"),
        choices=CommitteeKind.choices,
        help_text=_("Quyết định thể thức văn bản: Hướng dẫn 36-HD/VPTW hoặc Nghị định 30/2020/NĐ-CP."),
    )
    founding_decision = forms.CharField(label=_("Quyết định thành lập"), max_length=255, required=False)
    founded_on = forms.DateField(label=_("Ngày thành lập"), required=False, widget=DateInput())
    standing_agency = forms.ModelChoiceField(
        label=_("Cơ quan thường trực"), queryset=Unit.objects.none(), required=False
    )
    description = forms.CharField(
        label=_("Chức năng, nhiệm vụ"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    dissolved_on = forms.DateField(label=_("Ngày giải thể"), required=False, widget=DateInput())

    def __init__(self, *args: Any, agencies: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["standing_agency"].queryset = agencies  # type: ignore[attr-defined]
        if not editing:
            del self.fields["dissolved_on"]


class GroupForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), choices=GroupKind.choices)
    name = forms.CharField(label=_("Tên tổ, nhóm"), max_length=255)


class PersonForm(StyledFormMixin, forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=255)
    titles = forms.CharField(label=_("Chức vụ"), max_length=500, required=False)
    agency = forms.ModelChoiceField(label=_("Cơ quan công tác"), queryset=Unit.objects.none(), required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=30, required=False)
    note = forms.CharField(label=_("Ghi chú"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]


class AppointForm(StyledFormMixin, forms.Form):
    person = forms.ModelChoiceField(label=pgettext_lazy("singular", "Cá nhân"), queryset=Person.objects.none())
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    group = forms.ModelChoiceField(label=_("Tổ, nhóm"), queryset=CommitteeGroup.objects.none(), required=False)
    position = forms.CharField(
        label=_("Chức vụ khi được phân công"),
        max_length=500,
        required=False,
        help_text=_("Để trống để dùng chức vụ hiện tại."),
    )
    start_date = forms.DateField(label=_("Từ ngày"), widget=DateInput())
    end_date = forms.DateField(label=_("Đến ngày"), required=False, widget=DateInput())
    decision = forms.CharField(label=_("Quyết định phân công"), max_length=255, required=False)
    note = forms.CharField(label=_("Ghi chú"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, people: Any, groups: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]


class EndMembershipForm(StyledFormMixin, forms.Form):
    end_date = forms.DateField(label=_("Ngày thôi (ngày cuối cùng đảm nhiệm)"), widget=DateInput())
    end_decision = forms.CharField(label=_("Quyết định thôi"), max_length=255, required=False)


class ReshuffleForm(StyledFormMixin, forms.Form):
    decision = forms.CharField(label=_("Quyết định kiện toàn"), max_length=255)
    effective_date = forms.DateField(label=_("Ngày hiệu lực"), widget=DateInput())
    ending = forms.ModelMultipleChoiceField(
        label=_("Thành viên thôi tham gia"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, current: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["ending"]
        field.queryset = current  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: f"{m.person.full_name} — {m.get_role_display()}"  # type: ignore[attr-defined]


class AppointmentRowForm(StyledFormMixin, forms.Form):
    person = forms.ModelChoiceField(
        label=pgettext_lazy("singular", "Cá nhân"), queryset=Person.objects.none(), required=False
    )
    role = forms.ChoiceField(label=_("Vai trò"), choices=[("", "---------"), *Role.choices], required=False)
    position = forms.CharField(label=_("Chức vụ"), max_length=500, required=False)
    group = forms.ModelChoiceField(label=_("Tổ, nhóm"), queryset=CommitteeGroup.objects.none(), required=False)

    def __init__(self, *args: Any, people: Any, groups: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("person") and not data.get("role"):
            self.add_error("role", _("Hãy chọn vai trò cho người được phân công."))
        if data.get("role") and not data.get("person"):
            self.add_error("person", _("Hãy chọn người được phân công."))
        return data


class MemberImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Tệp danh sách (XLSX hoặc CSV)"),
        help_text=_("Các cột: Họ và tên, Chức vụ, Vai trò, Tổ/nhóm, Từ ngày, Quyết định."),
    )
