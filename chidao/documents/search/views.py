"""The search page: one box, filters, a page of results; htmx swaps only #results."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from chidao.documents.search import queries
from chidao.documents.search.forms import SearchForm
from chidao.http import AuthedRequest


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    form = SearchForm(request.GET or None, user=request.user)
    result = None
    if "q" in request.GET and form.is_valid():
        result = queries.search_documents(
            request.user,
            form.cleaned_data["q"],
            filters=form.filters(),
            page=form.cleaned_data["page"] or 1,
        )
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    context = {
        "form": form,
        "result": result,
        "querystring_base": f"{encoded}&" if encoded else "",
    }
    template = "documents/search.html#results" if request.htmx else "documents/search.html"
    return render(request, template, context)
