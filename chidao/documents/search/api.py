"""Search API: the same search, filters and scope rules as the search page.

GET /api/documents/search?q=&kind=&issuer=&year=&unit=&page= → a page of 20 results; a bad filter
answers 422 with the field's name as the key, like the page's form errors.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema

from chidao.documents.search import queries
from chidao.documents.search.forms import SearchForm

router = Router(tags=["search"])


class SearchHitOut(Schema):
    id: int
    symbol: str
    title: str
    kind: str
    issuer: str
    issued_on: dt.date
    url: str
    title_html: str
    snippet: str
    rank_reason: str
    rank_reason_label: str


class SearchOut(Schema):
    query: str
    page: int
    total: int
    total_exact: bool
    has_next: bool
    message: str
    results: list[SearchHitOut]


@router.get("", response=SearchOut)
def search(
    request: HttpRequest,
    q: str = "",
    kind: str = "",
    issuer: str = "",
    year: str = "",
    unit: str = "",
    page: str = "",
) -> SearchOut:
    form = SearchForm(
        {"q": q, "kind": kind, "issuer": issuer, "year": year, "unit": unit, "page": page},
        user=request.user,
    )
    if not form.is_valid():
        raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
    result = queries.search_documents(
        request.user,
        form.cleaned_data["q"],
        filters=form.filters(),
        page=form.cleaned_data["page"] or 1,
    )
    return SearchOut(
        query=form.cleaned_data["q"],
        page=result.page,
        total=result.total,
        total_exact=result.total_exact,
        has_next=result.has_next,
        message=result.message,
        results=[
            SearchHitOut(
                id=hit.document.pk,
                symbol=hit.document.symbol,
                title=hit.document.title,
                kind=hit.document.kind,
                issuer=hit.document.issuer,
                issued_on=hit.document.issued_on,
                url=hit.document.get_absolute_url(),
                title_html=hit.title_html,
                snippet=hit.snippet_html,
                rank_reason=hit.reason,
                rank_reason_label=hit.reason_label,
            )
            for hit in result.hits
        ],
    )
