"""Writes of the document registry: documents, relations between them and attachments.

Rules enforced here, for the pages, the API, the demo and the other document tools alike:
- registering or changing a document needs the secretariat role (or higher) on its unit;
- the number and symbol is parsed (`chidao.lib.docnumbers`) into number, type and issuer codes, and
  its type abbreviation must match the chosen kind ("35-NQ/TW" is a nghị quyết);
- one unit's register holds a symbol of an issuer once per year;
- a batch of documents (an imported register) obeys the same rules, reports every row's problems
  at once and is saved whole or not at all;
- a relation goes from a document the actor may edit to one the actor may see, never to itself, once
  per kind;
- attachments are PDF, DOCX, XLSX, PNG or JPEG checked from their content (`documents.files`), stored
  under a random name, their text extracted for the search;
- every write records an audit entry and refreshes the search index in the same transaction; stored
  files are deleted only after the commit that dropped them.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils.translation import gettext as _

from chidao.accounts.models import AccessRole
from chidao.audit import services as audit
from chidao.documents import extract, files
from chidao.documents.models import (
    Attachment,
    Direction,
    Document,
    DocumentKind,
    DocumentRelation,
    RelationKind,
    Visibility,
)
from chidao.documents.search import index_documents, remove_documents
from chidao.lib.docnumbers import parse_symbol, symbol_key
from chidao.lib.text import fold
from chidao.org.models import Unit
from chidao.org.scope import has_role, require_role

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

    from chidao.accounts.models import User
    from chidao.org.scope import AnyUser

EDITOR = AccessRole.SECRETARIAT.value

DOCUMENT_FIELDS = (
    "kind",
    "symbol",
    "issuer",
    "issued_on",
    "title",
    "direction",
    "visibility",
    "signer",
    "summary",
    "full_text",
    "received_number",
    "received_on",
    "effective_on",
    "unit",
)
AUDITED_FIELDS = [
    "kind",
    "symbol",
    "issuer",
    "issued_on",
    "title",
    "direction",
    "visibility",
    "signer",
    "unit_id",
    "received_number",
    "received_on",
    "effective_on",
]
TEXT_FIELDS = {"symbol", "issuer", "title", "signer", "summary", "full_text"}
# `Choices.values` builds a new list on every access; an imported register checks 20,000 rows.
KINDS = frozenset(DocumentKind.values)
DIRECTIONS = frozenset(Direction.values)
VISIBILITIES = frozenset(Visibility.values)


def can_edit(user: AnyUser, document: Document) -> bool:
    return has_role(user, document.unit, EDITOR)


def require_editor(actor: AnyUser, document: Document) -> None:
    require_role(actor, document.unit, EDITOR)


# --- documents --------------------------------------------------------------------------------


def _apply_symbol(document: Document) -> None:
    """Parse the symbol into its parts and check its type abbreviation against the kind."""
    document.symbol = document.symbol.strip()
    if not document.symbol:
        document.number, document.type_code, document.issuer_code, document.symbol_key = None, "", "", ""
        return
    try:
        parsed = parse_symbol(document.symbol)
    except ValueError as exc:
        raise ValidationError({"symbol": str(exc)}) from exc
    if document.kind in KINDS and document.kind != DocumentKind.OTHER and parsed.kind != document.kind:
        code = parsed.type_code or _("công văn (không có ký hiệu loại)")
        raise ValidationError(
            {
                "symbol": _(
                    "Ký hiệu “%(code)s” trong “%(symbol)s” là của loại “%(expected)s”, không khớp loại văn bản "
                    "đã chọn “%(kind)s”. Hãy sửa số, ký hiệu hoặc loại văn bản."
                )
                % {
                    "code": code,
                    "symbol": parsed.text,
                    "expected": DocumentKind(parsed.kind).label,
                    "kind": DocumentKind(document.kind).label,
                }
            }
        )
    if parsed.year is not None and document.issued_on and parsed.year != document.issued_on.year:
        raise ValidationError(
            {
                "issued_on": _("Năm trong số, ký hiệu (%(year)s) khác năm ban hành (%(issued)s).")
                % {"year": parsed.year, "issued": document.issued_on.year}
            }
        )
    document.symbol = parsed.text
    document.number = parsed.number
    document.type_code = parsed.type_code
    document.issuer_code = parsed.issuer_code
    document.symbol_key = symbol_key(parsed.text)


def _check_document(document: Document) -> None:
    _check_fields(document)
    _check_duplicate(document)
    document.full_clean(exclude=["created_by", "unit"])


def _check_fields(document: Document) -> None:
    """The rules of one document on its own: required fields, choices, dates and the symbol."""
    for name in TEXT_FIELDS:
        setattr(document, name, (getattr(document, name) or "").strip())
    if not document.title:
        raise ValidationError({"title": _("Hãy nhập trích yếu nội dung văn bản.")})
    if not document.issuer:
        raise ValidationError({"issuer": _("Hãy nhập cơ quan ban hành.")})
    if document.kind not in KINDS:
        raise ValidationError({"kind": _("Loại văn bản “%(value)s” không hợp lệ.") % {"value": document.kind}})
    if document.direction not in DIRECTIONS:
        raise ValidationError({"direction": _("Loại sổ “%(value)s” không hợp lệ.") % {"value": document.direction}})
    if document.visibility not in VISIBILITIES:
        raise ValidationError(
            {"visibility": _("Phạm vi xem “%(value)s” không hợp lệ.") % {"value": document.visibility}}
        )
    if not isinstance(document.issued_on, dt.date):
        raise ValidationError({"issued_on": _("Hãy nhập ngày ban hành.")})
    if document.received_on is not None and document.received_on < document.issued_on:
        raise ValidationError({"received_on": _("Ngày đến không được trước ngày ban hành.")})
    if document.direction != Direction.INCOMING and (document.received_number or document.received_on):
        raise ValidationError({"received_number": _("Chỉ văn bản đến mới có số đến, ngày đến.")})
    _apply_symbol(document)


def _lock_register(unit_id: int) -> None:
    # No unique constraint can say "same issuer, folded, same year": two clerks entering the same
    # document at once are serialised on the unit's row instead (SQLite's writes already are).
    Unit.objects.select_for_update().filter(pk=unit_id).first()


def _duplicate_message(document: Document, other: Document) -> str:
    return _("Sổ văn bản của đơn vị đã có văn bản số %(symbol)s của %(issuer)s năm %(year)s: “%(title)s”.") % {
        "symbol": document.symbol,
        "issuer": other.issuer,
        "year": document.issued_on.year,
        "title": other.title[:120],
    }


def _check_duplicate(document: Document) -> None:
    if not document.symbol_key:
        return
    _lock_register(document.unit_id)
    same = (
        Document.objects.filter(
            unit_id=document.unit_id, symbol_key=document.symbol_key, issued_on__year=document.issued_on.year
        )
        .exclude(pk=document.pk)
        .only("pk", "issuer", "title")
    )
    issuer = fold(document.issuer)
    for other in same:
        if fold(other.issuer) == issuer:
            raise ValidationError({"symbol": _duplicate_message(document, other)})


@transaction.atomic
def register_document(
    *,
    actor: User,
    unit: Unit,
    kind: str,
    symbol: str,
    issuer: str,
    issued_on: dt.date,
    title: str,
    direction: str = Direction.INCOMING,
    visibility: str = Visibility.SUBTREE,
    signer: str = "",
    summary: str = "",
    full_text: str = "",
    received_number: int | None = None,
    received_on: dt.date | None = None,
    effective_on: dt.date | None = None,
) -> Document:
    """Enter a document in `unit`'s register; the actor needs the secretariat role on the unit."""
    require_role(actor, unit, EDITOR)
    document = Document(
        unit=unit,
        kind=kind,
        symbol=symbol or "",
        issuer=issuer,
        issued_on=issued_on,
        title=title,
        direction=direction,
        visibility=visibility,
        signer=signer,
        summary=summary,
        full_text=full_text,
        received_number=received_number,
        received_on=received_on,
        effective_on=effective_on,
        created_by=actor if actor.pk else None,
    )
    _check_document(document)
    document.save()
    audit.record(
        actor=actor,
        action="documents.document.registered",
        target=document,
        unit=unit,
        changes=audit.snapshot(document, AUDITED_FIELDS),
    )
    index_documents([document.pk])
    return document


