"""Importing an existing register from Excel: the template, a valid file entering every row, and
bad files reporting every problem by row and column with nothing saved."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import openpyxl
import pytest

from chidao.audit.models import AuditEntry
from chidao.documents import imports, queries
from chidao.documents.models import Direction, Document, SearchEntry, Visibility
from chidao.documents.search.queries import search_documents
from chidao.org.scope import ScopeDenied
from tests.documents.tools_conftest import ROWS, workbook


def run(world: Any, data: bytes, *, actor: Any = None, name: str = "so-van-ban.xlsx") -> imports.ImportSummary:
    return imports.import_register(
        actor=actor or world.commune_officer, unit=world.commune_a, upload=io.BytesIO(data), name=name, size=len(data)
    )


def failure(world: Any, data: bytes, **kwargs: Any) -> list[str]:
    with pytest.raises(imports.ImportFailed) as caught:
        run(world, data, **kwargs)
    assert not Document.objects.exists()
    return caught.value.errors


def test_template_has_headers_lists_and_a_guide():
    book = openpyxl.load_workbook(io.BytesIO(imports.template_xlsx()))
    assert book.sheetnames == [imports.SHEET, imports.LISTS_SHEET, imports.GUIDE_SHEET]
    sheet = book[imports.SHEET]
    assert [c.value for c in sheet[1]] == [
        "Loại văn bản",
        "Số ký hiệu",
        "Ngày ban hành",
        "Cơ quan ban hành",
        "Trích yếu",
        "Người ký",
        "Sổ",
        "Phạm vi",
        "Số đến",
        "Ngày đến",
        "Tóm tắt",
    ]
    validations = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert set(validations) == {"A2", "G2", "H2"}
    lists = book[imports.LISTS_SHEET]
    kinds = [c.value for c in lists["A"][1:] if c.value]
    assert "Nghị quyết" in kinds and "Công văn" in kinds and len(kinds) == 16
    assert [c.value for c in lists["B"][1:] if c.value] == ["Văn bản đến", "Văn bản đi", "Văn bản nội bộ"]
    assert validations["H2"] == "'Danh mục'!$C$2:$C$4"
    guide = "\n".join(str(c.value) for row in book[imports.GUIDE_SHEET].iter_rows() for c in row if c.value)
    assert "Ngày ban hành" in guide and "không lưu văn bản nào" in guide


def test_valid_register_is_imported_and_listed(world, as_user):
    summary = run(world, workbook(ROWS))
    assert summary.created == 3
    assert dict(summary.by_kind) == {"Nghị quyết": 1, "Kế hoạch": 1, "Công văn": 1}
    assert (summary.first_day, summary.last_day) == (dt.date(2018, 10, 22), dt.date(2024, 4, 1))
    resolution = Document.objects.get(symbol="35-NQ/TW")
    assert (resolution.kind, resolution.unit, resolution.visibility) == ("resolution", world.commune_a, "public")
    assert (resolution.received_number, resolution.received_on) == (15, dt.date(2018, 10, 30))
    letter = Document.objects.get(symbol="45/UBND-VP")
    assert (letter.direction, letter.visibility, letter.issued_on) == (
        Direction.OUTGOING,
        Visibility.UNIT,
        dt.date(2024, 4, 1),
    )
    plan = Document.objects.get(symbol="123-KH/TU")
    assert plan.visibility == Visibility.SUBTREE and plan.summary == "Triển khai đến các chi bộ"
    assert [d.symbol for d in queries.documents_for(world.commune_officer, text="ke hoach thuc hien")] == ["123-KH/TU"]
    page = as_user(world.commune_officer).get("/documents/", {"q": "bao ve nen tang"})
    assert "Về tăng cường bảo vệ nền tảng tư tưởng của Đảng" in page.content.decode()
    entry = AuditEntry.objects.get(action="documents.register.imported")
    assert entry.changes["created"] == 3


def test_columns_are_found_by_header_in_any_order_without_diacritics(world):
    header = ["Trich yeu", "Co quan ban hanh", "Ngay ban hanh", "Loai van ban", "So, ky hieu"]
    data = workbook(
        [["Báo cáo sơ kết", "Ban Tuyên giáo", "01/02/2025", "Báo cáo", "12-BC/BTG"]], header, from_template=False
    )
    assert run(world, data).created == 1
    document = Document.objects.get()
    assert (document.symbol, document.kind, document.direction) == ("12-BC/BTG", "report", Direction.INCOMING)


def test_every_error_is_reported_by_row_and_column_and_nothing_is_saved(world):
    bad = [
        ROWS[0],
        ["Kế hoạch", "123-KH/TU", "31/02/2024", "Thành ủy Đà Nẵng", "Kế hoạch A"],
        ["Sắc lệnh", "5-SL/TW", "01/03/2024", "Trung ương", "Một văn bản"],
        ["Kế hoạch", "124-KH/TU", "01/03/2024", "Thành ủy Đà Nẵng", ""],
        ["Nghị quyết", "35-NQ/TW", "22/10/2018", "Bộ Chính trị", "Bản chép lại"],
        ["Kế hoạch", "125-KH/TU", "01/03/2024", "Thành ủy Đà Nẵng", "Kế hoạch B", "", "", "", "mười"],
    ]
    errors = failure(world, workbook(bad))
    assert errors == [
        "Dòng 3, cột “Ngày ban hành”: ngày “31/02/2024” không hợp lệ (ghi ngày/tháng/năm, ví dụ 05/02/2026).",
        "Dòng 4, cột “Loại văn bản”: “Sắc lệnh” không có trong danh sách.",
        "Dòng 5, cột “Trích yếu”: không được để trống.",
        "Dòng 6, cột “Số ký hiệu”: trùng với dòng 2 (cùng số ký hiệu, cơ quan ban hành và năm).",
        "Dòng 7, cột “Số đến”: “mười” không phải số nguyên dương.",
    ]
    assert not AuditEntry.objects.filter(action="documents.register.imported").exists()


def test_registry_rules_are_reported_by_row_and_nothing_is_saved(world):
    rows = [ROWS[1], ["Chỉ thị", "35-NQ/TW", "22/10/2018", "Bộ Chính trị", "Ký hiệu sai loại"]]
    errors = failure(world, workbook(rows))
    assert len(errors) == 1
    assert errors[0].startswith("Dòng 3, cột “Số ký hiệu”: ")
    assert "Nghị quyết" in errors[0] and "Chỉ thị" in errors[0]


def test_duplicate_of_the_existing_register_is_refused(world):
    run(world, workbook(ROWS[:1]))
    with pytest.raises(imports.ImportFailed) as caught:
        run(world, workbook(ROWS))
    assert caught.value.errors[0].startswith(
        "Dòng 2, cột “Số ký hiệu”: Sổ văn bản của đơn vị đã có văn bản số 35-NQ/TW"
    )
    assert Document.objects.count() == 1


def test_missing_columns_are_named(world):
    data = workbook([["Kế hoạch", "Kế hoạch A"]], ["Loại văn bản", "Trích yếu"], from_template=False)
    assert failure(world, data) == ["Dòng 1: thiếu cột “Ngày ban hành”, “Cơ quan ban hành”. Hãy dùng tệp mẫu."]


def test_empty_template_says_there_is_nothing(world):
    assert failure(world, workbook([])) == ["Tệp chưa có dòng văn bản nào dưới dòng tiêu đề."]


def test_html_renamed_to_xlsx_is_refused(world):
    errors = failure(world, b"<html><script>alert(1)</script></html>", name="so-van-ban.xlsx")
    assert errors == ["Tệp không phải bảng tính Excel (.xlsx): hãy tải mẫu, điền rồi tải lên lại."]


def test_word_file_is_not_a_register(world):
    from tests.documents.conftest import docx_bytes

    assert "không phải bảng tính Excel" in failure(world, docx_bytes(), name="so.xlsx")[0]


def test_too_many_rows_are_refused(world, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    assert failure(world, workbook(ROWS)) == ["Tệp có quá 2 dòng văn bản."]


def test_many_errors_are_cut_short(world, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ERRORS", 2)
    rows = [["Kế hoạch", f"{n}-KH/TU", "01/03/2024", "", "A"] for n in range(1, 5)]
    errors = failure(world, workbook(rows))
    assert errors[:2] == [
        "Dòng 2, cột “Cơ quan ban hành”: không được để trống.",
        "Dòng 3, cột “Cơ quan ban hành”: không được để trống.",
    ]
    assert errors[2] == "… và 2 lỗi khác."


@pytest.mark.parametrize("persona", ["sibling_officer", "viewer"])
def test_only_the_units_secretariat_may_import(world, persona):
    data = workbook(ROWS)
    with pytest.raises(ScopeDenied):
        run(world, data, actor=getattr(world, persona))
    assert not Document.objects.exists()


def _register_rows(count: int) -> list[list[Any]]:
    return [
        [
            "Kế hoạch",
            f"{n}-KH/ĐU",
            f"{1 + n % 28:02d}/{1 + n % 12:02d}/{2015 + n % 10}",
            "Đảng ủy phường Hải Châu",
            f"Kế hoạch số {n} về bảo vệ nền tảng tư tưởng của Đảng",
            "Nguyễn Văn A",
            "Văn bản đến",
            "Chỉ đơn vị",
            n,
        ]
        for n in range(1, count + 1)
    ]


def test_a_large_register_is_imported_and_every_document_is_findable(world):
    summary = run(world, workbook(_register_rows(3000)))
    assert summary.created == 3000 == Document.objects.filter(unit=world.commune_a).count()
    assert set(SearchEntry.objects.values_list("document_id", flat=True)) == set(summary.document_ids)
    assert AuditEntry.objects.filter(action="documents.register.imported").get().changes["created"] == 3000
    assert AuditEntry.objects.filter(action="documents.document.registered").count() == 3000
    for n in (1, 1500, 3000):
        page = search_documents(world.commune_officer, f"{n}-KH/ĐU")
        assert page.hits[0].document.title == f"Kế hoạch số {n} về bảo vệ nền tảng tư tưởng của Đảng"
    words = search_documents(world.commune_officer, "ke hoach so 2999 bao ve nen tang tu tuong")
    assert [hit.document.symbol for hit in words.hits] == ["2999-KH/ĐU"]
    # "Chỉ đơn vị": the sibling commune finds none of them
    assert not search_documents(world.sibling_officer, "bao ve nen tang tu tuong").hits


def test_an_error_on_one_row_of_a_large_register_saves_nothing(world):
    rows = _register_rows(3000)
    rows[2499][0] = "Nghị quyết"  # row 2501 of the sheet: "KH" is a plan's abbreviation
    errors = failure(world, workbook(rows))
    assert len(errors) == 1
    assert errors[0].startswith("Dòng 2501, cột “Số ký hiệu”: Ký hiệu “KH” trong “2500-KH/ĐU” là của loại “Kế hoạch”")
    assert not SearchEntry.objects.exists() and not AuditEntry.objects.filter(action__startswith="documents.").exists()


def _package(sheet_rows: str, *, strings: list[str], date1904: bool = False) -> bytes:
    """A minimal .xlsx as other spreadsheet programs write it: shared strings (some in rich-text
    runs, one with a phonetic guide), a custom date format, cells without their reference."""
    main = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    pkg = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "xl/workbook.xml": (
            f"<workbook {main} {rel}><workbookPr{' date1904="1"' if date1904 else ''}/><sheets>"
            '<sheet name="Ghi chú" sheetId="1" r:id="rId1"/>'
            f'<sheet name="{imports.SHEET}" sheetId="2" r:id="rId2"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f"<Relationships {pkg}>"
            f'<Relationship Id="rId1" Type="{kind}/worksheet" Target="worksheets/notes.xml"/>'
            f'<Relationship Id="rId2" Type="{kind}/worksheet" Target="/xl/worksheets/register.xml"/>'
            f'<Relationship Id="rId3" Type="{kind}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/sharedStrings.xml": f"<sst {main}>" + "".join(strings) + "</sst>",
        "xl/styles.xml": (
            f'<styleSheet {main}><numFmts><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
            '<cellXfs><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>'
        ),
        "xl/worksheets/notes.xml": f'<worksheet {main}><sheetData><row r="1"><c t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>',
        "xl/worksheets/register.xml": f"<worksheet {main}><sheetData>{sheet_rows}</sheetData></worksheet>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in parts.items():
            package.writestr(name, text)
    return out.getvalue()


@pytest.mark.parametrize("date1904", [False, True])
def test_a_register_written_by_another_spreadsheet_program_is_read(world, date1904):
    strings = [
        f"<si><t>{label}</t></si>" for label in ("Loại văn bản", "Số ký hiệu", "Ngày ban hành", "Cơ quan ban hành")
    ] + [
        "<si><r><t>Trích </t></r><r><rPr><b/></rPr><t>yếu</t></r></si>",
        "<si><t>Kế hoạch</t><rPh sb='0' eb='1'><t>ケイカク</t></rPh></si>",
        "<si><r><t>Kế hoạch thực hiện </t></r><r><t>Nghị quyết 35-NQ/TW</t></r></si>",
    ]
    # 22/10/2018 is serial 43395 from 1899-12-30, and 41933 from 1904-01-01.
    serial = 41933 if date1904 else 43395
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c t="s"><v>2</v></c>'
        '<c t="s"><v>3</v></c><c t="s"><v>4</v></c></row>'
        '<row r="4"><c r="A4" t="s"><v>5</v></c><c r="B4" t="inlineStr"><is><t>123-KH/TU</t></is></c>'
        f'<c r="C4" s="1"><v>{serial}</v></c><c r="D4" t="str"><v>Thành ủy Đà Nẵng</v></c>'
        '<c r="E4" t="s"><v>6</v></c></row>'
    )
    summary = run(world, _package(rows, strings=strings, date1904=date1904))
    assert summary.created == 1
    document = Document.objects.get()
    assert (document.kind, document.symbol, document.issued_on) == ("plan", "123-KH/TU", dt.date(2018, 10, 22))
    assert (document.issuer, document.title) == ("Thành ủy Đà Nẵng", "Kế hoạch thực hiện Nghị quyết 35-NQ/TW")


def test_errors_name_the_rows_as_the_spreadsheet_numbers_them(world):
    strings = [f"<si><t>{c.label}</t></si>" for c in imports.COLUMNS[:5]] + ["<si><t>Kế hoạch</t></si>"]
    header = "".join(f'<c t="s"><v>{n}</v></c>' for n in range(5))
    rows = (
        f'<row r="1">{header}</row>'
        '<row r="7"><c t="s"><v>5</v></c><c t="inlineStr"><is><t>5-KH/TU</t></is></c>'
        '<c t="inlineStr"><is><t>mai</t></is></c><c t="inlineStr"><is><t>Thành ủy</t></is></c>'
        '<c t="inlineStr"><is><t>Kế hoạch A</t></is></c></row>'
    )
    assert failure(world, _package(rows, strings=strings)) == [
        "Dòng 7, cột “Ngày ban hành”: ngày “mai” không hợp lệ (ghi ngày/tháng/năm, ví dụ 05/02/2026)."
    ]


def test_a_damaged_package_is_refused(world):
    data = _package("<row r='1'><c t='s'><v>99</v></c></row>", strings=[])  # a string that is not there
    assert failure(world, data) == ["Không đọc được tệp Excel: tệp hỏng hoặc không đúng định dạng."]
