"""Receivers keeping the documents search in step with the organisation."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def reindex_moved_units(sender: Any, unit_ids: list[int], **kwargs: Any) -> None:
    """Units moved under another parent: their documents' ancestor tokens are rewritten once the
    move is committed (until then a search misses those documents; it never shows one out of scope)."""
    from chidao.documents.search import reindex_units

    ids = list(unit_ids)
    transaction.on_commit(lambda: reindex_units(ids))
