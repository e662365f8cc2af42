"""Malicious and broken uploads are refused with a clear message, and nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chidao.audit.models import AuditEntry
from chidao.documents import files, services
from chidao.documents.models import Attachment
from tests.conftest import login
from tests.documents.conftest import docx_bytes, pdf_bytes, xlsx_bytes, zip_bomb_docx

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _nothing_stored(settings) -> bool:
    root = Path(settings.MEDIA_ROOT)
    stored = [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
    return (
        not stored
        and not Attachment.objects.exists()
        and not AuditEntry.objects.filter(action="documents.attachment.added").exists()
    )


def _attach(dw, content: bytes, name: str):
    return services.attach_file(
        actor=dw.commune_officer, document=dw.ward_plan, upload=SimpleUploadedFile(name, content, "application/pdf")
    )


@pytest.mark.parametrize(
    ("content", "name"),
    [(HTML, "ke-hoach.pdf"), (SVG, "anh.png"), (b"MZ\x90\x00", "bao-cao.docx"), (b"PK\x03\x04broken", "a.xlsx")],
)
def test_content_that_is_not_an_accepted_type_is_refused_whatever_its_name(dw, settings, content, name):
    with pytest.raises(ValidationError) as exc:
        _attach(dw, content, name)
    assert "không phải PDF, Word (.docx), Excel (.xlsx) hay ảnh PNG, JPEG" in exc.value.message_dict["upload"][0]
    assert _nothing_stored(settings)


def test_an_oversized_file_is_refused_with_the_limit(dw, settings):
    settings.DOCUMENTS_UPLOAD_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError) as exc:
        _attach(dw, pdf_bytes() + b"\n%" + b"0" * (1024 * 1024), "lon.pdf")
    assert exc.value.message_dict["upload"][0] == "Tệp quá lớn (1.0 MB): tối đa 1 MB."
    assert _nothing_stored(settings)


def test_the_default_limit_is_30_mb(settings):
    del settings.DOCUMENTS_UPLOAD_MAX_BYTES
    assert files.max_bytes() == 30 * 1024 * 1024


def test_an_empty_file_is_refused(dw, settings):
    with pytest.raises(ValidationError, match="Tệp rỗng"):
        _attach(dw, b"", "rong.pdf")
    assert _nothing_stored(settings)


def test_a_zip_bomb_disguised_as_docx_is_refused(dw, settings):
    bomb = zip_bomb_docx()
    assert len(bomb) < 1024 * 1024  # a few hundred KB that unpack to 300 MB
    with pytest.raises(ValidationError) as exc:
        _attach(dw, bomb, "bao-cao.docx")
    assert "bom nén" in exc.value.message_dict["upload"][0]
    assert _nothing_stored(settings)


def test_path_traversal_names_are_refused_when_given_by_code(dw, settings):
    with pytest.raises(ValidationError) as exc:
        services.attach_bytes(
            actor=dw.commune_officer, document=dw.ward_plan, content=pdf_bytes(), name="../../etc/passwd.pdf"
        )
    assert "không được chứa đường dẫn" in exc.value.message_dict["upload"][0]
    with pytest.raises(ValidationError):
        services.attach_bytes(actor=dw.commune_officer, document=dw.ward_plan, content=pdf_bytes(), name="a\\b.pdf")
    assert _nothing_stored(settings)


def test_path_traversal_names_through_the_browser_keep_only_a_bare_name(dw, settings, client):
    login(client, dw.commune_officer)
    upload = SimpleUploadedFile("x.pdf", pdf_bytes(), "application/pdf")
    upload.name = "../../etc/passwd.pdf"  # what a crafted multipart body carries
    response = client.post(reverse("documents:attachment_upload", args=[dw.ward_plan.pk]), {"upload": upload})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.name == "passwd.pdf"
    assert ".." not in attachment.file.name and attachment.file.name.startswith(f"documents/{dw.ward_plan.pk}/")
    assert Path(attachment.file.path).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())


def test_a_misleading_extension_is_replaced_by_the_detected_one(dw):
    attachment = _attach(dw, xlsx_bytes(), "so-lieu.pdf")
    assert attachment.name == "so-lieu.xlsx"
    assert attachment.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_real_word_and_excel_files_pass_the_bomb_guard(dw):
    assert _attach(dw, docx_bytes(("Nội dung " * 2000,)), "a.docx").content_type.endswith("document")
    assert _attach(dw, xlsx_bytes(), "b.xlsx").content_type.endswith("sheet")
