"""Every meeting page and API route with each persona.

A working delegation of Quảng Ninh's committee (province B, P22) visits Hải Châu's committee
(commune A, W20242). Both sides read the record: commune A's officer and the Đà Nẵng administrator
above it, the Quảng Ninh officer (outsider) of the visiting side. The sibling commune's officer and
an officer of a commune in Quảng Ninh (who does not see the province-level committee) get 404 on
every page and route, like for a meeting that does not exist. Only the host edits: the visiting side
and a read-only viewer get 403 on every change. Nobody outside changes anything.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from chidao.accounts.models import AccessRole
from chidao.api import api
from chidao.audit.models import AuditEntry
from chidao.meetings import services
from chidao.meetings.models import AgendaDocument, AgendaItem, Attendance, Conclusion, Invitee, Meeting
from tests.conftest import login, make_user
from tests.meetings.conftest import NOTICE_TEXT, START
from tests.meetings.test_services import PDF_BYTES

# route name -> (object in the URL, "read" for both sides or "write" for the host only, method)
ROUTES = {
    "detail": ("meeting", "read", "get"),
    "edit": ("meeting", "write", "get"),
    "agenda_add": ("meeting", "write", "get"),
    "agenda_edit": ("item", "write", "get"),
    "agenda_delete": ("item", "write", "post"),
    "document_upload": ("item", "write", "get"),
    "document_download": ("document", "read", "get"),
    "document_delete": ("document", "write", "post"),
    "invitees": ("meeting", "write", "get"),
    "invitee_remove": ("invitee", "write", "post"),
    "invited_unit_remove": ("meeting_unit", "write", "post"),
    "attendance": ("meeting", "write", "get"),
    "minutes": ("meeting", "write", "get"),
    "minutes_download": ("meeting", "read", "get"),
    "conclusions": ("meeting", "write", "get"),
    "invitation_docx": ("meeting", "read", "get"),
    "invitation_pdf": ("meeting", "read", "get"),
    "notice_docx": ("meeting", "read", "get"),
    "notice_pdf": ("meeting", "read", "get"),
}
# Pages without an object: lists and forms scoped by the user, checked for content below.
LISTS = {"list", "create"}

READERS = ("commune_officer", "province_admin", "system_admin", "outsider", "viewer")
HOST_EDITORS = ("commune_officer", "province_admin", "system_admin")
READ_ONLY = ("outsider", "viewer")  # the visiting side, and a viewer above the host
STRANGERS = ("sibling_officer", "stranger")
SLOW = {"invitation_pdf", "notice_pdf"}  # LibreOffice: its own test in test_documents.py


def _meeting_routes() -> list[str]:
    resolver = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "meetings")
    return [p.name for p in resolver.url_patterns if isinstance(p, URLPattern) and p.name]


def test_every_meeting_route_is_in_the_matrix():
    assert set(_meeting_routes()) == set(ROUTES) | LISTS


@dataclass
class Case:
    meeting: Meeting
    item: AgendaItem
    document: AgendaDocument
    invitee: Invitee
    users: dict[str, Any]


@pytest.fixture
def case(mw) -> Case:
    officer = mw.commune_officer
    meeting = services.create_meeting(
        actor=officer,
        host_committee=mw.host,
        visiting_committee=mw.visitor,
        kind="delegation",
        title="Làm việc với Đoàn công tác Ban Chỉ đạo 35 tỉnh Quảng Ninh",
        starts_at=START,
        chair=mw.chair,
    )
    item = services.add_agenda_item(
        actor=officer, meeting=meeting, title="Trao đổi kinh nghiệm", upload=SimpleUploadedFile("a.pdf", PDF_BYTES)
    )
    services.invite(actor=officer, meeting=meeting, people=[mw.chair, mw.guest], units=[mw.commune_a])
    services.record_attendance(
        actor=officer,
        meeting=meeting,
        rows=[services.AttendanceRow(person_id=mw.chair.pk, attendance=Attendance.PRESENT)],
    )
    services.save_minutes(
        actor=officer, meeting=meeting, text="Biên bản", upload=SimpleUploadedFile("bien-ban.pdf", PDF_BYTES)
    )
    services.record_conclusions_from_text(actor=officer, meeting=meeting, text=NOTICE_TEXT)
    stranger = make_user("commune_c_officer", AccessRole.SECRETARIAT, mw.commune_c)
    users = {name: getattr(mw, name) for name in (*READERS, "sibling_officer")} | {"stranger": stranger}
    return Case(
        meeting=meeting,
        item=item,
        document=item.documents.get(),
        invitee=meeting.invitees.get(person=mw.guest),
        users=users,
    )


def _url(name: str, case: Case, mw) -> str:
    kind = ROUTES[name][0]
    if kind == "meeting_unit":
        return reverse(f"meetings:{name}", args=[case.meeting.pk, mw.commune_a.pk])
    obj = {"meeting": case.meeting, "item": case.item, "document": case.document, "invitee": case.invitee}[kind]
    return reverse(f"meetings:{name}", args=[obj.pk])


def _state(case: Case) -> tuple[Any, ...]:
    meeting = Meeting.objects.get(pk=case.meeting.pk)
    return (
        meeting.title,
        meeting.status,
        meeting.minutes_text,
        meeting.minutes_file.name,
        list(Conclusion.objects.values_list("id", "number", "text")),
        list(Invitee.objects.values_list("id", "attendance", "absence_reason")),
        list(AgendaItem.objects.values_list("id", "title")),
        list(AgendaDocument.objects.values_list("id", "name")),
        list(meeting.invited_units.values_list("id", flat=True)),
        Meeting.objects.count(),
        AuditEntry.objects.count(),
    )


POST_DATA = {
    "title": "Đổi",
    "kind": "regular",
    "starts_at": "2026-03-27T08:00",
    "status": "held",
    "text": "Một là, đổi; hai là, đổi nữa.",
    "item": ["Đổi"],
    "save": "1",
    "people": [],
}


@pytest.mark.parametrize("name", list(ROUTES))
def test_strangers_get_404_on_every_page(name, mw, case, client):
    url = _url(name, case, mw)
    for persona in STRANGERS:
        login(client, case.users[persona])
        # POST-only actions answer any GET with 405 before looking anything up: nothing leaks.
        expected_get = {404} if ROUTES[name][2] == "get" else {404, 405}
        assert client.get(url).status_code in expected_get, (persona, url)
        assert client.post(url, POST_DATA).status_code == 404, (persona, url)
        client.logout()


@pytest.mark.parametrize("name", [n for n, (_k, access, _m) in ROUTES.items() if access == "read" and n not in SLOW])
def test_both_sides_read(name, mw, case, client):
    url = _url(name, case, mw)
    for persona in READERS:
        login(client, case.users[persona])
        assert client.get(url).status_code == 200, (persona, url)
        client.logout()


@pytest.mark.parametrize("name", [n for n, (_k, access, _m) in ROUTES.items() if access == "write"])
def test_only_the_host_edits(name, mw, case, client):
    url = _url(name, case, mw)
    method = ROUTES[name][2]
    for persona in READ_ONLY:
        login(client, case.users[persona])
        assert client.get(url).status_code in ({403} if method == "get" else {403, 405}), (persona, url)
        assert client.post(url, POST_DATA).status_code == 403, (persona, url)
        client.logout()
    if method == "get":
        for persona in HOST_EDITORS:
            login(client, case.users[persona])
            assert client.get(url).status_code == 200, (persona, url)
            client.logout()


def test_outsiders_change_nothing(mw, case, client):
    before = _state(case)
    for persona in (*STRANGERS, *READ_ONLY):
        login(client, case.users[persona])
        for name in ROUTES:
            client.post(_url(name, case, mw), POST_DATA)
        client.logout()
    assert _state(case) == before


def test_lists_show_the_delegation_to_both_sides_only(mw, case, client):
    for persona in READERS:
        login(client, case.users[persona])
        assert case.meeting.title in client.get(reverse("meetings:list")).content.decode(), persona
        client.logout()
    for persona in STRANGERS:
        login(client, case.users[persona])
        assert case.meeting.title not in client.get(reverse("meetings:list")).content.decode(), persona
        client.logout()


def test_create_form_offers_only_committees_the_user_runs(mw, case, client):
    login(client, case.users["sibling_officer"])
    body = client.get(reverse("meetings:create")).content.decode()
    assert "Ban Chỉ đạo 35 phường Thanh Khê" in body
    assert f'value="{mw.host.pk}"' not in body.split('name="host_committee"')[1].split("</select>")[0]
    client.logout()
    login(client, case.users["stranger"])  # runs no committee
    assert client.get(reverse("meetings:create")).status_code == 404


# --- API --------------------------------------------------------------------------------------

# (path, method) -> "read" (both sides), "write" (host only), "list", "create", "pure" (no data)
API_ROUTES = {
    ("/api/meetings/", "get"): "list",
    ("/api/meetings/", "post"): "create",
    ("/api/meetings/split-conclusions", "post"): "pure",
    ("/api/meetings/{meeting_id}", "get"): "read",
    ("/api/meetings/{meeting_id}", "patch"): "write",
    ("/api/meetings/{meeting_id}/invitees", "post"): "write",
    ("/api/meetings/{meeting_id}/attendance", "get"): "read",
    ("/api/meetings/{meeting_id}/attendance", "put"): "write",
    ("/api/meetings/{meeting_id}/conclusions", "get"): "read",
    ("/api/meetings/{meeting_id}/conclusions", "put"): "write",
    ("/api/meetings/{meeting_id}/conclusions/from-text", "post"): "write",
}
API_BODIES = {
    "/api/meetings/{meeting_id}": {"title": "Đổi"},
    "/api/meetings/{meeting_id}/invitees": {"person_ids": [], "unit_ids": []},
    "/api/meetings/{meeting_id}/attendance": [],
    "/api/meetings/{meeting_id}/conclusions": {"items": ["Đổi"]},
    "/api/meetings/{meeting_id}/conclusions/from-text": {"text": "Một là, đổi; hai là, đổi nữa."},
    "/api/meetings/split-conclusions": {"text": "Một là, a; hai là, b."},
}


def _api_routes() -> list[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return [(p, m) for p, ops in paths.items() if p.startswith("/api/meetings/") for m in ops]


def test_every_meeting_api_route_is_in_the_matrix():
    assert set(_api_routes()) == set(API_ROUTES)


def _call(client, path: str, method: str, case: Case, mw) -> Any:
    url = re.sub(r"\{meeting_id\}", str(case.meeting.pk), path)
    if method == "get":
        return client.get(url)
    body = API_BODIES.get(path)
    if path == "/api/meetings/":
        body = {"host_committee_id": mw.host.pk, "title": "Đổi", "starts_at": "2026-03-27T08:00:00+07:00"}
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(("path", "method"), list(API_ROUTES))
def test_api_matrix(path, method, mw, case, client):
    kind = API_ROUTES[(path, method)]
    for persona in STRANGERS:
        login(client, case.users[persona])
        response = _call(client, path, method, case, mw)
        if kind == "list":
            assert response.status_code == 200 and response.json()["count"] == 0, persona
        elif kind == "pure":
            assert response.status_code == 200, persona
        else:
            assert response.status_code == 404, (persona, path, method, response.content)
        client.logout()
    for persona in READ_ONLY:
        login(client, case.users[persona])
        response = _call(client, path, method, case, mw)
        if kind == "list":
            assert response.status_code == 200, persona
            assert [m["id"] for m in response.json()["items"]] == [case.meeting.pk], persona
        elif kind == "read":
            assert response.status_code == 200 and response.json(), (persona, path)
        elif kind == "write" or (kind == "create" and persona == "viewer"):
            assert response.status_code == 403, (persona, path, method, response.content)
        elif kind == "create":  # the visiting side does not see the host committee at all
            assert response.status_code == 404, (persona, path, method)
        client.logout()


def test_api_outsiders_change_nothing(mw, case, client):
    before = _state(case)
    for persona in (*STRANGERS, *READ_ONLY):
        login(client, case.users[persona])
        for path, method in API_ROUTES:
            if method != "get":
                _call(client, path, method, case, mw)
        client.logout()
    assert _state(case) == before


def test_api_host_reads_every_get_route(mw, case, client):
    login(client, case.users["commune_officer"])
    for path, method in API_ROUTES:
        if method == "get":
            assert _call(client, path, method, case, mw).status_code == 200, path
