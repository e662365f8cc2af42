import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chidao.audit.models import AuditEntry
from chidao.org.models import UnitKind
from chidao.reporting import services
from chidao.reporting.models import DataValue, Indicator, Report, ReportForm, Status


def open_report(world, rp, unit=None, period=None):
    officer = world.commune_officer if unit is None else world.sibling_officer
    return services.open_report(actor=officer, form=rp.form, unit=unit or world.commune_a, period=period or rp.period)


def submitted_report(world, rp):
    report = open_report(world, rp)
    services.save_values(actor=world.commune_officer, report=report, values={rp.registered.pk: 10, rp.trained.pk: 8})
    return services.submit_report(actor=world.commune_officer, report=report)


# --- catalogue -------------------------------------------------------------------------------


def test_form_is_created_built_and_published_through_the_pages(world, as_user):
    client = as_user(world.province_admin)
    created = client.post(
        reverse("reporting:indicator_create"),
        {"code": "sv", "name": "Số vụ việc", "value_type": "integer", "aggregation": "sum"},
    )
    assert created.status_code == 302
    indicator = Indicator.objects.get(owner=world.province_a, code="SV")
    response = client.post(
        reverse("reporting:form_create"),
        {"code": "bc01", "name": "Báo cáo tháng", "periodicity": "month", "calendar": "nd09", "due_days": "3"},
    )
    form = ReportForm.objects.get(code="BC01")
    assert response.status_code == 302
    assert response["Location"] == form.get_absolute_url()
    assert (form.periodicity, form.calendar, form.due_days, form.owner) == ("month", "nd09", 3, world.province_a)

    client.post(reverse("reporting:form_section_add", args=[form.pk]), {"title": "I. Số liệu", "kind": "indicators"})
    section = form.versions.get().sections.get()
    client.post(
        reverse("reporting:form_field_add", args=[form.pk]),
        {"section": section.pk, "indicator": indicator.pk, "required": "on", "min_value": "0"},
    )
    client.post(reverse("reporting:form_publish", args=[form.pk]), {"note": "Ban hành lần đầu"})
    page = client.get(form.get_absolute_url()).content.decode()

    assert form.current_version() is not None
    assert "Số vụ việc" in page
    assert "Tạo phiên bản mới" in page
    assert "Tình hình nộp báo cáo" in page  # recent monthly periods, each with its completeness link


def test_publishing_an_empty_form_shows_the_reason_on_the_page(world, as_user):
    client = as_user(world.province_admin)
    client.post(
        reverse("reporting:form_create"),
        {"code": "BC02", "name": "Trống", "periodicity": "year", "calendar": "calendar", "due_days": "5"},
    )
    form = ReportForm.objects.get(code="BC02")
    response = client.post(reverse("reporting:form_publish", args=[form.pk]), {"note": ""})
    assert response.status_code == 200
    assert "Biểu mẫu chưa có chỉ tiêu nào." in response.content.decode()
    assert form.current_version() is None


def test_commune_officer_cannot_change_a_province_form(world, rp, as_user):
    client = as_user(world.commune_officer)
    assert "Báo cáo kết quả công tác quý" in client.get(reverse("reporting:form_list")).content.decode()
    response = client.post(reverse("reporting:form_version_new", args=[rp.form.pk]))
    assert response.status_code == 403
    assert rp.form.versions.count() == 1


def test_assignment_through_the_page(world, rp, as_user):
    client = as_user(world.province_admin)
    response = client.post(
        reverse("reporting:assignment_create", args=[rp.form.pk]),
        {"parent": world.province_a.pk, "units": [world.commune_b.pk], "valid_from": "2026-01-01"},
    )
    assert response.status_code == 302
    assert rp.form.assignments.count() == 2
    assert "Phường Thanh Khê" in client.get(rp.form.get_absolute_url()).content.decode()


# --- owed and opening --------------------------------------------------------------------------


