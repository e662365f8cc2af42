import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from chidao.audit.models import AuditEntry
from chidao.org.scope import ScopeDenied
from chidao.reporting import services
from chidao.reporting.models import AGGREGATE_SHARDS, Aggregate, Indicator, Status
from chidao.reporting.queries import aggregate_of, completeness, verify_aggregates


def _filled(world, rp, unit, officer, registered=10, trained=8, rate="50"):
    report = services.open_report(actor=officer, form=rp.form, unit=unit, period=rp.period)
    services.save_values(
        actor=officer, report=report, values={rp.registered.pk: registered, rp.trained.pk: trained, rp.rate.pk: rate}
    )
    return report


def _total(rp, unit, indicator):
    return aggregate_of(rp.form, rp.period, unit, indicator)


def test_approval_rolls_up_to_every_ancestor(world, rp):
    a = _filled(world, rp, world.commune_a, world.commune_officer, 10, 8, "40")
    b = _filled(world, rp, world.commune_b, world.sibling_officer, 20, 15, "60")
    for report, officer in ((a, world.commune_officer), (b, world.sibling_officer)):
        services.submit_report(actor=officer, report=report)
        services.approve_report(actor=world.province_admin, report=report)
    assert _total(rp, world.province_a, rp.registered).total == 30
    assert _total(rp, world.root, rp.trained).total == 23
    assert _total(rp, world.province_a, rp.rate).value("avg") == Decimal(50)
    assert _total(rp, world.commune_a, rp.registered).total == 10
    assert verify_aggregates().differences == []


def test_cross_field_rule_blocks_submission_with_vietnamese_message(world, rp):
    report = _filled(world, rp, world.commune_a, world.commune_officer, 10, 12)
    with pytest.raises(ValidationError) as exc:
        services.submit_report(actor=world.commune_officer, report=report)
    assert exc.value.message_dict[f"v{rp.trained.pk}"] == ["Số được tập huấn không vượt số đăng ký."]
    report.refresh_from_db()
    assert report.status == Status.DRAFT


def test_bad_values_are_refused_by_indicator_and_nothing_saved(world, rp):
    report = services.open_report(actor=world.commune_officer, form=rp.form, unit=world.commune_a, period=rp.period)
    with pytest.raises(ValidationError) as exc:
        services.save_values(
            actor=world.commune_officer,
            report=report,
            values={rp.registered.pk: "mười", rp.trained.pk: "5", rp.rate.pk: "120"},
        )
    errors = exc.value.message_dict
    assert errors[f"v{rp.registered.pk}"] == ["DK: “mười” không phải là số."]
    assert errors[f"v{rp.rate.pk}"] == ["TL: tỷ lệ phải từ 0 đến 100."]
    assert not report.values.exists()


def test_vietnamese_decimal_comma_is_accepted(world, rp):
    report = services.open_report(actor=world.commune_officer, form=rp.form, unit=world.commune_a, period=rp.period)
    services.save_values(actor=world.commune_officer, report=report, values={rp.rate.pk: "12,5"})
    assert report.values.get(indicator=rp.rate).value == Decimal("12.5")


def test_required_values_block_submission(world, rp):
    report = services.open_report(actor=world.commune_officer, form=rp.form, unit=world.commune_a, period=rp.period)
    with pytest.raises(ValidationError) as exc:
        services.submit_report(actor=world.commune_officer, report=report)
    assert exc.value.message_dict[f"v{rp.registered.pk}"] == ["DK: chưa nhập."]


def test_sibling_cannot_approve_and_unit_cannot_approve_itself(world, rp):
    report = _filled(world, rp, world.commune_a, world.commune_officer)
    services.submit_report(actor=world.commune_officer, report=report)
    with pytest.raises(ScopeDenied):
        services.approve_report(actor=world.sibling_officer, report=report)
    with pytest.raises(ScopeDenied):
        services.approve_report(actor=world.commune_officer, report=report)


