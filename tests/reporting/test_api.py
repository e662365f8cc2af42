"""Reporting API: bulk writes all or nothing, scope, the workflow and aggregates."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from chidao.reporting.models import DataValue, Narrative, Report

API = "/api/reporting"
Q1 = {"kind": "quarter", "year": 2026, "number": 1}


def _put(client: Any, url: str, body: Any) -> Any:
    return client.put(url, data=json.dumps(body), content_type="application/json")


def _post(client: Any, url: str, body: Any = None) -> Any:
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def _entry(unit: str, **values: Any) -> dict[str, Any]:
    return {
        "form": "BC35",
        "period": Q1,
        "unit": unit,
        "values": [{"indicator": code, "value": value} for code, value in values.items()],
    }


def test_bulk_write_then_read_back(world, rp, as_user):
    client = as_user(world.commune_officer)
    narrative = rp.form.current_version().sections.get(kind="narrative")
    body = _entry("W20242", DK=120, TH="100")
    body["values"].append({"indicator": "tl", "value": 87.5, "comment": "ước tính"})
    body["narratives"] = [{"section": narrative.pk, "text": "Cộng tác viên còn mỏng."}]

    saved = _put(client, f"{API}/values", body)

    assert saved.status_code == 200, saved.content
    assert saved.json()["changed"] == 3 and saved.json()["status"] == "draft"
    report = client.get(f"{API}/reports/{saved.json()['report_id']}").json()
    assert report["unit_code"] == "W20242" and report["period_label"] == "Quý I/2026"
    values = {v["code"]: (Decimal(v["value"]), v["comment"]) for v in report["values"]}
    assert values == {"DK": (120, ""), "TH": (100, ""), "TL": (Decimal("87.5"), "ước tính")}
    assert report["narratives"] == [
        {"section_id": narrative.pk, "title": "II. Hạn chế, nguyên nhân", "text": "Cộng tác viên còn mỏng."}
    ]
    listed = client.get(f"{API}/reports", {"form": "BC35", "unit": "W20242"}).json()
    assert [r["id"] for r in listed["items"]] == [report["id"]]


def test_second_write_updates_the_same_report(world, rp, as_user):
    client = as_user(world.commune_officer)
    first = _put(client, f"{API}/values", _entry("W20242", DK=120, TH=100)).json()
    second = _put(client, f"{API}/values", {**_entry("W20242", TH=90), "period": rp.period.pk, "form": rp.form.pk})
    assert second.status_code == 200
    assert second.json() == {**first, "changed": 1}
    assert DataValue.objects.get(report_id=first["report_id"], indicator=rp.trained).value == 90


def test_bad_value_answers_422_naming_the_indicator_and_saves_nothing(world, rp, as_user):
    client = as_user(world.commune_officer)
    response = _put(client, f"{API}/values", _entry("W20242", DK="một trăm", TH=100, TL=150))
    assert response.status_code == 422
    assert response.json()["detail"] == {
        "DK": ["DK: “một trăm” không phải là số."],
        "TL": ["TL: tỷ lệ phải từ 0 đến 100."],
    }
    assert not Report.objects.exists()
    assert not DataValue.objects.exists()


def test_indicator_outside_the_form_is_refused(world, rp, as_user):
    response = _put(as_user(world.commune_officer), f"{API}/values", _entry("W20242", DK=1, XX=2))
    assert response.status_code == 422
    assert response.json()["detail"] == {"XX": ["XX: chỉ tiêu không có trong biểu mẫu."]}
    assert not Report.objects.exists()


def test_sibling_commune_cannot_write_or_read(world, rp, as_user):
    saved = _put(as_user(world.commune_officer), f"{API}/values", _entry("W20242", DK=1, TH=1)).json()
    client = as_user(world.sibling_officer)
    assert _put(client, f"{API}/values", _entry("W20242", DK=5)).status_code == 404
    assert client.get(f"{API}/reports/{saved['report_id']}").status_code == 404
    assert _post(client, f"{API}/reports/{saved['report_id']}/submit").status_code == 404
    assert client.get(f"{API}/reports").json()["count"] == 0
    assert DataValue.objects.get(report_id=saved["report_id"], indicator=rp.registered).value == 1


def test_viewer_gets_403_and_nothing_is_written(world, rp, as_user):
    response = _put(as_user(world.viewer), f"{API}/values", _entry("W20242", DK=1))
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_batch_writes_several_units_in_one_call(world, rp, as_user):
    client = as_user(world.province_admin)
    response = _put(
        client, f"{API}/values/batch", [_entry("W20242", DK=120, TH=100), _entry("W20209", DK=50, TH=40, TL=75)]
    )
    assert response.status_code == 200, response.content
    assert response.json()["changed"] == 5
    assert {r.unit.code: r.status for r in Report.objects.select_related("unit")} == {
        "W20242": "draft",
        "W20209": "draft",
    }


def test_batch_with_a_unit_out_of_scope_saves_nothing_for_either(world, rp, as_user):
    client = as_user(world.commune_officer)
    response = _put(client, f"{API}/values/batch", [_entry("W20242", DK=1, TH=1), _entry("W20209", DK=2, TH=2)])
    assert response.status_code == 404
    assert not Report.objects.exists()
    assert not DataValue.objects.exists()


def test_batch_with_one_bad_value_saves_nothing_and_names_unit_and_indicator(world, rp, as_user):
    client = as_user(world.province_admin)
    response = _put(client, f"{API}/values/batch", [_entry("W20242", DK=1, TH=1), _entry("W20209", DK=2, TL=101)])
    assert response.status_code == 422
    assert response.json()["detail"] == {"W20209.TL": ["TL: tỷ lệ phải từ 0 đến 100."]}
    assert not Report.objects.exists()
    assert not DataValue.objects.exists()


def test_submit_and_approve_through_the_api_update_aggregates(world, rp, as_user):
    officer = as_user(world.commune_officer)
    narrative = rp.form.current_version().sections.get(kind="narrative")
    body = {**_entry("W20242", DK=120, TH=100, TL=80), "narratives": [{"section": narrative.pk, "text": "Ổn."}]}
    report_id = _put(officer, f"{API}/values", body).json()["report_id"]
    submitted = _post(officer, f"{API}/reports/{report_id}/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert _post(officer, f"{API}/reports/{report_id}/approve").status_code == 403  # the unit above approves

    admin = as_user(world.province_admin)
    approved = _post(admin, f"{API}/reports/{report_id}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    rows = admin.get(f"{API}/aggregates", {"form": "BC35", "period": rp.period.pk, "unit": "P48"}).json()["rows"]
    by_unit = {r["unit_code"]: {v["code"]: v for v in r["values"]} for r in rows}
    assert [r["unit_code"] for r in rows] == ["P48", "W20242", "W20209"]
    assert rows[0]["is_total"]
    assert Decimal(by_unit["P48"]["DK"]["value"]) == 120 and by_unit["P48"]["DK"]["count"] == 1
    assert by_unit["P48"]["DK"]["updated_at"] is not None
    assert Decimal(by_unit["W20242"]["TL"]["value"]) == 80 and by_unit["W20242"]["TL"]["aggregation"] == "avg"
    assert by_unit["W20209"]["DK"]["value"] is None and by_unit["W20209"]["DK"]["count"] == 0


def test_submit_with_a_broken_rule_answers_422_by_indicator_code(world, rp, as_user):
    officer = as_user(world.commune_officer)
    report_id = _put(officer, f"{API}/values", _entry("W20242", DK=10, TH=20)).json()["report_id"]
    response = _post(officer, f"{API}/reports/{report_id}/submit")
    assert response.status_code == 422
    assert response.json()["detail"] == {"TH": ["Số được tập huấn không vượt số đăng ký."]}
    assert Report.objects.get().status == "draft"


def test_return_needs_a_reason_then_correction_after_approval(world, rp, as_user):
    officer = as_user(world.commune_officer)
    report_id = _put(officer, f"{API}/values", _entry("W20242", DK=10, TH=5)).json()["report_id"]
    _post(officer, f"{API}/reports/{report_id}/submit")
    admin = as_user(world.province_admin)
    assert _post(admin, f"{API}/reports/{report_id}/return", {"reason": " "}).json()["detail"] == {
        "reason": ["Hãy ghi lý do trả lại."]
    }
    returned = _post(admin, f"{API}/reports/{report_id}/return", {"reason": "Thiếu số liệu tháng 3."})
    assert returned.json()["status"] == "returned"
    _post(as_user(world.commune_officer), f"{API}/reports/{report_id}/submit")
    _post(as_user(world.province_admin), f"{API}/reports/{report_id}/approve")

    officer = as_user(world.commune_officer)
    locked = _put(officer, f"{API}/values", _entry("W20242", DK=11))
    assert locked.status_code == 422
    correction = _post(officer, f"{API}/reports/{report_id}/correction", {"reason": "Số đăng ký sai."})
    assert correction.status_code == 201
    assert correction.json()["revision"] == 2 and not correction.json()["is_current"]
    fixed = _put(officer, f"{API}/values", _entry("W20242", DK=11))
    assert fixed.status_code == 200 and fixed.json()["report_id"] == correction.json()["id"]


def test_forms_list_the_current_version_fields_to_users_in_scope(world, rp, as_user):
    forms = as_user(world.commune_officer).get(f"{API}/forms").json()
    assert [f["code"] for f in forms] == ["BC35"]
    assert forms[0]["version"] == 1
    assert [(f["code"], f["type"], f["required"]) for f in forms[0]["fields"]] == [
        ("DK", "integer", True),
        ("TH", "integer", True),
        ("TL", "percent", False),
    ]
    assert [s["kind"] for s in forms[0]["sections"]] == ["indicators", "narrative"]
    assert as_user(world.outsider).get(f"{API}/forms").json() == []


def test_periods_of_a_form_and_year(world, rp, as_user):
    client = as_user(world.commune_officer)
    periods = client.get(f"{API}/periods", {"form": "BC35", "year": 2026}).json()
    assert [(p["id"], p["label"]) for p in periods] == [(rp.period.pk, "Quý I/2026")]
    assert client.get(f"{API}/periods", {"year": 2025}).json() == []


def test_invalid_period_is_refused(world, rp, as_user):
    body = {**_entry("W20242", DK=1), "period": {"kind": "quarter", "year": 2026, "number": 5}}
    response = _put(as_user(world.commune_officer), f"{API}/values", body)
    assert response.status_code == 422
    assert list(response.json()["detail"]) == ["period"]
    assert not Report.objects.exists()


def test_openapi_documents_the_reporting_routes():
    from chidao.api import api

    paths = api.get_openapi_schema()["paths"]
    for route in (
        "/api/reporting/forms",
        "/api/reporting/periods",
        "/api/reporting/reports",
        "/api/reporting/reports/{report_id}",
        "/api/reporting/values",
        "/api/reporting/values/batch",
        "/api/reporting/reports/{report_id}/submit",
        "/api/reporting/reports/{report_id}/return",
        "/api/reporting/reports/{report_id}/approve",
        "/api/reporting/reports/{report_id}/correction",
        "/api/reporting/aggregates",
    ):
        assert route in paths, route


def test_narrative_of_another_form_section_is_refused(world, rp, as_user):
    indicators_section = rp.form.current_version().sections.get(kind="indicators")
    body = {**_entry("W20242", DK=1), "narratives": [{"section": indicators_section.pk, "text": "x"}]}
    response = _put(as_user(world.commune_officer), f"{API}/values", body)
    assert response.status_code == 422
    assert not Narrative.objects.exists()
    assert not Report.objects.exists()


def test_lists_cost_the_same_queries_for_one_or_many_rows(world, rp, as_user, django_assert_num_queries):
    client = as_user(world.province_admin)
    _put(client, f"{API}/values/batch", [_entry("W20242", DK=1, TH=1)])
    with django_assert_num_queries(5):
        assert client.get(f"{API}/reports").json()["count"] == 1
    _put(client, f"{API}/values/batch", [_entry("W20209", DK=2, TH=2)])
    with django_assert_num_queries(5):
        assert client.get(f"{API}/reports").json()["count"] == 2
    with django_assert_num_queries(7):  # the request (session, user, 2FA, grants...) then four reads
        assert len(client.get(f"{API}/forms").json()) == 1


def test_values_that_are_not_json_scalars_are_refused_by_code(world, rp, client):
    from django.urls import reverse

    from tests.conftest import login

    login(client, world.commune_officer)
    body = {
        "form": rp.form.code,
        "period": rp.period.pk,
        "unit": world.commune_a.pk,
        "values": [{"indicator": "DK", "value": [1, 2]}, {"indicator": "TH", "value": {"x": 1}}],
    }
    one = client.put(reverse("api:put_values"), data=body, content_type="application/json")
    assert one.status_code == 422
    assert set(one.json()["detail"]) == {"DK", "TH"}
    batch = client.put(reverse("api:put_values_batch"), data=[body], content_type="application/json")
    assert batch.status_code == 422
    assert "giá trị phải là số" in str(batch.json()["detail"])
