"""The invitation and the conclusion notice as Word files: HD 36-HD/VPTW for Party committees,
NĐ 30/2020/NĐ-CP for state committees; PDF through LibreOffice."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from docx import Document

from chidao.lib import officedoc
from chidao.meetings import documents, services
from chidao.meetings.models import MeetingKind
from chidao.org import services as org_services
from chidao.org.models import Role
from tests.meetings.conftest import NOTICE_TEXT, START

pytestmark = pytest.mark.django_db


def _open(data: bytes) -> Any:
    return Document(io.BytesIO(data))


def _header(document: Any) -> tuple[list[str], list[str]]:
    left, right = document.tables[0].rows[0].cells
    return [p.text for p in left.paragraphs], [p.text for p in right.paragraphs]


def _runs(document: Any) -> list[Any]:
    runs = [r for p in document.paragraphs for r in p.runs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                runs.extend(r for p in cell.paragraphs for r in p.runs)
    return runs


def _texts(document: Any) -> list[str]:
    return [p.text for p in document.paragraphs]


def _prepared(mw: Any, meeting: Any) -> Any:
    services.add_agenda_item(
        actor=mw.commune_officer, meeting=meeting, title="Báo cáo kết quả quý I", presenter=mw.member
    )
    services.invite(actor=mw.commune_officer, meeting=meeting, people=[mw.member], units=[mw.commune_a])
    services.record_conclusions_from_text(
        actor=mw.commune_officer,
        meeting=meeting,
        text=NOTICE_TEXT,
        notice_number="15-TB/BCĐ",
        notice_date=dt.date(2026, 3, 30),
    )
    return meeting


def test_party_notice_follows_guidance_36(mw, delegation):
    document = _open(documents.build_notice(_prepared(mw, delegation)))
    left, right = _header(document)
    assert left == ["ĐẢNG BỘ THÀNH PHỐ ĐÀ NẴNG", "BAN CHỈ ĐẠO 35 PHƯỜNG HẢI CHÂU", "*", "Số 15-TB/BCĐ"]
    assert right[0] == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert right[-1] == "Hải Châu, ngày 30 tháng 3 năm 2026"
    texts = _texts(document)
    assert "THÔNG BÁO" in texts
    assert "Kết luận của đồng chí Trưởng ban tại Làm việc với Đoàn công tác Ban Chỉ đạo 35 tỉnh Quảng Ninh" in texts
    assert "-----" in texts
    numbered = [t for t in texts if t[:2] in {"1.", "2.", "3.", "4."}]
    assert [t[:2] for t in numbered] == ["1.", "2.", "3.", "4."]
    assert numbered[0].startswith("1. Tiếp tục tham mưu giúp cấp ủy lãnh đạo")
    assert any("làm việc với Đoàn công tác Ban Chỉ đạo 35 tỉnh Quảng Ninh" in t for t in texts)
    closing = [p.text for cell in document.tables[1].rows[0].cells for p in cell.paragraphs]
    assert "T/M BAN CHỈ ĐẠO" in closing and "TRƯỞNG BAN" in closing and "Nguyễn Văn An" in closing
    assert "- Ban Chỉ đạo 35 tỉnh Quảng Ninh," in closing and "- Lưu Văn phòng." in closing
    assert {r.font.name for r in _runs(document)} == {"Times New Roman"}
    assert {r.font.size.pt for r in _runs(document)} <= {11.0, 12.0, 13.0, 14.0, 15.0}
    section = document.sections[0]
    assert (round(section.left_margin.mm), round(section.right_margin.mm), round(section.top_margin.mm)) == (30, 15, 20)


def test_state_invitation_follows_decree_30(mw):
    deputy = org_services.create_person(
        actor=mw.province_admin, unit=mw.province_a, full_name="Hoàng Thị Hoa", titles="Phó Chủ tịch UBND thành phố"
    )
    org_services.appoint_member(
        actor=mw.province_admin, committee=mw.province, person=deputy, role=Role.DEPUTY, start_date=dt.date(2026, 1, 1)
    )
    meeting = services.create_meeting(
        actor=mw.province_admin,
        host_committee=mw.province,
        title="Hội nghị sơ kết 6 tháng đầu năm 2026",
        kind=MeetingKind.MID_TERM_REVIEW,
        starts_at=START,
        place="Trung tâm Hành chính thành phố",
        chair=deputy,
        invitation_number="27",
    )
    services.add_agenda_item(
        actor=mw.province_admin, meeting=meeting, title="Báo cáo sơ kết", presenter_text="Văn phòng"
    )
    services.invite(actor=mw.province_admin, meeting=meeting, people=[deputy], units=[mw.commune_a])
    document = _open(documents.build_invitation(meeting, today=dt.date(2026, 3, 20)))
    left, right = _header(document)
    assert left == [
        "ỦY BAN NHÂN DÂN THÀNH PHỐ ĐÀ NẴNG",
        "BAN CHỈ ĐẠO CHUYỂN ĐỔI SỐ THÀNH PHỐ ĐÀ NẴNG",
        "Số: 27/GM-BCĐ",
    ]
    assert right[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert right[-1] == "Đà Nẵng, ngày 20 tháng 3 năm 2026"
    texts = _texts(document)
    assert "GIẤY MỜI" in texts and "-----" not in texts
    assert "- Đồng chí Hoàng Thị Hoa, Phó Chủ tịch UBND thành phố;" in texts
    assert "- Đại diện lãnh đạo Phường Hải Châu;" in texts
    assert "Thời gian: 08 giờ 00, thứ Sáu, ngày 27/03/2026." in texts
    assert "Địa điểm: Trung tâm Hành chính thành phố." in texts
    assert "Chủ trì: đồng chí Hoàng Thị Hoa, Phó Trưởng ban." in texts
    assert "1. Báo cáo sơ kết (Văn phòng)." in texts
    closing = [p.text for cell in document.tables[1].rows[0].cells for p in cell.paragraphs]
    assert "TM. BAN CHỈ ĐẠO" in closing and "PHÓ TRƯỞNG BAN" in closing and "- Lưu: VT." in closing
    title_run = next(r for p in document.paragraphs if p.text == "GIẤY MỜI" for r in p.runs)
    assert title_run.bold and title_run.font.size.pt == 14
    assert {r.font.name for r in _runs(document)} == {"Times New Roman"}


def test_blank_number_is_left_for_the_clerk(mw, delegation):
    left, _right = _header(_open(documents.build_invitation(delegation)))
    assert left[-1].startswith("Số ") and left[-1].endswith("-GM/BCĐ")


def test_documents_are_404_outside_scope(mw, delegation, as_user):
    client = as_user(mw.sibling_officer)
    for name in ("invitation_docx", "invitation_pdf", "notice_docx", "notice_pdf"):
        assert client.get(reverse(f"meetings:{name}", args=[delegation.pk])).status_code == 404


def test_pdf_without_libreoffice_says_so(mw, delegation, as_user, monkeypatch):
    monkeypatch.setattr(officedoc.shutil, "which", lambda name: None)
    response = as_user(mw.commune_officer).get(reverse("meetings:notice_pdf", args=[delegation.pk]))
    assert response.status_code == 503 and "LibreOffice" in response.content.decode()


@pytest.mark.skipif(documents.office_binary() is None, reason="LibreOffice is not installed")
def test_real_libreoffice_makes_the_notice_pdf(mw, delegation, as_user):
    _prepared(mw, delegation)
    response = as_user(mw.outsider).get(reverse("meetings:notice_pdf", args=[delegation.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment")