def test_returned_report_can_be_fixed_and_resubmitted(world, rp):
    report = _filled(world, rp, world.commune_a, world.commune_officer)
    services.submit_report(actor=world.commune_officer, report=report)
    with pytest.raises(ValidationError):
        services.return_report(actor=world.province_admin, report=report, reason=" ")
    services.return_report(actor=world.province_admin, report=report, reason="Thiếu số liệu quý trước")
    services.save_values(actor=world.commune_officer, report=report, values={rp.trained.pk: 9})
    services.submit_report(actor=world.commune_officer, report=report)
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED and report.returned_reason == ""


def test_approved_report_is_locked_and_correction_replaces_it_only_when_approved(world, rp):
    report = _filled(world, rp, world.commune_a, world.commune_officer, 10, 8)
    services.submit_report(actor=world.commune_officer, report=report)
    services.approve_report(actor=world.province_admin, report=report)
    with pytest.raises(ValidationError):
        services.save_values(actor=world.commune_officer, report=report, values={rp.trained.pk: 1})
    correction = services.start_correction(actor=world.commune_officer, report=report, reason="Nhập nhầm số đăng ký")
    services.save_values(actor=world.commune_officer, report=correction, values={rp.registered.pk: 12})
    assert _total(rp, world.province_a, rp.registered).total == 10  # old figures stay until approval
    services.submit_report(actor=world.commune_officer, report=correction)
    services.approve_report(actor=world.province_admin, report=correction)
    report.refresh_from_db()
    assert report.status == Status.SUPERSEDED and not report.is_current
    assert report.values.get(indicator=rp.registered).value == 10  # every version stays readable
    assert _total(rp, world.province_a, rp.registered).total == 12
    assert _total(rp, world.province_a, rp.registered).count == 1
    assert verify_aggregates().differences == []
    assert AuditEntry.objects.filter(action="reporting.report.correction_started").exists()


def test_completeness_counts_on_time_late_and_missing(world, rp):
    a = _filled(world, rp, world.commune_a, world.commune_officer)
    services.submit_report(actor=world.commune_officer, report=a)
    result = completeness(rp.form, rp.period, world.province_a)
    assert result.expected == 2
    assert result.submitted == 1
    assert [u.name for u in result.missing] == ["Phường Thanh Khê"]


def test_published_version_is_frozen_and_new_version_keeps_old_reports(world, rp):
    with pytest.raises(ValidationError):
        services.add_section(actor=world.province_admin, form=rp.form, title="III")
    report = services.open_report(actor=world.commune_officer, form=rp.form, unit=world.commune_a, period=rp.period)
    draft = services.new_version(actor=world.province_admin, form=rp.form)
    services.add_section(actor=world.province_admin, form=rp.form, title="III. Phương hướng")
    services.publish_form(actor=world.province_admin, form=rp.form)
    report.refresh_from_db()
    assert report.version.number == 1
    assert rp.form.current_version() == draft


def test_unassigned_unit_cannot_open_report(world, rp):
    with pytest.raises(ValidationError):
        services.open_report(actor=world.outsider, form=rp.form, unit=world.province_b, period=rp.period)


def test_due_date_skips_weekend_and_tet(world, rp):
    rp.form.due_days = 3
    tet = services.ensure_period("month", 2026, 1, "calendar")  # ends Sat 31/1/2026
    assert services.due_date(rp.form, tet) == dt.date(2026, 2, 4)
    feb = services.ensure_period("month", 2026, 2, "nd09")  # ends Sat 14/2/2026, Tết 16-20/2
    assert services.due_date(rp.form, feb) == dt.date(2026, 2, 25)


