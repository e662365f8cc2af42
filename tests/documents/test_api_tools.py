"""API of the document tools: compose (JSON), import (multipart), the import template; the same
scope rules as the pages (404 out of scope, 403 without the secretariat role, 422 keyed errors)."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chidao.documents.models import Attachment, Document
from chidao.lib import officedoc
from chidao.org import services as org
from tests.documents.tools_conftest import BODY, ROWS, XLSX_TYPE, workbook


@pytest.fixture(autouse=True)
def no_office(monkeypatch: Any) -> None:
    monkeypatch.setattr(officedoc.shutil, "which", lambda name: None)


def post_json(client: Any, body: dict[str, Any]) -> Any:
    return client.post("/api/documents/compose", data=json.dumps(body), content_type="application/json")


def compose_body(**extra: Any) -> dict[str, Any]:
    body = {
        "kind": "notice",
        "number": "4",
        "title": "Kết luận hội nghị quý I năm 2026",
        "issued_on": "2026-04-02",
        "body": BODY,
        "recipients": ["Các thành viên Ban Chỉ đạo"],
        "on_behalf": "TM",
        "position": "Trưởng ban",
    }
    return body | extra


def import_file(client: Any, unit: Any, data: bytes, name: str = "so.xlsx") -> Any:
    return client.post("/api/documents/import", {"unit_id": unit.pk, "file": SimpleUploadedFile(name, data, XLSX_TYPE)})


def test_compose_registers_the_document_with_its_word_file(world, as_user):
    ban = org.create_committee(
        actor=world.commune_officer, unit=world.commune_a, name="Ban Chỉ đạo 35 phường Hải Châu", kind="state"
    )
    response = post_json(as_user(world.commune_officer), compose_body(committee_id=ban.pk))
    assert response.status_code == 201, response.content
    data = response.json()
    document = Document.objects.get(pk=data["document_id"])
    assert data["symbol"] == document.symbol == "4/TB-BCĐ"
    assert data["url"] == document.get_absolute_url()
    assert data["attachment_ids"] == [a.pk for a in document.attachments.all()]
    assert data["attachments"][0]["name"] == "thong-bao-4-TB-BCD.docx"
    assert data["attachments"][0]["content_type"] == officedoc.DOCX_TYPE
    assert data["pdf_error"] == ""


def test_compose_for_a_unit_without_committee(world, as_user):
    response = post_json(as_user(world.province_admin), compose_body(unit_id=world.commune_a.pk, kind="report"))
    assert response.status_code == 201
    assert response.json()["symbol"] == "4/BC-UBND"


def test_compose_errors_are_422_keyed_by_field(world, as_user):
    client = as_user(world.commune_officer)
    response = post_json(client, compose_body(unit_id=world.commune_a.pk, title="", kind="resolution"))
    assert response.status_code == 422
    assert set(response.json()["detail"]) == {"title", "kind"}
    no_unit = post_json(client, compose_body())
    assert no_unit.status_code == 422 and "unit_id" in no_unit.json()["detail"]
    assert not Document.objects.exists()


def test_compose_out_of_scope_is_404_and_without_role_403(world, as_user):
    other = org.create_committee(actor=world.outsider, unit=world.province_b, name="Ban Chỉ đạo 35 tỉnh Quảng Ninh")
    client = as_user(world.commune_officer)
    assert post_json(client, compose_body(committee_id=other.pk)).status_code == 404
    assert post_json(client, compose_body(unit_id=world.commune_b.pk)).status_code == 404
    viewer = post_json(as_user(world.viewer), compose_body(unit_id=world.commune_a.pk))
    assert viewer.status_code == 403 and "Thư ký, biên tập" in viewer.json()["detail"]
    assert not Document.objects.exists() and not Attachment.objects.exists()


def test_import_creates_every_row(world, as_user):
    response = import_file(as_user(world.commune_officer), world.commune_a, workbook(ROWS))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["created"] == 3 and len(data["document_ids"]) == 3
    assert {"label": "Văn bản đến", "count": 2} in data["by_direction"]
    assert data["first_day"] == "2018-10-22"
    assert Document.objects.filter(unit=world.commune_a).count() == 3


def test_import_errors_are_422_with_the_list(world, as_user):
    rows = [ROWS[0], ["Kế hoạch", "1-KH/TU", "hôm qua", "Thành ủy", "Kế hoạch"]]
    response = import_file(as_user(world.commune_officer), world.commune_a, workbook(rows))
    assert response.status_code == 422
    assert response.json()["detail"]["file"] == [
        "Dòng 3, cột “Ngày ban hành”: ngày “hôm qua” không hợp lệ (ghi ngày/tháng/năm, ví dụ 05/02/2026)."
    ]
    assert not Document.objects.exists()


def test_import_refuses_what_is_not_xlsx(world, as_user):
    response = import_file(as_user(world.commune_officer), world.commune_a, b"<html></html>", name="so.xlsx")
    assert response.status_code == 422
    assert "không phải bảng tính Excel" in response.json()["detail"]["file"][0]


def test_import_scope(world, as_user):
    data = workbook(ROWS)
    assert import_file(as_user(world.commune_officer), world.commune_b, data).status_code == 404
    assert import_file(as_user(world.viewer), world.commune_a, data).status_code == 403
    assert not Document.objects.exists()


def test_template_from_the_api(world, as_user):
    response = as_user(world.viewer).get("/api/documents/import/template")
    assert response.status_code == 200 and response["Content-Type"] == XLSX_TYPE
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "Hướng dẫn" in book.sheetnames


def test_anonymous_api_is_refused(client):
    assert client.get("/api/documents/import/template").status_code == 401


# --- scope matrix of the tools' API -------------------------------------------------------------


def test_every_tools_api_route_is_in_the_matrix():
    from chidao.api import api

    paths = {p for p in api.get_openapi_schema()["paths"] if p.startswith("/api/documents/")}
    tools = {p for p in paths if p.startswith(("/api/documents/compose", "/api/documents/import"))}
    assert tools == {"/api/documents/compose", "/api/documents/import", "/api/documents/import/template"}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("commune_officer", 201),
        ("province_admin", 201),
        ("system_admin", 201),
        ("sibling_officer", 404),
        ("outsider", 404),
        ("viewer", 403),
    ],
)
def test_tools_api_by_persona(world, as_user, persona, expected):
    client = as_user(getattr(world, persona))
    assert post_json(client, compose_body(unit_id=world.commune_a.pk)).status_code == expected
    assert import_file(client, world.commune_a, workbook(ROWS)).status_code == expected
    assert Document.objects.count() == (4 if expected == 201 else 0)
