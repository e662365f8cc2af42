"""Input parsing for the meeting pages; the rules themselves live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chidao.forms import DateInput, StyledFormMixin
from chidao.meetings import files
from chidao.meetings.models import Attendance, Invitee, MeetingKind, MeetingStatus
from chidao.org.models import Committee, Person, Unit


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class CommitteeChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # generic only in the stubs
    def label_from_instance(self, obj: Committee) -> str:
        return f"{obj.name} — {obj.unit.name}"


def _file_field(label: Any, required: bool = False) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=required,
        widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT}),
        help_text=_("PDF, Word (.docx), Excel (.xlsx) hoặc ảnh PNG, JPEG."),
    )


class MeetingForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), choices=MeetingKind.choices)
    title = forms.CharField(
        label=_("Tên cuộc họp"),
        max_length=500,
        help_text=_("Ví dụ: Hội nghị đánh giá kết quả công tác quý I, triển khai nhiệm vụ quý II năm 2026"),
    )
    host_committee = CommitteeChoiceField(label=_("Ban Chỉ đạo chủ trì"), queryset=Committee.objects.none())
    visiting_committee = CommitteeChoiceField(
        label=_("Ban Chỉ đạo đến làm việc"),
        queryset=Committee.objects.none(),
        required=False,
        help_text=_("Với đoàn công tác, trao đổi kinh nghiệm: Ban Chỉ đạo của đoàn. Cả hai bên cùng xem được."),
    )
    starts_at = forms.DateTimeField(label=_("Bắt đầu"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Kết thúc"), widget=DateTimeInput(), required=False)
    place = forms.CharField(label=_("Địa điểm"), max_length=500, required=False)
    chair = forms.ModelChoiceField(label=_("Chủ trì"), queryset=Person.objects.none(), required=False)
    status = forms.ChoiceField(label=_("Trạng thái"), choices=MeetingStatus.choices)
    invitation_number = forms.CharField(
        label=_("Số giấy mời"), max_length=100, required=False, help_text=_("Để trống để văn thư ghi số.")
    )
    description = forms.CharField(
        label=_("Nội dung, thành phần"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(
        self,
        *args: Any,
        hosts: Any,
        visitors: Any,
        people: Any,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host_committee"].queryset = hosts  # type: ignore[attr-defined]
        self.fields["visiting_committee"].queryset = visitors  # type: ignore[attr-defined]
        self.fields["chair"].queryset = people  # type: ignore[attr-defined]
        if editing:
            del self.fields["host_committee"]
        else:
            del self.fields["status"]


class AgendaItemForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Nội dung"), max_length=500)
    presenter = forms.ModelChoiceField(label=_("Người trình bày"), queryset=Person.objects.none(), required=False)
    presenter_text = forms.CharField(
        label=_("Hoặc ghi người, đơn vị trình bày"),
        max_length=255,
        required=False,
        help_text=_("Ví dụ: Đại diện Ban Tuyên giáo và Dân vận"),
    )
    order = forms.IntegerField(label=_("Thứ tự"), min_value=1, max_value=999, required=False)

    def __init__(self, *args: Any, people: Any, with_file: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["presenter"].queryset = people  # type: ignore[attr-defined]
        if with_file:
            self.fields["upload"] = _file_field(_("Tài liệu kèm theo"))
            self.fields["upload"].widget.attrs["class"] = "form-control"


class DocumentForm(StyledFormMixin, forms.Form):
    upload = _file_field(_("Tài liệu"), required=True)


class InviteForm(StyledFormMixin, forms.Form):
    people = forms.ModelMultipleChoiceField(
        label=_("Mời cá nhân"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Giữ Ctrl (hoặc Cmd) để chọn nhiều người."),
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Mời đơn vị"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args: Any, people: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people  # type: ignore[attr-defined]
        self.fields["units"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("people") and not data.get("units"):
            self.add_error("people", _("Hãy chọn ít nhất một người hoặc một đơn vị."))
        return data


class AttendanceRowForm(StyledFormMixin, forms.Form):
    attendance = forms.ChoiceField(label=_("Tham dự"), choices=Attendance.choices, required=False)
    absence_reason = forms.CharField(label=_("Lý do vắng"), max_length=500, required=False)
    delegate = forms.ModelChoiceField(label=_("Người dự thay"), queryset=Person.objects.none(), required=False)
    delegate_name = forms.CharField(label=_("Hoặc ghi tên người dự thay"), max_length=255, required=False)

    def __init__(self, *args: Any, invitee: Invitee, people: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"p{invitee.person_id}")
        kwargs.setdefault(
            "initial",
            {
                "attendance": invitee.attendance,
                "absence_reason": invitee.absence_reason,
                "delegate": invitee.delegate_id,
                "delegate_name": invitee.delegate_name,
            },
        )
        super().__init__(*args, **kwargs)
        self.invitee = invitee
        self.fields["delegate"].queryset = people  # type: ignore[attr-defined]


class MinutesForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label=_("Biên bản"), widget=forms.Textarea(attrs={"rows": 12}), required=False)
    upload = _file_field(_("Tệp biên bản (bản ký)"))
    remove_file = forms.BooleanField(label=_("Xóa tệp biên bản hiện có"), required=False)

    def __init__(self, *args: Any, has_file: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_file:
            del self.fields["remove_file"]


class NoticeForm(StyledFormMixin, forms.Form):
    notice_number = forms.CharField(
        label=_("Số, ký hiệu"), max_length=100, required=False, help_text=_("Ví dụ: 15-TB/BCĐ")
    )
    notice_date = forms.DateField(label=_("Ngày thông báo"), required=False, widget=DateInput())
    text = forms.CharField(
        label=_("Nội dung thông báo kết luận"),
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        help_text=_("Dán nội dung: “Một là…; Hai là…”, “Thứ nhất…” hoặc danh sách 1., 2), a), -, •."),
    )
