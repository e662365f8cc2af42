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


def subtree_query(request: HttpRequest, pk: int) -> JsonResponse:
    """The subtree query as B1 runs its query: every current unit under `pk`, names as JSON."""
    unit = Unit.objects.get(pk=pk)
    names = list(Unit.objects.subtree_of(unit).current().values_list("name", flat=True))
    return JsonResponse({"names": names}, json_dumps_params={"ensure_ascii": False})


def ancestors_query(request: HttpRequest, pk: int) -> JsonResponse:
    """The ancestors query as B1 runs its query: names from the root down, as JSON."""
    unit = Unit.objects.get(pk=pk)
    names = list(Unit.objects.ancestors_of(unit).values_list("name", flat=True))
    return JsonResponse({"names": names}, json_dumps_params={"ensure_ascii": False})


urlpatterns = [
    *app_urlpatterns,
    path("bench/b0/", constant, name="bench_b0"),
    path("bench/b1/<int:pk>/", unit_by_pk, name="bench_b1"),
    path("bench/subtree/<int:pk>/", subtree_query, name="bench_subtree"),
    path("bench/ancestors/<int:pk>/", ancestors_query, name="bench_ancestors"),
]
