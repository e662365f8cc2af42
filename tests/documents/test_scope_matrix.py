"""Every registry page and API route with each persona.

The objects belong to commune A's register (Hải Châu): a plan with the default "subtree" visibility,
its attachment and its relation to the city's plan. Commune A's officer, the Đà Nẵng administrator
above it and the system administrator read and change them; a viewer on Đà Nẵng reads them and gets
403 on every change; the sibling commune's officer and Quảng Ninh's officer get 404 everywhere, like
for a document that does not exist, and nothing changes.

Visibility on top of the unit tree: a "subtree" document of province A is read by commune A's
officer but not by province B's; a "unit" document of province A is not read by a commune under it;
a public document is read by every logged-in user, even one without any role.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from chidao.api import api
from chidao.audit.models import AuditEntry
from chidao.documents import services
from chidao.documents.models import Attachment, Document, DocumentRelation, RelationKind
from tests.conftest import login, make_user
from tests.documents.conftest import pdf_bytes

# route name -> (object in the URL, "read" or "write", method of the action)
ROUTES = {
    "detail": ("document", "read", "get"),
    "edit": ("document", "write", "get"),
    "delete": ("document", "write", "get"),
    "relation_add": ("document", "write", "get"),
    "relation_remove": ("relation", "write", "post"),
    "attachment_upload": ("document", "write", "get"),
    "attachment_download": ("attachment", "read", "get"),
    "attachment_delete": ("attachment", "write", "post"),
}
LISTS = {"list", "create"}

READERS = ("commune_officer", "province_admin", "system_admin", "viewer")
EDITORS = ("commune_officer", "province_admin", "system_admin")
READ_ONLY = ("viewer",)
STRANGERS = ("sibling_officer", "outsider")


def _registry_routes() -> list[str]:
    """The registry's own routes (the composing and import tools have their own matrix)."""
    resolver = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "documents")
    return [
        p.name
        for p in resolver.url_patterns
        if isinstance(p, URLPattern) and p.name and p.callback.__module__ == "chidao.documents.views"
    ]


def test_every_registry_route_is_in_the_matrix():
    assert set(_registry_routes()) == set(ROUTES) | LISTS


@dataclass
class Case:
    document: Document
    attachment: Attachment
    relation: DocumentRelation
    users: dict[str, Any]


@pytest.fixture
def case(dw) -> Case:
    attachment = services.attach_bytes(
        actor=dw.commune_officer, document=dw.ward_plan, content=pdf_bytes(), name="ke-hoach.pdf"
    )
    relation = DocumentRelation.objects.get(source=dw.ward_plan)
    users = {name: getattr(dw, name) for name in (*READERS, *STRANGERS)}
    return Case(document=dw.ward_plan, attachment=attachment, relation=relation, users=users)


def _url(name: str, case: Case) -> str:
    obj = {"document": case.document, "attachment": case.attachment, "relation": case.relation}[ROUTES[name][0]]
    return reverse(f"documents:{name}", args=[obj.pk])


def _state() -> tuple[Any, ...]:
    return (
        list(Document.objects.order_by("id").values_list("id", "title", "symbol", "visibility", "unit_id")),
        list(DocumentRelation.objects.order_by("id").values_list("id", "kind", "target_id")),
        list(Attachment.objects.order_by("id").values_list("id", "name")),
        AuditEntry.objects.count(),
    )


POST_DATA = {
    "unit": "",
    "direction": "incoming",
    "kind": "cites",
    "symbol": "99-KH/ĐU",
    "issuer": "Đổi",
    "issued_on": "2024-01-01",
    "title": "Đổi",
    "visibility": "public",
    "target": "35-NQ/TW",
}


@pytest.mark.parametrize("name", list(ROUTES))
def test_strangers_get_404_on_every_page(name, case, client):
    url = _url(name, case)
    for persona in STRANGERS:
        login(client, case.users[persona])
        expected_get = {404} if ROUTES[name][2] == "get" else {404, 405}
        assert client.get(url).status_code in expected_get, (persona, url)
        assert client.post(url, POST_DATA).status_code == 404, (persona, url)
        client.logout()


@pytest.mark.parametrize("name", [n for n, (_o, access, _m) in ROUTES.items() if access == "read"])
def test_readers_read(name, case, client):
    url = _url(name, case)
    for persona in READERS:
        login(client, case.users[persona])
        assert client.get(url).status_code == 200, (persona, url)
        client.logout()


@pytest.mark.parametrize("name", [n for n, (_o, access, _m) in ROUTES.items() if access == "write"])
def test_only_editors_change(name, case, client):
    url = _url(name, case)
    method = ROUTES[name][2]
    for persona in READ_ONLY:
        login(client, case.users[persona])
        assert client.get(url).status_code in ({403} if method == "get" else {403, 405}), (persona, url)
        assert client.post(url, POST_DATA).status_code == 403, (persona, url)
        client.logout()
    if method == "get":
        for persona in EDITORS:
            login(client, case.users[persona])
            assert client.get(url).status_code == 200, (persona, url)
            client.logout()


