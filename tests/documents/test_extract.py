from __future__ import annotations

import logging

from chidao.documents.extract import extract_text
from chidao.lib.uploads import DOCX, PDF, PNG
from tests.documents.conftest import PDF_TEXT, docx_bytes, pdf_bytes


def test_pdf_text_is_extracted():
    assert extract_text(pdf_bytes(), PDF.content_type) == PDF_TEXT


def test_docx_paragraphs_and_tables_are_extracted():
    content = docx_bytes(
        ("KẾ HOẠCH", "Thực hiện Nghị quyết 35-NQ/TW của Bộ Chính trị"), table=("Đảng ủy phường", "Quý II/2026")
    )
    text = extract_text(content, DOCX.content_type)
    assert text.splitlines() == [
        "KẾ HOẠCH",
        "Thực hiện Nghị quyết 35-NQ/TW của Bộ Chính trị",
        "Đảng ủy phường | Quý II/2026",
    ]


def test_text_is_bounded():
    content = docx_bytes(tuple(f"Đoạn {i} " + "bảo vệ nền tảng " * 20 for i in range(50)))
    assert len(extract_text(content, DOCX.content_type, max_chars=1000)) == 1000


def test_pdf_pages_are_bounded():
    assert extract_text(pdf_bytes(), PDF.content_type, max_pages=0) == ""


def test_broken_files_give_empty_text_and_a_log_line(caplog):
    with caplog.at_level(logging.WARNING, logger="chidao.documents.extract"):
        assert extract_text(b"%PDF-1.4\n garbage", PDF.content_type) == ""
        assert extract_text(b"PK\x03\x04 not a zip", DOCX.content_type) == ""
    assert len([r for r in caplog.records if "text extraction failed" in r.getMessage()]) == 2


def test_images_have_no_text():
    assert extract_text(b"\x89PNG\r\n\x1a\n", PNG.content_type) == ""
