"""Reports as Excel workbooks: the fill-in template of one report, reading it back, bulk export.

The template carries the report's identity on a very hidden sheet, so a file filled for one report
cannot be loaded into another. Values are matched by indicator code, parsed with the same
`services.parse_value` the web form uses, and every error names its sheet, row and column: a
secretariat fixing a 60-row file needs to know where to look, not just which indicator is wrong.
Nothing here writes to the database; the upload view hands the parsed values to
`services.save_values` (all valid or none saved).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation

from chidao.lib.text import slug_code
from chidao.reporting import queries, services
from chidao.reporting.models import (
    DataValue,
    FormField,
    FormSection,
    Indicator,
    Report,
    ReportForm,
    SectionKind,
    ValueType,
)

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from chidao.org.models import Unit
    from chidao.reporting.models import Period
    from chidao.reporting.queries import AnyUser

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_ERRORS = 200
FONT = "Times New Roman"
VALUES_SHEET = "Số liệu"
NARRATIVE_SHEET = "Nội dung"
META_SHEET = "_chidao"
HEADER_ROW = 7
# Columns of the values sheet (1-based): code is the key matched on upload.
CODE, NAME, UOM, VALUE, COMMENT = 1, 2, 3, 4, 5
# Columns of the narrative sheet: the section id is hidden, the title locked, the text editable.
SECTION_ID, SECTION_TITLE, SECTION_TEXT = 1, 2, 3
YES, NO = "Có", "Không"
# What a damaged or foreign file makes openpyxl raise (lxml's parse errors are SyntaxErrors).
UNREADABLE = (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, SyntaxError, InvalidFileException)
# Excel turns a cell starting with one of these into a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
EDITABLE_FILL = PatternFill("solid", fgColor="FFF8DC")


class UploadFailed(Exception):
    """The file cannot be used; `errors` lists every problem found, each one a Vietnamese sentence."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def locate(sheet: str, row: int, column: int, message: str) -> str:
    return _("Sheet “%(sheet)s”, dòng %(row)s, cột %(col)s: %(msg)s") % {
        "sheet": sheet,
        "row": row,
        "col": get_column_letter(column),
        "msg": message,
    }


def filename(report: Report) -> str:
    """BC35_W20242_quy-i-2026.xlsx: ASCII only, safe in a Content-Disposition header."""
    parts = [slug_code(report.form.code).upper(), slug_code(report.unit.code).upper(), slug_code(report.period.label)]
    return "_".join(p for p in parts if p) + ".xlsx"


# --- the template ----------------------------------------------------------------------------


def _fields(report: Report) -> list[FormField]:
    return list(
        FormField.objects.filter(section__version=report.version, section__kind=SectionKind.INDICATORS)
        .select_related("indicator", "section")
        .order_by("section__order", "section__id", "order", "id")
    )


def _narrative_sections(report: Report) -> list[FormSection]:
    return list(report.version.sections.filter(kind=SectionKind.NARRATIVE).order_by("order", "id"))


def _cell_value(indicator: Indicator, value: DataValue | None) -> Any:
    if value is None:
        return None
    if indicator.value_type == ValueType.TEXT:
        return value.text or None
    if value.value is None:
        return None
    if indicator.value_type == ValueType.BOOLEAN:
        return YES if value.value else NO
    if indicator.value_type == ValueType.INTEGER:
        return int(value.value)
    return value.value.normalize()


def _as_text(cell: Any, text: str) -> None:
    """Store `text` as a string even when it starts with "=": a comment is never a formula."""
    cell.value = text
    cell.data_type = "s"


