from __future__ import annotations

import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chidao.api import api
from chidao.audit.models import AuditEntry
from chidao.documents.models import Attachment, Document, DocumentRelation
from tests.documents.conftest import pdf_bytes

pytestmark = pytest.mark.django_db


def _send(client, method: str, url: str, body) -> object:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_create_read_update_delete(world, as_user):
    client = as_user(world.commune_officer)
    created = _send(
        client,
        "post",
        "/api/documents/",
        {
            "unit_id": world.commune_a.pk,
            "kind": "plan",
            "symbol": "05 - kh/đu",
            "issuer": "Đảng ủy phường Hải Châu",
            "issued_on": "2024-03-15",
            "title": "Kế hoạch bảo vệ nền tảng tư tưởng của Đảng",
            "direction": "outgoing",
        },
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["symbol"], data["number"], data["type_code"], data["issuer_code"]) == ("05-KH/ĐU", 5, "KH", "ĐU")
    assert data["unit_name"] == "Phường Hải Châu" and data["can_edit"] is True and data["attachments"] == []
    url = f"/api/documents/{data['id']}"
    patched = _send(client, "patch", url, {"title": "Kế hoạch đã sửa", "visibility": "unit"})
    assert patched.status_code == 200 and patched.json()["title"] == "Kế hoạch đã sửa"
    assert client.get(url).json()["visibility"] == "unit"
    assert client.delete(url).status_code == 204
    assert not Document.objects.exists()
    assert AuditEntry.objects.filter(action__startswith="documents.document.").count() == 3


def test_errors_are_422_by_field_and_nothing_is_saved(world, as_user):
    client = as_user(world.commune_officer)
    body = {
        "unit_id": world.commune_a.pk,
        "kind": "resolution",
        "symbol": "45/KH-UBND",
        "issuer": "UBND",
        "issued_on": "2024-03-15",
        "title": "X",
    }
    response = _send(client, "post", "/api/documents/", body)
    assert response.status_code == 422 and "Nghị quyết" in response.json()["detail"]["symbol"][0]
    response = _send(client, "post", "/api/documents/", {**body, "kind": "plan", "symbol": "KH/45"})
    assert response.status_code == 422 and "phải bắt đầu bằng số" in response.json()["detail"]["symbol"][0]
    assert not Document.objects.exists()


def test_readers_get_403_and_strangers_404(dw, as_user):
    url = f"/api/documents/{dw.ward_plan.pk}"
    reader = as_user(dw.viewer)
    assert reader.get(url).status_code == 200
    assert _send(reader, "patch", url, {"title": "Đổi"}).status_code == 403
    assert reader.delete(url).status_code == 403
    sibling = as_user(dw.sibling_officer)
    assert sibling.get(url).status_code == 404
    assert _send(sibling, "patch", url, {"title": "Đổi"}).status_code == 404
    # a unit outside the user's scope is 404 too
    body = {
        "unit_id": dw.commune_a.pk,
        "kind": "plan",
        "symbol": "",
        "issuer": "X",
        "issued_on": "2024-01-01",
        "title": "Y",
    }
    assert _send(sibling, "post", "/api/documents/", body).status_code in {403, 404}
    dw.ward_plan.refresh_from_db()
    assert dw.ward_plan.title != "Đổi"


def test_detail_has_relations_both_ways_and_implementations(dw, as_user):
    client = as_user(dw.province_admin)
    resolution = client.get(f"/api/documents/{dw.resolution.pk}").json()
    assert resolution["relations_out"] == []
    assert [(r["label"], r["document"]["symbol"]) for r in resolution["relations_in"]] == [
        ("Được triển khai bởi", "123-KH/TU")
    ]
    assert [(i["level"], i["document"]["symbol"]) for i in resolution["implementations"]] == [
        (1, "123-KH/TU"),
        (2, "05-KH/ĐU"),
    ]
    city = client.get(f"/api/documents/{dw.city_plan.pk}").json()
    assert [(r["kind"], r["document"]["symbol"]) for r in city["relations_out"]] == [("implements", "35-NQ/TW")]
    assert [r["document"]["symbol"] for r in city["relations_in"]] == ["05-KH/ĐU"]


