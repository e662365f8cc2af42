"""Every task page and API route with each persona.

A task of commune A (W20242 Phường Hải Châu), given by the commune itself: its officer and the
province administrator above reach it; the sibling commune's officer (W20209) and the other
province's officer (P22) get 404 on every page, file, extension, meeting and API route — the
answer for an object that does not exist — and nothing changes. A new route fails these tests
until it is added to the tables below.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from chidao.api import api
from chidao.audit.models import AuditEntry
from chidao.org import services as org_services
from chidao.tasks import services
from chidao.tasks.models import Attachment, Comment, Extension, Notification, ProgressUpdate, Task
from tests.conftest import login
from tests.tasks.conftest import make_meeting

TITLE = "Nhiệm vụ riêng của phường Hải Châu"
PDF = b"%PDF-1.4\n%%EOF\n"

# url name -> (object in the URL, methods to try)
ROUTES = {
    "detail": ("task", "get"),
    "edit": ("task", "get"),
    "subtask_create": ("task", "get"),
    "progress": ("task", "post"),
    "comment": ("task", "post"),
    "attachment_upload": ("task", "post"),
    "extension_request": ("task", "get"),
    "complete": ("task", "get"),
    "evaluate": ("task", "get"),
    "attachment_download": ("attachment", "get"),
    "extension_decide": ("extension", "post"),
    "from_meeting": ("meeting", "get"),
    "notification_read": ("notification", "post"),
}
# Pages without an object: lists of what the user may see, checked for content.
LISTS = {"mine", "unit", "assigned", "export", "create", "notifications", "notifications_read_all", "preferences"}

OUTSIDERS = ("sibling_officer", "outsider")
INSIDERS = ("commune_officer", "province_admin", "system_admin")


@dataclass
class Objs:
    task: Task
    attachment: Attachment
    extension: Extension
    meeting: object
    notification: Notification


@pytest.fixture
def objs(tw, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer = tw.commune_officer
    committee = org_services.create_committee(actor=officer, unit=tw.commune_a, name="Ban Chỉ đạo 35 phường Hải Châu")
    meeting = make_meeting(tw, ["Một là, kiện toàn Tổ giúp việc."], host_committee=committee)
    task = services.create_task(
        actor=officer,
        assigning_unit=tw.commune_a,
        title=TITLE,
        lead_unit=tw.commune_a,
        due_date=timezone.localdate() + dt.timedelta(days=20),
    )
    services.complete_task(actor=officer, task=task, report="Đã xong")  # so "evaluate" has something to rate
    open_task = services.create_task(
        actor=officer,
        assigning_unit=tw.commune_a,
        title=f"{TITLE} (đang làm)",
        lead_unit=tw.commune_a,
        due_date=timezone.localdate() + dt.timedelta(days=20),
    )
    extension = services.request_extension(
        actor=officer, task=open_task, requested_due_date=open_task.due_date + dt.timedelta(days=5), reason="x"
    )
    attachment = services.add_attachment(actor=officer, task=task, upload=SimpleUploadedFile("bao-cao.pdf", PDF))
    notification = Notification.objects.create(user=officer, task=task, kind="overdue", text=TITLE)
    return Objs(task, attachment, extension, meeting, notification)


def _task_routes() -> list[str]:
    resolver = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "tasks")
    return [p.name for p in resolver.url_patterns if isinstance(p, URLPattern) and p.name]


def test_every_task_route_is_in_the_matrix():
    assert set(_task_routes()) == set(ROUTES) | LISTS


def _url(name: str, objs: Objs) -> str:
    obj = getattr(objs, ROUTES[name][0])
    return reverse(f"tasks:{name}", args=[obj.pk])


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_pages_are_404_for_the_sibling_commune_and_the_other_province(name, tw, objs, client):
    url = _url(name, objs)
    for persona in OUTSIDERS:
        login(client, getattr(tw, persona))
        response = client.get(url) if ROUTES[name][1] == "get" else client.post(url, {"text": "x", "percent": "5"})
        assert response.status_code == 404, (persona, url, response.status_code)
        if ROUTES[name][1] == "get":
            assert client.post(url, {"title": "X", "text": "x", "report": "x"}).status_code == 404, (persona, url)
        client.logout()


@pytest.mark.parametrize("name", sorted(n for n, (_kind, method) in ROUTES.items() if method == "get"))
def test_pages_open_for_the_commune_and_the_province(name, tw, objs, client):
    url = _url(name, objs)
    for persona in INSIDERS:
        login(client, getattr(tw, persona))
        assert client.get(url).status_code == 200, (persona, url)
        client.logout()


def test_lists_show_nothing_of_another_commune(tw, objs, client):
    for persona in OUTSIDERS:
        login(client, getattr(tw, persona))
        for name in sorted(LISTS - {"notifications_read_all"}):
            response = client.get(reverse(f"tasks:{name}"))
            assert response.status_code in {200, 403, 404}, (persona, name)
            content = b"".join(response.streaming_content) if response.streaming else response.content
            assert TITLE.encode() not in content, (persona, name)
        assert client.get(reverse("tasks:unit"), {"unit": tw.commune_a.pk}).status_code == 404
        assert client.get(reverse("tasks:create"), {"unit": tw.commune_a.pk}).status_code == 404
        client.logout()
    login(client, tw.commune_officer)
    assert TITLE in client.get(reverse("tasks:unit")).content.decode()


def _snapshot():
    return (
        sorted(Task.objects.values_list("id", "title", "due_date", "progress", "completed_on", "rating")),
        Comment.objects.count(),
        ProgressUpdate.objects.count(),
        Attachment.objects.count(),
        sorted(Extension.objects.values_list("id", "state")),
        sorted(Notification.objects.values_list("id", "read_at")),
        AuditEntry.objects.count(),
    )


def test_outsiders_change_nothing(tw, objs, client):
    before = _snapshot()
    data = {
        "title": "X",
        "text": "x",
        "percent": "90",
        "report": "x",
        "rating": "excellent",
        "decision": "approve",
        "reason": "x",
        "requested_due_date": "2030-01-01",
        "completed_on": timezone.localdate().isoformat(),
        "lead_unit": tw.commune_a.pk,
        "due_date": "2030-01-01",
        "priority": "normal",
        "source": "direct",
        "assigned_on": timezone.localdate().isoformat(),
        "assigning_unit": tw.commune_a.pk,
    }
    for persona in OUTSIDERS:
        login(client, getattr(tw, persona))
        for name in ROUTES:
            client.post(_url(name, objs), {**data, "file": SimpleUploadedFile("x.pdf", PDF)})
        client.post(reverse("tasks:create"), data)
        client.post(reverse("tasks:notifications_read_all"))
        client.logout()
    assert _snapshot() == before


# --- the API -------------------------------------------------------------------------------------

# (path, method) -> body for the outsider's attempt; None for reads.
API_ROUTES = {
    ("/api/tasks/", "get"): None,
    ("/api/tasks/", "post"): "create",
    ("/api/tasks/counts", "get"): None,
    ("/api/tasks/notifications", "get"): None,
    ("/api/tasks/notifications/read", "post"): {},
    ("/api/tasks/from-meeting/{meeting_id}", "post"): "from_meeting",
    ("/api/tasks/extensions/{extension_id}/decision", "post"): {"approve": True, "reason": "x"},
    ("/api/tasks/{task_id}", "get"): None,
    ("/api/tasks/{task_id}", "patch"): {"title": "X"},
    ("/api/tasks/{task_id}/subtasks", "post"): "subtask",
    ("/api/tasks/{task_id}/progress", "post"): {"percent": 90, "text": "x"},
    ("/api/tasks/{task_id}/extensions", "post"): {"requested_due_date": "2030-01-01", "reason": "x"},
    ("/api/tasks/{task_id}/complete", "post"): {"report": "x"},
    ("/api/tasks/{task_id}/evaluation", "post"): {"rating": "excellent", "comment": "x"},
    ("/api/tasks/{task_id}/comments", "get"): None,
    ("/api/tasks/{task_id}/comments", "post"): {"text": "x"},
}
# Reads of the caller's own lists: 200, with nothing of commune A in them.
API_COLLECTIONS = {"/api/tasks/", "/api/tasks/notifications"}


def _api_routes() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {(path, method) for path, ops in schema["paths"].items() if path.startswith("/api/tasks") for method in ops}


def test_every_task_api_route_is_in_the_matrix():
    assert _api_routes() == set(API_ROUTES)


def _api_url(path: str, objs: Objs) -> str:
    ids = {"task_id": objs.task.pk, "extension_id": objs.extension.pk, "meeting_id": objs.meeting.pk}
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)


def _api_body(kind, tw, objs):
    due = "2030-01-01"
    if kind == "create":
        return {"assigning_unit_id": tw.commune_a.pk, "title": "X", "lead_unit_id": tw.commune_a.pk, "due_date": due}
    if kind == "subtask":
        return {"title": "X", "lead_unit_id": tw.agency_a.pk, "due_date": due}
    if kind == "from_meeting":
        conclusion = objs.meeting.conclusions.get()
        return {
            "rows": [{"conclusion_id": conclusion.pk, "title": "X", "lead_unit_id": tw.commune_a.pk, "due_date": due}]
        }
    return kind


def test_api_refuses_outsiders_and_changes_nothing(tw, objs, client):
    before = _snapshot()
    for persona in OUTSIDERS:
        login(client, getattr(tw, persona))
        for (path, method), body in API_ROUTES.items():
            url = _api_url(path, objs)
            if method == "get":
                response = client.get(url, {"unit_id": tw.commune_a.pk} if path == "/api/tasks/counts" else {})
                if path in API_COLLECTIONS:
                    assert response.status_code == 200, (persona, url)
                    assert TITLE not in response.content.decode(), (persona, url)
                else:
                    assert response.status_code == 404, (persona, url, response.status_code)
            else:
                payload = json.dumps(_api_body(body, tw, objs))
                response = getattr(client, method)(url, data=payload, content_type="application/json")
                expected = {200} if path == "/api/tasks/notifications/read" else {404}
                assert response.status_code in expected, (persona, method, url, response.status_code, response.content)
        client.logout()
    assert _snapshot() == before


def test_api_serves_the_commune_and_the_province(tw, objs, client):
    for persona in ("commune_officer", "province_admin"):
        login(client, getattr(tw, persona))
        for (path, method), _body in API_ROUTES.items():
            if method == "get":
                params = {"unit_id": tw.commune_a.pk} if path == "/api/tasks/counts" else {}
                response = client.get(_api_url(path, objs), params)
                assert response.status_code == 200, (persona, path, response.content)
        client.logout()
    login(client, tw.province_admin)
    listed = client.get("/api/tasks/", {"view": "unit", "unit_id": tw.commune_a.pk}).json()
    assert TITLE in {row["title"] for row in listed["items"]}


def test_anonymous_gets_login_redirect_or_401(objs, client):
    assert client.get(reverse("tasks:detail", args=[objs.task.pk])).status_code == 302
    assert client.get(f"/api/tasks/{objs.task.pk}").status_code == 401
