"""Searching the registry: one page of results with a bounded cost, whatever the query.

Rules: the scope is `visible_document_q` (the same as `Document.objects.visible_to`), read once
per search as lists of unit ids (`DocumentScope`) and applied inside every full-text query and to
the page's documents, so results, counts and snippets never reach a document out of scope. The
scope and the filters also go into the full-text query as index tokens (search/tokens.py): the
engine intersects them with the words instead of walking every match.
Ranking is by tiers, each read newest first and only as deep as the page needs:
  1. the document whose number and symbol the query names ("35-NQ/TW", "35/NQ-TW", "nq 35");
  2. titles containing the whole query word for word;
  3. titles containing every word;
  4. documents containing every word anywhere.
No tier ranks all its matches: "đảng" matches a third of the registry and costs one page. The
total is exact up to TOTAL_CAP and an estimate ("khoảng N") beyond.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chidao.documents.models import Attachment, Document, DocumentScope, SearchEntry, document_scope
from chidao.documents.search.backends import backend
from chidao.documents.search.index import recency_key
from chidao.documents.search.query import MIN_QUERY_LENGTH, Match, ParsedQuery, Symbol, parse_query
from chidao.documents.search.text import index_fold, mark, match_pattern, snippet
from chidao.documents.search.tokens import token_filter
from chidao.org.models import UnitClosure

if TYPE_CHECKING:
    from chidao.org.scope import AnyUser

PAGE_SIZE = 20
TOTAL_CAP = 1000
MAX_PAGE = TOTAL_CAP // PAGE_SIZE
__all__ = ["MIN_QUERY_LENGTH", "Filters", "naive_search", "search_documents"]

REASONS: dict[str, Any] = {
    "symbol": _("Đúng số, ký hiệu"),
    "title_phrase": _("Trích yếu chứa nguyên cụm từ"),
    "title": _("Trích yếu chứa các từ tìm"),
    "body": _("Nội dung chứa các từ tìm"),
}


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    issuer: str = ""
    year: int | None = None
    unit_id: int | None = None


@dataclass
class Hit:
    document: Document
    reason: str
    title_html: str
    snippet_html: str

    @property
    def reason_label(self) -> str:
        return str(REASONS[self.reason])


@dataclass
class SearchPage:
    query: ParsedQuery
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    total_exact: bool = True
    page: int = 1

    @property
    def message(self) -> str:
        """What to tell the user instead of results: nothing typed, too short, nothing found."""
        if self.query.is_empty and self.query.symbol is None:
            return str(_("Nhập số, ký hiệu hoặc từ khóa để tìm văn bản."))
        if self.query.too_short:
            return str(_("Từ khóa quá ngắn: hãy nhập ít nhất %(n)s chữ hoặc số.") % {"n": MIN_QUERY_LENGTH})
        if not self.hits:
            return str(_("Không tìm thấy văn bản nào khớp với “%(q)s”.") % {"q": self.query.raw})
        return ""

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        shown = (self.page - 1) * PAGE_SIZE + len(self.hits)
        return len(self.hits) == PAGE_SIZE and shown < self.total and self.page < MAX_PAGE


def _scope_sql(scope: DocumentScope, filters: Filters) -> tuple[str, list[Any]] | None:
    """The WHERE clause (on the entry table, unaliased) of the scope and the filters, compiled
    by the ORM from the same rule as `Document.objects.visible_to`; None when nothing can match."""
    condition = scope.q()
    if filters.kind:
        condition &= Q(kind=filters.kind)
    if filters.year is not None:
        first, last = dt.date(filters.year, 1, 1), dt.date(filters.year, 12, 31)
        # The same range as recency keys too: a walk of the recency index newest first (PostgreSQL
        # past its GIN probe) then starts at the year's end instead of today.
        condition &= Q(issued_on__gte=first, issued_on__lte=last)
        condition &= Q(
            recency_key__gte=recency_key(first, 0), recency_key__lt=recency_key(last + dt.timedelta(days=1), 0)
        )
    if filters.unit_id is not None:
        condition &= Q(unit__in=UnitClosure.objects.filter(ancestor_id=filters.unit_id).values("descendant_id"))
    if filters.issuer:
        condition &= Q(issuer_folded__contains=index_fold(filters.issuer))
    query = SearchEntry.objects.filter(condition).query
    compiler = query.get_compiler(connection=connection)
    try:
        sql, params = compiler.compile(query.where)
    except EmptyResultSet:
        return None
    except FullResultSet:
        return "1=1", []
    return (sql or "1=1"), list(params)


def _symbol_hits(symbol: Symbol, where: str, params: list[Any], limit: int) -> list[int]:
    table = SearchEntry._meta.db_table
    conditions = ["symbol_number = %s"]
    values: list[Any] = [symbol.number]
    if symbol.type_code:
        conditions.append("symbol_type = %s")
        values.append(symbol.type_code)
    if symbol.issuer_code:
        conditions.append("symbol_issuer = %s")
        values.append(symbol.issuer_code)
    order: list[str] = []
    order_values: list[Any] = []
    if symbol.written:
        # The number written as typed first: "08-CT/TU" before another body's "8-CT/TU".
        written_as = f"(SELECT d.symbol FROM {Document._meta.db_table} d WHERE d.id = document_id)"  # noqa: S608
        order.append(f"CASE WHEN {written_as} LIKE %s OR {written_as} LIKE %s THEN 0 ELSE 1 END")
        order_values += [f"{symbol.written}-%", f"{symbol.written}/%"]
    if symbol.year is not None:
        # The symbol's own year first: "15/2024/NQ-HĐND" before the same council's 15/2026.
        order.append("CASE WHEN issued_on >= %s AND issued_on <= %s THEN 0 ELSE 1 END")
        adapt = connection.ops.adapt_datefield_value
        order_values += [adapt(dt.date(symbol.year, 1, 1)), adapt(dt.date(symbol.year, 12, 31))]
    order.append("recency_key DESC")
    sql = (
        f"SELECT document_id FROM {table} WHERE {' AND '.join(conditions)} AND ({where}) "  # noqa: S608  # our table names; values are parameters
        f"ORDER BY {', '.join(order)} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *params, *order_values, limit])
        return [row[0] for row in cursor.fetchall()]


def _tiers(parsed: ParsedQuery) -> list[tuple[str, Match | Symbol]]:
    tiers: list[tuple[str, Match | Symbol]] = []
    if parsed.symbol is not None:
        tiers.append(("symbol", parsed.symbol))
    if not parsed.is_empty:
        phrase = parsed.title_phrase()
        if phrase is not None:
            tiers.append(("title_phrase", phrase))
        tiers.append(("title", parsed.match("title")))
        tiers.append(("body", parsed.match("any")))
    return tiers


def search_documents(
    user: AnyUser,
    text: str,
    *,
    filters: Filters | None = None,
    page: int = 1,
) -> SearchPage:
    """The page `page` of the documents `user` may read that match `text` and `filters`."""
    parsed = parse_query(text)
    page = max(1, min(page, MAX_PAGE))
    result = SearchPage(query=parsed, page=page)
    if parsed.too_short:
        return result
    filters = filters or Filters()
    # The user's scope is read once: each statement below and the page's documents apply it.
    scope = document_scope(user)
    if scope is None:
        return result
    scoped = _scope_sql(scope, filters)
    if scoped is None:
        return result
    where, params = scoped
    # The same scope and filters as tokens of the index: the full-text engine intersects them
    # with the words; `where` still checks the rows it returns.
    tokens = token_filter(
        user,
        kind=filters.kind,
        year=filters.year,
        unit_id=filters.unit_id,
        issuer_words=index_fold(filters.issuer).split(),
        scope=scope,
    )
    engine = backend()
    wanted = page * PAGE_SIZE
    ranked: dict[int, str] = {}
    symbol_total = 0
    for reason, tier in _tiers(parsed):
        if isinstance(tier, Symbol):
            ids = _symbol_hits(tier, where, params, wanted + len(ranked))
            symbol_total = len(ids)
        elif len(ranked) >= wanted:
            break
        else:
            ids = engine.hits(tier, where, params, wanted + len(ranked), tokens)
        for document_id in ids:
            ranked.setdefault(document_id, reason)
    if not parsed.is_empty:
        result.total, result.total_exact = engine.count(parsed.match("any"), where, params, TOTAL_CAP, tokens)
    result.total = max(result.total, symbol_total, len(ranked))
    page_ids = list(ranked)[(page - 1) * PAGE_SIZE : wanted]
    result.hits = _hits(scope, parsed, page_ids, ranked)
    return result


def _hits(scope: DocumentScope, parsed: ParsedQuery, ids: list[int], reasons: dict[int, str]) -> list[Hit]:
    """The page's documents with their highlighted title and snippet; only these rows are read,
    and only those in the scope (checked again on the registry's own rows)."""
    if not ids:
        return []
    documents = Document.objects.filter(pk__in=ids).only(
        "pk", "kind", "symbol", "issuer", "issued_on", "title", "summary", "full_text", "unit_id", "visibility"
    )
    if scope.everything or scope.units is not None:
        # Checked here from the same lists: beside `pk IN`, a condition of lists turns SQLite to
        # an index of the scope's columns (15 ms instead of 0.3 ms at 200,000 documents).
        by_id = {d.pk: d for d in documents if scope.reads(d.unit_id, d.visibility)}
    else:
        by_id = {d.pk: d for d in documents.filter(scope.q())}
    # The whole query word for word is marked alone when a text holds it: "bảo vệ nền tảng", not
    # every "về" and "tăng" that fold to the same letters.
    phrase = parsed.title_phrase()
    patterns = [p for p in (match_pattern(phrase.groups) if phrase else None, match_pattern(parsed.groups)) if p]
    hits = []
    for document_id in ids:
        document = by_id.get(document_id)
        if document is None:
            continue
        texts = [document.summary, document.full_text]
        hits.append(
            Hit(
                document=document,
                reason=reasons[document_id],
                title_html=mark(document.title, _first_matching(patterns, [document.title])),
                snippet_html=snippet(texts, _first_matching(patterns, texts)),
            )
        )
    bare = [h for h in hits if "<mark>" not in h.snippet_html]
    if bare and patterns:
        # The words were found only in an attached file's text.
        attached_texts: dict[int, list[str]] = {}
        rows = Attachment.objects.filter(document_id__in=[h.document.pk for h in bare]).exclude(text="")
        for document_id, text in rows.values_list("document_id", "text"):
            attached_texts.setdefault(document_id, []).append(text)
        for hit in bare:
            attached = attached_texts.get(hit.document.pk, [])
            found = snippet(attached, _first_matching(patterns, attached))
            if "<mark>" in found:
                hit.snippet_html = found
    return hits


def _first_matching(patterns: list[re.Pattern[str]], texts: list[str]) -> re.Pattern[str] | None:
    for pattern in patterns:
        if any(pattern.search(t) for t in texts):
            return pattern
    return patterns[-1] if patterns else None


def naive_search(query: str, limit: int = 20) -> list[int]:
    """Rank every match (bm25 on SQLite, ts_rank on PostgreSQL) and keep the best `limit`, without
    scope: the path the benchmark compares the bounded ranking with. Not for pages."""
    parsed = parse_query(query)
    if parsed.is_empty:
        return []
    return backend().naive(parsed.match("any"), limit)