def _validation(field: FormField) -> DataValidation | None:
    """Excel's own check of a value cell, mirroring `services.parse_value` and the field's range."""
    kind = field.indicator.value_type
    if kind == ValueType.TEXT:
        return None
    if kind == ValueType.BOOLEAN:
        dv = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
        dv.error = _("Hãy chọn Có hoặc Không.")
    else:
        low = Decimal(0) if kind == ValueType.PERCENT else Decimal(-(10**15) + 1)
        high = Decimal(100) if kind == ValueType.PERCENT else Decimal(10**15 - 1)
        if field.min_value is not None:
            low = max(low, field.min_value)
        if field.max_value is not None:
            high = min(high, field.max_value)
        dv = DataValidation(
            type="whole" if kind == ValueType.INTEGER else "decimal",
            operator="between",
            formula1=f"{low.normalize():f}",
            formula2=f"{high.normalize():f}",
            allow_blank=True,
        )
        noun = {
            ValueType.INTEGER: _("một số nguyên"),
            ValueType.PERCENT: _("một tỷ lệ"),
        }.get(ValueType(kind), _("một số"))
        # No indicator code in the message: rules of the same type and range are shared.
        dv.error = _("Hãy nhập %(noun)s từ %(low)s đến %(high)s.") % {
            "noun": noun,
            "low": f"{low.normalize():f}",
            "high": f"{high.normalize():f}",
        }
    dv.errorTitle = _("Giá trị không hợp lệ")
    dv.errorStyle = "stop"
    dv.showErrorMessage = True
    return dv


def build_template(report: Report) -> bytes:
    """The report's fill-in workbook, pre-filled with its current values and narratives."""
    report = Report.objects.select_related("form", "unit", "period", "version").get(pk=report.pk)
    fields = _fields(report)
    values = {v.indicator_id: v for v in report.values.all()}
    narratives = {n.section_id: n.text for n in report.narratives.all()}

    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    ws = workbook.create_sheet(VALUES_SHEET)
    _styles(workbook)
    _write_header(ws, report)
    _write_values(ws, fields, values)
    _write_narratives(workbook.create_sheet(NARRATIVE_SHEET), _narrative_sections(report), narratives)
    meta = workbook.create_sheet(META_SHEET)
    for row in (
        ("report", report.pk),
        ("form", report.form.code),
        ("version", report.version.number),
        ("unit", report.unit.code),
    ):
        meta.append(row)
    meta.sheet_state = "veryHidden"
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_header(ws: Worksheet, report: Report) -> None:
    ws.merge_cells(start_row=1, start_column=CODE, end_row=1, end_column=COMMENT)
    title = ws.cell(row=1, column=CODE)
    _as_text(title, report.form.name.upper())
    title.font = Font(name=FONT, size=14, bold=True)
    title.alignment = Alignment(horizontal="center", wrap_text=True)
    ws.row_dimensions[1].height = 36
    lines = [
        (_("Đơn vị"), f"{report.unit.name} ({report.unit.code})"),
        (_("Kỳ báo cáo"), report.period.label),
        (_("Hạn nộp"), report.due_date.strftime("%d/%m/%Y")),
        (_("Biểu mẫu"), _("%(code)s — phiên bản %(n)s") % {"code": report.form.code, "n": report.version.number}),
    ]
    for offset, (label, text) in enumerate(lines):
        row = 2 + offset
        _as_text(ws.cell(row=row, column=CODE), f"{label}:")
        ws.cell(row=row, column=CODE).font = Font(name=FONT, bold=True)
        ws.merge_cells(start_row=row, start_column=NAME, end_row=row, end_column=COMMENT)
        _as_text(ws.cell(row=row, column=NAME), text)
        ws.cell(row=row, column=NAME).font = Font(name=FONT)
    headers = {
        CODE: _("Mã chỉ tiêu"),
        NAME: _("Tên chỉ tiêu"),
        UOM: _("Đơn vị tính"),
        VALUE: _("Giá trị"),
        COMMENT: _("Ghi chú"),
    }
    for column, text in headers.items():
        cell = ws.cell(row=HEADER_ROW, column=column, value=text)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for column, width in {CODE: 14, NAME: 60, UOM: 14, VALUE: 16, COMMENT: 40}.items():
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = f"{get_column_letter(CODE)}{HEADER_ROW + 1}"


