"""The one shape of a form page: parse, call a service, show its errors on the form or redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from chidao.forms import apply_errors


def form_page[T: models.Model](
    request: HttpRequest,
    form: forms.Form,
    *,
    save: Callable[[dict[str, Any]], T],
    message: Callable[[T], str],
    context: dict[str, Any],
    template: str = "org/form_page.html",
    then: Callable[[T], Any] = lambda obj: obj,
) -> HttpResponse:
    """On a valid POST call `save(cleaned_data)`: a service's ValidationError lands on the form and
    nothing is saved; success flashes `message(obj)` and redirects to `then(obj)`."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, message(obj))
            return redirect(then(obj))
    return render(request, template, {"form": form, **context})
