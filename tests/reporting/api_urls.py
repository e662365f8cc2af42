"""The project's URLs with the reporting router mounted on a test API at /api/reporting/, until the
lead mounts it in chidao/api.py (then tests can use chidao.api.api and drop this module)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from ninja import NinjaAPI
from ninja.security import django_auth

from chidao.reporting.api import router
from chidao.urls import urlpatterns as project_urls

api = NinjaAPI(title="reporting test", version="test", auth=django_auth, urls_namespace="rtest")


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Không có quyền."}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Không tìm thấy."}, status=404)


api.add_router("/reporting", router)

urlpatterns = [path("api/", api.urls), *project_urls]