def _styles(workbook: Workbook) -> None:
    """Named cell styles: assigning one name per cell is ~20x faster than font, border, alignment
    and protection one by one, which matters for forms with thousands of indicators."""
    top = Alignment(vertical="top")
    wrapped = Alignment(vertical="top", wrap_text=True)
    for name, editable, number_format in (
        ("cd_fixed", False, "General"),
        ("cd_fixed_wrap", False, "General"),
        ("cd_input", True, "General"),
        ("cd_input_int", True, "#,##0"),
        ("cd_input_dec", True, "#,##0.####"),
    ):
        style = NamedStyle(name=name, font=Font(name=FONT), border=BORDER, number_format=number_format)
        style.alignment = wrapped if editable or name == "cd_fixed_wrap" else top
        style.protection = Protection(locked=not editable)
        if editable:
            style.fill = EDITABLE_FILL
        workbook.add_named_style(style)


def _write_values(ws: Worksheet, fields: list[FormField], values: Mapping[int, DataValue]) -> None:
    validations: dict[tuple[Any, ...], DataValidation | None] = {}
    rows_by_rule: dict[tuple[Any, ...], list[int]] = {}
    row = HEADER_ROW
    section_id = None
    for form_field in fields:
        if form_field.section_id != section_id:
            section_id = form_field.section_id
            row += 1
            # The heading sits in the name column: its code cell stays empty, so upload skips it.
            ws.merge_cells(start_row=row, start_column=NAME, end_row=row, end_column=COMMENT)
            _as_text(ws.cell(row=row, column=NAME), form_field.section.title)
            ws.cell(row=row, column=NAME).font = Font(name=FONT, bold=True)
        row += 1
        indicator = form_field.indicator
        current = values.get(indicator.pk)
        for column, text, style in (
            (CODE, indicator.code, "cd_fixed"),
            (NAME, indicator.name, "cd_fixed_wrap"),
            (UOM, indicator.unit_of_measure, "cd_fixed"),
        ):
            cell = ws.cell(row=row, column=column)
            _as_text(cell, text)
            cell.style = style
        value_cell = ws.cell(row=row, column=VALUE)
        cell_value = _cell_value(indicator, current)
        if isinstance(cell_value, str):
            _as_text(value_cell, cell_value)
        else:
            value_cell.value = cell_value
        value_cell.style = {
            ValueType.INTEGER: "cd_input_int",
            ValueType.DECIMAL: "cd_input_dec",
            ValueType.PERCENT: "cd_input_dec",
        }.get(ValueType(indicator.value_type), "cd_input")
        comment_cell = ws.cell(row=row, column=COMMENT)
        if current is not None and current.comment:
            _as_text(comment_cell, current.comment)
        comment_cell.style = "cd_input"
        # Fields sharing a type and range share one validation object: Excel slows down with
        # thousands of them.
        key = (indicator.value_type, form_field.min_value, form_field.max_value)
        if key not in validations:
            validations[key] = _validation(form_field)
        if validations[key] is not None:
            rows_by_rule.setdefault(key, []).append(row)
    for key, rows in rows_by_rule.items():
        rule = validations[key]
        if rule is not None:
            rule.sqref = MultiCellRange(_ranges(get_column_letter(VALUE), rows))
            ws.add_data_validation(rule)
    _protect(ws)


def _ranges(column: str, rows: list[int]) -> str:
    """ "D9:D11 D13" for rows 9, 10, 11, 13: DataValidation.add() is quadratic in the cell count."""
    parts: list[str] = []
    start = previous = rows[0]
    for row in [*rows[1:], None]:
        if row is not None and row == previous + 1:
            previous = row
            continue
        parts.append(f"{column}{start}" if start == previous else f"{column}{start}:{column}{previous}")
        if row is not None:
            start = previous = row
    return " ".join(parts)


