"""Excel round trip of a report, and bulk export: real workbooks, written and read with openpyxl."""

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from chidao.audit.models import AuditEntry
from chidao.reporting import excel, services
from chidao.reporting.models import DataValue, Narrative, SectionKind


def _report(world, rp, unit=None, officer=None, values=None):
    unit = unit or world.commune_a
    officer = officer or world.commune_officer
    report = services.open_report(actor=officer, form=rp.form, unit=unit, period=rp.period)
    if values:
        services.save_values(actor=officer, report=report, values=values)
    return report


def _narrative_section(report):
    return report.version.sections.get(kind=SectionKind.NARRATIVE)


def _download(client, report):
    response = client.get(reverse("reporting:report_xlsx", args=[report.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content), response


def _rows_by_code(ws):
    return {row[0].value: row for row in ws.iter_rows(min_row=excel.HEADER_ROW + 1) if row[0].value and row[0].row > 1}


def _upload(client, report, data, name="BC35.xlsx"):
    return client.post(
        reverse("reporting:report_xlsx_upload", args=[report.pk]), {"file": SimpleUploadedFile(name, data)}
    )


def _filled(data, changes, narrative=None):
    workbook = load_workbook(io.BytesIO(data))
    rows = _rows_by_code(workbook[excel.VALUES_SHEET])
    for code, (value, comment) in changes.items():
        rows[code][excel.VALUE - 1].value = value
        if comment is not None:
            rows[code][excel.COMMENT - 1].value = comment
    if narrative is not None:
        workbook[excel.NARRATIVE_SHEET].cell(row=2, column=excel.SECTION_TEXT).value = narrative
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_template_is_prefilled_protected_and_validated(world, rp, as_user):
    report = _report(world, rp, values={rp.registered.pk: 10, rp.trained.pk: 8, rp.rate.pk: "62,5"})
    services.save_values(
        actor=world.commune_officer, report=report, values={}, narratives={_narrative_section(report).pk: "Còn chậm."}
    )
    data, response = _download(as_user(world.commune_officer), report)

    assert 'filename="BC35_W20242_quy-i-2026.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(data))
    ws = workbook[excel.VALUES_SHEET]
    assert ws["B2"].value == "Phường Hải Châu (W20242)"
    assert ws["B3"].value == "Quý I/2026"
    assert ws["B5"].value == "BC35 — phiên bản 1"
    rows = _rows_by_code(ws)
    assert [rows[c][excel.VALUE - 1].value for c in ("DK", "TH", "TL")] == [10, 8, 62.5]
    assert rows["TH"][excel.NAME - 1].value == "Số người được tập huấn"
    assert ws.protection.sheet
    assert rows["DK"][excel.CODE - 1].protection.locked
    assert not rows["DK"][excel.VALUE - 1].protection.locked
    assert not rows["DK"][excel.COMMENT - 1].protection.locked
    assert ws.freeze_panes == "A8"
    assert rows["DK"][excel.NAME - 1].font.name == "Times New Roman"
    rules = {dv.type: dv for dv in ws.data_validations.dataValidation}
    assert str(rules["whole"].sqref) == "D9:D10"
    assert (rules["decimal"].formula1, rules["decimal"].formula2, str(rules["decimal"].sqref)) == ("0", "100", "D11")
    assert rules["decimal"].error == "Hãy nhập một tỷ lệ từ 0 đến 100."
    narratives = workbook[excel.NARRATIVE_SHEET]
    assert narratives["B2"].value == "II. Hạn chế, nguyên nhân"
    assert narratives["C2"].value == "Còn chậm."
    assert narratives.protection.sheet and not narratives["C2"].protection.locked
    assert workbook[excel.META_SHEET].sheet_state == "veryHidden"


def test_filled_template_uploads_values_and_narrative_with_audit(world, rp, as_user):
    report = _report(world, rp, values={rp.registered.pk: 10})
    client = as_user(world.commune_officer)
    data, _ = _download(client, report)
    filled = _filled(data, {"DK": (120, "theo danh sách"), "TH": (95, None), "TL": (87.5, None)}, narrative="Ổn.")

    response = _upload(client, report, filled)

    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    values = {v.indicator.code: v for v in DataValue.objects.filter(report=report).select_related("indicator")}
    assert {c: v.value for c, v in values.items()} == {"DK": 120, "TH": 95, "TL": Decimal("87.5")}
    assert values["DK"].comment == "theo danh sách"
    assert Narrative.objects.get(report=report).text == "Ổn."
    entry = AuditEntry.objects.filter(action="reporting.report.values_saved").latest("at")
    assert entry.changes["DK"] == ["10", "120"]


def test_bad_number_and_unknown_code_are_both_located_and_nothing_saved(world, rp, as_user):
    report = _report(world, rp, values={rp.registered.pk: 10})
    client = as_user(world.commune_officer)
    data, _ = _download(client, report)
    workbook = load_workbook(io.BytesIO(_filled(data, {"DK": ("mười hai", None), "TH": (5, None)})))
    workbook[excel.VALUES_SHEET].cell(row=11, column=excel.CODE).value = "XX"
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = _upload(client, report, buffer.getvalue())

    assert response.status_code == 200
    errors = response.context["errors"]
    assert "Sheet “Số liệu”, dòng 9, cột D: DK: “mười hai” không phải là số." in errors
    assert "Sheet “Số liệu”, dòng 11, cột A: mã chỉ tiêu “XX” không có trong biểu mẫu." in errors
    assert "Tệp có 2 lỗi; chưa có dữ liệu nào được lưu." in response.content.decode()
    assert dict(DataValue.objects.filter(report=report).values_list("indicator__code", "value")) == {"DK": 10}


def test_out_of_range_percent_is_located(world, rp, as_user):
    report = _report(world, rp)
    client = as_user(world.commune_officer)
    data, _ = _download(client, report)

    response = _upload(client, report, _filled(data, {"TL": (120, None), "DK": (3, None)}))

    assert response.context["errors"] == ["Sheet “Số liệu”, dòng 11, cột D: TL: tỷ lệ phải từ 0 đến 100."]
    assert not DataValue.objects.filter(report=report).exists()


def test_upload_page_offers_the_template(world, rp, as_user):
    report = _report(world, rp)

    page = as_user(world.commune_officer).get(reverse("reporting:report_xlsx_upload", args=[report.pk]))

    assert reverse("reporting:report_xlsx", args=[report.pk]) in page.content.decode()
    assert 'enctype="multipart/form-data"' in page.content.decode()


def test_html_renamed_to_xlsx_is_refused_with_a_clear_message(world, rp, as_user):
    report = _report(world, rp)

    response = _upload(as_user(world.commune_officer), report, b"<!doctype html><table><tr><td>1</td></tr></table>")

    assert response.context["errors"] == [
        "Tệp không phải bảng tính Excel (.xlsx). Hãy dùng đúng tệp mẫu đã tải về, lưu dạng .xlsx."
    ]


def _zip_without_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _plain_workbook():
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_zip_without_workbook, "Không đọc được tệp Excel: tệp hỏng hoặc không phải định dạng .xlsx."),
        (_plain_workbook, "Tệp không phải mẫu báo cáo tải từ hệ thống. Hãy tải mẫu của báo cáo này và điền vào."),
    ],
)
def test_foreign_files_are_refused_with_a_clear_message(world, rp, as_user, make, message):
    report = _report(world, rp)

    response = _upload(as_user(world.commune_officer), report, make())

    assert response.context["errors"] == [message]


