"""Cumulative periods (6, 9, 10 months, year) computed from monthly figures: query, dashboard, API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from chidao.org.models import UnitKind
from chidao.reporting import services
from chidao.reporting.queries import cumulative_periods
from tests.conftest import login


@pytest.fixture
def monthly(world):
    admin = world.province_admin
    meetings = services.create_indicator(
        actor=admin, owner=world.province_a, code="HN", name="Số hội nghị", is_key=True
    )
    rate = services.create_indicator(
        actor=admin,
        owner=world.province_a,
        code="TL",
        name="Tỷ lệ hoàn thành",
        value_type="percent",
        aggregation="avg",
        is_key=True,
    )
    form = services.create_form(
        actor=admin,
        owner=world.province_a,
        code="THANG",
        name="Báo cáo tháng",
        periodicity="month",
        cumulative_from_monthly=True,
    )
    section = services.add_section(actor=admin, form=form, title="Chỉ tiêu")
    services.add_field(actor=admin, section=section, indicator=meetings)
    services.add_field(actor=admin, section=section, indicator=rate)
    services.publish_form(actor=admin, form=form)
    services.assign_form(
        actor=admin, form=form, parent=world.province_a, unit_kind=UnitKind.COMMUNE, valid_from=dt.date(2025, 7, 1)
    )
    last = None
    for month in range(1, 8):
        last = services.ensure_period("month", 2026, month, form.calendar)
        report = services.open_report(actor=world.commune_officer, form=form, unit=world.commune_a, period=last)
        services.save_values(
            actor=world.commune_officer, report=report, values={meetings.pk: month, rate.pk: 10 * month}
        )
        services.submit_report(actor=world.commune_officer, report=report)
        services.approve_report(actor=admin, report=report)
    return form, meetings, rate, last


def test_cumulative_periods_count_months_with_data(world, monthly):
    form, meetings, rate, _july = monthly
    half, nine, ten, year = cumulative_periods(form, world.province_a, 2026)
    assert (half.months, half.months_with_data, half.values[meetings.pk]) == (6, 6, 21)
    assert (nine.months, nine.months_with_data, nine.values[meetings.pk]) == (9, 7, 28)
    assert ten.values[rate.pk] == 40  # average of 10…70
    assert year.label == "Năm 2026"


def test_dashboard_shows_cumulative_figures(world, monthly, client):
    form, _meetings, _rate, july = monthly
    login(client, world.province_admin)
    page = client.get(
        reverse("reporting:dashboard"), {"form": form.pk, "period": july.pk, "unit": world.province_a.pk}
    ).content.decode()
    assert "Số liệu lũy kế năm 2026" in page
    assert "6 tháng đầu năm 2026" in page
    assert "6/6 tháng có số liệu" in page
    assert "7/9 tháng có số liệu" in page
    assert ">21<" in page and ">28<" in page


def test_api_cumulative_values_errors_and_scope(world, monthly, client):
    form, *_rest = monthly
    url = reverse("api:cumulative")
    login(client, world.commune_officer)
    body = client.get(url, {"form": form.pk, "unit": world.commune_a.pk, "kind": "half", "year": 2026}).json()
    values = {v["code"]: v["value"] for v in body["values"]}
    assert Decimal(values["HN"]) == 21 and Decimal(values["TL"]) == 35
    assert (body["months"], body["months_with_data"], body["start"]) == (
        6,
        6,
        "2025-12-15",
    )  # Nghị định 09: from 15 December
    wrong = client.get(url, {"form": form.pk, "unit": world.commune_a.pk, "kind": "quarter", "year": 2026})
    assert wrong.status_code == 422 and "kind" in wrong.json()["detail"]
    client.logout()
    login(client, world.sibling_officer)
    hidden = client.get(url, {"form": form.pk, "unit": world.commune_a.pk, "kind": "half", "year": 2026})
    assert hidden.status_code == 404
