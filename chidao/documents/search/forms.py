"""The search box and its filters, shared by the page and the API (which answers 422 with the same
field keys)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Q
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

from chidao.documents.models import DocumentKind
from chidao.documents.search.queries import MAX_PAGE, Filters
from chidao.forms import PlainNumberInput, PlainSelect, PlainTextInput, StyledFormMixin
from chidao.org.models import Unit

if TYPE_CHECKING:
    from chidao.org.scope import AnyUser

FIRST_YEAR = 1930  # Đảng Cộng sản Việt Nam, 3/2/1930: no register goes further back.
LAST_YEAR = 2100


class SearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Từ khóa"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Loại văn bản"),
        required=False,
        choices=[("", _("Tất cả")), *DocumentKind.choices],
        error_messages={"invalid_choice": _("Loại văn bản “%(value)s” không có trong danh mục.")},
        widget=PlainSelect,
    )
    issuer = forms.CharField(label=_("Cơ quan ban hành"), required=False, max_length=255, widget=PlainTextInput())
    year = forms.IntegerField(
        label=_("Năm ban hành"),
        required=False,
        widget=PlainNumberInput(),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        error_messages={
            "invalid": _("Năm ban hành phải là một số, ví dụ 2024."),
            "min_value": _("Năm ban hành phải từ %(limit_value)s trở đi."),
            "max_value": _("Năm ban hành phải trước %(limit_value)s."),
        },
    )
    unit = forms.ModelChoiceField(
        label=_("Đơn vị (gồm cả đơn vị trực thuộc)"),
        required=False,
        queryset=Unit.objects.none(),
        error_messages={"invalid_choice": _("Đơn vị đã chọn không có hoặc ngoài phạm vi của bạn.")},
        widget=PlainSelect,
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        error_messages={
            "invalid": _("Số trang phải là một số."),
            "min_value": _("Số trang phải từ 1 trở lên."),
            "max_value": _("Chỉ xem được %(limit_value)s trang đầu; hãy thu hẹp từ khóa hoặc bộ lọc."),
        },
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("kind", "issuer", "year", "unit"):
            widget = self.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} form-control-sm search-filter".strip()
        # Any unit in scope is accepted; the list offers the units of the user's grants and the
        # level below them, not the thousands of communes a national account reaches.
        unit_field: forms.ModelChoiceField[Unit] = self.fields["unit"]  # type: ignore[assignment]  # declared above
        if self.is_bound and self.data.get("unit"):
            # Only a unit given is checked against the scope: building that queryset costs
            # about 1.5 ms of the ORM's time, for nothing when no unit is chosen.
            unit_field.queryset = Unit.objects.visible_to(user).order_by("depth", "name")

        # Read when the list is drawn (the page), not for the API, which only validates a unit;
        # once (the widget also looks at the first choice before drawing).
        @functools.cache
        def offered() -> list[tuple[Any, str]]:
            return [("", str(_("Tất cả"))), *((u.pk, u.name) for u in _unit_choices(user))]

        unit_field.widget.choices = CallableChoiceIterator(offered)

    def filters(self) -> Filters:
        data = self.cleaned_data
        unit = data.get("unit")
        return Filters(
            kind=data.get("kind") or "",
            issuer=(data.get("issuer") or "").strip(),
            year=data.get("year"),
            unit_id=unit.pk if unit is not None else None,
        )


def _unit_choices(user: AnyUser) -> list[Unit]:
    from chidao.accounts.models import RoleGrant

    if not user.is_authenticated:
        return []
    visible = Unit.objects.visible_to(user).current()
    if user.is_superuser:
        return list(visible.filter(depth__lte=1).order_by("depth", "name"))
    granted = RoleGrant.objects.filter(user_id=user.pk).values("unit_id")
    return list(visible.filter(Q(pk__in=granted) | Q(parent__in=granted)).order_by("depth", "name")[:500])