def test_template_of_another_report_is_refused(world, rp, as_user):
    theirs = _report(world, rp, unit=world.commune_b, officer=world.sibling_officer)
    ours = _report(world, rp)
    data, _ = _download(as_user(world.sibling_officer), theirs)

    response = _upload(as_user(world.commune_officer), ours, _filled(data, {"DK": (1, None)}))

    assert response.context["errors"] == [
        "Tệp được tải cho một báo cáo khác (đơn vị “W20209”), không phải báo cáo này."
    ]
    assert not DataValue.objects.filter(report=ours).exists()


@pytest.mark.parametrize("persona", ["sibling_officer", "outsider"])
def test_officers_of_other_units_get_404_for_the_template_and_the_upload(world, rp, as_user, persona):
    report = _report(world, rp)
    data, _ = _download(as_user(world.commune_officer), report)
    client = as_user(getattr(world, persona))

    assert client.get(reverse("reporting:report_xlsx", args=[report.pk])).status_code == 404
    assert client.get(reverse("reporting:report_xlsx_upload", args=[report.pk])).status_code == 404
    assert _upload(client, report, _filled(data, {"DK": (5, None)})).status_code == 404
    assert not DataValue.objects.filter(report=report).exists()


def test_anonymous_is_sent_to_login(world, rp, client):
    report = _report(world, rp)

    for url in (reverse("reporting:report_xlsx", args=[report.pk]), reverse("reporting:export")):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_viewer_may_download_but_not_upload(world, rp, as_user):
    report = _report(world, rp)
    client = as_user(world.viewer)

    _download(client, report)
    response = client.get(reverse("reporting:report_xlsx_upload", args=[report.pk]))

    assert response.status_code == 403
    assert "Bạn cần vai trò “Thư ký, biên tập” trở lên tại Phường Hải Châu" in response.content.decode()


