from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chidao.documents import services
from chidao.documents.models import Attachment, Document, DocumentRelation, RelationKind
from tests.documents.conftest import docx_bytes, pdf_bytes, register

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    return response.content.decode()


def _rows(response) -> set[str]:
    """The symbols in the register's rows."""
    return set(re.findall(r'<td class="text-nowrap symbol">([^<]*)</td>', _body(response)))


def test_register_lists_what_the_user_may_read(dw, as_user):
    # the city's own notice ("unit") and another province's plan are not the commune's to read
    assert _rows(as_user(dw.commune_officer).get(reverse("documents:list"))) == {"35-NQ/TW", "123-KH/TU", "05-KH/ĐU"}
    assert _rows(as_user(dw.province_admin).get(reverse("documents:list"))) == {
        "35-NQ/TW",
        "123-KH/TU",
        "05-KH/ĐU",
        "12-TB/BCĐ",
    }


def test_register_filters(dw, as_user):
    client = as_user(dw.province_admin)
    url = reverse("documents:list")
    assert _rows(client.get(url, {"kind": "resolution"})) == {"35-NQ/TW"}
    assert _rows(client.get(url, {"unit": dw.commune_a.pk})) == {"05-KH/ĐU"}
    assert _rows(client.get(url, {"year": 2018})) == {"35-NQ/TW"}
    assert _rows(client.get(url, {"issuer": "Thành ủy Đà Nẵng"})) == {"123-KH/TU"}
    assert _rows(client.get(url, {"issuer": "dang uy"})) == {"05-KH/ĐU"}  # folded "contains"
    commune = as_user(dw.commune_officer).get(url, {"unit": dw.province_a.pk})
    offered = dict(commune.context["units"])
    assert dw.province_a.pk in offered and dw.province_b.pk not in offered
    assert f'<option value="{dw.province_a.pk}" selected>{dw.province_a.name}</option>' in commune.content.decode()
    assert _rows(commune) == {"123-KH/TU", "05-KH/ĐU"}  # the city's subtree as the commune reads it
    client = as_user(dw.province_admin)
    years = [year for year, _label in client.get(url).context["years"]]
    assert years[-1] == 2018 and years[0] >= 2024 and years == sorted(years, reverse=True)
    assert _rows(client.get(url, {"direction": "outgoing"})) == {"123-KH/TU", "05-KH/ĐU"}
    # a folded "contains" on the title, typed without diacritics, or on the symbol
    assert _rows(client.get(url, {"q": "bao ve nen tang"})) == {"35-NQ/TW", "05-KH/ĐU"}
    assert _rows(client.get(url, {"q": "35-nq/tw"})) == {"35-NQ/TW", "123-KH/TU"}  # the plan names it
    assert _rows(client.get(url, {"q": "12-tb/bcd"})) == {"12-TB/BCĐ"}
    partial = client.get(url, {"kind": "plan"}, headers={"HX-Request": "true"})
    assert '<div id="rows">' in _body(partial) and "<html" not in _body(partial)
    assert _rows(partial) == {"123-KH/TU", "05-KH/ĐU"}


def _letters(world, numbers):
    for number in numbers:
        register(
            world.commune_officer, world.commune_a, symbol=f"{number}-CV/ĐU", kind="letter", issuer="Đảng ủy",
            title=f"Công văn {number}",
        )  # fmt: skip


def test_register_paginates_with_a_pinned_query_count(world, as_user):
    client = as_user(world.commune_officer)
    _letters(world, range(1, 3))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("documents:list"))
    _letters(world, range(3, 36))
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("documents:list"))
    assert "35 văn bản" in _body(first) and "Trang 1/2" in _body(first)
    # the page itself: count, years, issuers, units, "may register", the rows; the rest is base.html
    assert len(queries) == len(few) <= 17, [q["sql"] for q in queries]
    second = _body(client.get(reverse("documents:list"), {"page": 2}))
    assert "Công văn 1<" in second and "Công văn 35<" not in second