def _write_narratives(ws: Worksheet, sections: list[FormSection], texts: Mapping[int, str]) -> None:
    headers = {SECTION_ID: _("Mã phần"), SECTION_TITLE: _("Phần"), SECTION_TEXT: _("Nội dung")}
    for column, text in headers.items():
        cell = ws.cell(row=1, column=column, value=text)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
    for row, section in enumerate(sections, start=2):
        ws.cell(row=row, column=SECTION_ID, value=section.pk)
        _as_text(ws.cell(row=row, column=SECTION_TITLE), section.title)
        text_cell = ws.cell(row=row, column=SECTION_TEXT)
        _as_text(text_cell, texts.get(section.pk, ""))
        text_cell.protection = Protection(locked=False)
        text_cell.fill = EDITABLE_FILL
        for column in headers:
            body = ws.cell(row=row, column=column)
            body.font = Font(name=FONT)
            body.border = BORDER
            body.alignment = Alignment(vertical="top", wrap_text=True)
        ws.row_dimensions[row].height = 120
    ws.column_dimensions[get_column_letter(SECTION_ID)].hidden = True
    ws.column_dimensions[get_column_letter(SECTION_TITLE)].width = 40
    ws.column_dimensions[get_column_letter(SECTION_TEXT)].width = 100
    ws.freeze_panes = "A2"
    _protect(ws)


def _protect(ws: Worksheet) -> None:
    """Lock everything but the editable cells; no password, it guards against slips, not people."""
    ws.protection.sheet = True
    ws.protection.formatCells = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


# --- reading it back -------------------------------------------------------------------------


@dataclass
class Upload:
    """Parsed content of a filled template, with where each value came from."""

    values: dict[int, Any] = field(default_factory=dict)
    comments: dict[int, str] = field(default_factory=dict)
    narratives: dict[int, str] = field(default_factory=dict)
    # Error key as raised by services.save_values ("v<indicator id>", "n<section id>") -> (sheet, row, column)
    cells: dict[str, tuple[str, int, int]] = field(default_factory=dict)

    def located(self, exc: ValidationError) -> list[str]:
        """A service's ValidationError as located messages, unknown keys kept as plain sentences."""
        if not hasattr(exc, "error_dict"):
            return list(exc.messages)
        errors = []
        for key, messages in exc.message_dict.items():
            where = self.cells.get(key)
            for message in messages:
                errors.append(locate(*where, message) if where else message)
        return errors


def open_workbook(data: bytes) -> Any:
    """The workbook in `data`, or UploadFailed with a sentence a secretariat can act on."""
    if len(data) > MAX_BYTES:
        raise UploadFailed([_("Tệp lớn hơn 5 MB.")])
    if not data.startswith(b"PK\x03\x04"):
        raise UploadFailed(
            [_("Tệp không phải bảng tính Excel (.xlsx). Hãy dùng đúng tệp mẫu đã tải về, lưu dạng .xlsx.")]
        )
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except UNREADABLE as exc:
        raise UploadFailed([_unreadable()]) from exc


def _unreadable() -> str:
    return _("Không đọc được tệp Excel: tệp hỏng hoặc không phải định dạng .xlsx.")


def parse_upload(data: bytes, report: Report) -> Upload:
    """Every value, comment and narrative of a filled template for `report`, parsed and range-checked;
    raises UploadFailed listing every problem."""
    workbook = open_workbook(data)
    try:
        _check_identity(workbook, report)
        upload = Upload()
        errors = _read_values(workbook, report, upload) + _read_narratives(workbook, report, upload)
    except UNREADABLE as exc:
        # Read-only mode parses each sheet lazily, so a damaged sheet only fails here.
        raise UploadFailed([_unreadable()]) from exc
    finally:
        workbook.close()
    if len(errors) > MAX_ERRORS:
        more = len(errors) - MAX_ERRORS
        errors = [*errors[:MAX_ERRORS], _("… và %(n)s lỗi khác.") % {"n": more}]
    if errors:
        raise UploadFailed(errors)
    return upload


