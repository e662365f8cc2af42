"""Vietnamese full-text search of the document registry.

The registry's services call `index_documents` after every write, in the same transaction; the
search reads only `SearchEntry` and the full-text structures built from it.
"""

from __future__ import annotations

from collections.abc import Iterable


def index_documents(ids: Iterable[int]) -> int:
    """(Re)build the search entries of the documents `ids`; returns how many were written."""
    from chidao.documents.search.index import index_documents as _index

    return _index(ids)


def remove_documents(ids: Iterable[int]) -> None:
    """Drop the search entries of the documents `ids` (deleted documents)."""
    from chidao.documents.search.index import remove_documents as _remove

    _remove(ids)


def reindex_units(unit_ids: Iterable[int]) -> int:
    """Rewrite the entries of the documents owned by `unit_ids` and the units below them: after a
    unit moves in the tree, their ancestor tokens (search/tokens.py) are stale until this runs."""
    from chidao.documents.search.index import reindex_units as _reindex

    return _reindex(unit_ids)
