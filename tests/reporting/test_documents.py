"""The report as a Word file in the official layout: NĐ 30/2020 for state bodies, HD 36 for Party bodies."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from docx import Document

from chidao.lib import officedoc
from chidao.org import services as org
from chidao.org.models import Role
from chidao.reporting import documents, services


def _report(rp: Any, actor: Any, unit: Any, values: dict[str, Any], period: Any = None) -> Any:
    report = services.open_report(actor=actor, form=rp.form, unit=unit, period=period or rp.period)
    ids = {"DK": rp.registered.pk, "TH": rp.trained.pk, "TL": rp.rate.pk}
    narrative = report.version.sections.get(kind="narrative")
    services.save_values(
        actor=actor,
        report=report,
        values={ids[code]: value for code, value in values.items()},
        narratives={narrative.pk: "Một số chi bộ chưa sinh hoạt chuyên đề.\nCộng tác viên còn mỏng."},
    )
    return report


def _committee(world: Any, kind: str) -> Any:
    officer = world.commune_officer
    committee = org.create_committee(
        actor=officer, unit=world.commune_a, name="Ban Chỉ đạo 35 phường Hải Châu", kind=kind
    )
    person = org.create_person(actor=officer, unit=world.commune_a, full_name="Nguyễn Văn A (dữ liệu mẫu)")
    org.appoint_member(
        actor=officer, committee=committee, person=person, role=Role.HEAD, start_date=dt.date(2025, 7, 1)
    )
    return committee


def _open(response: Any) -> Any:
    assert response.status_code == 200
    assert response["Content-Type"] == documents.DOCX_TYPE
    return Document(io.BytesIO(response.content))


def _cell_lines(document: Any, table: int = 0) -> tuple[list[Any], list[Any]]:
    left, right = document.tables[table].rows[0].cells
    return left.paragraphs, right.paragraphs


def _texts(paragraphs: list[Any]) -> list[str]:
    return [p.text for p in paragraphs]


def _all_runs(document: Any) -> list[Any]:
    runs = [r for p in document.paragraphs for r in p.runs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                runs.extend(r for p in cell.paragraphs for r in p.runs)
    return runs


def _rows(document: Any, table: int) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in document.tables[table].rows]


def test_state_committee_report_follows_decree_30(world, rp, as_user):
    _committee(world, "state")
    report = _report(rp, world.commune_officer, world.commune_a, {"DK": 1234, "TH": 1000, "TL": "87,5"})
    document = _open(as_user(world.commune_officer).get(reverse("reporting:report_docx", args=[report.pk])))

    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 20 <= round(section.top_margin.mm) <= 25
    assert 20 <= round(section.bottom_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35
    assert 15 <= round(section.right_margin.mm) <= 20
    assert {r.font.name for r in _all_runs(document)} == {"Times New Roman"}
    assert document.styles["Normal"].font.name == "Times New Roman"

    left, right = _cell_lines(document)
    assert _texts(left)[:2] == ["ỦY BAN NHÂN DÂN PHƯỜNG HẢI CHÂU", "BAN CHỈ ĐẠO 35 PHƯỜNG HẢI CHÂU"]
    assert left[1].runs[0].bold
    assert left[2].text.startswith("Số:") and left[2].text.endswith("/BC-BCĐ")
    assert right[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and right[0].runs[0].bold
    assert right[0].runs[0].font.size.pt in (12, 13)
    assert right[1].text == "Độc lập - Tự do - Hạnh phúc"
    assert right[1].runs[0].bold and right[1].runs[0].underline
    date_line = right[-1]
    assert date_line.text.startswith("Hải Châu, ngày ") and date_line.runs[0].italic

    body = _texts(document.paragraphs)
    assert "BÁO CÁO" in body
    assert "Kết quả công tác quý I/2026" in body
    assert "Một số chi bộ chưa sinh hoạt chuyên đề." in body
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in _texts(right)

    recipients, signature = _cell_lines(document, table=-1)
    assert recipients[0].text == "Nơi nhận:"
    assert recipients[0].runs[0].bold and recipients[0].runs[0].italic and recipients[0].runs[0].font.size.pt == 12
    assert "- Thành phố Đà Nẵng;" in _texts(recipients)
    assert recipients[-1].runs[0].font.size.pt == 11
    assert _texts(signature)[:2] == ["TM. BAN CHỈ ĐẠO", "TRƯỞNG BAN"]
    assert signature[-1].text == "Nguyễn Văn A (dữ liệu mẫu)"


def test_unit_without_committee_gets_the_state_layout(world, rp, as_user):
    report = _report(rp, world.commune_officer, world.commune_a, {"DK": 10, "TH": 5})
    document = _open(as_user(world.commune_officer).get(reverse("reporting:report_docx", args=[report.pk])))
    left, right = _cell_lines(document)
    assert _texts(left)[:2] == ["ỦY BAN NHÂN DÂN THÀNH PHỐ ĐÀ NẴNG", "PHƯỜNG HẢI CHÂU"]
    assert right[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


def test_party_committee_report_follows_guidance_36(world, rp, as_user):
    _committee(world, "party")
    report = _report(rp, world.commune_officer, world.commune_a, {"DK": 10, "TH": 5})
    document = _open(as_user(world.commune_officer).get(reverse("reporting:report_docx", args=[report.pk])))

    left, right = _cell_lines(document)
    assert _texts(left) == ["ĐẢNG BỘ THÀNH PHỐ ĐÀ NẴNG", "BAN CHỈ ĐẠO 35 PHƯỜNG HẢI CHÂU", "*", "Số      -BC/BCĐ"]
    assert left[1].runs[0].bold
    assert right[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert right[0].runs[0].bold and right[0].runs[0].underline
    assert right[-1].text.startswith("Hải Châu, ngày ") and right[-1].runs[0].italic
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in _texts(right)
    assert {r.font.name for r in _all_runs(document)} == {"Times New Roman"}

    recipients, signature = _cell_lines(document, table=-1)
    assert recipients[0].text == "Nơi nhận:" and recipients[0].runs[0].underline
    assert _texts(signature)[:2] == ["T/M BAN CHỈ ĐẠO", "TRƯỞNG BAN"]


def test_values_table_shows_this_and_the_previous_quarter(world, rp, as_user):
    officer = world.commune_officer
    before = services.ensure_period("quarter", 2025, 4, "calendar")
    _report(rp, officer, world.commune_a, {"DK": 900, "TH": 800, "TL": 50}, period=before)
    report = _report(rp, officer, world.commune_a, {"DK": 1234, "TH": 1000, "TL": "87,5"})
    document = _open(as_user(officer).get(reverse("reporting:report_docx", args=[report.pk])))

    rows = _rows(document, 1)
    assert rows[0] == ["STT", "Chỉ tiêu", "Đơn vị tính", "Kết quả kỳ này", "Kỳ trước"]
    assert rows[1:] == [
        ["1", "Số người đăng ký tập huấn", "", "1.234", "900"],
        ["2", "Số người được tập huấn", "", "1.000", "800"],
        ["3", "Tỷ lệ chi bộ sinh hoạt chuyên đề", "", "87,5", "50"],
    ]
    assert "Tổng hợp đơn vị trực thuộc" not in _texts(document.paragraphs)


def test_province_report_sums_up_its_communes(world, rp, as_user):
    admin = world.province_admin
    services.assign_form(
        actor=admin, form=rp.form, parent=world.province_a, units=[world.province_a], valid_from=dt.date(2025, 7, 1)
    )
    for officer, unit, values in (
        (world.commune_officer, world.commune_a, {"DK": 100, "TH": 80}),
        (world.sibling_officer, world.commune_b, {"DK": 50, "TH": 40}),
    ):
        report = services.submit_report(actor=officer, report=_report(rp, officer, unit, values))
        services.approve_report(actor=admin, report=report)
    province = _report(rp, admin, world.province_a, {"DK": 1, "TH": 1})
    document = _open(as_user(admin).get(reverse("reporting:report_docx", args=[province.pk])))

    assert "Tổng hợp đơn vị trực thuộc" in _texts(document.paragraphs)
    assert _rows(document, 2) == [
        ["STT", "Đơn vị", "Số người đăng ký tập huấn", "Số người được tập huấn"],
        ["1", "Phường Hải Châu", "100", "80"],
        ["2", "Phường Thanh Khê", "50", "40"],
        ["", "Tổng cộng", "150", "120"],
    ]


def test_sibling_commune_cannot_download_the_report(world, rp, as_user):
    report = _report(rp, world.commune_officer, world.commune_a, {"DK": 10, "TH": 5})
    client = as_user(world.sibling_officer)
    assert client.get(reverse("reporting:report_docx", args=[report.pk])).status_code == 404
    assert client.get(reverse("reporting:report_pdf", args=[report.pk])).status_code == 404


def test_pdf_without_libreoffice_says_so(world, rp, as_user, monkeypatch):
    monkeypatch.setattr(officedoc.shutil, "which", lambda name: None)
    report = _report(rp, world.commune_officer, world.commune_a, {"DK": 10, "TH": 5})
    response = as_user(world.commune_officer).get(reverse("reporting:report_pdf", args=[report.pk]))
    assert response.status_code == 503
    assert response.content.decode() == "Máy chủ chưa cài LibreOffice để xuất PDF."


def test_pdf_is_converted_by_libreoffice_headless(world, rp, as_user, monkeypatch):
    calls: list[Any] = []

    def fake_soffice(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        calls.append((command, kwargs))
        outdir = Path(command[command.index("--outdir") + 1])
        assert Document(command[-1]).paragraphs  # LibreOffice receives the Word file
        (outdir / "report.pdf").write_bytes(b"%PDF-1.7 fake")
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(officedoc.shutil, "which", lambda name: "/usr/bin/soffice" if name == "soffice" else None)
    monkeypatch.setattr(officedoc.subprocess, "run", fake_soffice)
    report = _report(rp, world.commune_officer, world.commune_a, {"DK": 10, "TH": 5})
    response = as_user(world.commune_officer).get(reverse("reporting:report_pdf", args=[report.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF-1.7 fake"
    assert "bao-cao-BC35-W20242" in response["Content-Disposition"]
    command, kwargs = calls[0]
    assert command[0] == "/usr/bin/soffice"
    assert command[2:5] == ["--headless", "--convert-to", "pdf"]
    assert kwargs["timeout"] > 0


def test_pdf_conversion_timeout_answers_503(world, rp, as_user, monkeypatch):
    def hanging(command: list[str], **kwargs: Any) -> None:
        raise subprocess.TimeoutExpired(command, kwargs["timeout"])

    monkeypatch.setattr(officedoc.shutil, "which", lambda name: "/usr/bin/libreoffice")
    monkeypatch.setattr(officedoc.subprocess, "run", hanging)
    report = _report(rp, world.commune_officer, world.commune_a, {"DK": 10, "TH": 5})
    response = as_user(world.commune_officer).get(reverse("reporting:report_pdf", args=[report.pk]))
    assert response.status_code == 503
    assert "PDF" in response.content.decode()


@pytest.mark.skipif(documents.office_binary() is None, reason="LibreOffice is not installed")
def test_real_libreoffice_makes_a_pdf(world, rp):
    report = _report(rp, world.commune_officer, world.commune_a, {"DK": 10, "TH": 5})
    assert documents.docx_to_pdf(documents.build_report_docx(report)).startswith(b"%PDF")


def test_numbers_and_dates_are_written_the_vietnamese_way():
    assert documents.vn_number(Decimal("1234567.5000")) == "1.234.567,5"
    assert documents.vn_number(Decimal("-1000")) == "-1.000"
    assert documents.vn_number(Decimal("0")) == "0"
    assert documents.vn_date(dt.date(2026, 2, 5), "Hải Châu") == "Hải Châu, ngày 05 tháng 02 năm 2026"
    assert documents.vn_date(dt.date(2026, 11, 23), "Đà Nẵng") == "Đà Nẵng, ngày 23 tháng 11 năm 2026"


def test_province_party_committee_heads_its_report_with_its_own_party_organisation(world, rp, as_user):
    admin = world.province_admin
    org.create_committee(actor=admin, unit=world.province_a, name="Ban Chỉ đạo 35 thành phố Đà Nẵng", kind="party")
    services.assign_form(
        actor=admin, form=rp.form, parent=world.province_a, units=[world.province_a], valid_from=dt.date(2025, 7, 1)
    )
    report = _report(rp, admin, world.province_a, {"DK": 1, "TH": 1})
    document = _open(as_user(admin).get(reverse("reporting:report_docx", args=[report.pk])))
    left, right = _cell_lines(document)
    assert _texts(left)[:3] == ["ĐẢNG BỘ THÀNH PHỐ ĐÀ NẴNG", "BAN CHỈ ĐẠO 35 THÀNH PHỐ ĐÀ NẴNG", "*"]
    assert right[-1].text.startswith("Đà Nẵng, ngày ")
    recipients, signature = _cell_lines(document, table=-1)
    assert "- Việt Nam;" in _texts(recipients)
    assert signature[-1].text == ""  # no head appointed yet: the name is left for the signer


def test_word_report_stays_vietnamese_when_the_user_works_in_english(world, rp):
    import io

    import docx
    from django.utils import translation

    from chidao.reporting import documents, services

    report = services.open_report(actor=world.commune_officer, form=rp.form, unit=world.commune_a, period=rp.period)
    with translation.override("en"):
        data = documents.build_report_docx(report)
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = "\n".join([p.text for p in document.paragraphs] + cells)
    assert "BÁO CÁO" in text and "Nơi nhận" in text
    assert "REPORT" not in text