def test_submitted_report_refuses_uploads(world, rp, as_user):
    report = _report(world, rp, values={rp.registered.pk: 10, rp.trained.pk: 8})
    client = as_user(world.commune_officer)
    data, _ = _download(client, report)
    services.submit_report(actor=world.commune_officer, report=report)

    response = _upload(client, report, _filled(data, {"DK": (99, None)}))

    assert response.context["errors"] == ["Báo cáo ở trạng thái “Đã gửi”: không nhận tệp Excel."]
    assert DataValue.objects.get(report=report, indicator=rp.registered).value == 10


def _two_communes(world, rp):
    _report(world, rp, values={rp.registered.pk: 10, rp.trained.pk: 8})
    _report(world, rp, unit=world.commune_b, officer=world.sibling_officer, values={rp.registered.pk: 20})


def test_export_csv_holds_only_the_officers_commune(world, rp, as_user):
    _two_communes(world, rp)
    client = as_user(world.commune_officer)

    response = client.get(reverse("reporting:export"), {"form": rp.form.pk, "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="BC35_W20242.csv"'
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã đơn vị", "Tên đơn vị", "Kỳ báo cáo"]
    assert [(r[0], r[4], r[6]) for r in rows[1:]] == [("W20242", "DK", "10"), ("W20242", "TH", "8")]
    assert rows[1][3] == "Đang nhập"
    assert rows[1][8] == "commune_officer"


def test_export_xlsx_holds_only_visible_rows(world, rp, as_user):
    _two_communes(world, rp)

    officer = as_user(world.commune_officer).get(
        reverse("reporting:export"), {"form": rp.form.pk, "period": rp.period.pk, "format": "xlsx"}
    )
    rows = list(load_workbook(io.BytesIO(b"".join(officer.streaming_content))).active.iter_rows(values_only=True))
    assert [(r[0], r[4], r[6]) for r in rows[1:]] == [("W20242", "DK", 10), ("W20242", "TH", 8)]

    admin = as_user(world.province_admin).get(
        reverse("reporting:export"), {"form": rp.form.pk, "unit": world.province_a.pk, "format": "xlsx"}
    )
    rows = list(load_workbook(io.BytesIO(b"".join(admin.streaming_content))).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["W20209", "W20242", "W20242"]


def test_export_page_without_parameters_shows_the_form(world, rp, as_user):
    response = as_user(world.commune_officer).get(reverse("reporting:export"))

    assert response.status_code == 200
    assert "Xuất số liệu báo cáo" in response.content.decode()


def test_comment_starting_with_equals_is_text_not_formula(world, rp, as_user):
    report = _report(world, rp)
    services.save_values(
        actor=world.commune_officer, report=report, values={rp.registered.pk: 1}, comments={rp.registered.pk: "=1+1"}
    )

    data, _ = _download(as_user(world.commune_officer), report)

    cell = _rows_by_code(load_workbook(io.BytesIO(data))[excel.VALUES_SHEET])["DK"][excel.COMMENT - 1]
    assert (cell.value, cell.data_type) == ("=1+1", "s")


def _mixed_form(world):
    """A monthly form with a yes/no, a text and a bounded decimal indicator."""
    admin, owner = world.province_admin, world.province_a
    yes_no = services.create_indicator(actor=admin, owner=owner, code="CO", name="Có tổ chức", value_type="boolean")
    note = services.create_indicator(actor=admin, owner=owner, code="GC", name="Tên mô hình", value_type="text")
    area = services.create_indicator(
        actor=admin, owner=owner, code="DT", name="Diện tích", value_type="decimal", unit_of_measure="ha"
    )
    form = services.create_form(actor=admin, owner=owner, code="BC36", name="Báo cáo tháng", periodicity="month")
    section = services.add_section(actor=admin, form=form, title="Số liệu")
    services.add_field(actor=admin, section=section, indicator=yes_no)
    services.add_field(actor=admin, section=section, indicator=note, required=False)
    services.add_field(
        actor=admin, section=section, indicator=area, min_value=Decimal("0.5"), max_value=Decimal("1000")
    )
    services.publish_form(actor=admin, form=form)
    services.assign_form(actor=admin, form=form, parent=owner, unit_kind="commune", valid_from=dt.date(2025, 7, 1))
    period = services.ensure_period("month", 2026, 2, "nd09")
    return services.open_report(actor=world.commune_officer, form=form, unit=world.commune_a, period=period)


def test_yes_no_text_and_bounded_decimal_round_trip(world, as_user):
    report = _mixed_form(world)
    client = as_user(world.commune_officer)
    data, _ = _download(client, report)
    ws = load_workbook(io.BytesIO(data))[excel.VALUES_SHEET]
    rules = {dv.type: dv for dv in ws.data_validations.dataValidation}
    assert (rules["list"].formula1, rules["list"].error) == ('"Có,Không"', "Hãy chọn Có hoặc Không.")
    assert (rules["decimal"].formula1, rules["decimal"].formula2) == ("0.5", "1000")
    assert _rows_by_code(ws)["DT"][excel.UOM - 1].value == "ha"

    bad = _upload(client, report, _filled(data, {"CO": ("Chưa rõ", None), "DT": (0.2, None)}))
    assert bad.context["errors"] == [
        "Sheet “Số liệu”, dòng 9, cột D: CO: hãy chọn Có hoặc Không.",
        "Sheet “Số liệu”, dòng 11, cột D: DT: không được nhỏ hơn 0.5.",
    ]

    good = _upload(
        client,
        report,
        _filled(data, {"CO": ("Có", None), "GC": ("Mô hình “Dân vận khéo”", None), "DT": (12.25, None)}),
    )
    assert good.status_code == 302
    saved = {v.indicator.code: v for v in DataValue.objects.filter(report=report).select_related("indicator")}
    assert (saved["CO"].value, saved["GC"].text, saved["DT"].value) == (1, "Mô hình “Dân vận khéo”", Decimal("12.25"))
    again = _rows_by_code(load_workbook(io.BytesIO(_download(client, report)[0]))[excel.VALUES_SHEET])
    assert [again[c][excel.VALUE - 1].value for c in ("CO", "GC", "DT")] == ["Có", "Mô hình “Dân vận khéo”", 12.25]


def test_service_errors_are_placed_on_their_cells():
    upload = excel.Upload(cells={"v7": ("Số liệu", 12, excel.VALUE), "n3": ("Nội dung", 2, excel.SECTION_TEXT)})

    errors = upload.located(ValidationError({"v7": ["DK: chưa nhập."], "n3": ["Quá dài."], "__all__": ["Khác."]}))

    assert errors == [
        "Sheet “Số liệu”, dòng 12, cột D: DK: chưa nhập.",
        "Sheet “Nội dung”, dòng 2, cột C: Quá dài.",
        "Khác.",
    ]


def test_export_query_count_does_not_grow_with_rows(world, rp, as_user):
    client = as_user(world.province_admin)
    params = {"form": rp.form.pk, "unit": world.province_a.pk, "format": "csv"}
    _report(world, rp, values={rp.registered.pk: 10})
    with CaptureQueriesContext(connection) as few:
        b"".join(client.get(reverse("reporting:export"), params).streaming_content)
    _report(world, rp, values={rp.trained.pk: 8, rp.rate.pk: 50})
    _report(world, rp, unit=world.commune_b, officer=world.sibling_officer, values={rp.registered.pk: 20})
    with CaptureQueriesContext(connection) as many:
        body = b"".join(client.get(reverse("reporting:export"), params).streaming_content)

    assert body.decode("utf-8-sig").count("\n") == 5
    assert len(many) == len(few)
