"""Document search tests. `make_document` writes a registry row and indexes it, the way the
registry's services do inside their transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chidao.documents.models import Document
from chidao.documents.search import index_documents
from chidao.org.models import Unit


def make_document(unit: Unit, title: str, *, index: bool = True, **fields: Any) -> Document:
    values: dict[str, Any] = {
        "kind": "plan",
        "symbol": "",
        "issuer": "Ban Thường vụ Thành ủy Đà Nẵng",
        "issued_on": dt.date(2024, 5, 10),
        "visibility": "subtree",
    }
    values.update(fields)
    document = Document.objects.create(unit=unit, title=title, **values)
    if index:
        index_documents([document.pk])
    return document
