"""The reporting dashboard reads the roll-up, drills down to the approved values behind a figure,
keeps to the user's scope and does not grow in queries with the number of units or periods."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chidao.org.models import UnitKind
from chidao.reporting import services
from tests.conftest import make_unit, make_user
from tests.reporting.test_charts import parse

DASHBOARD = reverse("reporting:dashboard")


def _approved(rp, unit, officer, period=None, registered=10, trained=8, comment=""):
    report = services.open_report(actor=officer, form=rp.form, unit=unit, period=period or rp.period)
    services.save_values(
        actor=officer,
        report=report,
        values={rp.registered.pk: registered, rp.trained.pk: trained},
        comments={rp.registered.pk: comment} if comment else None,
    )
    services.submit_report(actor=officer, report=report)
    return services.approve_report(actor=rp.approver, report=report)


@pytest.fixture
def approved(world, rp):
    rp.approver = world.province_admin
    _approved(rp, world.commune_a, world.commune_officer, registered=1200, trained=1000, comment="Theo danh sách")
    _approved(rp, world.commune_b, world.sibling_officer, registered=34, trained=30)
    return rp


def _url(rp, unit, **extra):
    query = {"form": rp.form.pk, "period": rp.period.pk, "unit": unit.pk, **extra}
    return DASHBOARD + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def _drilldown(rp, unit, indicator):
    return reverse("reporting:drilldown", args=[rp.form.pk, rp.period.pk, unit.pk, indicator.pk])


def test_province_dashboard_shows_the_rolled_up_total_and_both_communes(world, approved, as_user):
    response = as_user(world.province_admin).get(DASHBOARD)  # defaults: first form, latest period, working unit
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["period"] == approved.period
    card = next(c for c in response.context["cards"] if c.indicator == approved.registered)
    assert card.text == "1.234"  # 1200 + 34, written the Vietnamese way
    assert card.count == 2
    assert "cập nhật lúc" in page
    assert [r.unit for r in response.context["rows"]] == [world.commune_a, world.commune_b]
    assert "Phường Hải Châu" in page and "Phường Thanh Khê" in page
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg"') >= 3  # two trends and the bar chart
    parse(str(response.context["bar_chart"]))
    assert _url(approved, world.commune_a).split("?")[1].replace("&", "&amp;") in page  # drill to the commune
    assert _drilldown(approved, world.province_a, approved.registered) in page
    assert "style=" not in page and "<script>" not in page


def test_comparison_sorts_on_the_server_and_serves_the_htmx_partial(world, approved, as_user):
    client = as_user(world.province_admin)
    response = client.get(_url(approved, world.province_a, sort="DK", dir="asc"))
    assert [r.unit for r in response.context["rows"]] == [world.commune_b, world.commune_a]
    response = client.get(
        _url(approved, world.province_a, sort="DK", dir="desc"),
        headers={"HX-Request": "true", "HX-Target": "comparison"},
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="comparison"')
    assert page.index("Phường Hải Châu") < page.index("Phường Thanh Khê")
    assert "<html" not in page


def test_drilldown_lists_the_source_values_and_who_entered_them(world, approved, as_user):
    response = as_user(world.province_admin).get(_drilldown(approved, world.province_a, approved.registered))
    assert response.status_code == 200
    page = response.content.decode()
    assert [(v.report.unit, v.value) for v, _text in response.context["values"]] == [
        (world.commune_a, Decimal(1200)),
        (world.commune_b, Decimal(34)),
    ]
    assert "commune_officer" in page and "sibling_officer" in page
    assert "province_admin" in page  # approved by
    assert "Theo danh sách" in page
    assert "1.200" in page and "1.234" in page


def test_commune_officer_sees_only_own_values_in_the_drilldown(world, approved, as_user):
    response = as_user(world.commune_officer).get(_drilldown(approved, world.commune_a, approved.registered))
    assert [v.report.unit for v, _text in response.context["values"]] == [world.commune_a]
    assert (
        as_user(world.commune_officer).get(_drilldown(approved, world.province_a, approved.registered)).status_code
        == 404
    )


def test_outsider_gets_404_for_province_a(world, approved, as_user):
    client = as_user(world.outsider)
    assert client.get(_url(approved, world.province_a)).status_code == 404
    assert client.get(_drilldown(approved, world.province_a, approved.registered)).status_code == 404
    assert client.get(_drilldown(approved, world.commune_a, approved.registered)).status_code == 404


def test_sibling_cannot_open_the_other_communes_dashboard(world, approved, as_user):
    assert as_user(world.sibling_officer).get(_url(approved, world.commune_a)).status_code == 404


def test_history_adds_merged_units_under_their_successor(world, approved, as_user):
    old = make_unit(
        "W-OLD",
        "Phường Thạch Thang (cũ)",
        UnitKind.COMMUNE,
        world.province_a,
        valid_until="2025-06-30",
        successor=world.commune_a,
    )
    old_province = make_unit(
        "P-OLD",
        "Tỉnh Quảng Nam (cũ)",
        UnitKind.PROVINCE,
        world.root,
        valid_until="2025-06-30",
        successor=world.province_a,
    )
    client = as_user(world.province_admin)
    assert old not in [r.unit for r in client.get(_url(approved, world.province_a)).context["rows"]]
    response = client.get(_url(approved, world.province_a, history=1))
    rows = response.context["rows"]
    units = [r.unit for r in rows]
    assert units.index(old) == units.index(world.commune_a) + 1
    assert rows[units.index(old)].pre_reform
    assert units[-1] == old_province  # merged into the unit itself: after its children
    assert "trước sắp xếp" in response.content.decode()


def test_bad_form_parameter_is_not_found(world, approved, as_user):
    assert as_user(world.province_admin).get(DASHBOARD + "?form=abc").status_code == 404


def test_dashboard_queries_do_not_grow_with_units_or_periods(world, approved, as_user, django_assert_max_num_queries):
    client = as_user(world.province_admin)
    url = _url(approved, world.province_a, history=1)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(4):
        commune = make_unit(f"W9{n}", f"Phường mẫu {n}", UnitKind.COMMUNE, world.province_a)
        _approved(approved, commune, make_user(f"officer{n}", "secretariat", commune), registered=n, trained=0)
    for quarter in (3, 4):  # more periods in the trend
        period = services.ensure_period("quarter", 2025, quarter, "calendar")
        _approved(approved, world.commune_b, world.sibling_officer, period=period, registered=quarter, trained=1)
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert len(response.context["rows"]) == 6
    trend = response.context["cards"][0].trend
    assert trend.count("<circle") == 3
    assert len(after.captured_queries) == len(before.captured_queries), [q["sql"] for q in after.captured_queries]
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(url)


def test_dashboard_query_count_is_pinned(world, approved, as_user, django_assert_max_num_queries):
    client = as_user(world.province_admin)
    client.get(_url(approved, world.province_a))
    # Session, user, second factor (3); forms, unit, periods, indicators, children with their
    # completeness, figures with the trend (6); merged units (?history=1) and the breadcrumb (2);
    # the unit switcher's grants and the unread count of the layout (2).
    with django_assert_max_num_queries(13):
        client.get(_url(approved, world.province_a, history=1, sort="TH", dir="desc"))


def test_commune_officer_sees_own_figures_by_default(world, approved, as_user):
    response = as_user(world.commune_officer).get(DASHBOARD)
    assert response.context["unit"] == world.commune_a
    assert [c.text for c in response.context["cards"]] == ["1.200", "1.000"]
    assert response.context["rows"] == []
    assert "Không có đơn vị trực thuộc." in response.content.decode()


def test_completeness_summary_links_to_the_completeness_page(world, approved, as_user):
    response = as_user(world.province_admin).get(_url(approved, world.province_a))
    summary = response.context["completeness"]
    assert (summary.expected, summary.approved, len(summary.missing)) == (2, 2, 0)
    link = reverse("reporting:completeness", args=[approved.form.pk, approved.period.pk])
    assert f"{link}?unit={world.province_a.pk}" in response.content.decode()


def test_user_without_forms_sees_an_explanation(world, approved, as_user):
    response = as_user(world.outsider).get(DASHBOARD)
    assert response.status_code == 200
    assert "Chưa có biểu mẫu báo cáo nào" in response.content.decode()


def test_unknown_period_falls_back_to_the_latest_with_figures(world, approved, as_user):
    response = as_user(world.province_admin).get(_url(approved, world.province_a, period=999999))
    assert response.context["period"] == approved.period


def test_comparison_shows_key_indicators_unless_all_are_asked_for(world, approved, as_user):
    client = as_user(world.province_admin)
    response = client.get(_url(approved, world.province_a))
    assert [i.code for i in response.context["indicators"]] == ["DK", "TH"]
    assert "Hiện thêm 1 chỉ tiêu khác" in response.content.decode()
    response = client.get(_url(approved, world.province_a, columns="all"))
    assert [i.code for i in response.context["indicators"]] == ["DK", "TH", "TL"]
