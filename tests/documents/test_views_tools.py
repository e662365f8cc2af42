"""The composing and import pages: pickers limited to the units the user may write to, a composed
document landing in the register, the import's summary or its row-by-row errors."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chidao.documents.models import Direction, Document
from chidao.lib import officedoc
from chidao.org import services as org
from tests.documents.tools_conftest import BODY, ROWS, XLSX_TYPE, workbook


@pytest.fixture(autouse=True)
def no_office(monkeypatch: Any) -> None:
    monkeypatch.setattr(officedoc.shutil, "which", lambda name: None)


def compose_data(**extra: Any) -> dict[str, Any]:
    data = {
        "kind": "plan",
        "number": "12",
        "title": "Triển khai Nghị quyết 35-NQ/TW năm 2026",
        "issued_on": "2026-03-02",
        "body": BODY,
        "recipients": "Thường trực Đảng ủy\nCác chi bộ",
        "on_behalf": "TM",
        "position": "Trưởng ban",
        "signer": "Nguyễn Văn A",
        "visibility": "subtree",
        "drafting_code": "VP",
    }
    return data | extra


def upload(data: bytes, name: str = "so-van-ban.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, XLSX_TYPE)


def test_compose_page_offers_only_units_and_committees_the_user_may_write_to(world, as_user):
    org.create_committee(actor=world.commune_officer, unit=world.commune_a, name="Ban Chỉ đạo 35 phường Hải Châu")
    org.create_committee(actor=world.sibling_officer, unit=world.commune_b, name="Ban Chỉ đạo 35 phường Thanh Khê")
    page = as_user(world.commune_officer).get(reverse("documents:compose"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Phường Hải Châu" in html and "Ban Chỉ đạo 35 phường Hải Châu" in html
    assert "Phường Thanh Khê" not in html and "Thanh Khê" not in html
    assert "Hướng dẫn 36-HD/VPTW" in html


def test_committee_composes_a_plan_into_the_outgoing_register(world, as_user):
    ban = org.create_committee(
        actor=world.commune_officer, unit=world.commune_a, name="Ban Chỉ đạo 35 phường Hải Châu", kind="party"
    )
    client = as_user(world.commune_officer)
    response = client.post(reverse("documents:compose"), compose_data(committee=ban.pk), follow=True)
    document = Document.objects.get()
    assert response.redirect_chain[-1][0] == document.get_absolute_url()
    assert (document.symbol, document.direction, document.unit) == ("12-KH/BCĐ", Direction.OUTGOING, world.commune_a)
    assert "Đã soạn và vào sổ văn bản đi" in response.content.decode()
    assert "ke-hoach-12-KH-BCD.docx" in response.content.decode()


def test_unit_of_another_commune_is_not_a_choice(world, as_user):
    client = as_user(world.commune_officer)
    response = client.post(reverse("documents:compose"), compose_data(unit=world.commune_b.pk))
    assert response.status_code == 200
    assert "Hãy chọn một lựa chọn hợp lệ." in response.content.decode()
    assert not Document.objects.exists()


def test_compose_errors_are_shown_on_the_form(world, as_user):
    client = as_user(world.commune_officer)
    response = client.post(reverse("documents:compose"), compose_data(unit=world.commune_a.pk, number="12a"))
    assert response.status_code == 200
    assert "Số văn bản chỉ gồm chữ số" in response.content.decode()
    missing = client.post(reverse("documents:compose"), compose_data())
    assert "Chọn Ban Chỉ đạo hoặc đơn vị ban hành." in missing.content.decode()
    assert not Document.objects.exists()


def test_readers_cannot_open_the_tools(world, as_user):
    client = as_user(world.viewer)
    for name in ("documents:compose", "documents:import"):
        assert client.get(reverse(name)).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("documents:import"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_template_download(world, as_user):
    response = as_user(world.commune_officer).get(reverse("documents:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert "mau-so-van-ban.xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.worksheets[0]["A1"].value == "Loại văn bản"


def test_import_page_links_the_template_and_lists_writable_units(world, as_user):
    html = as_user(world.commune_officer).get(reverse("documents:import")).content.decode()
    assert reverse("documents:import_template") in html
    assert "Phường Hải Châu" in html and "Thanh Khê" not in html


def test_valid_import_redirects_to_the_units_register(world, as_user):
    client = as_user(world.commune_officer)
    response = client.post(
        reverse("documents:import"), {"unit": world.commune_a.pk, "file": upload(workbook(ROWS))}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"{reverse('documents:list')}?unit={world.commune_a.pk}"
    html = response.content.decode()
    assert "Đã nhập 3 văn bản vào sổ của Phường Hải Châu." in html
    assert "Kế hoạch thực hiện Nghị quyết 35-NQ/TW năm 2024" in html
    assert Document.objects.count() == 3


def test_htmx_import_answers_with_the_summary_region(world, as_user):
    client = as_user(world.commune_officer)
    response = client.post(
        reverse("documents:import"),
        {"unit": world.commune_a.pk, "file": upload(workbook(ROWS))},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="result"') and "<html" not in html
    assert "Đã nhập 3 văn bản." in html and "Nghị quyết: 1" in html


def test_bad_rows_are_listed_and_nothing_is_saved(world, as_user):
    rows = [ROWS[0], ["Sắc lệnh", "1-SL/TW", "40/01/2024", "Trung ương", ""]]
    client = as_user(world.commune_officer)
    response = client.post(reverse("documents:import"), {"unit": world.commune_a.pk, "file": upload(workbook(rows))})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tệp có 3 lỗi, chưa văn bản nào được lưu." in html
    assert "Dòng 3, cột “Loại văn bản”: “Sắc lệnh” không có trong danh sách." in html
    assert "Dòng 3, cột “Ngày ban hành”" in html and "Dòng 3, cột “Trích yếu”: không được để trống." in html
    assert not Document.objects.exists()


def test_not_an_excel_file_is_refused(world, as_user):
    client = as_user(world.commune_officer)
    fake = upload(b"%PDF-1.4 not a spreadsheet", name="so-van-ban.xlsx")
    response = client.post(reverse("documents:import"), {"unit": world.commune_a.pk, "file": fake})
    assert "Tệp không phải bảng tính Excel (.xlsx)" in response.content.decode()
    assert not Document.objects.exists()


def test_import_into_a_sibling_unit_is_refused(world, as_user):
    client = as_user(world.commune_officer)
    response = client.post(reverse("documents:import"), {"unit": world.commune_b.pk, "file": upload(workbook(ROWS))})
    assert response.status_code == 200
    assert "Hãy chọn một lựa chọn hợp lệ." in response.content.decode()
    assert not Document.objects.exists()


# --- scope matrix of the tools' pages ----------------------------------------------------------

WRITERS_OF_A = ("commune_officer", "province_admin", "system_admin")
STRANGERS_TO_A = ("sibling_officer", "outsider")


def test_every_tools_page_is_in_the_matrix():
    from chidao.documents import urls_tools

    assert {p.name for p in urls_tools.urlpatterns} == {"compose", "import", "import_template"}


@pytest.mark.parametrize("persona", [*WRITERS_OF_A, *STRANGERS_TO_A, "viewer"])
def test_tools_pages_by_persona(world, as_user, persona):
    client = as_user(getattr(world, persona))
    expected = 403 if persona == "viewer" else 200
    assert client.get(reverse("documents:compose")).status_code == expected
    assert client.get(reverse("documents:import")).status_code == expected
    assert client.get(reverse("documents:import_template")).status_code == 200


@pytest.mark.parametrize("persona", [*WRITERS_OF_A, *STRANGERS_TO_A, "viewer"])
def test_only_writers_of_the_unit_compose_or_import_there(world, as_user, persona):
    client = as_user(getattr(world, persona))
    composed = client.post(reverse("documents:compose"), compose_data(unit=world.commune_a.pk))
    imported = client.post(reverse("documents:import"), {"unit": world.commune_a.pk, "file": upload(workbook(ROWS))})
    if persona in WRITERS_OF_A:
        assert (composed.status_code, imported.status_code) == (302, 302)
        assert Document.objects.filter(unit=world.commune_a).count() == 4
    else:
        expected = 403 if persona == "viewer" else 200  # a stranger's picker lacks the unit
        assert (composed.status_code, imported.status_code) == (expected, expected)
        assert not Document.objects.exists()
