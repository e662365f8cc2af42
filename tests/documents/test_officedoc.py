"""The layout primitives of official documents (chidao.lib.officedoc): numbers, signature lines,
dates, headings, the page, and the PDF through LibreOffice. No database."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from chidao.lib import officedoc


def _head(party: bool, **extra: Any) -> officedoc.Letterhead:
    fields: dict[str, Any] = {
        "party": party,
        "superior": "ĐẢNG BỘ THÀNH PHỐ ĐÀ NẴNG" if party else "ỦY BAN NHÂN DÂN THÀNH PHỐ ĐÀ NẴNG",
        "issuer": "BAN CHỈ ĐẠO 35 THÀNH PHỐ ĐÀ NẴNG",
        "number": "Số 12-KH/BCĐ" if party else "Số: 12/KH-BCĐ",
        "place": "Đà Nẵng",
        "day": dt.date(2026, 2, 5),
        "on_behalf": "T/M BAN CHỈ ĐẠO" if party else "TM. BAN CHỈ ĐẠO",
        "position": "TRƯỞNG BAN",
        "signer": "Nguyễn Văn A",
        "recipients": officedoc.recipient_lines(["Thường trực Thành ủy"], party=party),
    }
    return officedoc.Letterhead(**(fields | extra))


def _build(head: officedoc.Letterhead, lines: list[str]) -> Any:
    document = officedoc.new_document()
    officedoc.header(document, head)
    officedoc.title(document, head, "KẾ HOẠCH", "Triển khai Nghị quyết 35-NQ/TW")
    officedoc.body(document, lines)
    officedoc.closing(document, head)
    return Document(io.BytesIO(officedoc.to_bytes(document)))


def test_numbers_follow_each_rule():
    assert officedoc.symbol(party=True, number="12", type_code="KH", issuer_code="BCĐ") == "12-KH/BCĐ"
    assert officedoc.symbol(party=False, number="12", type_code="KH", issuer_code="BCĐ") == "12/KH-BCĐ"
    assert officedoc.symbol(party=False, number="12", type_code="", issuer_code="BCĐ", drafting_code="VP") == (
        "12/BCĐ-VP"
    )
    assert officedoc.symbol(party=True, number="12", type_code="CV", issuer_code="BCĐ") == "12-CV/BCĐ"
    assert officedoc.number_line(party=True, text="12-KH/BCĐ") == "Số 12-KH/BCĐ"
    assert officedoc.number_line(party=False, text="12/KH-BCĐ") == "Số: 12/KH-BCĐ"
    blank = officedoc.symbol(party=False, number=" ", type_code="TB", issuer_code="UBND")
    assert blank.strip() == "/TB-UBND" and blank.startswith(" ")  # room for the văn thư's number


def test_signature_authority_is_written_as_each_rule_says():
    assert officedoc.authority(party=True, mode="TM", of="Ban Chỉ đạo") == "T/M BAN CHỈ ĐẠO"
    assert officedoc.authority(party=False, mode="TM", of="Ban Chỉ đạo") == "TM. BAN CHỈ ĐẠO"
    assert officedoc.authority(party=True, mode="KT", of="Trưởng ban") == "K/T TRƯỞNG BAN"
    assert officedoc.authority(party=False, mode="KT", of="Trưởng ban") == "KT. TRƯỞNG BAN"
    assert officedoc.authority(party=False, mode="TL", of="Chủ tịch") == "TL. CHỦ TỊCH"
    assert officedoc.authority(party=False, mode="", of="Trưởng ban") == ""


def test_dates_places_and_headings():
    assert officedoc.vn_date(dt.date(2026, 2, 5), "Hải Châu") == "Hải Châu, ngày 05 tháng 02 năm 2026"
    assert officedoc.vn_date(dt.date(2026, 11, 23), "Đà Nẵng") == "Đà Nẵng, ngày 23 tháng 11 năm 2026"
    assert officedoc.place_from_name("Phường Hải Châu") == "Hải Châu"
    assert officedoc.place_from_name("Thành phố Đà Nẵng") == "Đà Nẵng"
    assert officedoc.place_from_name("Đặc khu Phú Quốc") == "Phú Quốc"
    assert officedoc.heading_level("I. MỤC ĐÍCH, YÊU CẦU") == 1
    assert officedoc.heading_level("2. Nhiệm vụ trọng tâm") == 2
    assert officedoc.heading_level("2.1. Tuyên truyền") == 2
    assert officedoc.heading_level("a) Các chi bộ") == 3
    assert officedoc.heading_level("Ban Chỉ đạo đề nghị các đơn vị thực hiện.") is None
    assert officedoc.heading_level("Năm 2026 là năm bản lề.") is None


def test_party_page_header_body_and_signature():
    document = _build(_head(True), ["I. MỤC ĐÍCH", "Nâng cao nhận thức.", "a) Các chi bộ", ""])
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin)] == [20, 20, 30]
    assert round(section.right_margin.mm) == 15
    left, right = document.tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs] == [
        "ĐẢNG BỘ THÀNH PHỐ ĐÀ NẴNG",
        "BAN CHỈ ĐẠO 35 THÀNH PHỐ ĐÀ NẴNG",
        "*",
        "Số 12-KH/BCĐ",
    ]
    assert right.paragraphs[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert right.paragraphs[-1].text == "Đà Nẵng, ngày 05 tháng 02 năm 2026"
    texts = [p.text for p in document.paragraphs]
    assert texts.count("-----") == 1
    heading = next(p for p in document.paragraphs if p.text == "I. MỤC ĐÍCH")
    plain = next(p for p in document.paragraphs if p.text == "Nâng cao nhận thức.")
    letter = next(p for p in document.paragraphs if p.text == "a) Các chi bộ")
    assert heading.runs[0].bold and not plain.runs[0].bold and letter.runs[0].italic
    assert plain.paragraph_format.first_line_indent.cm == pytest.approx(1.27, abs=0.01)
    assert {r.font.size.pt for p in document.paragraphs if p.text and p.text != "KẾ HOẠCH" for r in p.runs} == {14.0}
    recipients, signature = document.tables[1].rows[0].cells
    assert [p.text for p in recipients.paragraphs] == ["Nơi nhận:", "- Thường trực Thành ủy,", "- Lưu Văn phòng."]
    assert [p.text for p in signature.paragraphs][:2] == ["T/M BAN CHỈ ĐẠO", "TRƯỞNG BAN"]
    assert signature.paragraphs[-1].text == "Nguyễn Văn A"


def test_state_header_has_national_title_motto_and_the_letter_subject():
    head = _head(False, number="Số: 12/BCĐ-VP", subject="V/v triển khai Kế hoạch 123-KH/TU")
    document = _build(head, ["Nội dung."])
    left, right = document.tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs][-2:] == ["Số: 12/BCĐ-VP", "V/v triển khai Kế hoạch 123-KH/TU"]
    assert [p.text for p in right.paragraphs][:2] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    motto = right.paragraphs[1].runs[0]
    assert motto.bold and motto.underline and motto.font.size.pt == 14
    assert right.paragraphs[0].runs[0].font.size.pt == 13
    recipients, _signature = document.tables[1].rows[0].cells
    assert recipients.paragraphs[-1].text == "- Lưu: VT."
    assert recipients.paragraphs[0].runs[0].bold and recipients.paragraphs[0].runs[0].italic


def test_signature_without_authority_line_starts_with_the_position():
    document = _build(_head(False, on_behalf=""), ["Nội dung."])
    _recipients, signature = document.tables[1].rows[0].cells
    assert signature.paragraphs[0].text == "TRƯỞNG BAN"


def test_addressees_of_a_letter():
    document = officedoc.new_document()
    officedoc.addressees(document, _head(False, addressees=["Ủy ban nhân dân các phường", "Các sở, ngành;"]))
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts == ["Kính gửi:", "- Ủy ban nhân dân các phường;", "- Các sở, ngành."]
    single = officedoc.new_document()
    officedoc.addressees(single, _head(False, addressees=["- Ủy ban nhân dân các phường"]))
    assert [p.text for p in single.paragraphs if p.text] == ["Kính gửi: Ủy ban nhân dân các phường."]


def test_pdf_missing_libreoffice(monkeypatch):
    monkeypatch.setattr(officedoc.shutil, "which", lambda name: None)
    with pytest.raises(officedoc.PdfUnavailable) as caught:
        officedoc.docx_to_pdf(b"docx")
    assert caught.value.missing


def test_pdf_through_headless_libreoffice_with_a_private_profile(monkeypatch):
    calls: list[list[str]] = []

    def fake(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        calls.append(command)
        assert kwargs["timeout"] == 60
        (Path(command[command.index("--outdir") + 1]) / "report.pdf").write_bytes(b"%PDF-1.7 fake")
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(officedoc.shutil, "which", lambda name: "/usr/bin/soffice" if name == "soffice" else None)
    monkeypatch.setattr(officedoc.subprocess, "run", fake)
    assert officedoc.docx_to_pdf(b"docx") == b"%PDF-1.7 fake"
    assert calls[0][0] == "/usr/bin/soffice" and calls[0][1].startswith("-env:UserInstallation=file://")


def test_pdf_conversion_failure_is_not_a_missing_office(monkeypatch):
    def hanging(command: list[str], **kwargs: Any) -> None:
        raise subprocess.TimeoutExpired(command, kwargs["timeout"])

    monkeypatch.setattr(officedoc.shutil, "which", lambda name: "/usr/bin/libreoffice")
    monkeypatch.setattr(officedoc.subprocess, "run", hanging)
    with pytest.raises(officedoc.PdfUnavailable) as caught:
        officedoc.docx_to_pdf(b"docx")
    assert not caught.value.missing


@pytest.mark.skipif(officedoc.office_binary() is None, reason="LibreOffice is not installed")
def test_real_libreoffice_converts_the_layout():
    document = officedoc.new_document()
    officedoc.header(document, _head(True))
    assert officedoc.docx_to_pdf(officedoc.to_bytes(document)).startswith(b"%PDF")
