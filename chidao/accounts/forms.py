"""Input parsing for the account pages; the rules themselves live in `services.py`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from chidao.accounts.models import AccessRole
from chidao.forms import StyledFormMixin

if TYPE_CHECKING:
    from chidao.org.models import Unit, UnitQuerySet


class LoginForm(StyledFormMixin, auth_forms.AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["password"].label = _("Mật khẩu")
        self.error_messages["invalid_login"] = _(
            "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: hệ thống phân biệt chữ hoa, chữ thường."
        )
        self.error_messages["inactive"] = _("Tài khoản này đã bị khóa.")


class PasswordChangeForm(StyledFormMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(StyledFormMixin, auth_forms.PasswordResetForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Thư điện tử của tài khoản")

    def get_users(self, email: str) -> Iterable[Any]:
        # Accounts created "with a reset link" have no usable password yet; they may ask again.
        user_model = get_user_model()
        return (
            u
            for u in user_model._default_manager.filter(email__iexact=email, is_active=True)
            if u.email.casefold() == email.casefold()
        )


class SetPasswordForm(StyledFormMixin, auth_forms.SetPasswordForm):  # type: ignore[type-arg]  # generic in stubs only
    pass


class TokenForm(StyledFormMixin, forms.Form):
    token = forms.CharField(
        label=_("Mã xác thực"),
        max_length=16,
        help_text=_("Mã 6 chữ số trong ứng dụng xác thực, hoặc một mã dự phòng."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
            }
        ),
    )

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split()).lower()


class ConfirmDeviceForm(TokenForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["token"].help_text = _("Nhập mã 6 chữ số đang hiển thị trong ứng dụng xác thực.")
        self.fields["token"].widget.attrs["inputmode"] = "numeric"


class PasswordConfirmForm(StyledFormMixin, forms.Form):
    password = forms.CharField(
        label=_("Mật khẩu hiện tại"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def unit_label(unit: Unit) -> str:
    if unit.parent_id is not None and unit.parent is not None and unit.depth > 1:
        return f"{unit.name} — {unit.parent.name}"
    return unit.name


class UnitRoleMixin:
    """A unit select whose choices are a short list (or search results) of the grantable units;
    any grantable unit is accepted, so a search done elsewhere still validates."""

    fields: dict[str, forms.Field]

    def setup_unit_role(self, *, units: UnitQuerySet, shortlist: Iterable[Unit], roles: list[str]) -> None:
        unit_field = cast("forms.ModelChoiceField[Any]", self.fields["unit"])
        unit_field.queryset = units
        unit_field.widget.choices = [
            ("", "---------"),
            *((u.pk, unit_label(u)) for u in shortlist),
        ]
        role_field = cast(forms.ChoiceField, self.fields["role"])
        role_field.choices = [
            ("", "---------"),
            *((r.value, r.label) for r in AccessRole if r.value in roles),
        ]


def role_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Vai trò"), choices=AccessRole.choices)


def unit_field(*, required: bool = True) -> forms.ModelChoiceField[Any]:
    from chidao.org.models import Unit

    return forms.ModelChoiceField(
        label=_("Đơn vị"),
        queryset=Unit.objects.none(),
        required=required,
        help_text=_("Vai trò có hiệu lực tại đơn vị này và mọi đơn vị trực thuộc."),
        error_messages={"invalid_choice": _("Đơn vị không hợp lệ hoặc nằm ngoài phạm vi quản trị của bạn.")},
    )


class GrantForm(UnitRoleMixin, StyledFormMixin, forms.Form):
    unit = unit_field()
    role = role_field()

    def __init__(
        self,
        *args: Any,
        units: UnitQuerySet,
        shortlist: Iterable[Unit],
        roles: list[str],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.setup_unit_role(units=units, shortlist=shortlist, roles=roles)


class UserCreateForm(UnitRoleMixin, StyledFormMixin, forms.Form):
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        help_text=_("Chữ cái, chữ số và các ký tự @ . + - _"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=255)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    password = forms.CharField(
        label=_("Mật khẩu ban đầu"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Để trống để gửi liên kết đặt mật khẩu tới thư điện tử của người dùng."),
    )
    unit = unit_field()
    role = role_field()

    def __init__(
        self,
        *args: Any,
        units: UnitQuerySet,
        shortlist: Iterable[Unit],
        roles: list[str],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.setup_unit_role(units=units, shortlist=shortlist, roles=roles)


class ApiTokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Tên gợi nhớ"),
        max_length=100,
        help_text=_("Hệ thống nào sẽ dùng khóa này, ví dụ: phần mềm thống kê của Sở."),
    )
