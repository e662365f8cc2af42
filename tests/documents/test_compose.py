"""Composing outgoing documents in the official layout of the issuer's kind and registering them:
HD 36-HD/VPTW for Party committees, NĐ 30/2020/NĐ-CP for state committees and for units."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from docx import Document as Docx

from chidao.audit.models import AuditEntry
from chidao.documents import compose, services_compose
from chidao.documents.models import Attachment, Direction, Document, DocumentKind
from chidao.lib import officedoc
from chidao.lib.docnumbers import PARTY_TYPES, STATE_TYPES
from chidao.org import services as org
from chidao.org.scope import ScopeDenied
from tests.documents.tools_conftest import BODY


def committee(world: Any, kind: str) -> Any:
    return org.create_committee(
        actor=world.commune_officer, unit=world.commune_a, name="Ban Chỉ đạo 35 phường Hải Châu", kind=kind
    )


def fields(world: Any, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "actor": world.commune_officer,
        "unit": world.commune_a,
        "kind": DocumentKind.PLAN,
        "number": "12",
        "title": "Triển khai Nghị quyết 35-NQ/TW năm 2026",
        "issued_on": dt.date(2026, 3, 2),
        "body": BODY,
        "recipients": ["Thường trực Đảng ủy", "Các chi bộ trực thuộc"],
        "signer": "Nguyễn Văn A",
        "position": "Trưởng ban",
        "on_behalf": "TM",
    }
    return data | extra


def opened(result: services_compose.ComposedDocument) -> Any:
    docx = next(a for a in result.attachments if a.content_type == officedoc.DOCX_TYPE)
    with docx.file.open("rb") as handle:
        return Docx(io.BytesIO(handle.read()))


def header(document: Any) -> tuple[list[str], list[str]]:
    left, right = document.tables[0].rows[0].cells
    return [p.text for p in left.paragraphs], [p.text for p in right.paragraphs]


def runs(document: Any) -> list[Any]:
    found = [r for p in document.paragraphs for r in p.runs]
    for table in document.tables:
        for cell in table.rows[0].cells:
            found.extend(r for p in cell.paragraphs for r in p.runs)
    return found


@pytest.fixture
def no_office(monkeypatch: Any) -> None:
    monkeypatch.setattr(officedoc.shutil, "which", lambda name: None)


def test_party_committee_plan_follows_guidance_36_and_is_registered(world, no_office):
    ban = committee(world, "party")
    result = services_compose.compose_document(**fields(world, committee=ban))
    document = opened(result)

    left, right = header(document)
    assert left == ["ĐẢNG BỘ THÀNH PHỐ ĐÀ NẴNG", "BAN CHỈ ĐẠO 35 PHƯỜNG HẢI CHÂU", "*", "Số 12-KH/BCĐ"]
    assert right[0] == "ĐẢNG CỘNG SẢN VIỆT NAM" and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in right
    assert right[-1] == "Hải Châu, ngày 02 tháng 3 năm 2026"
    texts = [p.text for p in document.paragraphs]
    assert texts[texts.index("KẾ HOẠCH") + 1 : texts.index("KẾ HOẠCH") + 3] == [
        "Triển khai Nghị quyết 35-NQ/TW năm 2026",
        "-----",
    ]
    heading = next(p for p in document.paragraphs if p.text.startswith("1. Nâng cao"))
    plain = next(p for p in document.paragraphs if p.text.startswith("Văn phòng theo dõi"))
    assert heading.runs[0].bold and not plain.runs[0].bold
    assert {r.font.name for r in runs(document)} == {"Times New Roman"}
    body_sizes = {r.font.size.pt for p in document.paragraphs[texts.index("-----") + 1 :] for r in p.runs}
    assert body_sizes == {14.0}
    section = document.sections[0]
    assert (round(section.left_margin.mm), round(section.right_margin.mm), round(section.top_margin.mm)) == (30, 15, 20)
    recipients, signature = (c.paragraphs for c in document.tables[1].rows[0].cells)
    assert [p.text for p in recipients] == [
        "Nơi nhận:",
        "- Thường trực Đảng ủy,",
        "- Các chi bộ trực thuộc,",
        "- Lưu Văn phòng.",
    ]
    assert [p.text for p in signature][:2] == ["T/M BAN CHỈ ĐẠO", "TRƯỞNG BAN"]
    assert signature[-1].text == "Nguyễn Văn A"

    registered = result.document
    assert (registered.symbol, registered.kind, registered.direction) == ("12-KH/BCĐ", "plan", Direction.OUTGOING)
    assert registered.issuer == "Ban Chỉ đạo 35 phường Hải Châu" and registered.unit == world.commune_a
    assert "sinh hoạt chuyên đề" in registered.full_text
    assert [a.name for a in result.attachments] == ["ke-hoach-12-KH-BCD.docx"]
    assert AuditEntry.objects.filter(action="documents.document.composed", target_id=str(registered.pk)).exists()


def test_state_committee_notice_follows_decree_30(world, no_office):
    ban = committee(world, "state")
    result = services_compose.compose_document(
        **fields(world, committee=ban, kind=DocumentKind.NOTICE, title="Kết luận hội nghị quý I năm 2026")
    )
    document = opened(result)
    left, right = header(document)
    assert left == ["ỦY BAN NHÂN DÂN PHƯỜNG HẢI CHÂU", "BAN CHỈ ĐẠO 35 PHƯỜNG HẢI CHÂU", "Số: 12/TB-BCĐ"]
    assert right[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in right
    texts = [p.text for p in document.paragraphs]
    assert "THÔNG BÁO" in texts and "-----" not in texts
    title = next(p for p in document.paragraphs if p.text == "THÔNG BÁO")
    assert title.runs[0].bold and title.runs[0].font.size.pt == 14
    recipients, signature = (c.paragraphs for c in document.tables[1].rows[0].cells)
    assert recipients[-1].text == "- Lưu: VT." and recipients[1].text == "- Thường trực Đảng ủy;"
    assert [p.text for p in signature][:2] == ["TM. BAN CHỈ ĐẠO", "TRƯỞNG BAN"]
    assert result.document.symbol == "12/TB-BCĐ"


def test_state_official_letter_has_its_subject_under_the_number(world, no_office):
    ban = committee(world, "state")
    result = services_compose.compose_document(
        **fields(
            world,
            committee=ban,
            kind=DocumentKind.OFFICIAL_LETTER,
            title="Đôn đốc báo cáo kết quả quý I",
            drafting_code="VP",
            addressees=["Các chi bộ trực thuộc"],
            on_behalf="KT",
            position="Phó Trưởng ban",
        )
    )
    document = opened(result)
    left, _right = header(document)
    assert left[-2:] == ["Số: 12/BCĐ-VP", "V/v đôn đốc báo cáo kết quả quý I"]
    texts = [p.text for p in document.paragraphs]
    assert "Kính gửi: Các chi bộ trực thuộc." in texts
    assert "CÔNG VĂN" not in texts
    _recipients, signature = (c.paragraphs for c in document.tables[1].rows[0].cells)
    assert [p.text for p in signature][:2] == ["KT. TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"]
    assert (result.document.symbol, result.document.kind) == ("12/BCĐ-VP", "letter")


def test_party_official_letter_carries_cv(world, no_office):
    ban = committee(world, "party")
    built = compose.compose(
        compose.Draft(
            unit=world.commune_a,
            committee=ban,
            kind=DocumentKind.OFFICIAL_LETTER,
            number="3",
            title="V/v góp ý dự thảo",
            day=dt.date(2026, 1, 9),
            body="Nội dung.",
        )
    )
    assert built.letterhead.number == "Số 3-CV/BCĐ"
    assert built.letterhead.subject == "V/v góp ý dự thảo"
    assert built.letterhead.on_behalf == ""


def test_unit_without_committee_issues_in_the_state_layout(world, no_office):
    result = services_compose.compose_document(
        **fields(world, kind=DocumentKind.REPORT, number="7", title="Kết quả công tác tháng 2 năm 2026")
    )
    left, right = header(opened(result))
    assert left == ["ỦY BAN NHÂN DÂN THÀNH PHỐ ĐÀ NẴNG", "PHƯỜNG HẢI CHÂU", "Số: 7/BC-UBND"]
    assert right[0] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert result.document.issuer == "Phường Hải Châu"


def test_blank_number_is_left_for_the_clerk_and_registered_without_symbol(world, no_office):
    result = services_compose.compose_document(**fields(world, number=""))
    left, _right = header(opened(result))
    assert left[-1].startswith("Số:") and left[-1].endswith("/KH-UBND")
    assert result.document.symbol == ""
    assert result.attachments[0].name == "ke-hoach-du-thao.docx"


def test_type_codes_agree_with_the_symbol_tables():
    for kind, layout in compose.COMPOSABLE.items():
        assert PARTY_TYPES[layout.type_code] == kind
        if kind != DocumentKind.OFFICIAL_LETTER:
            assert STATE_TYPES[layout.type_code] == kind


def test_form_errors_are_keyed_by_field_and_nothing_is_saved(world, no_office):
    with pytest.raises(ValidationError) as caught:
        services_compose.compose_document(
            **fields(world, kind=DocumentKind.RESOLUTION, title=" ", body="", number="12a", on_behalf="TL")
        )
    assert set(caught.value.message_dict) == {"kind", "title", "body", "number", "on_behalf_of"}
    assert "12" in caught.value.message_dict["number"][0]
    assert not Document.objects.exists() and not Attachment.objects.exists()


def test_duplicate_number_is_refused_and_leaves_no_file(world, no_office, settings):
    services_compose.compose_document(**fields(world))
    with pytest.raises(ValidationError) as caught:
        services_compose.compose_document(**fields(world, title="Một kế hoạch khác"))
    assert "symbol" in caught.value.message_dict
    assert Document.objects.count() == 1 and Attachment.objects.count() == 1
    stored = [p for p in (settings.MEDIA_ROOT / "documents").rglob("*") if p.is_file()]
    assert len(stored) == 1


def test_committee_must_belong_to_the_unit(world, no_office):
    ban = org.create_committee(
        actor=world.province_admin, unit=world.province_a, name="Ban Chỉ đạo 35 thành phố", kind="party"
    )
    with pytest.raises(ValidationError) as caught:
        services_compose.compose_document(**fields(world, actor=world.province_admin, committee=ban))
    assert "committee" in caught.value.message_dict


@pytest.mark.parametrize("persona", ["sibling_officer", "viewer", "outsider"])
def test_only_the_units_secretariat_or_higher_may_compose(world, no_office, persona):
    with pytest.raises(ScopeDenied):
        services_compose.compose_document(**fields(world, actor=getattr(world, persona)))
    assert not Document.objects.exists()


def test_province_admin_composes_for_a_commune_below(world, no_office):
    result = services_compose.compose_document(**fields(world, actor=world.province_admin))
    assert result.document.unit == world.commune_a


def test_failed_pdf_conversion_still_registers_the_word_file(world, monkeypatch):
    def broken(data: bytes, **kwargs: Any) -> bytes:
        raise officedoc.PdfUnavailable("crashed", missing=False)

    monkeypatch.setattr(officedoc.shutil, "which", lambda name: "/usr/bin/soffice")
    monkeypatch.setattr(officedoc, "docx_to_pdf", broken)
    result = services_compose.compose_document(**fields(world))
    assert [a.content_type for a in result.attachments] == [officedoc.DOCX_TYPE]
    assert "PDF" in result.pdf_error


@pytest.mark.skipif(officedoc.office_binary() is None, reason="LibreOffice is not installed")
def test_pdf_is_attached_when_libreoffice_is_installed(world):
    result = services_compose.compose_document(**fields(world))
    assert [a.content_type for a in result.attachments] == [officedoc.DOCX_TYPE, officedoc.PDF_TYPE]
    pdf = result.attachments[1]
    assert pdf.name == "ke-hoach-12-KH-UBND.pdf"
    with pdf.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert result.pdf_error == ""
