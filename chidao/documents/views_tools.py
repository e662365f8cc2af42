"""Pages that produce documents: composing an outgoing document in the official layout of its
issuer, and importing an existing register from Excel (with its template). Both need the
secretariat role or higher on the chosen unit; the pickers offer only such units."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chidao.documents import compose, imports, queries, services_compose
from chidao.documents.forms_tools import ComposeForm, ImportForm, lines
from chidao.documents.models import DocumentKind
from chidao.forms import apply_errors
from chidao.http import AuthedRequest
from chidao.lib.uploads import XLSX


def _units(request: AuthedRequest) -> Any:
    units = queries.editable_units(request.user)
    if not units.exists():
        raise PermissionDenied(_("Bạn cần vai trò thư ký, biên tập trở lên tại một đơn vị để làm việc này."))
    return units


# --- composing --------------------------------------------------------------------------------


@login_required
def compose_page(request: AuthedRequest) -> HttpResponse:
    units = _units(request)
    committees = compose.committee_choices(request.user)
    initial: dict[str, Any] = {"issued_on": timezone.localdate(), "kind": request.GET.get("kind", DocumentKind.PLAN)}
    form = ComposeForm(request.POST or None, initial=initial, units=units, committees=committees)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        for name in ("addressees", "recipients"):
            data[name] = lines(data[name])
        try:
            result = services_compose.compose_document(actor=request.user, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            document = result.document
            messages.success(
                request,
                _("Đã soạn và vào sổ văn bản đi: %(document)s. Tải bản Word ở mục tệp đính kèm.")
                % {"document": document},
            )
            if result.pdf_error:
                messages.warning(request, result.pdf_error)
            return redirect(document.get_absolute_url())
    context = {"form": form, "title": _("Soạn văn bản theo thể thức"), "document": None}
    return render(request, "documents/compose_form.html", context)


# --- importing --------------------------------------------------------------------------------


@login_required
def import_page(request: AuthedRequest) -> HttpResponse:
    units = _units(request)
    form = ImportForm(request.POST or None, request.FILES or None, units=units)
    summary = None
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        unit = form.cleaned_data["unit"]
        try:
            summary = imports.import_register(
                actor=request.user, unit=unit, upload=upload, name=upload.name or "", size=upload.size or 0
            )
        except imports.ImportFailed as exc:
            errors = exc.errors
        else:
            message = _("Đã nhập %(n)d văn bản vào sổ của %(unit)s.") % {"n": summary.created, "unit": unit.name}
            if not request.htmx:
                messages.success(request, message)
                return redirect(f"{reverse('documents:list')}?unit={unit.pk}")
    context = {
        "form": form,
        "summary": summary,
        "errors": errors,
        "title": _("Nhập sổ văn bản từ Excel"),
        "document": None,
    }
    template = "documents/import_form.html#result" if request.htmx else "documents/import_form.html"
    return render(request, template, context)


def template_response() -> HttpResponse:
    """The empty register (.xlsx) as a download; the API serves the same."""
    response = HttpResponse(imports.template_xlsx(), content_type=XLSX.content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename="mau-so-van-ban.xlsx")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def import_template(request: AuthedRequest) -> HttpResponse:
    return template_response()
