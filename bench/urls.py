"""The app's URLs plus the baselines every benchmark compares against (docs/benchmarks.md).

Neither baseline requires a login: they run through the whole middleware stack, and with the same
session cookie as the targets they pay the same session, user and 2FA work, but no view logic.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import F, Sum
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from chidao.accounts.models import User
from chidao.org.models import Unit
from chidao.reporting import queries as reporting_queries
from chidao.reporting import services as reporting_services
from chidao.reporting.models import DataValue, Figure, FormField, Indicator, Period, Report, ReportForm, Status
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


# --- reporting (bench/reporting.py) ---------------------------------------------------------------
# The dashboard's data as the dashboard page builds it: the unit's children x the form's key
# indicators for one month, and the unit's trend over the 60 months up to it. Two ways to the same
# JSON: from the aggregates kept by the roll-up, and from the raw values at request time (naive).

TREND_MONTHS = 60


def _dashboard_inputs(form_pk: int, period_pk: int, unit_pk: int) -> tuple[ReportForm, Period, Unit, list[Indicator]]:
    form = ReportForm.objects.get(pk=form_pk)
    period = Period.objects.get(pk=period_pk)
    unit = Unit.objects.get(pk=unit_pk)
    version = form.current_version()
    fields = FormField.objects.filter(section__version=version).values("indicator_id")
    return form, period, unit, list(Indicator.objects.filter(is_key=True, pk__in=fields).order_by("code"))


def _trend_periods(period: Period) -> list[Period]:
    recent = Period.objects.filter(kind=period.kind, calendar=period.calendar, end__lte=period.end)
    return list(recent.order_by("-start")[:TREND_MONTHS])[::-1]


def _figure(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def _dashboard_json(
    unit: Unit,
    children: list[Unit],
    indicators: list[Indicator],
    table: dict[tuple[int, int], Decimal | None],
    trend_periods: list[Period],
    trend: dict[tuple[int, int], Decimal | None],
) -> JsonResponse:
    codes = [i.code for i in indicators]
    rows = [[u.name, [_figure(table.get((u.pk, i.pk))) for i in indicators]] for u in [unit, *children]]
    line = [[p.label, [_figure(trend.get((p.pk, i.pk))) for i in indicators]] for p in trend_periods]
    return JsonResponse({"indicators": codes, "rows": rows, "trend": line}, json_dumps_params={"ensure_ascii": False})


def _values(
    aggregates: dict[tuple[int, int], Figure], indicators: list[Indicator]
) -> dict[tuple[int, int], Decimal | None]:
    rule = {i.pk: i.aggregation for i in indicators}
    return {key: a.value(rule[a.indicator_id]) for key, a in aggregates.items()}


def reporting_dashboard(request: HttpRequest, form_pk: int, period_pk: int, unit_pk: int) -> JsonResponse:
    """From the aggregates: `queries.dashboard_rows` (the children, then one indexed read of the
    figures of the table and the trend)."""
    form, period, unit, indicators = _dashboard_inputs(form_pk, period_pk, unit_pk)
    months = _trend_periods(period)
    figures = reporting_queries.dashboard_rows(
        form, period, unit, indicators, trend_periods=months, trend_indicators=indicators
    )
    return _dashboard_json(
        unit,
        figures.children,
        indicators,
        _values(figures.by_unit, indicators),
        months,
        _values(figures.trend, indicators),
    )


def reporting_dashboard_naive(request: HttpRequest, form_pk: int, period_pk: int, unit_pk: int) -> JsonResponse:
    """The same JSON summed from the approved raw values at request time (key indicators are sums)."""
    form, period, unit, indicators = _dashboard_inputs(form_pk, period_pk, unit_pk)
    children = list(reporting_queries.existed_during(Unit.objects.filter(parent=unit), period).order_by("name"))
    table: dict[tuple[int, int], Decimal | None] = dict(
        reporting_queries.naive_totals(form, period, [unit, *children], indicators)
    )
    months = _trend_periods(period)
    rows = (
        DataValue.objects.filter(
            report__form=form,
            report__period__in=months,
            report__is_current=True,
            report__status=Status.APPROVED,
            indicator__in=indicators,
            value__isnull=False,
            report__unit__ancestor_links__ancestor=unit,
        )
        .values(period=F("report__period_id"), ind=F("indicator_id"))
        .annotate(total=Sum("value"))
        .order_by()
    )
    trend: dict[tuple[int, int], Decimal | None] = {(r["period"], r["ind"]): r["total"] for r in rows}
    return _dashboard_json(unit, children, indicators, table, months, trend)


def reporting_approve_next(request: HttpRequest, form_pk: int) -> JsonResponse:
    """Approve, through `services.approve_report` (roll-up included), the first submitted report
    of the form in the periods listed in `?periods=`; a GET so that the harness can time it."""
    if not isinstance(request.user, User) or not request.user.is_superuser:
        raise PermissionDenied
    period_ids = [int(p) for p in request.GET.get("periods", "").split(",") if p]
    report = (
        Report.objects.filter(form_id=form_pk, period_id__in=period_ids, status=Status.SUBMITTED).order_by("pk").first()
    )
    if report is None:
        raise Http404("no submitted report left")
    approved = reporting_services.approve_report(actor=request.user, report=report)
    return JsonResponse({"approved": approved.pk, "status": approved.status})


# --- document search (bench/search.py) --------------------------------------------------------------


def search_naive(request: HttpRequest) -> JsonResponse:
    """`naive_search`: every match of `?q=` ranked (bm25 / ts_rank), then the best 20, ids as JSON.
    The path the bounded ranking is compared against; no scope filter (the superuser's view)."""
    from chidao.documents.search.queries import naive_search

    return JsonResponse({"ids": naive_search(request.GET.get("q", ""), limit=20)})


urlpatterns = [
    *app_urlpatterns,
    path("bench/b0/", constant, name="bench_b0"),
    path("bench/b1/<int:pk>/", unit_by_pk, name="bench_b1"),
    path("bench/subtree/<int:pk>/", subtree_query, name="bench_subtree"),
    path("bench/ancestors/<int:pk>/", ancestors_query, name="bench_ancestors"),
    path("bench/reporting/dashboard/<int:form_pk>/<int:period_pk>/<int:unit_pk>/", reporting_dashboard),
    path("bench/reporting/dashboard-naive/<int:form_pk>/<int:period_pk>/<int:unit_pk>/", reporting_dashboard_naive),
    path("bench/reporting/approve-next/<int:form_pk>/", reporting_approve_next),
    path("bench/search/naive/", search_naive),
]