def test_strangers_and_readers_change_nothing(case, client):
    before = _state()
    for persona in (*STRANGERS, *READ_ONLY):
        login(client, case.users[persona])
        for name in ROUTES:
            client.post(_url(name, case), POST_DATA)
        client.post(reverse("documents:create"), {**POST_DATA, "unit": case.document.unit_id})
        client.logout()
    assert _state() == before


def test_lists_show_only_readable_documents(dw, case, client):
    for persona in STRANGERS:
        login(client, case.users[persona])
        body = client.get(reverse("documents:list")).content.decode()
        assert "05-KH/ĐU" not in body and "ke-hoach.pdf" not in body, persona
        client.logout()


# --- visibility -------------------------------------------------------------------------------


def _reads(client, user, document: Document) -> bool:
    login(client, user)
    status = client.get(document.get_absolute_url()).status_code
    api_status = client.get(f"/api/documents/{document.pk}").status_code
    client.logout()
    assert status == api_status
    return status == 200


def test_subtree_document_reaches_the_communes_below_only(dw, client):
    assert _reads(client, dw.commune_officer, dw.city_plan)
    assert _reads(client, dw.sibling_officer, dw.city_plan)
    assert not _reads(client, dw.outsider, dw.city_plan)


def test_unit_document_stays_with_its_unit_and_those_above(dw, client):
    assert not _reads(client, dw.commune_officer, dw.city_notice)
    assert _reads(client, dw.province_admin, dw.city_notice) and _reads(client, dw.viewer, dw.city_notice)
    assert _reads(client, dw.system_admin, dw.city_notice)
    assert not _reads(client, dw.outsider, dw.city_notice)


def test_public_document_is_read_by_every_logged_in_user(dw, client):
    nobody = make_user("no_role_user")
    for user in (dw.commune_officer, dw.sibling_officer, dw.outsider, dw.viewer, nobody):
        assert _reads(client, user, dw.resolution), user
    assert client.get(dw.resolution.get_absolute_url()).status_code == 302  # anonymous: to the login page
    assert client.get(f"/api/documents/{dw.resolution.pk}").status_code == 401


def test_commune_reads_the_subtree_plan_but_cannot_relate_from_it(dw, client):
    login(client, dw.commune_officer)
    response = client.post(
        reverse("documents:relation_add", args=[dw.city_plan.pk]), {"kind": RelationKind.CITES, "target": "35-NQ/TW"}
    )
    assert response.status_code == 403
    assert not DocumentRelation.objects.filter(source=dw.city_plan, kind=RelationKind.CITES).exists()


# --- API --------------------------------------------------------------------------------------

API_ROUTES = {
    # path: (object, access)
    "/api/documents/{document_id}": ("document", "read"),
    "/api/documents/{document_id}/relations": ("document", "write"),
    "/api/documents/relations/{relation_id}": ("relation", "write"),
    "/api/documents/{document_id}/attachments": ("document", "write"),
    "/api/documents/attachments/{attachment_id}/download": ("attachment", "read"),
    "/api/documents/attachments/{attachment_id}": ("attachment", "write"),
}
API_BODIES = {
    "/api/documents/{document_id}": {"title": "Đổi"},
    "/api/documents/{document_id}/relations": {"target_id": 0, "kind": "cites"},
}


def _api_calls(case: Case, target_id: int):
    ids = {"document_id": case.document.pk, "relation_id": case.relation.pk, "attachment_id": case.attachment.pk}
    schema = api.get_openapi_schema()["paths"]
    for path in API_ROUTES:
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)
        for method in schema[path]:
            body = dict(API_BODIES.get(path, {}))
            if "target_id" in body:
                body["target_id"] = target_id
            yield path, method, url, body


def _call(client, method: str, url: str, body: dict[str, Any]):
    if method == "get":
        return client.get(url)
    if url.endswith("/attachments"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return client.post(url, {"file": SimpleUploadedFile("x.pdf", pdf_bytes())})
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_every_registry_api_route_is_in_the_matrix():
    paths = {p for p in api.get_openapi_schema()["paths"] if p.startswith("/api/documents")}
    assert set(API_ROUTES) | {"/api/documents/"} <= paths


def test_api_strangers_get_404_and_read_only_403(dw, case, client):
    before = _state()
    for persona in STRANGERS:
        login(client, case.users[persona])
        for path, method, url, body in _api_calls(case, dw.resolution.pk):
            assert _call(client, method, url, body).status_code == 404, (persona, method, path)
        items = client.get("/api/documents/").json()["items"]
        assert case.document.pk not in {d["id"] for d in items}
        client.logout()
    login(client, dw.viewer)
    for path, method, url, body in _api_calls(case, dw.resolution.pk):
        expected = 200 if API_ROUTES[path][1] == "read" and method == "get" else 403
        assert _call(client, method, url, body).status_code == expected, ("viewer", method, path)
    client.logout()
    assert _state() == before


def test_api_editors_reach_every_route(dw, case, client):
    for persona in EDITORS:
        login(client, case.users[persona])
        for path, method, url, _body in _api_calls(case, dw.resolution.pk):
            if method == "get":
                assert _call(client, method, url, {}).status_code == 200, (persona, path)
        client.logout()
