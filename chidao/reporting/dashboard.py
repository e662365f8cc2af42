"""Dashboards of periodic reporting (bảng điều khiển): key figures, trend, comparison of the units
below, completeness, and the drill-down to the approved values behind each figure.

Figures come only from the Aggregate table, kept current when reports are approved: a dashboard
never sums raw values at request time, and its query count does not grow with the number of units
or periods shown.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from html import escape
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from chidao.http import AuthedRequest
from chidao.lib import periods
from chidao.org import queries as org_queries
from chidao.org.models import Unit
from chidao.org.scope import get_visible_or_404
from chidao.reporting import charts, queries, services
from chidao.reporting.models import Aggregate, Figure, FormField, Indicator, Period, ReportForm

# How many periods the trend shows, by periodicity.
TREND_LENGTH = {periods.Kind.MONTH: 12, periods.Kind.QUARTER: 8}
TREND_DEFAULT = 5
KEY_FALLBACK = 3
# The period picker lists this many of the form's periods, newest first.
PERIOD_CHOICES = 40


@dataclass
class Cell:
    indicator: Indicator
    value: Decimal | None
    text: str
    url: str


@dataclass
class Row:
    unit: Unit
    cells: list[Cell]
    url: str
    pre_reform: bool = False
    successor: Unit | None = None

    def value_of(self, indicator_id: int) -> Decimal | None:
        return next((c.value for c in self.cells if c.indicator.pk == indicator_id), None)


@dataclass
class Card:
    indicator: Indicator
    text: str
    count: int
    updated_at: dt.datetime | None
    url: str
    trend: str = ""


@dataclass
class Params:
    """The dashboard's query string: everything a link must carry to rebuild the same view."""

    form: ReportForm
    period: Period
    unit: Unit
    history: bool = False
    sort: str = ""
    direction: str = "asc"
    chart: str = ""
    all_columns: bool = False  # the comparison shows key indicators unless asked for all
    _unit_url: tuple[str, str] | None = field(default=None, init=False, repr=False, compare=False)

    def url(self, **changes: Any) -> str:
        query: dict[str, Any] = {"form": self.form.pk, "period": self.period.pk, "unit": self.unit.pk}
        if self.history:
            query["history"] = 1
        if self.all_columns:
            query["columns"] = "all"
        for key, kept in (("sort", self.sort), ("dir", self.direction), ("chart", self.chart)):
            if kept and not (key == "dir" and not self.sort):
                query[key] = kept
        for key, change in changes.items():
            name = "dir" if key == "direction" else key
            value = change.pk if isinstance(change, Unit) else change
            if value in (None, "", False):
                query.pop(name, None)
            else:
                query[name] = value
        return f"{_dashboard_path()}?{urlencode(query)}"

    def unit_url(self, unit_pk: int) -> str:
        """`url(unit=...)`, for the rows of a table: the query string is encoded once per Params."""
        if self._unit_url is None:
            head, tail = self.url(unit=Unit(pk=1111111111)).split("1111111111", 1)
            self._unit_url = (head, tail)
        return f"{self._unit_url[0]}{unit_pk}{self._unit_url[1]}"


# A national page links every cell: reversing hundreds of URLs per request cost more than the
# data, so the paths are reversed once and filled in.
@cache
def _dashboard_path() -> str:
    return reverse("reporting:dashboard")


@cache
def _drilldown_parts() -> tuple[str, ...]:
    """The drill-down path split around its four ids (form, period, unit, indicator)."""
    pattern = reverse("reporting:drilldown", args=[1111111111, 2222222222, 3333333333, 4444444444])
    parts: list[str] = []
    for marker in ("1111111111", "2222222222", "3333333333", "4444444444"):
        head, pattern = pattern.split(marker, 1)
        parts.append(head)
    return (*parts, pattern)