def test_cumulative_six_months_are_summed_from_monthly_reports(world):
    from chidao.org.models import UnitKind
    from chidao.reporting.queries import cumulative

    admin = world.province_admin
    meetings = services.create_indicator(actor=admin, owner=world.province_a, code="HN", name="Số hội nghị")
    rate = services.create_indicator(
        actor=admin, owner=world.province_a, code="TL", name="Tỷ lệ", value_type="percent", aggregation="avg"
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
    for month in range(1, 8):
        period = services.ensure_period("month", 2026, month, form.calendar)
        report = services.open_report(actor=world.commune_officer, form=form, unit=world.commune_a, period=period)
        services.save_values(
            actor=world.commune_officer, report=report, values={meetings.pk: month, rate.pk: 10 * month}
        )
        services.submit_report(actor=world.commune_officer, report=report)
        services.approve_report(actor=admin, report=report)
    half = cumulative(form, world.province_a, "half", 2026)
    assert half[meetings.pk] == 21  # 1+…+6; July is outside the first six months
    assert half[rate.pk] == 35


def test_custom_period_only_for_custom_forms_and_ordered(world, rp):
    with pytest.raises(ValidationError):
        services.create_custom_period(
            actor=world.province_admin, form=rp.form, start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 1), label="Đợt 1"
        )
    form = services.create_form(
        actor=world.province_admin, owner=world.province_a, code="CD", name="Chuyên đề", periodicity="custom"
    )
    with pytest.raises(ValidationError) as exc:
        services.create_custom_period(
            actor=world.province_admin, form=form, start=dt.date(2026, 4, 1), end=dt.date(2026, 3, 1), label="Đợt 1"
        )
    assert "end" in exc.value.message_dict
    period = services.create_custom_period(
        actor=world.province_admin, form=form, start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 30), label="Đợt cao điểm"
    )
    assert period.label == "Đợt cao điểm" and period.kind == "custom"


def test_vietnamese_thousands_separators_are_read_as_thousands(world, rp):
    report = services.open_report(actor=world.commune_officer, form=rp.form, unit=world.commune_a, period=rp.period)
    services.save_values(
        actor=world.commune_officer, report=report, values={rp.registered.pk: "1.234", rp.trained.pk: "1.000"}
    )
    assert report.values.get(indicator=rp.registered).value == 1234
    services.save_values(actor=world.commune_officer, report=report, values={rp.rate.pk: "1.5"})
    assert report.values.get(indicator=rp.rate).value == Decimal("1.5")


def test_late_is_judged_by_the_vietnamese_date(world, rp):
    from zoneinfo import ZoneInfo

    report = _filled(world, rp, world.commune_a, world.commune_officer)
    # 01:00 in Hà Nội on the day after the deadline is still the previous day in UTC.
    day_after = report.due_date + dt.timedelta(days=1)
    report.submitted_at = dt.datetime(
        day_after.year, day_after.month, day_after.day, 1, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")
    )
    assert report.is_late(day_after)


def test_untouched_empty_values_leave_no_rows_and_no_audit(world, rp):
    report = services.open_report(actor=world.commune_officer, form=rp.form, unit=world.commune_a, period=rp.period)
    before = AuditEntry.objects.count()
    services.save_values(actor=world.commune_officer, report=report, values={rp.rate.pk: ""})
    assert not report.values.exists()
    assert AuditEntry.objects.count() == before


def test_period_names_follow_the_interface_language(world, rp):
    from django.utils import translation

    assert str(rp.period) == "Quý I/2026" == rp.period.label
    with translation.override("en"):
        assert str(rp.period) == "Quarter I/2026"
    assert rp.period.label == "Quý I/2026"  # documents and e-mails keep the Vietnamese name


def test_batch_save_opens_reports_writes_values_and_one_audit_entry_per_report(world, rp):
    from chidao.audit.queries import verify_chain

    entries = [
        services.Entry(unit=world.commune_a, values={rp.registered.pk: 10, rp.trained.pk: 7}),
        services.Entry(
            unit=world.commune_b, values={rp.registered.pk: 20, rp.trained.pk: 9}, comments={rp.trained.pk: "ước tính"}
        ),
    ]
    reports = services.save_values_batch(actor=world.province_admin, form=rp.form, period=rp.period, entries=entries)
    assert [r.unit for r in reports] == [world.commune_a, world.commune_b]
    assert reports[1].values.get(indicator=rp.trained).comment == "ước tính"
    saved = AuditEntry.objects.filter(action="reporting.report.values_saved")
    assert saved.count() == 2
    assert saved.get(target_id=str(reports[0].pk)).changes["DK"] == [None, "10"]
    assert verify_chain().ok