@dataclass(frozen=True)
class RowError:
    """One problem of `register_documents`: the row (its position in `rows`, from 0), the field."""

    index: int
    field: str
    message: str


class RowsInvalid(ValidationError):
    """Every problem of a batch, keyed by field, each message naming its row ("Dòng 12: …");
    `problems` keeps them as `RowError`s for callers that number rows their own way (imports)."""

    def __init__(self, problems: list[RowError]) -> None:
        by_field: dict[str, list[str]] = {}
        for problem in problems:
            by_field.setdefault(problem.field, []).append(
                _("Dòng %(row)s: %(message)s") % {"row": problem.index + 1, "message": problem.message}
            )
        super().__init__(by_field)
        self.problems = problems


# What a row of `register_documents` may hold: register_document's arguments and their defaults.
ROW_FIELDS: dict[str, Any] = {
    "kind": "",
    "symbol": "",
    "issuer": "",
    "issued_on": None,
    "title": "",
    "direction": Direction.INCOMING,
    "visibility": Visibility.SUBTREE,
    "signer": "",
    "summary": "",
    "full_text": "",
    "received_number": None,
    "received_on": None,
    "effective_on": None,
}
# Rows per query when looking for symbols already in the register (bound parameters stay well
# under every database's limit).
DUPLICATE_BATCH = 2000