def _drilldown_url(form: ReportForm, period: Period, unit: Unit, indicator: Indicator) -> str:
    a, b, c, d, e = _drilldown_parts()
    return f"{a}{form.pk}{b}{period.pk}{c}{unit.pk}{d}{indicator.pk}{e}"


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def _choose_form(request: AuthedRequest) -> tuple[ReportForm | None, list[ReportForm]]:
    forms = list(
        ReportForm.objects.visible_to(request.user).filter(assignments__isnull=False).distinct().order_by("code")
    )
    wanted = request.GET.get("form")
    if not wanted:
        return (forms[0] if forms else None), forms
    form = next((f for f in forms if str(f.pk) == wanted), None)
    if form is None:
        raise Http404(_("Không tìm thấy biểu mẫu."))
    return form, forms


def _choose_unit(request: AuthedRequest) -> Unit:
    if request.GET.get("unit"):
        return get_visible_or_404(Unit.objects.all(), request.user, pk=request.GET["unit"])
    unit = org_queries.current_unit_for(request)
    if unit is None:
        raise Http404(_("Bạn chưa được phân quyền tại đơn vị nào."))
    return unit


def _choose_period(request: AuthedRequest, form: ReportForm, unit: Unit, choices: list[Period]) -> Period | None:
    """The period asked for (if it is one of the form's), else the latest with figures, else the current one."""
    wanted = _int(request.GET.get("period"))
    if wanted is not None:
        chosen = next((p for p in choices if p.pk == wanted), None)
        if chosen is None:
            chosen = Period.objects.filter(pk=wanted, kind=form.periodicity, calendar=form.calendar).first()
        if chosen is not None:
            return chosen
    latest = (
        Aggregate.objects.visible_to(request.user)
        .filter(form=form, unit=unit, count__gt=0)
        .select_related("period")
        .order_by("-period__start")
        .first()
    )
    if latest is not None:
        return latest.period
    if form.periodicity == periods.Kind.CUSTOM:
        return choices[0] if choices else None
    span = periods.containing(timezone.localdate(), form.periodicity, form.calendar)
    return services.ensure_period(span.kind, span.year, span.number, span.calendar)


def _indicators(form: ReportForm) -> list[Indicator]:
    """Numeric indicators of the form's current version, in form order."""
    current = form.versions.filter(published_at__isnull=False).order_by("-number").values("pk")[:1]
    fields = (
        FormField.objects.filter(section__version=Subquery(current))
        .select_related("indicator")
        .order_by("section__order", "section_id", "order", "id")
    )
    return [f.indicator for f in fields if f.indicator.is_numeric]


def _short_label(span: periods.Span) -> str:
    if span.kind == periods.Kind.MONTH:
        return f"{span.number}/{span.year}"
    return span.label


def _trend_spans(period: Period) -> list[periods.Span]:
    if period.kind == periods.Kind.CUSTOM:
        return []
    spans = [period.span()]
    for _i in range(TREND_LENGTH.get(periods.Kind(period.kind), TREND_DEFAULT) - 1):
        spans.insert(0, periods.previous(spans[0]))
    return spans


def _trend_periods(period: Period, spans: list[periods.Span], loaded: list[Period]) -> dict[tuple[int, int], Period]:
    """The stored periods of the trend by (year, number). `loaded` are the newest periods of the
    form's kind, newest first (the period picker's): read again only when the trend reaches back
    beyond them."""
    by_span = {(p.year, p.number): p for p in loaded}
    complete = len(loaded) < PERIOD_CHOICES or (loaded and loaded[-1].start <= spans[0].start)
    if spans and not complete:
        stored = Period.objects.filter(
            kind=period.kind, calendar=period.calendar, start__gte=spans[0].start, end__lte=spans[-1].end
        )
        by_span.update({(p.year, p.number): p for p in stored})
    wanted = {(span.year, span.number) for span in spans}
    return {key: p for key, p in by_span.items() if key in wanted}


