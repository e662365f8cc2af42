"""Who must report (assignments by level, agency type and list, in force during the period, units
that existed), and the completeness counted from it: on the completeness page and, read with the
dashboard's children in one statement, on the dashboard."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from chidao.org.models import AgencyType, UnitKind
from chidao.reporting import services
from chidao.reporting.models import Report, Status
from chidao.reporting.queries import completeness, expected_units
from tests.conftest import make_unit, make_user


@pytest.fixture
def mixed(world, rp):
    """Under province A: two communes (by level), a department (by agency type), a listed press
    office, a press office nobody assigned, a commune dissolved before the period, and a unit
    named only by an assignment that ended before it."""
    admin = world.province_admin
    department = make_unit("SO-NV", "Sở Nội vụ", UnitKind.AGENCY, world.province_a, agency_type=AgencyType.DEPARTMENT)
    listed = make_unit("BAO-A", "Báo tỉnh A", UnitKind.AGENCY, world.province_a, agency_type=AgencyType.PRESS)
    make_unit("DAI-A", "Đài Phát thanh tỉnh A", UnitKind.AGENCY, world.province_a, agency_type=AgencyType.PRESS)
    make_unit(
        "XA-CU",
        "Xã Cũ",
        UnitKind.COMMUNE,
        world.province_a,
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2025, 6, 30),
    )
    expired = make_unit("TT-A", "Trung tâm chính trị tỉnh A", UnitKind.AGENCY, world.province_a)
    services.assign_form(
        actor=admin,
        form=rp.form,
        parent=world.province_a,
        agency_type=AgencyType.DEPARTMENT,
        valid_from=dt.date(2025, 7, 1),
    )
    services.assign_form(
        actor=admin, form=rp.form, parent=world.province_a, units=[listed], valid_from=dt.date(2025, 7, 1)
    )
    old = services.assign_form(
        actor=admin, form=rp.form, parent=world.province_a, units=[expired], valid_from=dt.date(2024, 1, 1)
    )
    old.valid_until = dt.date(2025, 12, 31)  # the period is the first quarter of 2026
    old.save()
    return department, listed


def _submit(rp, unit, officer, *, late=False):
    report = services.open_report(actor=officer, form=rp.form, unit=unit, period=rp.period)
    services.save_values(actor=officer, report=report, values={rp.registered.pk: 5, rp.trained.pk: 4, rp.rate.pk: "1"})
    services.submit_report(actor=officer, report=report)
    # The quarter's due date has passed: date the submission before or after it.
    day = report.due_date + dt.timedelta(days=3 if late else -1)
    Report.objects.filter(pk=report.pk).update(submitted_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))))
    return report


def test_expected_units_follow_level_agency_type_list_validity_and_existence(world, rp, mixed):
    department, listed = mixed
    names = sorted(expected_units(rp.form, rp.period).values_list("name", flat=True))
    assert names == sorted([world.commune_a.name, world.commune_b.name, department.name, listed.name])
    within = expected_units(rp.form, rp.period, within=world.province_b)
    assert list(within) == []
    # Before July 2025 only the assignment that has since ended was in force.
    before = services.ensure_period("quarter", 2025, 1, "calendar")
    assert list(expected_units(rp.form, before).values_list("name", flat=True)) == ["Trung tâm chính trị tỉnh A"]


def test_completeness_and_the_dashboard_count_the_same_units(world, rp, mixed, as_user):
    department, listed = mixed
    _submit(rp, world.commune_a, world.commune_officer)
    _submit(rp, department, make_user("so-nv", "secretariat", department), late=True)
    returned = _submit(rp, listed, make_user("bao-a", "secretariat", listed))
    services.return_report(actor=world.province_admin, report=returned, reason="Thiếu số liệu")

    result = completeness(rp.form, rp.period, world.province_a)
    assert (result.expected, result.submitted_on_time, result.submitted_late, result.approved) == (4, 1, 1, 0)
    assert sorted(u.name for u in result.missing) == sorted([world.commune_b.name, listed.name])
    rows = {u.name: r for u, r in result.rows}
    assert rows[world.commune_b.name] is None
    assert rows[listed.name].status == Status.RETURNED and rows[listed.name].unit == listed

    response = as_user(world.province_admin).get(
        reverse("reporting:dashboard"), {"form": rp.form.pk, "period": rp.period.pk, "unit": world.province_a.pk}
    )
    summary = response.context["completeness"]
    assert (summary.expected, summary.submitted_on_time, summary.submitted_late, summary.approved) == (4, 1, 1, 0)
    assert [u.name for u in summary.missing] == [u.name for u in result.missing]
    page = response.content.decode()
    assert "Phải gửi: <strong>4</strong>" in page
    assert "Chưa gửi: <strong>2</strong>" in page