def _batch_duplicates(unit: Unit, documents: dict[int, Document]) -> list[RowError]:
    """Rows whose symbol the register already holds for the same issuer and year, or that repeat an
    earlier row of the batch: one query per DUPLICATE_BATCH symbols instead of one per row."""
    numbered = {index: d for index, d in documents.items() if d.symbol_key}
    if not numbered:
        return []
    _lock_register(unit.pk)
    # A register names few issuers, each on thousands of rows: fold each name once.
    folded = functools.cache(fold)
    keys = sorted({d.symbol_key for d in numbered.values()})
    existing: dict[tuple[str, int, str], Document] = {}
    for start in range(0, len(keys), DUPLICATE_BATCH):
        for other in Document.objects.filter(
            unit_id=unit.pk, symbol_key__in=keys[start : start + DUPLICATE_BATCH]
        ).only("pk", "symbol_key", "issued_on", "issuer", "title"):
            existing.setdefault((other.symbol_key, other.issued_on.year, folded(other.issuer)), other)
    problems = []
    first_row: dict[tuple[str, int, str], int] = {}
    for index, document in sorted(numbered.items()):
        identity = (document.symbol_key, document.issued_on.year, folded(document.issuer))
        if identity in existing:
            problems.append(RowError(index, "symbol", _duplicate_message(document, existing[identity])))
        elif identity in first_row:
            message = _("trùng với dòng %(row)s (cùng số ký hiệu, cơ quan ban hành và năm).") % {
                "row": first_row[identity] + 1
            }
            problems.append(RowError(index, "symbol", message))
        else:
            first_row[identity] = index
    return problems


def _row_errors(index: int, exc: ValidationError) -> list[RowError]:
    if hasattr(exc, "error_dict"):
        return [RowError(index, key, message) for key, messages in exc.message_dict.items() for message in messages]
    return [RowError(index, NON_FIELD_ERRORS, message) for message in exc.messages]