def _check_identity(workbook: Any, report: Report) -> None:
    if META_SHEET not in workbook.sheetnames or VALUES_SHEET not in workbook.sheetnames:
        raise UploadFailed([_("Tệp không phải mẫu báo cáo tải từ hệ thống. Hãy tải mẫu của báo cáo này và điền vào.")])
    meta = {
        str(row[0]): row[1] if len(row) > 1 else None
        for row in workbook[META_SHEET].iter_rows(max_row=10, max_col=2, values_only=True)
        if row and row[0]
    }
    expected = {"report": report.pk, "form": report.form.code, "version": report.version.number}
    if str(meta.get("form")) != expected["form"] or str(meta.get("version")) != str(expected["version"]):
        raise UploadFailed(
            [
                _("Tệp là mẫu “%(got)s” phiên bản %(gv)s, không phải “%(want)s” phiên bản %(wv)s.")
                % {
                    "got": meta.get("form"),
                    "gv": meta.get("version"),
                    "want": expected["form"],
                    "wv": expected["version"],
                }
            ]
        )
    if str(meta.get("report")) != str(report.pk):
        raise UploadFailed(
            [
                _("Tệp được tải cho một báo cáo khác (đơn vị “%(unit)s”), không phải báo cáo này.")
                % {"unit": meta.get("unit")}
            ]
        )


def _range_error(form_field: FormField, number: Decimal | None) -> str | None:
    """The same range check services.save_values applies, worded the same way."""
    try:
        services.check_range(form_field, number)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def _read_values(workbook: Any, report: Report, upload: Upload) -> list[str]:
    by_code = {f.indicator.code.upper(): f for f in services.form_fields(report.version).values()}
    sheet = VALUES_SHEET
    ws = workbook[sheet]
    ws.reset_dimensions()  # some writers store a wrong sheet size; read to the real last row
    rows = ws.iter_rows(min_row=HEADER_ROW + 1, max_col=COMMENT, values_only=True)
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(rows, start=HEADER_ROW + 1):
        if number > HEADER_ROW + MAX_ROWS:
            errors.append(_("Sheet “%(sheet)s” có quá %(n)s dòng.") % {"sheet": sheet, "n": MAX_ROWS})
            break
        cells = (*cells, *([None] * (COMMENT - len(cells))))
        raw_code, raw_value, raw_comment = cells[CODE - 1], cells[VALUE - 1], cells[COMMENT - 1]
        code = str(raw_code).strip().upper() if raw_code is not None else ""
        if not code:
            # Section headings have no code; a value there has nowhere to go.
            if _filled(raw_value) or _filled(raw_comment):
                errors.append(locate(sheet, number, CODE, _("có giá trị nhưng thiếu mã chỉ tiêu.")))
            continue
        form_field = by_code.get(code)
        if form_field is None:
            errors.append(
                locate(sheet, number, CODE, _("mã chỉ tiêu “%(code)s” không có trong biểu mẫu.") % {"code": code})
            )
            continue
        if code in seen:
            errors.append(
                locate(
                    sheet,
                    number,
                    CODE,
                    _("mã chỉ tiêu “%(code)s” lặp lại (đã có ở dòng %(row)s).") % {"code": code, "row": seen[code]},
                )
            )
            continue
        seen[code] = number
        indicator = form_field.indicator
        upload.cells[f"v{indicator.pk}"] = (sheet, number, VALUE)
        try:
            parsed, text = services.parse_value(indicator, raw_value)
        except ValidationError as exc:
            errors.append(locate(sheet, number, VALUE, " ".join(exc.messages)))
        else:
            problem = _range_error(form_field, parsed)
            if problem:
                errors.append(locate(sheet, number, VALUE, problem))
            upload.values[indicator.pk] = text if indicator.value_type == ValueType.TEXT else parsed
        comment = "" if raw_comment is None else str(raw_comment).strip()
        if len(comment) > 500:
            errors.append(locate(sheet, number, COMMENT, _("ghi chú dài quá 500 ký tự.")))
        else:
            upload.comments[indicator.pk] = comment
    return errors


