"""Reads of the document registry for pages, the API and other apps.

Every read starts from `Document.objects.visible_to(user)` (see `visible_document_q`): a user reads
the documents of the units under their grants, the "subtree" documents of the units above them and
public documents. Relations and "implemented by" lists show only documents the user may read.
The text filter here is a simple folded "contains" on title and symbol; the ranked search box is
`chidao.documents.search`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chidao.documents.models import (
    INVERSE_LABELS,
    Attachment,
    Document,
    DocumentKind,
    DocumentQuerySet,
    DocumentRelation,
    RelationKind,
)
from chidao.documents.search.text import index_fold
from chidao.documents.services import EDITOR
from chidao.lib.docnumbers import symbol_key
from chidao.org.models import Unit, UnitClosure
from chidao.org.scope import get_visible_or_404, grant_unit_ids

if TYPE_CHECKING:
    from chidao.org.scope import AnyUser

# Kinds whose page lists "Các văn bản triển khai": the documents that carry them out.
IMPLEMENTED_KINDS = {DocumentKind.RESOLUTION, DocumentKind.DIRECTIVE, DocumentKind.CONCLUSION}


def visible_documents(user: AnyUser) -> DocumentQuerySet:
    return Document.objects.visible_to(user)


def documents_for(
    user: AnyUser,
    *,
    kind: str = "",
    direction: str = "",
    year: int | None = None,
    issuer: str = "",
    unit_id: int | None = None,
    text: str = "",
) -> DocumentQuerySet:
    """The register as the user may read it, filtered; newest first."""
    qs = visible_documents(user).select_related("unit")
    if kind:
        qs = qs.filter(kind=kind)
    if direction:
        qs = qs.filter(direction=direction)
    if year is not None:
        qs = qs.in_year(year)
    if issuer.strip():
        qs = qs.filter(search_entry__issuer_folded__contains=index_fold(issuer))
    if unit_id is not None:
        qs = qs.filter(unit__in=UnitClosure.objects.filter(ancestor_id=unit_id).values("descendant_id"))
    text = text.strip()
    if text:
        condition = Q(search_entry__title_folded__contains=index_fold(text))
        key = symbol_key(text)
        if key:
            condition |= Q(symbol_key__contains=key)
        qs = qs.filter(condition)
    return qs.order_by("-issued_on", "-id")


def document_years(user: AnyUser) -> list[int]:
    """Years for the filter, newest first: from this year back to the oldest visible document (one
    ordered row, not a DISTINCT over the whole register)."""
    oldest = visible_documents(user).order_by("issued_on").values_list("issued_on", flat=True).first()
    this_year = timezone.localdate().year
    if oldest is None:
        return [this_year]
    return list(range(max(this_year, oldest.year), oldest.year - 1, -1))


def filter_units(user: AnyUser, limit: int = 500) -> Any:
    """Units for the "unit and below" filter: those under the user's grants and those above them
    (whose "subtree" documents the user reads), top levels first."""
    above = UnitClosure.objects.filter(descendant_id__in=grant_unit_ids(user)).values("ancestor_id")
    condition = Q(pk__in=Unit.objects.visible_to(user).values("pk")) | Q(pk__in=above)
    return Unit.objects.filter(condition).order_by("depth", "name")[:limit]


def editable_units(user: AnyUser, *, keep: int | None = None) -> Any:
    """Units whose register the user may write to (secretariat or higher), current ones only, plus
    `keep` (a document's own unit, which may have ended in a reorganisation) if the user may write there."""
    editable = Unit.objects.visible_to(user, minimum_role=EDITOR)
    condition = Q(pk__in=editable.current().values("pk"))
    if keep is not None:
        condition |= Q(pk=keep, pk__in=editable.values("pk"))
    return Unit.objects.filter(condition).order_by("depth", "name")


def can_register(user: AnyUser) -> bool:
    return Unit.objects.visible_to(user, minimum_role=EDITOR).exists()


def document_or_404(user: AnyUser, pk: Any) -> Document:
    return get_visible_or_404(Document.objects.select_related("unit", "created_by"), user, pk=pk)


def attachment_or_404(user: AnyUser, pk: Any) -> Attachment:
    attachment: Attachment = get_visible_or_404(Attachment.objects.select_related("document__unit"), user, pk=pk)
    return attachment


def relation_or_404(user: AnyUser, pk: Any) -> DocumentRelation:
    """A relation whose source document the user may read (404 otherwise)."""
    try:
        return DocumentRelation.objects.select_related("source__unit", "target").get(
            pk=pk, source__in=visible_documents(user).values("pk")
        )
    except (DocumentRelation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy.")) from exc


def find_documents(user: AnyUser, reference: str, *, exclude: int | None = None, limit: int = 10) -> list[Document]:
    """Visible documents a typed reference points at: "#123" (the id) or a number and symbol
    ("35-NQ/TW", typed with or without diacritics and spaces)."""
    reference = reference.strip()
    qs = visible_documents(user).select_related("unit")
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if reference.startswith("#") and reference[1:].isdigit():
        return list(qs.filter(pk=int(reference[1:])))
    key = symbol_key(reference)
    if not key:
        return []
    return list(qs.filter(symbol_key=key).order_by("-issued_on", "-id")[:limit])


@dataclass
class RelatedRow:
    relation: DocumentRelation
    document: Document
    label: str


@dataclass
class DocumentDetail:
    attachments: list[Attachment]
    outgoing: list[RelatedRow]
    incoming: list[RelatedRow]
    implementations: list[tuple[Document, int]] = field(default_factory=list)


def document_detail(document: Document, user: AnyUser) -> DocumentDetail:
    """What the page shows: attachments, relations both ways (only to documents the user may read)
    and, for a resolution, directive or conclusion, every document implementing it (and those that
    implement these in turn), with their level (1 or 2)."""
    visible = visible_documents(user).values("pk")
    relations = DocumentRelation.objects.select_related("source__unit", "target__unit").order_by("kind", "id")
    outgoing = [
        RelatedRow(r, r.target, str(r.get_kind_display()))
        for r in relations.filter(source=document, target__in=visible)
    ]
    incoming = [
        RelatedRow(r, r.source, str(INVERSE_LABELS[r.kind]))
        for r in relations.filter(target=document, source__in=visible)
    ]
    implementations: list[tuple[Document, int]] = []
    if document.kind in IMPLEMENTED_KINDS:
        first = visible_documents(user).filter(
            outgoing_relations__target=document, outgoing_relations__kind=RelationKind.IMPLEMENTS
        )
        second = visible_documents(user).filter(
            outgoing_relations__target__in=first.values("pk"), outgoing_relations__kind=RelationKind.IMPLEMENTS
        )
        direct = {d.pk for d in first.only("pk")}
        rows = (
            visible_documents(user)
            .filter(Q(pk__in=first.values("pk")) | Q(pk__in=second.values("pk")))
            .exclude(pk=document.pk)
            .select_related("unit")
            .order_by("unit__depth", "-issued_on", "-id")
        )
        implementations = [(d, 1 if d.pk in direct else 2) for d in rows]
    attachments = list(
        document.attachments.order_by("id").only(
            "id", "document_id", "name", "content_type", "size", "uploaded_at", "file"
        )
    )
    return DocumentDetail(
        attachments=attachments, outgoing=outgoing, incoming=incoming, implementations=implementations
    )
