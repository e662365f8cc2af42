"""Every reporting page with each persona.

Commune A's report: its officer and the province administrator reach it; the sibling commune's
officer and the other province's officer get 404 on every page and action, and nothing changes.
Province A's form is catalogue data of the province: its communes read it, the other province
gets 404, and only the province's secretariat changes it (403 for a commune officer).
"""

from __future__ import annotations

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from chidao.audit.models import AuditEntry
from chidao.reporting import services
from chidao.reporting.models import DataValue, Report
from tests.conftest import login

# route -> (kind of object, methods to try)
ROUTES = {
    "form_detail": ("form", "get"),
    "form_section_add": ("form", "post"),
    "form_field_add": ("form", "post"),
    "form_rule_add": ("form", "post"),
    "form_publish": ("form", "post"),
    "form_version_new": ("form", "post"),
    "assignment_create": ("form", "post"),
    "completeness": ("form_period", "get"),
    "completeness_remind": ("form_period", "post"),
    "report_detail": ("report", "get"),
    "report_save_value": ("report", "post"),
    "report_submit": ("report", "post"),
    "report_return": ("report", "post"),
    "report_approve": ("report", "post"),
    "report_correction": ("report", "post"),
    "report_xlsx": ("report", "get"),
    "report_xlsx_upload": ("report", "get"),
    "report_docx": ("report", "get"),
    "report_pdf": ("report", "get"),
    "drilldown": ("aggregate", "get"),
}
# Pages without an object in the URL: lists scoped by the user, checked for content below.
LISTS = {
    "indicator_list",
    "indicator_create",
    "form_list",
    "form_create",
    "owed",
    "report_list",
    "report_open",
    "dashboard",
    "export",
    "import_values",
}


def _reporting_routes() -> list[str]:
    resolver = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "reporting")
    return [p.name for p in resolver.url_patterns if isinstance(p, URLPattern) and p.name]


def test_every_reporting_route_is_in_the_matrix():
    assert set(_reporting_routes()) == set(ROUTES) | LISTS


@pytest.fixture
def report(world, rp):
    r = services.open_report(actor=world.commune_officer, form=rp.form, unit=world.commune_a, period=rp.period)
    services.save_values(actor=world.commune_officer, report=r, values={rp.registered.pk: 10, rp.trained.pk: 5})
    services.submit_report(actor=world.commune_officer, report=r)
    return Report.objects.get(pk=r.pk)


def _url(name: str, rp, report) -> str:
    kind = ROUTES[name][0]
    if kind == "form":
        return reverse(f"reporting:{name}", args=[rp.form.pk])
    if kind == "form_period":
        return reverse(f"reporting:{name}", args=[rp.form.pk, rp.period.pk]) + f"?unit={report.unit.parent_id}"
    if kind == "report":
        return reverse(f"reporting:{name}", args=[report.pk])
    return reverse(f"reporting:{name}", args=[rp.form.pk, rp.period.pk, report.unit_id, rp.registered.pk])


REPORT_ROUTES = [n for n, (kind, _m) in ROUTES.items() if kind in {"report", "aggregate"}]


@pytest.mark.parametrize("name", REPORT_ROUTES)
def test_report_pages_are_404_for_sibling_and_other_province(name, world, rp, report, client):
    url = _url(name, rp, report)
    for persona in ("sibling_officer", "outsider"):
        login(client, getattr(world, persona))
        response = client.get(url) if ROUTES[name][1] == "get" else client.post(url, {"reason": "x", "value": "1"})
        assert response.status_code == 404, (persona, url, response.status_code)
        client.logout()


@pytest.mark.parametrize("name", [n for n in REPORT_ROUTES if ROUTES[n][1] == "get" and n != "report_pdf"])
def test_report_pages_open_for_the_unit_and_the_province(name, world, rp, report, client):
    url = _url(name, rp, report)
    for persona in ("commune_officer", "province_admin"):
        login(client, getattr(world, persona))
        assert client.get(url).status_code == 200, (persona, url)
        client.logout()


def test_outsiders_change_nothing(world, rp, report, client):
    before = (
        list(DataValue.objects.values_list("id", "value")),
        Report.objects.get(pk=report.pk).status,
        AuditEntry.objects.count(),
    )
    for persona in ("sibling_officer", "outsider"):
        login(client, getattr(world, persona))
        for name in REPORT_ROUTES:
            if ROUTES[name][1] == "post":
                client.post(
                    _url(name, rp, report),
                    {"reason": "x", f"v{rp.registered.pk}": "99", "indicator": rp.registered.pk, "value": "99"},
                )
        client.logout()
    after = (
        list(DataValue.objects.values_list("id", "value")),
        Report.objects.get(pk=report.pk).status,
        AuditEntry.objects.count(),
    )
    assert after == before


FORM_ROUTES = [n for n, (kind, _m) in ROUTES.items() if kind in {"form", "form_period"}]


@pytest.mark.parametrize("name", FORM_ROUTES)
def test_form_pages_are_404_for_the_other_province(name, world, rp, report, client):
    login(client, world.outsider)
    url = _url(name, rp, report)
    response = client.get(url) if ROUTES[name][1] == "get" else client.post(url, {})
    assert response.status_code == 404, (url, response.status_code)


# assignment_create is open to every editor: a commune may require its own sub-units to send a
# province form; the service checks the role on the chosen parent unit.
@pytest.mark.parametrize(
    "name", [n for n in FORM_ROUTES if ROUTES[n][1] == "post" and n not in {"completeness_remind", "assignment_create"}]
)
def test_commune_officer_cannot_change_the_province_form(name, world, rp, report, client):
    login(client, world.commune_officer)
    response = client.post(_url(name, rp, report), {"title": "X", "name": "X"})
    assert response.status_code == 403, (name, response.status_code)


def test_lists_and_exports_show_only_visible_units(world, rp, report, client):
    login(client, world.sibling_officer)
    for name in ("report_list", "owed"):
        body = client.get(reverse(f"reporting:{name}")).content.decode()
        assert "Phường Hải Châu" not in body, name
    export = client.get(reverse("reporting:export"), {"form": rp.form.pk, "format": "csv"})
    assert (
        "Phường Hải Châu" not in b"".join(export.streaming_content if export.streaming else [export.content]).decode()
    )


def test_api_reports_are_404_outside_scope(world, rp, report, client):
    login(client, world.sibling_officer)
    assert client.get(f"/api/reporting/reports/{report.pk}").status_code == 404
    body = json.dumps(
        {
            "form": rp.form.code,
            "period": rp.period.pk,
            "unit": world.commune_a.pk,
            "values": [{"indicator": "DK", "value": 1}],
        }
    )
    assert client.put("/api/reporting/values", data=body, content_type="application/json").status_code == 404
