"""Every page and API route, with every persona: nobody sees or changes another unit's data.

Objects belong to commune A. Its officer and the province administrator above it reach them;
the sibling commune's officer and the other province's officer get 404 — the same answer as for
an object that does not exist — and nothing changes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from chidao.api import api
from chidao.audit import services as audit
from chidao.audit.models import AuditEntry
from chidao.org import services
from chidao.org.models import Committee, Membership, Person, Role, Unit
from chidao.reporting import services as reporting
from chidao.reporting.models import DataValue
from tests.conftest import login
from tests.reporting.conftest import _setup as reporting_setup


@dataclass
class Objects:
    unit: Unit
    committee: Committee
    person: Person
    membership: Membership
    entry: AuditEntry
    report: Any
    form_code: str
    period_id: int


@pytest.fixture
def objs(world):
    officer = world.commune_officer
    agency = services.create_unit(
        actor=officer,
        parent=world.commune_a,
        name="Đảng ủy phường Hải Châu",
        agency_type="party_committee",
    )
    committee = services.create_committee(actor=officer, unit=world.commune_a, name="Ban Chỉ đạo 35 phường Hải Châu")
    person = services.create_person(actor=officer, unit=world.commune_a, full_name="Nguyễn Văn A (dữ liệu mẫu)")
    membership = services.appoint_member(
        actor=officer,
        committee=committee,
        person=person,
        role=Role.HEAD,
        start_date=dt.date(2025, 7, 1),
    )
    entry = audit.record(actor=officer, action="test.touch", target=agency, unit=world.commune_a)
    rp = reporting_setup(world)
    report = reporting.open_report(actor=officer, form=rp.form, unit=world.commune_a, period=rp.period)
    reporting.save_values(actor=officer, report=report, values={rp.registered.pk: 10, rp.trained.pk: 5})
    reporting.submit_report(actor=officer, report=report)
    return Objects(
        unit=agency,
        committee=committee,
        person=person,
        membership=membership,
        entry=entry,
        report=report,
        form_code=rp.form.code,
        period_id=rp.period.pk,
    )


PREFIX_TO_OBJECT = {
    "unit_": "unit",
    "agency_": "unit",
    "committee_": "committee",
    "group_": "committee",
    "member_": "committee",
    "membership_": "membership",
    "person_": "person",
    "entry_": "entry",
}


def _object_routes():
    """(namespaced url name) for every org/audit route that takes a pk."""
    routes = []
    for ns in ("org", "audit"):
        resolver = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == ns)
        for pattern in resolver.url_patterns:
            assert isinstance(pattern, URLPattern)
            if "pk" in pattern.pattern.regex.groupindex:
                routes.append(f"{ns}:{pattern.name}")
    return routes


def _object_for(name: str, objs: Objects):
    short = name.split(":")[1]
    for prefix, attr in PREFIX_TO_OBJECT.items():
        if short.startswith(prefix):
            return getattr(objs, attr)
    raise AssertionError(f"route {name} is not in the scope matrix: add it to PREFIX_TO_OBJECT")


OUTSIDERS = ("sibling_officer", "outsider")
INSIDERS = ("commune_officer", "province_admin", "system_admin")


@pytest.mark.parametrize("route", _object_routes())
def test_object_pages_answer_404_outside_scope_and_200_inside(route, world, objs, client):
    obj = _object_for(route, objs)
    url = reverse(route, args=[obj.pk])
    for persona in OUTSIDERS:
        login(client, getattr(world, persona))
        assert client.get(url).status_code == 404, (persona, url)
        assert client.post(url, {"name": "X", "end_date": "2025-08-01", "full_name": "X"}).status_code == 404, (
            persona,
            url,
        )
        client.logout()
    for persona in INSIDERS:
        login(client, getattr(world, persona))
        expected = 200
        if route.startswith("audit:") and persona == "commune_officer":
            expected = 404  # the trail is for administrators only
        assert client.get(url).status_code == expected, (persona, url)
        client.logout()


def test_outsiders_change_nothing(world, objs, client):
    before = (
        Membership.objects.count(),
        Person.objects.count(),
        Unit.objects.count(),
        AuditEntry.objects.count(),
    )
    login(client, world.sibling_officer)
    client.post(
        reverse("org:membership_end", args=[objs.membership.pk]),
        {"end_date": "2025-08-01"},
    )
    client.post(reverse("org:person_edit", args=[objs.person.pk]), {"full_name": "Đổi tên"})
    client.post(
        reverse("org:member_appoint", args=[objs.committee.pk]),
        {"person": objs.person.pk, "role": "member", "start_date": "2025-08-01"},
    )
    client.post(
        reverse("org:agency_create", args=[objs.unit.pk]),
        {"name": "X", "agency_type": "other"},
    )
    client.post(reverse("org:switch_unit"), {"unit": objs.unit.pk})
    assert (
        Membership.objects.count(),
        Person.objects.count(),
        Unit.objects.count(),
        AuditEntry.objects.count(),
    ) == before
    objs.person.refresh_from_db()
    objs.membership.refresh_from_db()
    assert objs.person.full_name != "Đổi tên"
    assert objs.membership.end_date is None


def _api_cases(objs: Objects, world):
    ids = {
        "unit_id": objs.unit.pk,
        "committee_id": objs.committee.pk,
        "person_id": objs.person.pk,
        "membership_id": objs.membership.pk,
        "grant_id": world.commune_officer.role_grants.get().pk,
        "report_id": objs.report.pk,
    }
    values = {
        "form": objs.form_code,
        "period": objs.period_id,
        "unit": world.commune_a.pk,
        "values": [{"indicator": "DK", "value": 99}],
    }
    bodies = {
        "/api/units": {"parent_id": objs.unit.pk, "name": "X", "agency_type": "other"},
        "/api/committees": {"unit_id": objs.unit.pk, "name": "X"},
        "/api/people": {"unit_id": objs.unit.pk, "full_name": "X"},
        "/api/committees/{committee_id}/memberships": {
            "person_id": objs.person.pk,
            "role": "member",
            "start_date": "2025-08-01",
        },
        "/api/memberships/{membership_id}/end": {"end_date": "2025-08-01"},
        "/api/reporting/values": values,
        "/api/reporting/values/batch": [values],
        "/api/reporting/reports/{report_id}/submit": {},
        "/api/reporting/reports/{report_id}/approve": {},
        "/api/reporting/reports/{report_id}/return": {"reason": "x"},
        "/api/reporting/reports/{report_id}/correction": {"reason": "x"},
    }
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        if path.startswith(OWN_MATRICES):
            continue
        for method in operations:
            url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)
            yield path, method, url, bodies.get(path)


# Apps whose routes are walked by their own matrix (tests/<app>/test_scope_matrix.py), which
# fails when one of that app's routes is missing from it.
OWN_MATRICES = ("/api/meetings/", "/api/tasks/", "/api/calendar/", "/api/documents")

COLLECTION_GETS = {
    "/api/units",
    "/api/committees",
    "/api/people",
    "/api/audit/entries",
    "/api/me",
    "/api/users",
    "/api/accounts/me",
    "/api/accounts/users",
    "/api/reporting/forms",
    "/api/reporting/periods",
    "/api/reporting/reports",
}
# Routes that need query parameters: called with them below.
PARAMETERISED = {"/api/reporting/aggregates", "/api/reporting/cumulative"}


def test_api_routes_refuse_outsiders(world, objs, client):
    for persona in OUTSIDERS:
        login(client, getattr(world, persona))
        for path, method, url, body in _api_cases(objs, world):
            if method == "get":
                if path in PARAMETERISED:
                    url += (
                        f"?form={objs.form_code}&period={objs.period_id}&unit={world.commune_a.pk}&kind=half&year=2026"
                    )
                response = client.get(url)
                if path in COLLECTION_GETS:
                    assert response.status_code == 200, (persona, url)
                    text = response.content.decode()
                    assert objs.person.full_name not in text and objs.committee.name not in text, (persona, url)
                else:
                    assert response.status_code == 404, (persona, url)
            elif method in {"post", "delete", "put", "patch"}:
                if body is None and method == "post":
                    continue
                response = getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json")
                assert response.status_code in {403, 404}, (
                    persona,
                    method,
                    url,
                    response.content,
                )
        client.logout()
    assert Person.objects.filter(full_name="X").count() == 0
    assert not DataValue.objects.filter(value=99).exists()
    assert Unit.objects.filter(name="X").count() == 0


def test_api_routes_serve_insiders(world, objs, client):
    login(client, world.commune_officer)
    for path, method, url, _body in _api_cases(objs, world):
        if method == "get" and not path.startswith(("/api/audit", "/api/accounts/users", "/api/users")):
            if path in PARAMETERISED:
                url += f"?form={objs.form_code}&period={objs.period_id}&unit={world.commune_a.pk}&kind=half&year=2026"
            response = client.get(url)
            if path == "/api/reporting/cumulative":
                # reached: the quarterly test form is refused for cumulative figures, by field
                assert response.status_code == 422 and "form" in response.json()["detail"], url
                continue
            assert response.status_code == 200, url


def test_anonymous_gets_login_redirect_or_401(objs, client):
    assert client.get(reverse("org:committee_detail", args=[objs.committee.pk])).status_code == 302
    assert client.get(f"/api/committees/{objs.committee.pk}").status_code == 401