def test_batch_with_one_bad_value_saves_nothing(world, rp):
    entries = [
        services.Entry(unit=world.commune_a, values={rp.registered.pk: 10}),
        services.Entry(unit=world.commune_b, values={rp.registered.pk: "nhiều"}),
    ]
    with pytest.raises(ValidationError) as exc:
        services.save_values_batch(actor=world.province_admin, form=rp.form, period=rp.period, entries=entries)
    assert list(exc.value.message_dict) == [f"W20209.v{rp.registered.pk}"]
    from chidao.reporting.models import Report

    assert not Report.objects.exists()


@pytest.fixture(params=["joined", "unioned"])
def verify_shape(request, monkeypatch):
    """Each database runs one shape of verify's query; both must find the same differences on either."""
    from chidao.reporting import queries

    sql = queries._VERIFY_JOINED if request.param == "joined" else queries._VERIFY_UNIONED
    monkeypatch.setattr(queries, "_verify_sql", lambda: sql)
    return request.param


def test_verify_reports_changed_missing_and_orphan_aggregates(world, rp, verify_shape):
    report = _filled(world, rp, world.commune_a, world.commune_officer, registered=10, trained=8)
    services.submit_report(actor=world.commune_officer, report=report)
    services.approve_report(actor=world.province_admin, report=report)
    assert verify_aggregates().differences == []
    # a lost update at the province, a vanished commune row, a row no value supports
    Aggregate.objects.filter(unit=world.province_a, indicator=rp.registered).update(total=Decimal("9.5"))
    Aggregate.objects.filter(unit=world.commune_a, indicator=rp.trained).delete()
    # Commune B never reported; its row goes in its own stripe, as an approval would put it (in the
    # stripe of commune A's ids it would hide the province's difference, which is above it there).
    Aggregate.objects.create(
        form=rp.form,
        period=rp.period,
        unit=world.commune_b,
        indicator=rp.registered,
        total=Decimal(3),
        count=1,
        shard=world.commune_b.pk % AGGREGATE_SHARDS,
    )
    found = verify_aggregates()
    assert len(found.differences) == 3, found.differences
    text = "\n".join(found.differences)
    assert f"{world.province_a.pk}, {rp.registered.pk}): stored (Decimal('9.5'), 1" in text
    assert f"{world.commune_a.pk}, {rp.trained.pk}): source values without an aggregate" in text
    assert f"{world.commune_b.pk}, {rp.registered.pk}): aggregate 3/1 has no source values" in text


def test_integers_from_json_or_a_sheet_are_checked_like_text(rp):
    """`parse_value` takes an int without going through text: same checks, same messages."""
    assert services.parse_value(rp.registered, 1234) == (Decimal(1234), "")
    assert services.parse_value(rp.rate, 100) == (Decimal(100), "")
    with pytest.raises(ValidationError, match="tỷ lệ phải từ 0 đến 100"):
        services.parse_value(rp.rate, 101)
    with pytest.raises(ValidationError, match="giá trị quá lớn"):
        services.parse_value(rp.registered, 10**15)
    with pytest.raises(ValidationError, match="không phải là số"):
        services.parse_value(rp.registered, True)  # a bool is not an int here


def test_verify_names_the_deepest_difference_then_the_one_above_it(world, rp):
    """The check is local (a stripe against its unit's value and its children's stripes): a unit
    above a wrong one cannot be judged, so only the wrong one is named until it is repaired."""
    report = _filled(world, rp, world.commune_a, world.commune_officer, registered=10)
    services.submit_report(actor=world.commune_officer, report=report)
    services.approve_report(actor=world.province_admin, report=report)
    commune = Aggregate.objects.filter(unit=world.commune_a, indicator=rp.registered)
    province = Aggregate.objects.filter(unit=world.province_a, indicator=rp.registered)
    commune.update(total=Decimal(11))
    province.update(total=Decimal(12))
    found = verify_aggregates().differences
    assert len(found) == 1, found
    assert f"{world.commune_a.pk}, {rp.registered.pk}): stored (Decimal('11'), 1" in found[0]
    commune.update(total=Decimal(10))
    found = verify_aggregates().differences
    assert len(found) == 1, found
    assert f"{world.province_a.pk}, {rp.registered.pk}): stored (Decimal('12'), 1" in found[0]
    province.update(total=Decimal(10))
    assert verify_aggregates().differences == []


