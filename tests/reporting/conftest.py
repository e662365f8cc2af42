"""A published quarterly form assigned to the communes of province A, with two indicators and a rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from chidao.org.models import UnitKind
from chidao.reporting import services
from chidao.reporting.models import Indicator, Period, ReportForm


@dataclass
class Setup:
    form: ReportForm
    registered: Indicator
    trained: Indicator
    rate: Indicator
    period: Period


@pytest.fixture
def rp(world: Any) -> Setup:
    return _setup(world)


def _setup(world: Any) -> Setup:
    admin = world.province_admin
    registered = services.create_indicator(
        actor=admin, owner=world.province_a, code="DK", name="Số người đăng ký tập huấn", is_key=True
    )
    trained = services.create_indicator(
        actor=admin, owner=world.province_a, code="TH", name="Số người được tập huấn", is_key=True
    )
    rate = services.create_indicator(
        actor=admin,
        owner=world.province_a,
        code="TL",
        name="Tỷ lệ chi bộ sinh hoạt chuyên đề",
        value_type="percent",
        aggregation="avg",
    )
    form = services.create_form(
        actor=admin, owner=world.province_a, code="BC35", name="Báo cáo kết quả công tác quý", calendar="calendar"
    )
    section = services.add_section(actor=admin, form=form, title="I. Kết quả thực hiện")
    services.add_field(actor=admin, section=section, indicator=registered)
    services.add_field(actor=admin, section=section, indicator=trained)
    services.add_field(actor=admin, section=section, indicator=rate, required=False)
    services.add_section(actor=admin, form=form, title="II. Hạn chế, nguyên nhân", kind="narrative")
    services.add_rule(
        actor=admin,
        form=form,
        left=trained,
        operator="<=",
        right=registered,
        message="Số được tập huấn không vượt số đăng ký.",
    )
    services.publish_form(actor=admin, form=form)
    services.assign_form(
        actor=admin, form=form, parent=world.province_a, unit_kind=UnitKind.COMMUNE, valid_from=dt.date(2025, 7, 1)
    )
    period = services.ensure_period("quarter", 2026, 1, "calendar")
    return Setup(form=form, registered=registered, trained=trained, rate=rate, period=period)
