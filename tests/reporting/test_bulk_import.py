"""Bulk import from Excel: a real bulk export, edited with openpyxl and loaded back through the page
and the API. Every error is placed by sheet, row and column; nothing is saved unless the whole
file is valid; units out of scope look exactly like units that do not exist."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from chidao.audit.models import AuditEntry
from chidao.reporting import bulk_import, excel, services
from chidao.reporting.models import DataValue, Report, Status
from tests.conftest import login

API = "/api/reporting/values/xlsx"
# Columns of the export (1-based), see excel.EXPORT_HEADERS.
UNIT, PERIOD, INDICATOR, VALUE, COMMENT = 1, 3, 5, 7, 8


def _report(world, rp, values, unit=None, officer=None):
    unit = unit or world.commune_a
    officer = officer or world.commune_officer
    report = services.open_report(actor=officer, form=rp.form, unit=unit, period=rp.period)
    services.save_values(actor=officer, report=report, values=values)
    return report


def _export(client, rp) -> bytes:
    response = client.get(reverse("reporting:export"), {"form": rp.form.pk, "format": "xlsx"})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _edit(data: bytes, changes=None, add=(), delete_columns=()) -> bytes:
    """The export with cells changed ({(unit, indicator): {column: value}}), rows appended and
    columns deleted, saved again by openpyxl."""
    workbook = load_workbook(io.BytesIO(data))
    ws = workbook.worksheets[0]
    for row in ws.iter_rows(min_row=2):
        key = (row[UNIT - 1].value, row[INDICATOR - 1].value)
        for column, value in (changes or {}).get(key, {}).items():
            row[column - 1].value = value
    for values in add:
        ws.append(values)
    for column in sorted(delete_columns, reverse=True):
        ws.delete_cols(column)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row(unit, label, code, value, comment=None):
    return [unit, "", label, "", code, "", value, comment]


def _post_page(client, rp, data, period=None):
    payload = {"form": rp.form.pk, "file": SimpleUploadedFile("so-lieu.xlsx", data)}
    if period is not None:
        payload["period"] = period.pk
    return client.post(reverse("reporting:import_values"), payload)


def _post_api(client, form, data, **extra):
    return client.post(API, {"form": form, "file": SimpleUploadedFile("so-lieu.xlsx", data), **extra})


def _values(report):
    return {v.indicator.code: (v.value, v.comment) for v in DataValue.objects.filter(report=report)}


def _state():
    return (
        sorted(DataValue.objects.values_list("report_id", "indicator_id", "value", "comment")),
        sorted(Report.objects.values_list("id", "status")),
        AuditEntry.objects.count(),
    )


# --- the round trip --------------------------------------------------------------------------


def test_edited_export_is_loaded_back_through_the_page(world, rp, client):
    a = _report(world, rp, {rp.registered.pk: 10, rp.trained.pk: 5})
    login(client, world.province_admin)
    data = _export(client, rp)
    edited = _edit(
        data,
        changes={("W20242", "TH"): {VALUE: 7, COMMENT: "Đã rà soát lại"}},
        add=[_row("W20209", rp.period.label, "DK", 20), _row("W20209", rp.period.label, "TL", "12,5")],
    )

    response = _post_page(client, rp, edited)

    assert response.status_code == 302
    assert _values(a) == {"DK": (Decimal(10), ""), "TH": (Decimal(7), "Đã rà soát lại")}
    b = Report.objects.get(form=rp.form, unit=world.commune_b, period=rp.period)
    assert b.status == Status.DRAFT and b.created_by == world.province_admin
    assert _values(b) == {"DK": (Decimal(20), ""), "TL": (Decimal("12.5"), "")}
    page = client.get(response.url).content.decode()
    assert "3 số liệu được cập nhật trong 2 báo cáo, 1 số liệu không đổi" in page
    entry = AuditEntry.objects.filter(action="reporting.report.values_saved", target_id=str(a.pk)).latest("id")
    assert entry.changes == {"TH": ["5", "7"]}


def test_edited_export_is_loaded_back_through_the_api(world, rp, client):
    a = _report(world, rp, {rp.registered.pk: 10, rp.trained.pk: 5})
    login(client, world.commune_officer)
    edited = _edit(_export(client, rp), changes={("W20242", "DK"): {VALUE: 12}})

    response = _post_api(client, "BC35", edited)

    assert response.status_code == 200, response.content
    assert response.json() == {"rows": 2, "changed": 1, "unchanged": 1, "reports": 1}
    assert _values(a)["DK"] == (Decimal(12), "")


def test_an_unchanged_export_writes_nothing(world, rp, client):
    _report(world, rp, {rp.registered.pk: 10, rp.trained.pk: 5, rp.rate.pk: "33,3"})
    login(client, world.commune_officer)
    before = _state()

    response = _post_api(client, rp.form.pk, _export(client, rp))

    assert response.json() == {"rows": 3, "changed": 0, "unchanged": 3, "reports": 0}
    assert _state() == before


def test_a_blank_value_clears_the_stored_one(world, rp, client):
    a = _report(world, rp, {rp.registered.pk: 10, rp.trained.pk: 5})
    login(client, world.commune_officer)
    edited = _edit(_export(client, rp), changes={("W20242", "TH"): {VALUE: None}})

    assert _post_api(client, "BC35", edited).json()["changed"] == 1
    assert _values(a)["TH"] == (None, "")


def test_a_file_without_the_period_column_uses_the_chosen_period(world, rp, client):
    a = _report(world, rp, {rp.registered.pk: 10, rp.trained.pk: 5})
    login(client, world.commune_officer)
    edited = _edit(_export(client, rp), changes={("W20242", "TH"): {VALUE: 8}}, delete_columns=[PERIOD])

    response = _post_page(client, rp, edited, period=rp.period)

    assert response.status_code == 302
    assert _values(a)["TH"] == (Decimal(8), "")


def test_a_row_of_another_period_than_the_chosen_one_is_an_error(world, rp, client):
    _report(world, rp, {rp.registered.pk: 10, rp.trained.pk: 5})
    login(client, world.commune_officer)
    edited = _edit(_export(client, rp), add=[_row("W20242", "Quý II/2026", "DK", 3)])
    before = _state()

    response = _post_api(client, "BC35", edited, period=rp.period.pk)

    assert response.status_code == 422
    assert response.json()["detail"]["file"] == [
        "Sheet “Số liệu”, dòng 4, cột C: kỳ “Quý II/2026” khác kỳ đã chọn “Quý I/2026”."
    ]
    assert _state() == before


def test_rows_of_new_periods_open_their_reports(world, rp, client):
    login(client, world.commune_officer)
    data = _export(client, rp)  # only the header: nothing reported yet
    edited = _edit(data, add=[_row("W20242", "Quý II/2026", "DK", 4), _row("W20242", "Quý III/2026", "DK", 6)])

    assert _post_api(client, "BC35", edited).json() == {"rows": 2, "changed": 2, "unchanged": 0, "reports": 2}
    labels = set(Report.objects.filter(unit=world.commune_a).values_list("period__label", flat=True))
    assert labels == {"Quý II/2026", "Quý III/2026"}


# --- errors ------------------------------------------------------------------------------------


def test_every_error_is_placed_by_sheet_row_and_column_and_nothing_is_saved(world, rp, client):
    _report(world, rp, {rp.registered.pk: 10, rp.trained.pk: 5})
    login(client, world.province_admin)
    edited = _edit(
        _export(client, rp),
        changes={("W20242", "DK"): {VALUE: "mười"}, ("W20242", "TH"): {VALUE: 6}},
        add=[
            _row("W99999", rp.period.label, "DK", 1),
            _row("W20209", "Quý V/2026", "DK", 1),
            _row("W20209", rp.period.label, "XX", 1),
            _row("W20209", rp.period.label, "TL", 150),
            _row("W20209", rp.period.label, "DK", 1, "x" * 501),
            _row("W20209", rp.period.label, "DK", 2),
        ],
    )
    before = _state()

    response = _post_page(client, rp, edited)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Tệp có 7 lỗi; chưa có dữ liệu nào được lưu." in page, re.findall(r"Tệp có \d+ lỗi", page) + re.findall(
        r"<li>Sheet[^<]*", page
    )
    expected = [
        "Sheet “Số liệu”, dòng 2, cột G: DK: “mười” không phải là số.",
        "Sheet “Số liệu”, dòng 4, cột A: không có đơn vị mã “W99999” trong phạm vi của bạn.",
        "Sheet “Số liệu”, dòng 5, cột C: “Quý V/2026” không phải kỳ báo cáo của biểu mẫu này (viết như “Quý I/2026”).",
        "Sheet “Số liệu”, dòng 6, cột E: mã chỉ tiêu “XX” không có trong biểu mẫu.",
        "Sheet “Số liệu”, dòng 7, cột G: TL: tỷ lệ phải từ 0 đến 100.",
        "Sheet “Số liệu”, dòng 8, cột H: ghi chú dài quá 500 ký tự.",
        "Sheet “Số liệu”, dòng 9, cột E: chỉ tiêu “DK” của W20209, kỳ “Quý I/2026” lặp lại (đã có ở dòng 8).",
    ]
    api = _post_api(client, "BC35", edited)
    assert api.status_code == 422
    assert api.json()["detail"]["file"] == expected
    for message in expected:
        assert message.replace("“", "&ldquo;").replace("”", "&rdquo;") in page or message in page
    assert _state() == before


def test_a_file_without_the_key_columns_is_refused(world, rp, client):
    login(client, world.commune_officer)
    workbook = Workbook()
    workbook.active.append(["Mã đơn vị", "Giá trị", "Mã đơn vị"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = _post_api(client, "BC35", buffer.getvalue())

    assert response.json()["detail"]["file"] == [
        "Sheet “Sheet”, dòng 1: thiếu cột “Mã chỉ tiêu”, “Kỳ báo cáo”. Hãy dùng tệp xuất từ trang Xuất số liệu.",
        "Sheet “Sheet”, dòng 1, cột C: cột “Mã đơn vị” lặp lại (đã có ở cột A).",
    ]


def test_a_file_that_is_not_a_workbook_is_refused(world, rp, client):
    login(client, world.commune_officer)
    assert _post_api(client, "BC35", b"ma,gia tri\nDK,1\n").json()["detail"]["file"] == [
        "Tệp không phải bảng tính Excel (.xlsx). Hãy lưu tệp dạng .xlsx rồi tải lên lại."
    ]
    broken = b"PK\x03\x04" + b"\x00" * 200
    assert _post_api(client, "BC35", broken).json()["detail"]["file"] == [
        "Không đọc được tệp Excel: tệp hỏng hoặc không phải định dạng .xlsx."
    ]


def test_the_list_of_errors_is_capped(world, rp, client):
    login(client, world.commune_officer)
    data = _edit(_export(client, rp), add=[_row("W20242", rp.period.label, "DK", "?") for _ in range(250)])

    errors = _post_api(client, "BC35", data).json()["detail"]["file"]

    assert len(errors) == excel.MAX_ERRORS + 1
    assert errors[0] == "Sheet “Số liệu”, dòng 2, cột G: DK: “?” không phải là số."
    assert errors[-1] == "… và 50 lỗi khác."


# --- scope and workflow ------------------------------------------------------------------------


def test_a_sibling_communes_unit_is_a_row_error_like_an_unknown_one(world, rp, client):
    a = _report(world, rp, {rp.registered.pk: 10, rp.trained.pk: 5})
    _report(world, rp, {rp.registered.pk: 30}, unit=world.commune_b, officer=world.sibling_officer)
    login(client, world.commune_officer)
    edited = _edit(
        _export(client, rp),
        changes={("W20242", "DK"): {VALUE: 11}},
        add=[_row("W20209", rp.period.label, "DK", 31), _row("W20999", rp.period.label, "DK", 31)],
    )
    before = _state()

    response = _post_api(client, "BC35", edited)

    assert response.status_code == 422
    assert response.json()["detail"]["file"] == [
        "Sheet “Số liệu”, dòng 4, cột A: không có đơn vị mã “W20209” trong phạm vi của bạn.",
        "Sheet “Số liệu”, dòng 5, cột A: không có đơn vị mã “W20999” trong phạm vi của bạn.",
    ]
    assert _state() == before
    assert _values(a)["DK"] == (Decimal(10), "")


def test_outsiders_reach_nothing_through_the_api(world, rp, client):
    a = _report(world, rp, {rp.registered.pk: 10, rp.trained.pk: 5})
    login(client, world.province_admin)
    edited = _edit(_export(client, rp), changes={("W20242", "DK"): {VALUE: 99}})
    before = _state()
    for persona in ("sibling_officer", "outsider"):
        login(client, getattr(world, persona))
        response = _post_api(client, "BC35", edited)
        if persona == "outsider":  # the province's form is not theirs either
            assert response.status_code == 404
        else:
            assert response.status_code == 422
            assert response.json()["detail"]["file"] == [
                f"Sheet “Số liệu”, dòng {row}, cột A: không có đơn vị mã “W20242” trong phạm vi của bạn."
                for row in (2, 3)
            ]
        client.logout()
    assert _state() == before
    assert _values(a)["DK"] == (Decimal(10), "")


def test_a_viewer_cannot_write_the_units_they_see(world, rp, client):
    _report(world, rp, {rp.registered.pk: 10, rp.trained.pk: 5})
    login(client, world.viewer)
    data = _export(client, rp)
    assert _post_api(client, "BC35", data).json()["changed"] == 0  # unchanged rows are fine

    response = _post_api(client, "BC35", _edit(data, changes={("W20242", "DK"): {VALUE: 1}}))

    assert response.json()["detail"]["file"] == [
        "Sheet “Số liệu”, dòng 2, cột A: bạn không có quyền nhập số liệu của Phường Hải Châu (1 dòng có thay đổi)."
    ]


def test_a_change_to_an_approved_report_is_an_error_and_unchanged_rows_are_fine(world, rp, client):
    a = _report(world, rp, {rp.registered.pk: 10, rp.trained.pk: 5})
    services.submit_report(actor=world.commune_officer, report=a)
    services.approve_report(actor=world.province_admin, report=Report.objects.get(pk=a.pk))
    login(client, world.province_admin)
    data = _export(client, rp)
    assert _post_api(client, "BC35", data).json() == {"rows": 2, "changed": 0, "unchanged": 2, "reports": 0}
    edited = _edit(data, changes={("W20242", "TH"): {VALUE: 9}}, add=[_row("W20209", rp.period.label, "DK", 1)])
    before = _state()

    response = _post_api(client, "BC35", edited)

    assert response.json()["detail"]["file"] == [
        "Sheet “Số liệu”, dòng 3, cột G: báo cáo kỳ “Quý I/2026” của Phường Hải Châu đang ở trạng thái "
        "“Đã duyệt”, không sửa được (1 dòng có thay đổi)."
    ]
    assert _state() == before


def test_a_correction_in_progress_receives_the_changes(world, rp, client):
    a = _report(world, rp, {rp.registered.pk: 10, rp.trained.pk: 5})
    services.submit_report(actor=world.commune_officer, report=a)
    services.approve_report(actor=world.province_admin, report=Report.objects.get(pk=a.pk))
    correction = services.start_correction(
        actor=world.commune_officer, report=Report.objects.get(pk=a.pk), reason="Sai số liệu tập huấn"
    )
    login(client, world.commune_officer)
    edited = _edit(_export(client, rp), changes={("W20242", "TH"): {VALUE: 4}})

    assert _post_api(client, "BC35", edited).json()["changed"] == 1
    assert _values(correction)["TH"] == (Decimal(4), "")
    assert _values(a)["TH"] == (Decimal(5), "")


def test_a_unit_that_does_not_report_this_form_is_an_error(world, rp, client):
    login(client, world.province_admin)
    data = _edit(_export(client, rp), add=[_row("P48", rp.period.label, "DK", 1)])

    assert _post_api(client, "BC35", data).json()["detail"]["file"] == [
        "Sheet “Số liệu”, dòng 2, cột A: Thành phố Đà Nẵng không thuộc diện phải gửi biểu mẫu này kỳ “Quý I/2026”."
    ]
    assert not Report.objects.exists()


def test_the_import_page_links_from_the_export_page(world, client):
    login(client, world.commune_officer)
    assert reverse("reporting:import_values") in client.get(reverse("reporting:export")).content.decode()
    assert client.get(reverse("reporting:import_values")).status_code == 200


# --- reading the sheet -----------------------------------------------------------------------

TRICKY = [
    ["Mã đơn vị", "Kỳ báo cáo", "Mã chỉ tiêu", "Giá trị", "Ghi chú"],
    ["W20242", "Quý I/2026", "DK", 12, "A & B <c> “ngoặc” =1+1"],
    ["w20242", "Quý I/2026", "TL", 12.5, "dòng 1\ndòng 2"],
    [None, None, None, None, None],
    ["W20209", "Quý I/2026", "TH", -3, ""],
    ["W20209", "Quý I/2026", "DK", "1.234,5", None],
    ["W20209", "Quý I/2026", "TL", True, "  cách  "],
    ["W20209", "Quý I/2026", "XX", 10**14, "Ư ơ đ"],
]


def _tricky(write_only: bool) -> bytes:
    workbook = Workbook(write_only=write_only)
    ws = workbook.create_sheet("Số liệu") if write_only else workbook.active
    if not write_only:
        ws.title = "Số liệu"
    for row in TRICKY:
        ws.append(row)
    ws.append([])
    ws.append(["W20209", None, "DK", None, None, None, None, None, None, None, "ngoài cột"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _read(sheet):
    """Title, header and rows, numbers as Decimal: the scan keeps fractions exact, openpyxl gives floats."""
    columns = sorted(sheet.header())
    rows = [
        (number, tuple(Decimal(str(v)) if isinstance(v, float) else v for v in cells))
        for number, cells in sheet.rows(columns, [lambda value: value] * len(columns))
    ]
    return sheet.title, sheet.header(), rows


@pytest.mark.parametrize("write_only", [True, False], ids=["inline-strings", "shared-strings"])
def test_the_xml_scan_reads_what_openpyxl_reads(write_only):
    data = _tricky(write_only)
    scanned = bulk_import.open_sheet(data)
    assert isinstance(scanned, bulk_import.ScannedSheet)
    reference = bulk_import.OpenpyxlSheet(load_workbook(io.BytesIO(data), read_only=True, data_only=True).active)

    title, header, rows = _read(scanned)

    assert (title, header, rows) == _read(reference)
    assert rows[0] == (2, ("W20242", "Quý I/2026", "DK", 12, "A & B <c> “ngoặc” =1+1"))
    assert rows[1][1][3] == Decimal("12.5") and rows[1][1][4] == "dòng 1\ndòng 2"
    assert [number for number, _cells in rows] == [2, 3, 5, 6, 7, 8, 10]


def _rewrite_sheet(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(item, content)
    return buffer.getvalue()


def test_an_unusual_sheet_layout_is_read_by_openpyxl():
    # Attributes in another order: legal XML that the scan does not handle.
    data = _rewrite_sheet(_tricky(False), lambda xml: re.sub(rb'<c r="(\w+)"', rb'<c  r="\1"', xml))

    sheet = bulk_import.open_sheet(data)

    assert isinstance(sheet, bulk_import.OpenpyxlSheet)
    assert _read(sheet)[2] == _read(bulk_import.open_sheet(_tricky(False)))[2]


def test_a_formula_gives_its_cached_value_and_a_prefixed_namespace_is_scanned():
    def prefixed(xml: bytes) -> bytes:
        xml = re.sub(rb"<(/?)(?=[a-zA-Z])(?!\?)", rb"<\1x:", xml)
        xml = xml.replace(b'xmlns="', b'xmlns:x="', 1)
        return xml.replace(b'<x:c r="D2" t="n"><x:v>12</x:v>', b'<x:c r="D2"><x:f>6*2</x:f><x:v>12</x:v>')

    data = _rewrite_sheet(_tricky(False), prefixed)
    sheet = bulk_import.open_sheet(data)
    assert isinstance(sheet, bulk_import.ScannedSheet)
    assert _read(sheet)[2] == _read(bulk_import.open_sheet(_tricky(False)))[2]


def test_export_headers_name_the_imported_columns():
    assert set(bulk_import.HEADERS.values()) <= set(excel.EXPORT_HEADERS)
    assert [excel.EXPORT_HEADERS[c - 1] for c in (UNIT, PERIOD, INDICATOR, VALUE, COMMENT)] == [
        bulk_import.HEADERS[r]
        for r in (bulk_import.UNIT, bulk_import.PERIOD, bulk_import.INDICATOR, bulk_import.VALUE, bulk_import.COMMENT)
    ]


def test_bad_values_of_new_reports_are_all_placed_even_across_periods(world, rp, client):
    login(client, world.commune_officer)
    data = _edit(
        _export(client, rp),
        add=[
            _row("W20242", "Quý II/2026", "DK", 4),
            _row("W20242", "Quý II/2026", "TL", 101),
            _row("W20242", "Quý III/2026", "TH", "1,5"),
            _row("W20242", "Quý III/2026", "DK", 2),
        ],
    )

    response = _post_api(client, "BC35", data)

    assert response.json()["detail"]["file"] == [
        "Sheet “Số liệu”, dòng 3, cột G: TL: tỷ lệ phải từ 0 đến 100.",
        "Sheet “Số liệu”, dòng 4, cột G: TH: phải là số nguyên.",
    ]
    assert not Report.objects.exists()