def test_verify_checks_each_stripe_and_counts_every_row(world, rp):
    """A figure's parts must sit in the stripe of their reporting unit, which corrections rely on
    (`roll_up` recomputes the extremes of one stripe): the right sum in the wrong stripe is named."""
    from chidao.reporting.models import AGGREGATE_SHARDS

    report = _filled(world, rp, world.commune_a, world.commune_officer, registered=10)
    services.submit_report(actor=world.commune_officer, report=report)
    services.approve_report(actor=world.province_admin, report=report)
    result = verify_aggregates()
    assert result.differences == [] and result.checked == Aggregate.objects.count() > 0
    stripe = world.commune_a.pk % AGGREGATE_SHARDS
    Aggregate.objects.filter(unit=world.province_a, indicator=rp.registered).update(
        shard=(stripe + 1) % AGGREGATE_SHARDS
    )
    assert _total(rp, world.province_a, rp.registered).total == 10  # read as one, still right
    text = "\n".join(verify_aggregates().differences)
    assert f"{world.province_a.pk}, {rp.registered.pk}): source values without an aggregate (stripe {stripe})" in text
    assert f"{world.province_a.pk}, {rp.registered.pk}): aggregate 10/1 has no source values" in text


def test_verify_command_prints_a_summary_and_fails_on_a_difference(world, rp):
    from django.core.management import CommandError, call_command

    report = _filled(world, rp, world.commune_a, world.commune_officer)
    services.submit_report(actor=world.commune_officer, report=report)
    services.approve_report(actor=world.province_admin, report=report)
    out = io.StringIO()
    call_command("reporting", "verify", stdout=out)
    assert out.getvalue().startswith(f"reporting verify: 0 differences in {Aggregate.objects.count()} aggregates")
    Aggregate.objects.filter(unit=world.root, indicator=rp.trained).update(count=2)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 difference"):
        call_command("reporting", "verify", "--workers", "1", stderr=err)
    assert f"{world.root.pk}, {rp.trained.pk}): stored (Decimal('8'), 2" in err.getvalue()


def test_approval_costs_a_fixed_number_of_queries(world, rp):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report = _filled(world, rp, world.commune_a, world.commune_officer)
    services.submit_report(actor=world.commune_officer, report=report)
    with CaptureQueriesContext(connection) as queries:
        services.approve_report(actor=world.province_admin, report=report)
    # the report lock, the role, the save, the audit lane, one roll-up statement for every level
    assert len(queries) <= 12
    assert sum("reporting_aggregate" in q["sql"] for q in queries.captured_queries) == 1


def test_figures_kept_in_stripes_read_as_one(world, rp):
    from chidao.reporting.models import AGGREGATE_SHARDS

    assert world.commune_a.pk % AGGREGATE_SHARDS != world.commune_b.pk % AGGREGATE_SHARDS
    a = _filled(world, rp, world.commune_a, world.commune_officer, 10, 8, "40")
    b = _filled(world, rp, world.commune_b, world.sibling_officer, 20, 15, "60")
    for report, officer in ((a, world.commune_officer), (b, world.sibling_officer)):
        services.submit_report(actor=officer, report=report)
        services.approve_report(actor=world.province_admin, report=report)
    stripes = Aggregate.objects.filter(form=rp.form, period=rp.period, unit=world.province_a, indicator=rp.registered)
    assert stripes.count() == 2  # each commune wrote its own stripe of the province's figure
    figure = _total(rp, world.province_a, rp.registered)
    assert (figure.total, figure.count, figure.minimum, figure.maximum) == (30, 2, 10, 20)
    assert figure.latest_at is None  # a sum does not need the newest stripe
    # `latest` is read for indicators whose rule is LATEST: the newest stripe's value and time
    Indicator.objects.filter(pk=rp.registered.pk).update(aggregation="latest")
    rp.registered.refresh_from_db()  # the readers go by the rule of the indicators they are given
    newest = _total(rp, world.province_a, rp.registered)
    b.refresh_from_db()
    assert (newest.latest, newest.latest_at) == (20, b.approved_at)
