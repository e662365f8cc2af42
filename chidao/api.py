"""The REST API: one NinjaAPI mounting each app's router, documented at /api/docs.

Errors keep the same keys as the forms: a service's ValidationError answers 422 with
{"detail": {field: [messages]}}; a role that is too low answers 403; out of scope answers 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from chidao.accounts.api import router as accounts_router
from chidao.accounts.services import user_for_api_token
from chidao.audit.api import router as audit_router
from chidao.documents.api import router as documents_router
from chidao.documents.search.api import router as search_router
from chidao.meetings.api import router as meetings_router
from chidao.org.api import router as org_router
from chidao.reporting.api import router as reporting_router
from chidao.schedule.api import router as schedule_router
from chidao.tasks.api import router as tasks_router


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer cd_…` with a token created on the profile page, for other systems.

    The request then acts as the token's owner, with the same scope rules. Tokens skip the TOTP
    step by design, so creating one needs a verified session (see accounts.views)."""

    def authenticate(self, request: HttpRequest, token: str) -> object | None:
        user = user_for_api_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="chidao API",
    version="1",
    description="API của hệ thống điều hành công việc Ban Chỉ đạo. Xác thực bằng phiên đăng nhập (session) kèm CSRF, hoặc khóa API: `Authorization: Bearer <khóa>`.",
    auth=[ApiTokenAuth(), django_auth],
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("Không có quyền.")}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Không tìm thấy.")}, status=404)


api.add_router("/", org_router)
api.add_router("/audit", audit_router)
api.add_router("/accounts", accounts_router)
api.add_router("/reporting", reporting_router)
api.add_router("/meetings", meetings_router)
api.add_router("/tasks", tasks_router)
api.add_router("/calendar", schedule_router)
api.add_router("/documents/search", search_router)
api.add_router("/documents", documents_router)
