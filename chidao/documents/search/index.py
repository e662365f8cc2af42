"""Writing search entries. First version: folded copies of the text, written row by row; the
search helper replaces this with the per-database full-text structures."""

from __future__ import annotations

from collections.abc import Iterable

from chidao.documents.models import Document, SearchEntry
from chidao.lib.docnumbers import symbol_key
from chidao.lib.text import fold


def index_documents(ids: Iterable[int]) -> int:
    count = 0
    for document in Document.objects.filter(pk__in=list(ids)).prefetch_related("attachments"):
        body = "\n".join([document.summary, document.full_text, *(a.text for a in document.attachments.all())])
        SearchEntry.objects.update_or_create(
            document=document,
            defaults={
                "unit_id": document.unit_id,
                "kind": document.kind,
                "visibility": document.visibility,
                "issuer_folded": fold(document.issuer),
                "issued_on": document.issued_on,
                "symbol_key": symbol_key(document.symbol),
                "title_folded": fold(document.title),
                "body_folded": fold(body),
            },
        )
        count += 1
    return count


def remove_documents(ids: Iterable[int]) -> None:
    SearchEntry.objects.filter(document_id__in=list(ids)).delete()