def _trend_charts(
    unit: Unit,
    key: list[Indicator],
    spans: list[periods.Span],
    by_span: dict[tuple[int, int], Period],
    found: dict[tuple[int, int], Figure],
) -> dict[int, str]:
    """One line chart per key indicator over the last periods."""
    if not spans or not key:
        return {}
    labels = [(_short_label(span), by_span.get((span.year, span.number))) for span in spans]
    result: dict[int, str] = {}
    for indicator in key:
        points: list[tuple[str, charts.Number | None]] = []
        for label, p in labels:
            agg = found.get((p.pk, indicator.pk)) if p is not None else None
            points.append((label, agg.value(indicator.aggregation) if agg is not None else None))
        title = _("%(indicator)s qua các kỳ — %(unit)s") % {"indicator": indicator.name, "unit": unit.name}
        result[indicator.pk] = mark_safe(charts.line_chart([(indicator.name, points)], title=title))  # noqa: S308  # charts escape every label
    return result


def _row(params: Params, unit: Unit, indicators: list[Indicator], aggs: dict[tuple[int, int], Figure]) -> Row:
    a, b, c, d, e = _drilldown_parts()
    prefix = f"{a}{params.form.pk}{b}{params.period.pk}{c}{unit.pk}{d}"
    cells = []
    for indicator in indicators:
        agg = aggs.get((unit.pk, indicator.pk))
        value = agg.value(indicator.aggregation) if agg is not None else None
        url = f"{prefix}{indicator.pk}{e}"
        cells.append(Cell(indicator=indicator, value=value, text=charts.format_number(value), url=url))
    return Row(unit=unit, cells=cells, url=params.unit_url(unit.pk))


def _sorted(rows: list[Row], params: Params, indicators: list[Indicator]) -> list[Row]:
    target = next((i for i in indicators if i.code == params.sort), None)
    reverse_ = params.direction == "desc"
    if target is None:
        return sorted(rows, key=lambda r: r.unit.name, reverse=reverse_ and params.sort == "name")
    present = [r for r in rows if r.value_of(target.pk) is not None]
    missing = [r for r in rows if r.value_of(target.pk) is None]
    present.sort(key=lambda r: r.value_of(target.pk) or Decimal(0), reverse=reverse_)
    return present + sorted(missing, key=lambda r: r.unit.name)


def _comparison(
    request: AuthedRequest, params: Params, indicators: list[Indicator], figures: queries.DashboardFigures
) -> list[Row]:
    """Rows of the units directly below, each followed (with ?history=1) by the units merged into it."""
    children, aggs = figures.children, figures.by_unit
    rows = _sorted([_row(params, c, indicators, aggs) for c in children], params, indicators)
    if not params.history:
        return rows
    predecessors = list(
        Unit.objects.visible_to(request.user)
        .filter(successor__in=[params.unit, *children])
        .select_related("successor")
        .order_by("name")
    )
    old = queries.aggregates(params.form, params.period, predecessors, indicators)
    merged_into: dict[int, list[Row]] = defaultdict(list)
    for p in predecessors:
        row = _row(params, p, indicators, old)
        row.pre_reform, row.successor = True, p.successor
        merged_into[p.successor_id or 0].append(row)
    result: list[Row] = []
    for row in rows:
        result += [row, *merged_into[row.unit.pk]]
    return [*result, *merged_into[params.unit.pk]]