def test_owed_lists_the_overdue_period_and_the_button_opens_a_draft(world, rp, as_user, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(2026, 11, 23))
    client = as_user(world.commune_officer)
    page = client.get(reverse("reporting:owed")).content.decode()
    assert "Báo cáo kết quả công tác quý" in page
    assert "Quý III/2026" in page  # ended 30/9/2026, due early October: overdue on 23/11/2026
    assert "Quá hạn" in page
    assert "Nhập báo cáo" in page

    response = client.post(
        reverse("reporting:report_open"), {"form": rp.form.pk, "unit": world.commune_a.pk, "period": rp.period.pk}
    )
    report = Report.objects.get(form=rp.form, unit=world.commune_a, period=rp.period)
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    assert report.status == Status.DRAFT


def test_opening_a_report_for_a_unit_not_assigned_shows_why(world, rp, as_user):
    client = as_user(world.province_admin)
    response = client.post(
        reverse("reporting:report_open"), {"form": rp.form.pk, "unit": world.province_a.pk, "period": rp.period.pk}
    )
    assert response.status_code == 302
    assert "không thuộc diện phải gửi" in client.get(response["Location"]).content.decode()
    assert not Report.objects.exists()


# --- the grid --------------------------------------------------------------------------------


def test_report_page_is_an_entry_grid_with_autosave_inputs(world, rp, as_user):
    report = open_report(world, rp)
    page = as_user(world.commune_officer).get(report.get_absolute_url()).content.decode()
    assert f'name="v{rp.registered.pk}"' in page
    assert 'inputmode="decimal"' in page
    assert reverse("reporting:report_save_value", args=[report.pk]) in page
    assert 'hx-trigger="change, keyup changed delay:800ms"' in page
    assert "II. Hạn chế, nguyên nhân" in page
    assert "<textarea" in page
    assert "Gửi báo cáo" in page


