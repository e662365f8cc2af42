"""The app's URLs plus the baselines every benchmark compares against (docs/benchmarks.md).

Neither baseline requires a login: they run through the whole middleware stack, and with the same
session cookie as the targets they pay the same session, user and 2FA work, but no view logic.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from chidao.org.models import Unit
from chidao.urls import urlpatterns as app_urlpatterns


def constant(request: HttpRequest) -> HttpResponse:
    """B0: a fixed small response."""
    return HttpResponse(b"ok", content_type="text/plain")


def unit_by_pk(request: HttpRequest, pk: int) -> JsonResponse:
    """B1: one Unit row by primary key, its name as JSON."""
    unit = Unit.objects.get(pk=pk)
    return JsonResponse({"name": unit.name})


urlpatterns = [
    *app_urlpatterns,
    path("bench/b0/", constant, name="bench_b0"),
    path("bench/b1/<int:pk>/", unit_by_pk, name="bench_b1"),
]