def _completeness_url(params: Params) -> str | None:
    try:
        url = reverse("reporting:completeness", args=[params.form.pk, params.period.pk])
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode({'unit': params.unit.pk})}"


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    form, forms = _choose_form(request)
    unit = _choose_unit(request)
    context: dict[str, Any] = {"forms": forms, "form": form, "unit": unit}
    if form is None:
        return render(request, "reporting/dashboard.html", context)
    choices = list(
        Period.objects.filter(kind=form.periodicity, calendar=form.calendar).order_by("-start")[:PERIOD_CHOICES]
    )
    period = _choose_period(request, form, unit, choices)
    if period is None:
        return render(request, "reporting/dashboard.html", context)
    if period not in choices:
        choices.insert(0, period)
    indicators = _indicators(form)
    key = [i for i in indicators if i.is_key] or indicators[:KEY_FALLBACK]
    all_columns = request.GET.get("columns") == "all"
    # A form may have fifty indicators: the table compares the key ones unless asked for all.
    table = indicators if all_columns else key
    codes = {i.code for i in table}
    sort = request.GET.get("sort", "")
    params = Params(
        form=form,
        period=period,
        unit=unit,
        history=request.GET.get("history") == "1",
        sort=sort if sort in codes or sort == "name" else "",
        direction="desc" if request.GET.get("dir") == "desc" else "asc",
        chart=request.GET.get("chart", "") if request.GET.get("chart", "") in codes else "",
        all_columns=all_columns,
    )
    comparison_only = bool(request.htmx and request.htmx.target == "comparison")
    spans = [] if comparison_only else _trend_spans(period)
    trend_periods = _trend_periods(period, spans, choices)
    figures = queries.dashboard_rows(
        form,
        period,
        unit,
        table,
        trend_periods=list(trend_periods.values()),
        trend_indicators=key,
        with_completeness=not comparison_only,
    )
    aggs = figures.by_unit
    rows = _comparison(request, params, table, figures)
    by_code = {i.code: i for i in table}
    chart_indicator = by_code.get(params.chart) or by_code.get(params.sort) or (key[0] if key else None)
    context.update(
        params=params,
        period=period,
        periods=choices,
        indicators=table,
        hidden_columns=len(indicators) - len(table),
        columns_url=params.url(columns="" if all_columns else "all"),
        rows=rows,
        rows_html=_rows_html(rows),
        headers=_headers(params, table),
        chart_indicator=chart_indicator,
        chart_links=[(i, params.url(chart=i.code)) for i in table],
        bar_chart=_bar_chart(rows, chart_indicator, unit),
        crumbs=[(u, params.url(unit=u)) for u in org_queries.ancestors(unit, request.user)[:-1]]
        if unit.parent_id is not None
        else [],
    )
    own = _row(params, unit, table, aggs)
    context["own"] = own
    if comparison_only:
        return render(request, "reporting/dashboard.html#comparison", context)
    trends = _trend_charts(unit, key, spans, trend_periods, figures.trend)
    cards = []
    for indicator in key:
        agg = aggs.get((unit.pk, indicator.pk))
        cards.append(
            Card(
                indicator=indicator,
                text=own.cells[table.index(indicator)].text,
                count=agg.count if agg is not None else 0,
                updated_at=agg.updated_at if agg is not None else None,
                url=_drilldown_url(form, period, unit, indicator),
                trend=trends.get(indicator.pk, ""),
            )
        )
    context.update(
        cards=cards,
        completeness=figures.completeness,
        completeness_url=_completeness_url(params),
        cumulative=_cumulative(form, period, unit, key),
    )
    return render(request, "reporting/dashboard.html", context)


@dataclass
class CumulativeTable:
    year: int
    columns: list[queries.Cumulative]
    rows: list[tuple[Indicator, list[str]]]


def _cumulative(form: ReportForm, period: Period, unit: Unit, key: list[Indicator]) -> CumulativeTable | None:
    """6-, 9-, 10-month and annual figures of the period's year, computed from the monthly
    aggregates, for a monthly form that says so."""
    if form.periodicity != periods.Kind.MONTH or not form.cumulative_from_monthly or not key:
        return None
    columns = queries.cumulative_periods(form, unit, period.year)
    rows = [(i, [charts.format_number(c.values.get(i.pk)) for c in columns]) for i in key]
    return CumulativeTable(year=period.year, columns=columns, rows=rows)


def _cells_html(cells: list[Cell]) -> str:
    return "".join(
        f'<td class="text-end"><span class="text-muted">{escape(c.text)}</span></td>'
        if c.value is None
        else f'<td class="text-end"><a href="{escape(c.url)}">{escape(c.text)}</a></td>'
        for c in cells
    )


