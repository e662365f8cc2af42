"""Registry pages: the register with its filters, a document's page, entering and changing a
document, its relations and attachments, and the attachment download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chidao.documents import files, queries, services
from chidao.documents import forms as doc_forms
from chidao.documents.models import Direction, Document, DocumentKind
from chidao.forms import apply_errors
from chidao.http import AuthedRequest
from chidao.pages import form_page

FORM_TEMPLATE = "documents/document_form.html"
PAGE_SIZE = 30
EDIT_FIELDS = (
    "unit",
    "direction",
    "kind",
    "symbol",
    "issuer",
    "issued_on",
    "title",
    "signer",
    "visibility",
    "received_number",
    "received_on",
    "effective_on",
    "summary",
    "full_text",
)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _editable(request: AuthedRequest, pk: int) -> Document:
    """The document, for a page that changes it: 404 out of scope, 403 for readers."""
    document = queries.document_or_404(request.user, pk)
    services.require_editor(request.user, document)
    return document


def _context(document: Document | None, title: str) -> dict[str, Any]:
    cancel = document.get_absolute_url() if document is not None else reverse("documents:list")
    return {"title": title, "document": document, "cancel_url": cancel}


# --- register ---------------------------------------------------------------------------------


@login_required
def document_list(request: AuthedRequest) -> HttpResponse:
    get = request.GET
    kind = get.get("kind", "") if get.get("kind") in DocumentKind.values else ""
    direction = get.get("direction", "") if get.get("direction") in Direction.values else ""
    year, unit_id = _int(get.get("year")), _int(get.get("unit"))
    issuer, text = get.get("issuer", "").strip(), get.get("q", "").strip()
    selected = {"kind": kind, "direction": direction, "year": year, "issuer": issuer, "unit": unit_id, "q": text}
    qs = queries.documents_for(
        request.user, kind=kind, direction=direction, year=year, issuer=issuer, unit_id=unit_id, text=text
    )
    params = get.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    context = {
        "page_obj": Paginator(qs, PAGE_SIZE).get_page(get.get("page")),
        "kinds": DocumentKind.choices,
        "directions": Direction.choices,
        "years": [(y, y) for y in queries.document_years(request.user)],
        "units": queries.filter_units(request.user).values_list("pk", "name"),
        "selected": selected,
        "querystring_base": f"{encoded}&" if encoded else "",
        "can_create": queries.can_register(request.user),
    }
    template = "documents/document_list.html#rows" if request.htmx else "documents/document_list.html"
    return render(request, template, context)


@login_required
def document_create(request: AuthedRequest) -> HttpResponse:
    units = queries.editable_units(request.user)
    if not units.exists():
        raise Http404(_("Bạn chưa được phân quyền văn thư, thư ký tại đơn vị nào."))
    initial: dict[str, Any] = {}
    for name in ("kind", "direction"):
        if name in request.GET:
            initial[name] = request.GET[name]
    unit_id = _int(request.GET.get("unit"))
    if unit_id is not None:
        initial["unit"] = unit_id
    form = doc_forms.DocumentForm(request.POST or None, initial=initial, units=units)
    return form_page(
        request,
        form,
        save=lambda data: services.register_document(actor=request.user, **data),
        message=lambda d: _("Đã vào sổ văn bản “%(doc)s”.") % {"doc": d},
        context=_context(None, _("Vào sổ văn bản")),
        template=FORM_TEMPLATE,
    )


@login_required
def document_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    document = queries.document_or_404(request.user, pk)
    can_edit = services.can_edit(request.user, document)
    context = {
        "document": document,
        "detail": queries.document_detail(document, request.user),
        "can_edit": can_edit,
        "relation_form": doc_forms.RelationForm() if can_edit else None,
        "attachment_form": doc_forms.AttachmentForm() if can_edit else None,
    }
    return render(request, "documents/document_detail.html", context)


@login_required
def document_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    document = _editable(request, pk)
    initial = {name: getattr(document, name) for name in EDIT_FIELDS}
    form = doc_forms.DocumentForm(
        request.POST or None, initial=initial, units=queries.editable_units(request.user, keep=document.unit_id)
    )
    return form_page(
        request,
        form,
        save=lambda data: services.update_document(actor=request.user, document=document, **data),
        message=lambda _d: _("Đã lưu thay đổi."),
        context=_context(document, _("Sửa văn bản %(doc)s") % {"doc": document.symbol or document.title[:60]}),
        template=FORM_TEMPLATE,
    )


@login_required
def document_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    document = _editable(request, pk)
    if request.method == "POST":
        services.delete_document(actor=request.user, document=document)
        messages.success(request, _("Đã xóa văn bản “%(doc)s” khỏi sổ.") % {"doc": document})
        return redirect("documents:list")
    context = {
        **_context(document, _("Xóa văn bản")),
        "detail": queries.document_detail(document, request.user),
    }
    return render(request, "documents/document_delete.html", context)


# --- relations --------------------------------------------------------------------------------


@login_required
def relation_add(request: AuthedRequest, pk: int) -> HttpResponse:
    document = _editable(request, pk)
    form = doc_forms.RelationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        found = queries.find_documents(request.user, data["target"], exclude=document.pk)
        if not found:
            form.add_error(
                "target", _("Không tìm thấy văn bản “%(ref)s” trong các sổ bạn được xem.") % {"ref": data["target"]}
            )
        elif len(found) > 1:
            choices = "; ".join(f"#{d.pk} {d.symbol} — {d.issuer} ({d.issued_on:%d/%m/%Y})" for d in found)
            form.add_error(
                "target",
                _("Có nhiều văn bản số %(ref)s, hãy ghi mã số: %(choices)s.")
                % {"ref": data["target"], "choices": choices},
            )
        else:
            try:
                services.relate_documents(
                    actor=request.user, source=document, target=found[0], kind=data["kind"], note=data["note"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Đã ghi quan hệ với văn bản “%(doc)s”.") % {"doc": found[0]})
                return redirect(f"{document.get_absolute_url()}#relations")
    context = {**_context(document, _("Thêm văn bản liên quan")), "form": form}
    return render(request, FORM_TEMPLATE, context)


@login_required
@require_POST
def relation_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    relation = queries.relation_or_404(request.user, pk)
    source = relation.source
    services.unrelate_documents(actor=request.user, relation=relation)
    messages.success(request, _("Đã bỏ quan hệ với văn bản “%(doc)s”.") % {"doc": relation.target})
    return redirect(f"{source.get_absolute_url()}#relations")


# --- attachments ------------------------------------------------------------------------------


@login_required
def attachment_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    document = _editable(request, pk)
    return form_page(
        request,
        doc_forms.AttachmentForm(request.POST or None, request.FILES or None),
        save=lambda data: services.attach_file(actor=request.user, document=document, upload=data["upload"]),
        message=lambda a: _("Đã đính kèm “%(name)s”.") % {"name": a.name},
        context=_context(document, _("Đính kèm tệp")),
        template=FORM_TEMPLATE,
        then=lambda _a: f"{document.get_absolute_url()}#attachments",
    )


@login_required
@require_POST
def attachment_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    attachment = queries.attachment_or_404(request.user, pk)
    document = attachment.document
    services.remove_attachment(actor=request.user, attachment=attachment)
    messages.success(request, _("Đã xóa tệp “%(name)s”.") % {"name": attachment.name})
    return redirect(f"{document.get_absolute_url()}#attachments")


def attachment_response(attachment: Any) -> FileResponse:
    """A stored file with the type found at upload, never sniffed, never able to run scripts:
    PDF and images open in place, the rest download."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Không tìm thấy tệp.")) from exc
    response = FileResponse(handle, content_type=attachment.content_type)
    inline = attachment.content_type in files.INLINE
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=not inline, filename=attachment.name
    ) or ("inline" if inline else "attachment")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@login_required
def attachment_download(request: AuthedRequest, pk: int) -> FileResponse:
    return attachment_response(queries.attachment_or_404(request.user, pk))