def test_list_filters(dw, as_user):
    client = as_user(dw.province_admin)
    assert {d["symbol"] for d in client.get("/api/documents/", {"kind": "plan"}).json()["items"]} == {
        "123-KH/TU",
        "05-KH/ĐU",
    }
    assert [d["symbol"] for d in client.get("/api/documents/", {"unit_id": dw.commune_a.pk}).json()["items"]] == [
        "05-KH/ĐU"
    ]
    assert client.get("/api/documents/", {"year": 2018}).json()["count"] == 1
    assert client.get("/api/documents/", {"q": "thong bao ket luan"}).json()["items"][0]["symbol"] == "12-TB/BCĐ"
    assert as_user(dw.outsider).get("/api/documents/", {"q": "thong bao ket luan"}).json()["count"] == 0


def test_relations_add_and_remove(dw, as_user):
    client = as_user(dw.commune_officer)
    url = f"/api/documents/{dw.ward_plan.pk}/relations"
    added = _send(client, "post", url, {"target_id": dw.resolution.pk, "kind": "cites", "note": "căn cứ"})
    assert added.status_code == 201 and added.json()["target_id"] == dw.resolution.pk
    again = _send(client, "post", url, {"target_id": dw.resolution.pk, "kind": "cites"})
    assert again.status_code == 422 and "target" in again.json()["detail"]
    hidden = _send(client, "post", url, {"target_id": dw.city_notice.pk, "kind": "cites"})
    assert hidden.status_code == 404  # the city's own notice is not the commune's to see
    bad_kind = _send(client, "post", url, {"target_id": dw.city_plan.pk, "kind": "likes"})
    assert bad_kind.status_code == 422 and "kind" in bad_kind.json()["detail"]
    relation_id = added.json()["id"]
    assert as_user(dw.sibling_officer).delete(f"/api/documents/relations/{relation_id}").status_code == 404
    assert as_user(dw.commune_officer).delete(f"/api/documents/relations/{relation_id}").status_code == 204
    assert not DocumentRelation.objects.filter(pk=relation_id).exists()


def test_attachment_upload_download_and_remove(dw, as_user):
    client = as_user(dw.commune_officer)
    url = f"/api/documents/{dw.ward_plan.pk}/attachments"
    response = client.post(url, {"file": SimpleUploadedFile("ke-hoach.pdf", pdf_bytes(), "application/pdf")})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["name"] == "ke-hoach.pdf" and data["sha256"] == hashlib.sha256(pdf_bytes()).hexdigest()
    download = client.get(data["url"])
    assert download.status_code == 200 and download["Content-Security-Policy"] == "sandbox"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == pdf_bytes()
    assert as_user(dw.sibling_officer).get(data["url"]).status_code == 404
    html = as_user(dw.commune_officer).post(
        url, {"file": SimpleUploadedFile("x.pdf", b"<html><script></script></html>", "application/pdf")}
    )
    assert html.status_code == 422 and "không phải PDF" in html.json()["detail"]["file"][0]
    assert as_user(dw.viewer).delete(f"/api/documents/attachments/{data['id']}").status_code == 403
    assert as_user(dw.commune_officer).delete(f"/api/documents/attachments/{data['id']}").status_code == 204
    assert not Attachment.objects.exists()


def test_openapi_documents_the_routes():
    paths = api.get_openapi_schema()["paths"]
    for path in (
        "/api/documents/",
        "/api/documents/{document_id}",
        "/api/documents/{document_id}/relations",
        "/api/documents/relations/{relation_id}",
        "/api/documents/{document_id}/attachments",
        "/api/documents/attachments/{attachment_id}/download",
        "/api/documents/attachments/{attachment_id}",
    ):
        assert path in paths, path
