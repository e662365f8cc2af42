"""Audit trail API: read-only, for unit administrators."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from chidao.accounts.models import User
from chidao.audit.queries import entries_for

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    id: int
    at: dt.datetime
    actor_id: int | None
    actor_repr: str
    action: str
    target_type: str
    target_id: str
    target_repr: str
    unit_id: int | None
    changes: dict[str, Any]
    hash: str
    prev_hash: str


@router.get("/entries", response=list[AuditEntryOut])
@paginate(LimitOffsetPagination)
def list_entries(
    request: HttpRequest,
    action: str = "",
    actor: str = "",
    target: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> object:
    user: User = request.user  # type: ignore[assignment]  # django_auth has authenticated the request
    return entries_for(user, action=action, actor=actor, target=target, since=since, until=until)