def _rows_html(rows: list[Row]) -> SafeString:
    """The comparison table's body: built here rather than in a template loop, which costs several
    milliseconds for the 35 rows of a national dashboard. Every text and link is escaped."""
    merged_into = _("Đã hợp nhất vào %(name)s")
    before = escape(_("trước sắp xếp"))
    parts = []
    for row in rows:
        if row.pre_reform:
            title = escape(merged_into % {"name": row.successor.name if row.successor else ""})
            head = (
                '<tr class="table-light"><th scope="row" class="fw-normal"><span class="ps-3 text-muted" '
                f'aria-hidden="true">↳ </span><a href="{escape(row.url)}">{escape(row.unit.name)}</a> '
                f'<span class="badge text-bg-secondary" title="{title}">{before}</span></th>'
            )
        else:
            head = f'<tr><th scope="row" class="fw-normal"><a href="{escape(row.url)}">{escape(row.unit.name)}</a></th>'
        parts.append(f"{head}{_cells_html(row.cells)}</tr>")
    return mark_safe("\n".join(parts))  # noqa: S308  # every text and attribute above is escaped


def _headers(params: Params, indicators: list[Indicator]) -> list[dict[str, Any]]:
    """Sortable column headers: clicking the sorted column flips its direction."""
    result = []
    for code, label in [("name", _("Đơn vị")), *[(i.code, i.code) for i in indicators]]:
        active = params.sort == code or (code == "name" and not params.sort)
        direction = "desc" if active and params.direction == "asc" else "asc"
        title = next((f"{i.name} ({i.get_aggregation_display()})" for i in indicators if i.code == code), label)
        result.append(
            {
                "code": code,
                "label": label,
                "title": title,
                "url": params.url(sort=code, direction=direction),
                "aria_sort": ("descending" if params.direction == "desc" else "ascending") if active else "none",
            }
        )
    return result


def _bar_chart(rows: list[Row], indicator: Indicator | None, unit: Unit) -> str:
    if indicator is None:
        return ""
    bars = [(r.unit.name, value) for r in rows if not r.pre_reform and (value := r.value_of(indicator.pk)) is not None]
    bars.sort(key=lambda b: b[1], reverse=True)
    title = _("%(indicator)s của các đơn vị trực thuộc %(unit)s") % {"indicator": indicator.name, "unit": unit.name}
    return mark_safe(charts.bar_chart(bars, title=title))  # noqa: S308  # charts escape every label


@login_required
def drilldown(request: AuthedRequest, form: int, period: int, unit: int, indicator: int) -> HttpResponse:
    """The approved values behind one figure of the dashboard: which unit, how much, who entered and approved it."""
    form_obj = get_visible_or_404(ReportForm.objects.all(), request.user, pk=form)
    unit_obj = get_visible_or_404(Unit.objects.all(), request.user, pk=unit)
    indicator_obj = get_visible_or_404(Indicator.objects.all(), request.user, pk=indicator)
    period_obj = get_object_or_404(Period, pk=period)
    aggregate = queries.aggregate_of(form_obj, period_obj, unit_obj, indicator_obj)  # unit checked visible above
    params = Params(form=form_obj, period=period_obj, unit=unit_obj)
    return render(
        request,
        "reporting/dashboard_drilldown.html",
        {
            "form": form_obj,
            "period": period_obj,
            "unit": unit_obj,
            "indicator": indicator_obj,
            "aggregate": aggregate,
            "total": charts.format_number(aggregate.value(indicator_obj.aggregation) if aggregate else None),
            "values": [
                (v, charts.format_number(v.value) if v.value is not None else v.text)
                for v in queries.source_values(request.user, form_obj, period_obj, unit_obj, indicator_obj)
            ],
            "dashboard_url": params.url(),
            "crumbs": [(u, params.url(unit=u)) for u in org_queries.ancestors(unit_obj, request.user)],
        },
    )
