"""Form helpers shared by every app: Bootstrap classes, accessible errors, service errors."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.utils import flatatt
from django.forms.widgets import Input
from django.utils.safestring import SafeString, mark_safe


class StyledFormMixin:
    """Give widgets Bootstrap classes and tie help texts and errors to inputs for screen readers."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple) and not isinstance(
                widget, forms.CheckboxSelectMultiple
            ):
                css = "form-select"
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                css = ""
            else:
                css = "form-control"
            if css:
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if field.help_text:
                widget.attrs.setdefault("aria-describedby", f"id_{name}_helptext")

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]  # cooperative mixin
        for name in getattr(self, "errors", {}):
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"id_{name}_error"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: keyed errors on their fields, the rest on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(
                    None if target is None or field == NON_FIELD_ERRORS else target,
                    error,
                )
    else:
        form.add_error(None, exc)


class PlainSelect(forms.Select):
    """A <select> built in Python. Django renders every <option> through a template (about 0.1 ms
    each), which is most of the time of a page offering a province's 170 units; this renders the
    same markup in one pass, every value and label escaped. Flat choices only (no option groups)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = {str(v) for v in self.format_value(value)}
        options = []
        for key, label in self.choices:
            text = str(key)
            selected = " selected" if text in chosen else ""
            options.append(f'<option value="{escape(text)}"{selected}>{escape(str(label))}</option>')
        return mark_safe(f"<select{flatatt(final)}>{''.join(options)}</select>")  # noqa: S308 - escaped above


class PlainInput(Input):
    """An <input> built in Python, for the same reason as PlainSelect (a list page's filter form
    is rendered on every request): type, name, value and attributes, escaped."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, {**(attrs or {}), "type": self.input_type, "name": name})
        shown = self.format_value(value)
        if shown is not None:
            final["value"] = shown
        return mark_safe(f"<input{flatatt(final)}>")  # noqa: S308 - flatatt escapes every attribute


class PlainTextInput(PlainInput):
    input_type = "text"


class PlainNumberInput(PlainInput, forms.NumberInput):
    input_type = "number"


class PlainDateInput(PlainInput):
    input_type = "date"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.date):
            return value.isoformat()
        shown = super().format_value(value)
        return None if shown is None else str(shown)