@transaction.atomic
def register_documents(*, actor: User, unit: Unit, rows: Sequence[Mapping[str, Any]]) -> list[Document]:
    """Enter many documents in `unit`'s register at once (an imported register), all or nothing.

    Each row holds register_document's arguments and is checked by the same rules; every problem of
    every row is reported together (`RowsInvalid`) and nothing is saved. Written in bulk: one
    insert per batch, one audit entry per document through one `record_many`, one reindex."""
    require_role(actor, unit, EDITOR)
    problems: list[RowError] = []
    documents: dict[int, Document] = {}
    created_by = actor if actor.pk else None
    for index, row in enumerate(rows):
        unknown = set(row) - set(ROW_FIELDS)
        if unknown:
            message = _("Không thể ghi các trường: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
            problems.append(RowError(index, NON_FIELD_ERRORS, message))
            continue
        values = {**ROW_FIELDS, **row}
        values["symbol"] = values["symbol"] or ""
        document = Document(unit=unit, created_by=created_by, **values)
        try:
            _check_fields(document)
            document.full_clean(exclude=["created_by", "unit"])
        except ValidationError as exc:
            problems.extend(_row_errors(index, exc))
            continue
        documents[index] = document
    problems.extend(_batch_duplicates(unit, documents))
    if problems:
        raise RowsInvalid(sorted(problems, key=lambda p: p.index))
    if not documents:
        return []
    created = Document.objects.bulk_create(documents.values(), batch_size=500)
    audit.record_many(
        actor=actor,
        items=[
            audit.Change("documents.document.registered", document, unit, audit.snapshot(document, AUDITED_FIELDS))
            for document in created
        ],
    )
    index_documents([document.pk for document in created])
    return created


@transaction.atomic
def update_document(*, actor: User, document: Document, **changes: Any) -> Document:
    """Change a document's record; moving it to another unit needs the role there as well."""
    require_editor(actor, document)
    unknown = set(changes) - set(DOCUMENT_FIELDS)
    if unknown:
        raise ValidationError(_("Không thể sửa các trường: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    new_unit = changes.get("unit")
    if new_unit is not None and new_unit.pk != document.unit_id:
        require_role(actor, new_unit, EDITOR)
    before = audit.snapshot(document, AUDITED_FIELDS)
    text_before = (document.summary, document.full_text)
    for name, value in changes.items():
        if name == "unit" and value is None:
            continue
        setattr(document, name, "" if value is None and name in TEXT_FIELDS else value)
    _check_document(document)
    document.save()
    diff = audit.diff(before, audit.snapshot(document, AUDITED_FIELDS))
    if text_before != (document.summary, document.full_text):
        diff["text"] = [len(text_before[0]) + len(text_before[1]), len(document.summary) + len(document.full_text)]
    if diff:
        audit.record(
            actor=actor, action="documents.document.updated", target=document, unit=document.unit, changes=diff
        )
    index_documents([document.pk])
    return document


@transaction.atomic
def delete_document(*, actor: User, document: Document) -> None:
    """Remove a document with its attachments and relations (files go after the commit)."""
    require_editor(actor, document)
    attachments = list(document.attachments.all())
    for attachment in attachments:
        _delete_after_commit(attachment.file)
    audit.record(
        actor=actor,
        action="documents.document.deleted",
        target=document,
        unit=document.unit,
        changes={
            **audit.snapshot(document, AUDITED_FIELDS),
            "attachments": [a.name for a in attachments],
            "relations": document.outgoing_relations.count() + document.incoming_relations.count(),
        },
    )
    pk = document.pk
    remove_documents([pk])
    document.delete()


# --- relations --------------------------------------------------------------------------------


@transaction.atomic
def relate_documents(*, actor: User, source: Document, target: Document, kind: str, note: str = "") -> DocumentRelation:
    """Record that `source` implements, guides, amends, replaces or cites `target`."""
    require_editor(actor, source)
    if not Document.objects.visible_to(actor).filter(pk=target.pk).exists():
        raise ValidationError({"target": _("Không tìm thấy văn bản liên quan.")})
    if kind not in RelationKind.values:
        raise ValidationError({"kind": _("Quan hệ “%(value)s” không hợp lệ.") % {"value": kind}})
    if source.pk == target.pk:
        raise ValidationError({"target": _("Một văn bản không thể liên quan đến chính nó.")})
    if DocumentRelation.objects.filter(source=source, target=target, kind=kind).exists():
        raise ValidationError(
            {
                "target": _("Đã ghi quan hệ “%(kind)s” với văn bản %(target)s.")
                % {"kind": RelationKind(kind).label, "target": target}
            }
        )
    relation = DocumentRelation(
        source=source, target=target, kind=kind, note=note.strip(), created_by=actor if actor.pk else None
    )
    relation.full_clean(exclude=["created_by", "source", "target"])
    relation.save()
    audit.record(
        actor=actor,
        action="documents.relation.added",
        target=source,
        unit=source.unit,
        changes={"relation": relation.pk, "kind": kind, "target": target.pk, "note": relation.note},
    )
    return relation


@transaction.atomic
def unrelate_documents(*, actor: User, relation: DocumentRelation) -> None:
    source = relation.source
    require_editor(actor, source)
    audit.record(
        actor=actor,
        action="documents.relation.removed",
        target=source,
        unit=source.unit,
        changes={"relation": relation.pk, "kind": relation.kind, "target": relation.target_id},
    )
    relation.delete()


# --- attachments ------------------------------------------------------------------------------


def _delete_after_commit(field_file: FieldFile) -> None:
    """Remove a stored file once the change that dropped it is committed (a rollback keeps it)."""
    storage, name = field_file.storage, field_file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _store(*, actor: User, document: Document, handle: Any, name: str, size: int) -> Attachment:
    require_editor(actor, document)
    file_type, display_name = files.check_upload(handle, name=name, size=size, field="upload")
    handle.seek(0)
    content = handle.read()
    attachment = Attachment(
        document=document,
        name=display_name,
        content_type=file_type.content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        text=extract.extract_text(content, file_type.content_type),
        uploaded_by=actor if actor.pk else None,
    )
    storage = attachment.file.storage
    stored = storage.save(
        attachment.file.field.generate_filename(attachment, files.storage_name(file_type)), ContentFile(content)
    )
    attachment.file.name = stored
    try:
        attachment.save()
        audit.record(
            actor=actor,
            action="documents.attachment.added",
            target=document,
            unit=document.unit,
            changes={
                "attachment": attachment.pk,
                "name": display_name,
                "size": attachment.size,
                "content_type": attachment.content_type,
            },
        )
        index_documents([document.pk])
    except BaseException:
        # Nothing of this attachment is kept when a later step fails: the row rolls back, the file goes.
        storage.delete(stored)
        raise
    return attachment


@transaction.atomic
def attach_file(*, actor: User, document: Document, upload: File[Any], name: str | None = None) -> Attachment:
    """Attach an uploaded file: PDF, DOCX, XLSX, PNG or JPEG, checked from its content."""
    return _store(actor=actor, document=document, handle=upload, name=name or upload.name or "", size=upload.size or 0)


@transaction.atomic
def attach_bytes(*, actor: User, document: Document, content: bytes, name: str) -> Attachment:
    """Attach a generated file (a document composed in the official layout)."""
    return _store(actor=actor, document=document, handle=io.BytesIO(content), name=name, size=len(content))


@transaction.atomic
def remove_attachment(*, actor: User, attachment: Attachment) -> None:
    document = attachment.document
    require_editor(actor, document)
    _delete_after_commit(attachment.file)
    audit.record(
        actor=actor,
        action="documents.attachment.removed",
        target=document,
        unit=document.unit,
        changes={"attachment": attachment.pk, "name": attachment.name},
    )
    attachment.delete()
    index_documents([document.pk])
