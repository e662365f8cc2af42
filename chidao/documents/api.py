"""Documents API: the same services and scope rules as the pages.

Out of scope answers 404 like a missing document; a reader trying to change a document answers 403;
a rule broken answers 422 with the field's key ({"detail": {"symbol": ["…"]}}).
Paths take `{int:…}` ids so that the tools' routes added below ("/compose", "/import") never
fall into "/{document_id}".
"""

from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest
from ninja import File, Router, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from chidao.documents import queries, services, views
from chidao.documents.api_tools import router as tools_router
from chidao.documents.models import Document
from chidao.documents.schemas import (
    AttachmentOut,
    DocumentDetailOut,
    DocumentIn,
    DocumentOut,
    DocumentPatch,
    RelationIn,
    RelationOut,
)
from chidao.org.models import Unit
from chidao.org.scope import get_visible_or_404

router = Router(tags=["documents"])


def _actor(request: HttpRequest) -> Any:
    return request.user  # authenticated by the API


def _document(request: HttpRequest, document_id: int) -> Document:
    return queries.document_or_404(request.user, document_id)


def _editable(request: HttpRequest, document_id: int) -> Document:
    document = _document(request, document_id)
    services.require_editor(request.user, document)
    return document


def _unit(request: HttpRequest, unit_id: int) -> Unit:
    return get_visible_or_404(Unit.objects.all(), request.user, pk=unit_id)


def _detail(request: HttpRequest, document: Document) -> SimpleNamespace:
    detail = queries.document_detail(document, request.user)
    own = set(DocumentDetailOut.model_fields) - {"unit_name", "url", "can_edit", "attachments"}
    fields = {name: getattr(document, name) for name in own if not name.startswith(("relations_", "implementations"))}
    return SimpleNamespace(
        **fields,
        unit=document.unit,
        unit_name=document.unit.name,
        url=document.get_absolute_url(),
        can_edit=services.can_edit(request.user, document),
        attachments=detail.attachments,
        relations_out=[
            {
                "id": r.relation.pk,
                "kind": r.relation.kind,
                "label": r.label,
                "note": r.relation.note,
                "document": r.document,
            }
            for r in detail.outgoing
        ],
        relations_in=[
            {
                "id": r.relation.pk,
                "kind": r.relation.kind,
                "label": r.label,
                "note": r.relation.note,
                "document": r.document,
            }
            for r in detail.incoming
        ],
        implementations=[{"level": level, "document": d} for d, level in detail.implementations],
    )


@router.get("/", response=list[DocumentOut])
@paginate(LimitOffsetPagination)
def list_documents(
    request: HttpRequest,
    kind: str = "",
    direction: str = "",
    year: int | None = None,
    issuer: str = "",
    unit_id: int | None = None,
    q: str = "",
) -> object:
    """The register as the user may read it; `unit_id` keeps that unit and the units under it."""
    return queries.documents_for(
        request.user, kind=kind, direction=direction, year=year, issuer=issuer, unit_id=unit_id, text=q
    )


@router.post("/", response={201: DocumentDetailOut})
def create_document(request: HttpRequest, payload: DocumentIn) -> Status[SimpleNamespace]:
    data = payload.dict()
    unit = _unit(request, data.pop("unit_id"))
    document = services.register_document(actor=_actor(request), unit=unit, **data)
    return Status(201, _detail(request, document))


@router.get("/{int:document_id}", response=DocumentDetailOut)
def get_document(request: HttpRequest, document_id: int) -> SimpleNamespace:
    """The record, its attachments, relations both ways and the documents implementing it."""
    return _detail(request, _document(request, document_id))


@router.patch("/{int:document_id}", response=DocumentDetailOut)
def update_document(request: HttpRequest, document_id: int, payload: DocumentPatch) -> SimpleNamespace:
    document = _editable(request, document_id)
    changes = payload.dict(exclude_unset=True)
    if "unit_id" in changes:
        unit_id = changes.pop("unit_id")
        if unit_id is not None:
            changes["unit"] = _unit(request, unit_id)
    for name in ("kind", "issuer", "issued_on", "title", "direction", "visibility"):
        if name in changes and changes[name] is None:
            changes.pop(name)
    document = services.update_document(actor=_actor(request), document=document, **changes)
    return _detail(request, document)


@router.delete("/{int:document_id}", response={204: None})
def delete_document(request: HttpRequest, document_id: int) -> Status[None]:
    services.delete_document(actor=_actor(request), document=_editable(request, document_id))
    return Status(204, None)


@router.post("/{int:document_id}/relations", response={201: RelationOut})
def add_relation(request: HttpRequest, document_id: int, payload: RelationIn) -> Status[Any]:
    """Record that this document implements, guides, amends, replaces or cites `target_id`."""
    source = _editable(request, document_id)
    target = _document(request, payload.target_id)
    relation = services.relate_documents(
        actor=_actor(request), source=source, target=target, kind=payload.kind, note=payload.note
    )
    return Status(201, relation)


@router.delete("/relations/{int:relation_id}", response={204: None})
def remove_relation(request: HttpRequest, relation_id: int) -> Status[None]:
    relation = queries.relation_or_404(request.user, relation_id)
    services.unrelate_documents(actor=_actor(request), relation=relation)
    return Status(204, None)


@router.post("/{int:document_id}/attachments", response={201: AttachmentOut})
def upload_attachment(request: HttpRequest, document_id: int, file: File[UploadedFile]) -> Status[Any]:
    """Attach a file (`multipart/form-data`, field `file`): PDF, DOCX, XLSX, PNG or JPEG, checked
    from its content. Errors come back on the key "file"."""
    document = _editable(request, document_id)
    try:
        attachment = services.attach_file(actor=_actor(request), document=document, upload=file)
    except ValidationError as exc:
        raise ValidationError({"file": exc.message_dict.get("upload", exc.messages)}) from exc
    return Status(201, attachment)


@router.get(
    "/attachments/{int:attachment_id}/download",
    response={200: None},
    url_name="documents_attachment_download",
)
def download_attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    """The file, with the type detected at upload and the same safe headers as the page."""
    return views.attachment_response(queries.attachment_or_404(request.user, attachment_id))


@router.delete("/attachments/{int:attachment_id}", response={204: None})
def remove_attachment(request: HttpRequest, attachment_id: int) -> Status[None]:
    attachment = queries.attachment_or_404(request.user, attachment_id)
    services.remove_attachment(actor=_actor(request), attachment=attachment)
    return Status(204, None)


router.add_router("", tools_router)