def test_autosaving_one_value_via_htmx_stores_it_and_returns_the_tick(world, rp, as_user):
    report = open_report(world, rp)
    response = as_user(world.commune_officer).post(
        reverse("reporting:report_save_value", args=[report.pk]),
        {"indicator": rp.registered.pk, f"v{rp.registered.pk}": "1234", f"c{rp.registered.pk}": "Số ước tính"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    value = DataValue.objects.get(report=report, indicator=rp.registered)
    assert response.status_code == 200
    assert "Đã lưu" in body
    assert f'id="s-v{rp.registered.pk}"' in body
    assert "<html" not in body
    assert (value.value, value.comment, value.updated_by) == (1234, "Số ước tính", world.commune_officer)


def test_autosaving_a_narrative_section(world, rp, as_user):
    report = open_report(world, rp)
    section = report.version.sections.get(kind="narrative")
    response = as_user(world.commune_officer).post(
        reverse("reporting:report_save_value", args=[report.pk]),
        {"section": section.pk, f"n{section.pk}": "Còn chậm tiến độ."},
        headers={"HX-Request": "true"},
    )
    assert "Đã lưu" in response.content.decode()
    assert report.narratives.get().text == "Còn chậm tiến độ."


def test_an_invalid_value_shows_the_error_inline_and_saves_nothing(world, rp, as_user):
    report = open_report(world, rp)
    response = as_user(world.commune_officer).post(
        reverse("reporting:report_save_value", args=[report.pk]),
        {"indicator": rp.registered.pk, f"v{rp.registered.pk}": "mười"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200  # htmx swaps 200 responses: the error replaces the status
    assert "không phải là số" in body
    assert "DK" in body
    assert not DataValue.objects.filter(report=report).exists()


def test_saving_the_whole_form_without_javascript_is_all_or_nothing(world, rp, as_user):
    report = open_report(world, rp)
    client = as_user(world.commune_officer)
    response = client.post(
        report.get_absolute_url(), {f"v{rp.registered.pk}": "10", f"v{rp.trained.pk}": "tám", f"v{rp.rate.pk}": "50"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "không phải là số" in body
    assert 'value="tám"' in body  # what was typed stays beside its error
    assert not DataValue.objects.filter(report=report).exists()

    response = client.post(report.get_absolute_url(), {f"v{rp.registered.pk}": "10", f"v{rp.trained.pk}": "8"})
    assert response.status_code == 302
    assert dict(report.values.values_list("indicator__code", "value")) == {"DK": 10, "TH": 8}


def test_submit_shows_rule_and_required_errors_beside_the_inputs(world, rp, as_user):
    report = open_report(world, rp)
    response = as_user(world.commune_officer).post(
        reverse("reporting:report_submit", args=[report.pk]), {f"v{rp.trained.pk}": "12", f"v{rp.registered.pk}": ""}
    )
    body = response.content.decode()
    report.refresh_from_db()
    assert response.status_code == 200
    assert "DK: chưa nhập." in body
    assert report.status == Status.DRAFT
    assert DataValue.objects.get(report=report, indicator=rp.trained).value == 12  # valid values were kept


def test_submit_return_and_approve_through_the_pages(world, rp, as_user, client):
    report = open_report(world, rp)
    as_user(world.commune_officer)
    response = client.post(
        reverse("reporting:report_submit", args=[report.pk]), {f"v{rp.registered.pk}": "10", f"v{rp.trained.pk}": "8"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert (
        reverse("reporting:report_approve", args=[report.pk])
        not in client.get(report.get_absolute_url()).content.decode()
    )

    as_user(world.province_admin)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Trả lại" in page
    assert f'name="v{rp.registered.pk}"' not in page  # read-only for the reviewer
    empty = client.post(reverse("reporting:report_return", args=[report.pk]), {"return-reason": " "})
    assert empty.status_code == 200
    assert empty.context["return_form"].errors["reason"]
    client.post(reverse("reporting:report_return", args=[report.pk]), {"return-reason": "Thiếu số liệu TL."})
    report.refresh_from_db()
    assert report.status == Status.RETURNED

    as_user(world.commune_officer)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Thiếu số liệu TL." in page
    client.post(reverse("reporting:report_submit", args=[report.pk]), {f"v{rp.rate.pk}": "75"})

    as_user(world.province_admin)
    client.post(reverse("reporting:report_approve", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == Status.APPROVED
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Trả lại" in page  # the history box lists the return
    assert AuditEntry.objects.filter(action="reporting.report.approved", target_id=str(report.pk)).exists()


def test_correction_of_an_approved_report_opens_a_new_revision(world, rp, as_user):
    report = submitted_report(world, rp)
    services.approve_report(actor=world.province_admin, report=report)
    client = as_user(world.commune_officer)
    assert "Điều chỉnh" in client.get(report.get_absolute_url()).content.decode()
    response = client.post(
        reverse("reporting:report_correction", args=[report.pk]), {"correction-reason": "Sai số liệu TH."}
    )
    correction = Report.objects.get(revision=2)
    assert response["Location"] == correction.get_absolute_url()
    page = client.get(correction.get_absolute_url()).content.decode()
    assert "Sai số liệu TH." in page
    assert f'href="{report.get_absolute_url()}"' in page  # revision 1 stays readable from the history box


def test_previous_period_value_is_shown_beside_the_input(world, rp, as_user):
    q4 = services.ensure_period("quarter", 2025, 4, "calendar")
    before = open_report(world, rp, period=q4)
    services.save_values(actor=world.commune_officer, report=before, values={rp.registered.pk: 77, rp.trained.pk: 70})
    services.submit_report(actor=world.commune_officer, report=before)
    services.approve_report(actor=world.province_admin, report=before)
    report = open_report(world, rp)
    page = as_user(world.commune_officer).get(report.get_absolute_url()).content.decode()
    assert ">77<" in page.replace(" ", "").replace("\n", "")


def test_sibling_officer_gets_404_on_another_communes_report(world, rp, as_user):
    report = open_report(world, rp)
    client = as_user(world.sibling_officer)
    assert client.get(report.get_absolute_url()).status_code == 404
    response = client.post(
        reverse("reporting:report_save_value", args=[report.pk]),
        {"indicator": rp.registered.pk, f"v{rp.registered.pk}": "5"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 404
    assert client.post(reverse("reporting:report_approve", args=[report.pk])).status_code == 404
    assert not DataValue.objects.exists()


def test_sibling_commune_cannot_approve_even_when_it_sees_nothing_else(world, rp, as_user):
    report = submitted_report(world, rp)
    client = as_user(world.commune_officer)  # the reporting unit itself cannot approve its own report
    assert client.post(reverse("reporting:report_approve", args=[report.pk])).status_code == 403
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def _make_form(world, code, n):
    admin = world.province_admin
    form = services.create_form(
        actor=admin, owner=world.province_a, code=code, name=f"Biểu {code}", calendar="calendar"
    )
    section = services.add_section(actor=admin, form=form, title="I")
    for i in range(n):
        ind = services.create_indicator(actor=admin, owner=world.province_a, code=f"{code}_{i}", name=f"Chỉ tiêu {i}")
        services.add_field(actor=admin, section=section, indicator=ind, required=False)
    services.add_section(actor=admin, form=form, title="II", kind="narrative")
    services.publish_form(actor=admin, form=form)
    services.assign_form(
        actor=admin, form=form, parent=world.province_a, unit_kind=UnitKind.COMMUNE, valid_from=dt.date(2025, 7, 1)
    )
    report = services.open_report(
        actor=world.commune_officer,
        form=form,
        unit=world.commune_a,
        period=services.ensure_period("quarter", 2026, 1, "calendar"),
    )
    services.save_values(
        actor=world.commune_officer,
        report=report,
        values={f.indicator_id: 1 for f in services.form_fields(report.version).values()},
    )
    return report


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_report_page_query_count_does_not_grow_with_indicators(world, as_user, django_assert_max_num_queries):
    services.ensure_period("quarter", 2025, 4, "calendar")  # so the previous-period values are read too
    small, large = _make_form(world, "S", 2), _make_form(world, "L", 40)
    client = as_user(world.commune_officer)
    client.get(small.get_absolute_url())  # warm the session
    assert _queries(client, small.get_absolute_url()) == _queries(client, large.get_absolute_url())
    with django_assert_max_num_queries(21):
        client.get(large.get_absolute_url())


# --- lists -----------------------------------------------------------------------------------


def test_report_list_filters_by_status(world, rp, as_user):
    submitted_report(world, rp)
    services.open_report(actor=world.sibling_officer, form=rp.form, unit=world.commune_b, period=rp.period)
    client = as_user(world.province_admin)
    everything = client.get(reverse("reporting:report_list")).content.decode()
    assert "Phường Hải Châu" in everything
    assert "Phường Thanh Khê" in everything
    only_submitted = client.get(reverse("reporting:report_list"), {"status": "submitted"}).content.decode()
    assert "Phường Hải Châu" in only_submitted
    assert "Phường Thanh Khê" not in only_submitted


def test_completeness_page_shows_the_missing_commune(world, rp, as_user):
    submitted_report(world, rp)
    client = as_user(world.province_admin)
    response = client.get(
        reverse("reporting:completeness", args=[rp.form.pk, rp.period.pk]), {"unit": world.province_a.pk}
    )
    body = response.content.decode()
    result = response.context["result"]
    assert response.status_code == 200
    assert (result.expected, result.submitted, [u.name for u in result.missing]) == (2, 1, ["Phường Thanh Khê"])
    assert "Phường Thanh Khê" in body
    assert "Chưa gửi" in body
    assert "Nhắc nhở" in body


@pytest.mark.parametrize("persona", ["sibling_officer", "outsider"])
def test_completeness_of_another_unit_is_404(world, rp, as_user, persona):
    client = as_user(getattr(world, persona))
    url = reverse("reporting:completeness", args=[rp.form.pk, rp.period.pk])
    assert (
        client.get(url, {"unit": world.commune_a.pk if persona == "outsider" else world.province_a.pk}).status_code
        == 404
    )


# --- admin -----------------------------------------------------------------------------------


def test_admin_edits_holiday_shifts_and_only_reads_reports(world, rp, as_user):
    from chidao.reporting.models import HolidayShift

    report = submitted_report(world, rp)
    client = as_user(world.system_admin)
    response = client.post(
        reverse("admin:reporting_holidayshift_add"),
        {"day": "2026-05-02", "is_day_off": "on", "note": "Nghỉ bù theo Thông báo của Bộ Nội vụ"},
    )
    assert response.status_code == 302
    assert HolidayShift.objects.get(day=dt.date(2026, 5, 2)).is_day_off
    assert client.get(reverse("admin:reporting_report_change", args=[report.pk])).status_code == 200
    assert client.get(reverse("admin:reporting_report_add")).status_code == 403
    assert client.post(reverse("admin:reporting_report_delete", args=[report.pk]), {"post": "yes"}).status_code == 403
    assert Report.objects.filter(pk=report.pk).exists()