def test_create_page_registers_and_shows_field_errors(world, as_user):
    client = as_user(world.commune_officer)
    url = reverse("documents:create")
    assert client.get(url).status_code == 200
    data = {
        "unit": world.commune_a.pk,
        "direction": "incoming",
        "kind": "resolution",
        "symbol": "45/KH-UBND",
        "issuer": "UBND thành phố Đà Nẵng",
        "issued_on": "2024-04-01",
        "title": "Kế hoạch thực hiện",
        "visibility": "subtree",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "không khớp loại văn bản đã chọn “Nghị quyết”" in _body(response)
    assert not Document.objects.exists()
    response = client.post(url, {**data, "kind": "plan", "received_number": 12, "received_on": "2024-04-03"})
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == document.get_absolute_url()
    assert (document.type_code, document.issuer_code, document.received_number) == ("KH", "UBND", 12)


def test_create_refuses_a_unit_the_user_does_not_keep(world, as_user):
    response = as_user(world.sibling_officer).post(
        reverse("documents:create"),
        {"unit": world.commune_a.pk, "direction": "incoming", "kind": "plan", "symbol": "1-KH/ĐU", "issuer": "X",
         "issued_on": "2024-01-01", "title": "Y", "visibility": "subtree"},
    )  # fmt: skip
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    assert not Document.objects.exists()
    assert as_user(world.viewer).get(reverse("documents:create")).status_code == 404


def test_detail_shows_relations_both_ways_and_implementations(dw, as_user):
    body = _body(as_user(dw.province_admin).get(dw.resolution.get_absolute_url()))
    assert "Các văn bản triển khai" in body
    assert "123-KH/TU" in body and "05-KH/ĐU" in body  # the ward's plan implements the city's: level 2
    assert "88-KH/TU" not in body  # Quảng Ninh's plan is not the city's to see
    assert "Được triển khai bởi" in body
    body = _body(as_user(dw.outsider).get(dw.resolution.get_absolute_url()))
    assert "88-KH/TU" in body and "123-KH/TU" not in body
    city = _body(as_user(dw.commune_officer).get(dw.city_plan.get_absolute_url()))
    assert "Triển khai thực hiện" in city and "35-NQ/TW" in city  # outgoing
    assert "Được triển khai bởi" in city and "05-KH/ĐU" in city  # incoming
    assert reverse("documents:edit", args=[dw.city_plan.pk]) not in city  # the commune only reads it


def test_edit_and_delete_pages(dw, as_user):
    client = as_user(dw.commune_officer)
    url = reverse("documents:edit", args=[dw.ward_plan.pk])
    assert client.get(url).status_code == 200
    data = {
        "unit": dw.commune_a.pk,
        "direction": "outgoing",
        "kind": "plan",
        "symbol": "05-KH/ĐU",
        "issuer": "Đảng ủy phường Hải Châu",
        "issued_on": "2024-03-15",
        "title": "Kế hoạch đã sửa",
        "visibility": "unit",
    }
    assert client.post(url, data).status_code == 302
    dw.ward_plan.refresh_from_db()
    assert dw.ward_plan.title == "Kế hoạch đã sửa" and dw.ward_plan.visibility == "unit"
    delete_url = reverse("documents:delete", args=[dw.ward_plan.pk])
    assert "Xóa văn bản" in _body(client.get(delete_url))
    response = client.post(delete_url)
    assert response.status_code == 302 and response["Location"] == reverse("documents:list")
    assert not Document.objects.filter(pk=dw.ward_plan.pk).exists()


def test_relation_add_finds_the_target_by_symbol_and_remove(dw, as_user):
    client = as_user(dw.commune_officer)
    url = reverse("documents:relation_add", args=[dw.ward_plan.pk])
    response = client.post(url, {"kind": RelationKind.CITES, "target": "35-nq/tw", "note": "căn cứ"})
    assert response.status_code == 302 and response["Location"].endswith("#relations")
    relation = DocumentRelation.objects.get(source=dw.ward_plan, kind=RelationKind.CITES)
    assert relation.target == dw.resolution
    response = client.post(url, {"kind": RelationKind.CITES, "target": "12-TB/BCĐ"})  # not visible to the commune
    assert "Không tìm thấy văn bản “12-TB/BCĐ”" in _body(response)
    response = client.post(url, {"kind": RelationKind.CITES, "target": f"#{dw.resolution.pk}"})
    assert "Đã ghi quan hệ “Căn cứ, viện dẫn”" in _body(response)
    remove = client.post(reverse("documents:relation_remove", args=[relation.pk]))
    assert remove.status_code == 302
    assert not DocumentRelation.objects.filter(pk=relation.pk).exists()


def test_relation_add_asks_for_an_id_when_a_symbol_is_ambiguous(dw, as_user):
    other = register(
        dw.province_admin, dw.province_a, kind="resolution", symbol="35-NQ/TW", issuer="Thành ủy Đà Nẵng",
        title="Nghị quyết của Thành ủy", issued_on=dt.date(2019, 1, 5),
    )  # fmt: skip
    response = as_user(dw.commune_officer).post(
        reverse("documents:relation_add", args=[dw.ward_plan.pk]), {"kind": "cites", "target": "35-NQ/TW"}
    )
    text = _body(response)
    assert "Có nhiều văn bản số 35-NQ/TW" in text and f"#{other.pk}" in text and f"#{dw.resolution.pk}" in text


def test_upload_and_download_with_safe_headers(dw, as_user):
    client = as_user(dw.commune_officer)
    upload = SimpleUploadedFile("Kế hoạch.pdf", pdf_bytes(), "text/html")
    response = client.post(reverse("documents:attachment_upload", args=[dw.ward_plan.pk]), {"upload": upload})
    assert response.status_code == 302 and response["Location"].endswith("#attachments")
    attachment = Attachment.objects.get()
    assert "Kế_hoạch.pdf" in _body(client.get(dw.ward_plan.get_absolute_url()))
    assert attachment.content_type == "application/pdf"  # from the content, not the browser's "text/html"
    download = client.get(reverse("documents:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    # the ward plan is "subtree": the sibling commune does not see it, nor its files
    sibling = as_user(dw.sibling_officer).get(reverse("documents:attachment_download", args=[attachment.pk]))
    assert sibling.status_code == 404


def test_docx_downloads_as_an_attachment_pdf_inline(dw, as_user):
    doc = services.attach_bytes(actor=dw.commune_officer, document=dw.ward_plan, content=docx_bytes(), name="k.docx")
    pdf = services.attach_bytes(actor=dw.commune_officer, document=dw.ward_plan, content=pdf_bytes(), name="k.pdf")
    client = as_user(dw.commune_officer)
    word = client.get(reverse("documents:attachment_download", args=[doc.pk]))
    assert word["Content-Type"] == doc.content_type
    assert word["Content-Disposition"].startswith("attachment;")
    assert word["X-Content-Type-Options"] == "nosniff" and word["Content-Security-Policy"] == "sandbox"
    assert hashlib.sha256(b"".join(word.streaming_content)).hexdigest() == doc.sha256
    shown = client.get(reverse("documents:attachment_download", args=[pdf.pk]))
    assert shown["Content-Type"] == "application/pdf" and shown["Content-Disposition"].startswith("inline;")
    assert shown["Content-Security-Policy"] == "sandbox"
    assert b"".join(shown.streaming_content).startswith(b"%PDF-")


def test_upload_errors_show_on_the_form(dw, as_user):
    client = as_user(dw.commune_officer)
    upload = SimpleUploadedFile("ke-hoach.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
    response = client.post(reverse("documents:attachment_upload", args=[dw.ward_plan.pk]), {"upload": upload})
    assert response.status_code == 200
    assert "không phải PDF, Word (.docx), Excel (.xlsx) hay ảnh PNG, JPEG" in _body(response)
    assert not Attachment.objects.exists()


def test_detail_query_count_does_not_grow_with_relations(dw, as_user):
    client = as_user(dw.province_admin)
    url = dw.resolution.get_absolute_url()
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(10, 20):
        plan = register(dw.commune_officer, dw.commune_a, symbol=f"{number}-KH/ĐU", issuer="Đảng ủy", title="Kế hoạch")
        services.relate_documents(
            actor=dw.commune_officer, source=plan, target=dw.city_plan, kind=RelationKind.IMPLEMENTS
        )
        services.relate_documents(actor=dw.commune_officer, source=plan, target=dw.resolution, kind=RelationKind.CITES)
    with CaptureQueriesContext(connection) as many:
        body = _body(client.get(url))
    assert body.count("-KH/ĐU") >= 11
    assert len(many) == len(few), [q["sql"] for q in many]
