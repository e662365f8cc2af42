"""Who and where a change comes from: set per request by the middleware, read by `record()`."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    user_agent: str = ""
    path: str = ""


current_request: ContextVar[RequestContext] = ContextVar("chidao_request", default=RequestContext())  # noqa: B039  # frozen, immutable default