def _filled(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def _read_narratives(workbook: Any, report: Report, upload: Upload) -> list[str]:
    if NARRATIVE_SHEET not in workbook.sheetnames:
        return []
    sections = {s.pk: s for s in _narrative_sections(report)}
    sheet = NARRATIVE_SHEET
    errors: list[str] = []
    ws = workbook[sheet]
    ws.reset_dimensions()
    rows = ws.iter_rows(min_row=2, max_col=SECTION_TEXT, values_only=True)
    for number, cells in enumerate(rows, start=2):
        if number > MAX_ROWS:
            break
        cells = (*cells, *([None] * (SECTION_TEXT - len(cells))))
        raw_id, raw_text = cells[SECTION_ID - 1], cells[SECTION_TEXT - 1]
        if raw_id is None or str(raw_id).strip() == "":
            if _filled(raw_text):
                errors.append(locate(sheet, number, SECTION_ID, _("có nội dung nhưng thiếu mã phần.")))
            continue
        try:
            section = sections.get(int(str(raw_id).strip()))
        except ValueError:
            section = None
        if section is None:
            errors.append(
                locate(sheet, number, SECTION_ID, _("mã phần “%(id)s” không có trong biểu mẫu.") % {"id": raw_id})
            )
            continue
        upload.cells[f"n{section.pk}"] = (sheet, number, SECTION_TEXT)
        upload.narratives[section.pk] = "" if raw_text is None else str(raw_text).strip()
    return errors


# --- bulk export -----------------------------------------------------------------------------

EXPORT_HEADERS = (
    "Mã đơn vị",
    "Tên đơn vị",
    "Kỳ báo cáo",
    "Trạng thái",
    "Mã chỉ tiêu",
    "Tên chỉ tiêu",
    "Giá trị",
    "Ghi chú",
    "Người cập nhật",
    "Thời điểm cập nhật",
)


def export_values(
    user: AnyUser, *, form: ReportForm, unit: Unit | None, period: Period | None = None, status: str = ""
) -> QuerySet[DataValue]:
    """Values of the current reports of `form` the user may see, under `unit`: one per (unit, period,
    indicator)."""
    reports = queries.reports_for(user, unit=unit, status=status, period=period).filter(form=form, is_current=True)
    return (
        DataValue.objects.visible_to(user)
        .filter(report__in=reports.values("pk"))
        .select_related("report__unit", "report__period", "indicator", "updated_by")
        .order_by("report__unit__code", "report__period__start", "indicator__code", "pk")
    )


def export_rows(values: QuerySet[DataValue]) -> Iterator[tuple[Any, ...]]:
    tz = timezone.get_current_timezone()
    for v in values.iterator(chunk_size=2000):
        report = v.report
        indicator = v.indicator
        if indicator.value_type == ValueType.TEXT:
            value: Any = v.text
        elif v.value is None:
            value = None
        elif indicator.value_type == ValueType.BOOLEAN:
            value = YES if v.value else NO
        else:
            value = v.value.normalize()
        who = v.updated_by
        yield (
            report.unit.code,
            report.unit.name,
            report.period.label,
            report.get_status_display(),
            indicator.code,
            indicator.name,
            value,
            v.comment,
            (who.full_name or who.get_username()) if who is not None else "",
            v.updated_at.astimezone(tz).replace(tzinfo=None) if v.updated_at else None,
        )


def _safe_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_csv(rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    """CSV lines, UTF-8 with a byte order mark so Excel reads the diacritics."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    writer.writerow(EXPORT_HEADERS)
    yield "\ufeff" + flush()
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
        yield flush()


def _csv_cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return _safe_text(value)


def export_xlsx(rows: Iterable[tuple[Any, ...]]) -> bytes:
    """A write-only workbook: memory stays flat however many rows are exported."""
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(_("Số liệu"))
    for column, width in enumerate((14, 32, 18, 14, 14, 50, 14, 30, 24, 18), start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "A2"
    bold = Font(name=FONT, bold=True)
    plain = Font(name=FONT)
    header = []
    for text in EXPORT_HEADERS:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        cell.fill = HEADER_FILL
        header.append(cell)
    ws.append(header)
    for row in rows:
        out = []
        for value in row:
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            elif isinstance(value, dt.datetime):
                cell.number_format = "DD/MM/YYYY HH:MM"
            cell.font = plain
            out.append(cell)
        ws.append(out)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_filename(form: ReportForm, unit: Unit | None, period: Period | None, extension: str) -> str:
    parts = [slug_code(form.code).upper()]
    if unit is not None:
        parts.append(slug_code(unit.code).upper())
    if period is not None:
        parts.append(slug_code(period.label))
    return "_".join(p for p in parts if p) + f".{extension}"
