"""The audit trail pages: filterable list and one entry, for unit administrators."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from chidao.audit.models import AuditEntry
from chidao.audit.queries import entries_for
from chidao.http import AuthedRequest
from chidao.org.scope import get_visible_or_404


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def entry_list(request: AuthedRequest) -> HttpResponse:
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    target = request.GET.get("target", "").strip()
    since, until = _day(request.GET.get("since")), _day(request.GET.get("until"))
    filters = {
        "action": action,
        "actor": actor,
        "target": target,
        "since": since,
        "until": until,
    }
    qs = entries_for(
        request.user,
        action=action,
        actor=actor,
        target=target,
        since=since,
        until=until,
    )
    params = request.GET.copy()
    params.pop("page", None)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "filters": filters,
        "querystring_base": f"{params.urlencode()}&" if params else "",
    }
    template = "audit/entry_list.html#rows" if request.htmx else "audit/entry_list.html"
    return render(request, template, context)


@login_required
def entry_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    entry = get_visible_or_404(
        AuditEntry.objects.select_related("unit").visible_to(request.user, minimum_role="committee_admin"),
        request.user,
        pk=pk,
    )
    return render(request, "audit/entry_detail.html", {"entry": entry})
