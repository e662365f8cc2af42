from __future__ import annotations

import json

import pytest

from chidao.api import api
from chidao.meetings import services
from chidao.meetings.models import Conclusion, Invitee, Meeting
from tests.meetings.conftest import NOTICE_TEXT

pytestmark = pytest.mark.django_db


def _send(client, method: str, url: str, body) -> object:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_create_read_update_a_delegation(mw, as_user):
    client = as_user(mw.commune_officer)
    response = _send(
        client,
        "post",
        "/api/meetings/",
        {
            "host_committee_id": mw.host.pk,
            "visiting_committee_id": mw.visitor.pk,
            "kind": "delegation",
            "title": "Làm việc với Đoàn công tác Quảng Ninh",
            "starts_at": "2026-03-27T08:00:00+07:00",
            "chair_id": mw.chair.pk,
            "place": "Hải Châu",
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["visiting_committee_name"] == "Ban Chỉ đạo 35 tỉnh Quảng Ninh" and data["conclusions"] == []
    meeting_id = data["id"]
    patched = _send(client, "patch", f"/api/meetings/{meeting_id}", {"status": "held", "place": "Nhà văn hóa"})
    assert patched.status_code == 200 and patched.json()["status"] == "held"
    assert Meeting.objects.get(pk=meeting_id).place == "Nhà văn hóa"
    # the visiting side reads it
    other = as_user(mw.outsider).get(f"/api/meetings/{meeting_id}")
    assert other.status_code == 200 and other.json()["host_committee_name"] == "Ban Chỉ đạo 35 phường Hải Châu"
    listed = as_user(mw.outsider).get("/api/meetings/", {"kind": "delegation"}).json()
    assert [m["id"] for m in listed["items"]] == [meeting_id]


def test_validation_errors_are_422_by_field(mw, as_user):
    client = as_user(mw.commune_officer)
    response = _send(
        client,
        "post",
        "/api/meetings/",
        {"host_committee_id": mw.host.pk, "kind": "delegation", "title": "X", "starts_at": "2026-03-27T08:00:00+07:00"},
    )
    assert response.status_code == 422
    assert "visiting_committee" in response.json()["detail"]
    assert not Meeting.objects.exists()


def test_visiting_side_and_readers_get_403_on_changes(mw, delegation, as_user):
    for user in (mw.outsider, mw.viewer):
        client = as_user(user)
        assert _send(client, "patch", f"/api/meetings/{delegation.pk}", {"title": "Đổi"}).status_code == 403
        assert _send(client, "put", f"/api/meetings/{delegation.pk}/conclusions", {"items": ["Một"]}).status_code == 403
    assert Meeting.objects.get(pk=delegation.pk).title != "Đổi"
    assert not Conclusion.objects.exists()


def test_invitees_and_attendance(mw, delegation, as_user):
    client = as_user(mw.commune_officer)
    url = f"/api/meetings/{delegation.pk}"
    invited = _send(
        client, "post", f"{url}/invitees", {"person_ids": [mw.chair.pk, mw.guest.pk], "unit_ids": [mw.commune_a.pk]}
    )
    assert invited.status_code == 200 and {i["person_name"] for i in invited.json()} == {
        "Nguyễn Văn An",
        "Phạm Văn Dũng",
    }
    bad = _send(client, "put", f"{url}/attendance", [{"person_id": mw.guest.pk, "attendance": "absent"}])
    assert bad.status_code == 422 and "absence_reason" in bad.json()["detail"]
    ok = _send(
        client,
        "put",
        f"{url}/attendance",
        [
            {"person_id": mw.chair.pk, "attendance": "present"},
            {"person_id": mw.guest.pk, "attendance": "delegated", "delegate_name": "Ông Vũ Văn E"},
        ],
    )
    assert ok.status_code == 200
    assert Invitee.objects.get(person=mw.guest).delegate_name == "Ông Vũ Văn E"
    seen = as_user(mw.outsider).get(f"{url}/attendance").json()
    assert {(i["person_name"], i["attendance"]) for i in seen} == {
        ("Nguyễn Văn An", "present"),
        ("Phạm Văn Dũng", "delegated"),
    }
    # a person the host cannot see is not offered: 404
    stranger = _send(as_user(mw.commune_officer), "post", f"{url}/invitees", {"person_ids": [999999]})
    assert stranger.status_code == 404


def test_conclusions_from_text_and_replace(mw, delegation, as_user):
    client = as_user(mw.commune_officer)
    url = f"/api/meetings/{delegation.pk}/conclusions"
    created = _send(client, "post", f"{url}/from-text", {"text": NOTICE_TEXT, "notice_number": "15-TB/BCĐ"})
    assert created.status_code == 200 and [c["number"] for c in created.json()] == [1, 2, 3, 4]
    replaced = _send(client, "put", url, {"items": ["Kiện toàn Tổ giúp việc", "Tổ chức tập huấn"]})
    assert [(c["number"], c["text"]) for c in replaced.json()] == [
        (1, "Kiện toàn Tổ giúp việc"),
        (2, "Tổ chức tập huấn"),
    ]
    assert as_user(mw.outsider).get(url).json()[1]["text"] == "Tổ chức tập huấn"
    assert _send(as_user(mw.outsider), "post", f"{url}/from-text", {"text": " "}).status_code == 403
    empty = _send(as_user(mw.commune_officer), "post", f"{url}/from-text", {"text": " "})
    assert empty.status_code == 422 and "text" in empty.json()["detail"]
    assert Conclusion.objects.filter(meeting=delegation).count() == 2


def test_split_preview_saves_nothing(mw, as_user):
    response = _send(as_user(mw.commune_officer), "post", "/api/meetings/split-conclusions", {"text": NOTICE_TEXT})
    assert response.status_code == 200 and len(response.json()["items"]) == 4
    assert not Conclusion.objects.exists()


def test_list_filters_by_committee_and_year(mw, delegation, as_user):
    services.create_meeting(
        actor=mw.province_admin, host_committee=mw.province, title="Họp chuyên đề", starts_at=delegation.starts_at
    )
    client = as_user(mw.province_admin)
    assert {m["title"] for m in client.get("/api/meetings/", {"committee_id": mw.visitor.pk}).json()["items"]} == {
        delegation.title
    }
    assert client.get("/api/meetings/", {"year": 2025}).json()["count"] == 0
    assert client.get("/api/meetings/", {"year": 2026}).json()["count"] == 2


def test_openapi_documents_the_meeting_routes():
    paths = api.get_openapi_schema()["paths"]
    assert "/api/meetings/{meeting_id}/conclusions/from-text" in paths
