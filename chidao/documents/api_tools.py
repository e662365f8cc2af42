"""API of composing outgoing documents and importing a register. Added to the documents router.

POST /compose (JSON) builds the document in its official layout and registers it: 201 with the
document's id and its attachments. POST /import (multipart: `unit_id`, `file`) enters an Excel
register: 201 with what was created, or 422 {"detail": {"file": ["Dòng 12, cột …: …"]}} with
nothing saved. GET /import/template is the empty register to fill in. The chosen unit must be
visible (404 otherwise) and the user needs the secretariat role there (403 otherwise).
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status, UploadedFile

from chidao.documents import imports, services_compose, views_tools
from chidao.documents.models import Visibility
from chidao.org.models import Committee, Unit
from chidao.org.scope import get_visible_or_404

router = Router(tags=["documents"])


class ComposeIn(Schema):
    committee_id: int | None = None
    unit_id: int | None = None
    kind: str
    number: str = ""
    title: str
    issued_on: dt.date
    place: str = ""
    body: str
    addressees: list[str] = []
    recipients: list[str] = []
    signer: str = ""
    position: str = ""
    on_behalf: str = ""
    on_behalf_of: str = ""
    issuer_code: str = ""
    drafting_code: str = ""
    visibility: str = Visibility.SUBTREE


class ComposedAttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


class ComposedOut(Schema):
    document_id: int
    symbol: str
    url: str
    attachment_ids: list[int]
    attachments: list[ComposedAttachmentOut]
    pdf_error: str


class CountOut(Schema):
    label: str
    count: int


class ImportOut(Schema):
    created: int
    by_kind: list[CountOut]
    by_direction: list[CountOut]
    first_day: dt.date | None
    last_day: dt.date | None
    document_ids: list[int]


@router.post("/compose", response={201: ComposedOut})
def compose_document(request: HttpRequest, payload: ComposeIn) -> Status[dict[str, Any]]:
    data = payload.dict(exclude={"committee_id", "unit_id"})
    committee = None
    if payload.committee_id is not None:
        committee = get_visible_or_404(Committee.objects.select_related("unit"), request.user, pk=payload.committee_id)
    if payload.unit_id is not None:
        unit = get_visible_or_404(Unit.objects.all(), request.user, pk=payload.unit_id)
    elif committee is not None:
        unit = committee.unit
    else:
        raise ValidationError({"unit_id": _("Chọn Ban Chỉ đạo hoặc đơn vị ban hành.")})
    result = services_compose.compose_document(
        actor=request.user,  # type: ignore[arg-type]  # authenticated by the API
        unit=unit,
        committee=committee,
        **data,
    )
    document = result.document
    return Status(
        201,
        {
            "document_id": document.pk,
            "symbol": document.symbol,
            "url": document.get_absolute_url(),
            "attachment_ids": [a.pk for a in result.attachments],
            "attachments": result.attachments,
            "pdf_error": result.pdf_error,
        },
    )


@router.post("/import", response={201: ImportOut})
def import_register(request: HttpRequest, unit_id: Form[int], file: File[UploadedFile]) -> Status[dict[str, Any]]:
    """Enter an Excel register (the template's columns) in the unit's register, all rows or none."""
    unit = get_visible_or_404(Unit.objects.all(), request.user, pk=unit_id)
    summary = imports.import_register(
        actor=request.user,  # type: ignore[arg-type]
        unit=unit,
        upload=file,
        name=file.name or "",
        size=file.size or 0,
    )
    return Status(
        201,
        {
            "created": summary.created,
            "by_kind": [{"label": label, "count": n} for label, n in summary.by_kind],
            "by_direction": [{"label": label, "count": n} for label, n in summary.by_direction],
            "first_day": summary.first_day,
            "last_day": summary.last_day,
            "document_ids": summary.document_ids,
        },
    )


@router.get("/import/template")
def import_template(request: HttpRequest) -> HttpResponse:
    """The empty register (.xlsx) with its drop-down lists and a "Hướng dẫn" sheet."""
    return views_tools.template_response()
