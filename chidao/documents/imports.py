"""Importing an existing register (sổ văn bản) from Excel: all rows valid, or nothing saved.

The template has one header row; columns are found by their header, in any order, with or
without diacritics: Loại văn bản, Số ký hiệu, Ngày ban hành, Cơ quan ban hành, Trích yếu, Người
ký, Sổ, Phạm vi, Số đến, Ngày đến, Tóm tắt. Every row is checked before anything is written, and
every error names its row and column ("Dòng 12, cột “Ngày ban hành”: …"); the rows are then
entered together through `services.register_documents` in one transaction, so the register's own
rules (role, symbol, duplicates) apply to each row and any failure saves nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import posixpath
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from chidao.audit import services as audit
from chidao.documents import files, services
from chidao.documents.models import Direction, DocumentKind, Visibility
from chidao.lib import uploads
from chidao.lib.docnumbers import symbol_key
from chidao.lib.text import fold
from chidao.org.scope import require_role

if TYPE_CHECKING:
    from chidao.accounts.models import User
    from chidao.org.models import Unit

MAX_ROWS = 20_000
MAX_ERRORS = 500
SHEET = "Sổ văn bản"
LISTS_SHEET = "Danh mục"
GUIDE_SHEET = "Hướng dẫn"


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the header, as written in the template
    required: bool
    width: int
    guide: str


COLUMNS = (
    Column("kind", "Loại văn bản", True, 16, "Chọn trong danh sách: Nghị quyết, Kế hoạch, Công văn…"),
    Column("symbol", "Số ký hiệu", False, 18, "Như ghi trên văn bản: 35-NQ/TW, 45/KH-UBND. Để trống nếu không số."),
    Column("issued_on", "Ngày ban hành", True, 14, "Ngày/tháng/năm, ví dụ 22/10/2018."),
    Column("issuer", "Cơ quan ban hành", True, 28, "Ví dụ: Bộ Chính trị, Thành ủy Đà Nẵng."),
    Column("title", "Trích yếu", True, 60, "Trích yếu nội dung, tối đa 1.000 ký tự."),
    Column("signer", "Người ký", False, 20, "Họ và tên người ký."),
    Column("direction", "Sổ", False, 16, "Văn bản đến, Văn bản đi hoặc Văn bản nội bộ; trống là văn bản đến."),
    Column("visibility", "Phạm vi", False, 22, "Ai được xem; trống là đơn vị và các đơn vị trực thuộc."),
    Column("received_number", "Số đến", False, 10, "Chỉ với văn bản đến: số thứ tự trong sổ văn bản đến."),
    Column("received_on", "Ngày đến", False, 14, "Chỉ với văn bản đến: ngày/tháng/năm."),
    Column("summary", "Tóm tắt", False, 40, "Tóm tắt nội dung (không bắt buộc)."),
)
LABELS = {c.key: c.label for c in COLUMNS}
# The words of the "Phạm vi" list: data values, kept the same whatever the interface language.
VISIBILITY_WORDS = {
    "Chỉ đơn vị": Visibility.UNIT,
    "Đơn vị và trực thuộc": Visibility.SUBTREE,
    "Toàn hệ thống": Visibility.PUBLIC,
}
_SPACES = re.compile(r"[\s_:*]+")


class ImportFailed(ValidationError):
    """Every problem of a file, each naming its row and column, under the key "file"."""

    def __init__(self, errors: list[str]) -> None:
        if len(errors) > MAX_ERRORS:
            more = len(errors) - MAX_ERRORS
            errors = [*errors[:MAX_ERRORS], _("… và %(n)s lỗi khác.") % {"n": more}]
        super().__init__({"file": errors})
        self.errors = errors


@dataclass
class ImportSummary:
    created: int
    by_kind: list[tuple[str, int]]
    by_direction: list[tuple[str, int]]
    first_day: dt.date | None
    last_day: dt.date | None
    document_ids: list[int] = field(default_factory=list)


def _header_key(text: Any) -> str:
    return _SPACES.sub(" ", fold(str(text or "")).replace(",", " ").replace("/", " ")).strip()


HEADERS = {_header_key(c.label): c.key for c in COLUMNS} | {
    _header_key(alias): key
    for alias, key in (
        ("Loại", "kind"),
        ("Số, ký hiệu", "symbol"),
        ("Số và ký hiệu", "symbol"),
        ("Ký hiệu", "symbol"),
        ("Ngày văn bản", "issued_on"),
        ("Nơi ban hành", "issuer"),
        ("Cơ quan, tổ chức ban hành", "issuer"),
        ("Trích yếu nội dung", "title"),
        ("Loại sổ", "direction"),
        ("Phạm vi xem", "visibility"),
        ("Tóm tắt nội dung", "summary"),
    )
}


def choices() -> dict[str, dict[str, str]]:
    """Accepted cell values (folded) for the list columns: Vietnamese labels, whatever language the
    importing user has chosen, and the stable values."""
    with translation.override("vi"):
        kinds = {fold(str(label)): value for value, label in DocumentKind.choices}
        directions = {fold(str(label)): value for value, label in Direction.choices}
        visibilities = {fold(str(label)): value for value, label in Visibility.choices}
    kinds |= {value: value for value in DocumentKind.values}
    directions |= {"den": Direction.INCOMING, "di": Direction.OUTGOING, "noi bo": Direction.INTERNAL}
    directions |= {value: value for value in Direction.values}
    visibilities |= {fold(word): value for word, value in VISIBILITY_WORDS.items()}
    visibilities |= {value: value for value in Visibility.values}
    return {"kind": kinds, "direction": directions, "visibility": visibilities}


# --- the template ----------------------------------------------------------------------------


def template_xlsx() -> bytes:
    """The empty register to fill in: the header row, drop-down lists for Loại văn bản, Sổ and
    Phạm vi (from a "Danh mục" sheet), and a "Hướng dẫn" sheet."""
    with translation.override("vi"):
        lists = {
            "kind": [str(label) for _value, label in DocumentKind.choices],
            "direction": [str(label) for _value, label in Direction.choices],
            "visibility": list(VISIBILITY_WORDS),
        }
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = SHEET
    sheet.append([c.label for c in COLUMNS])
    bold = Font(name="Times New Roman", bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
    sheet.freeze_panes = "A2"

    named = book.create_sheet(LISTS_SHEET)
    for index, key in enumerate(("kind", "direction", "visibility"), start=1):
        named.cell(row=1, column=index, value=LABELS[key]).font = bold
        for row, value in enumerate(lists[key], start=2):
            named.cell(row=row, column=index, value=value)
        named.column_dimensions[get_column_letter(index)].width = 24
        position = next(i for i, c in enumerate(COLUMNS, start=1) if c.key == key)
        target = get_column_letter(position)
        source = f"'{LISTS_SHEET}'!${get_column_letter(index)}$2:${get_column_letter(index)}${len(lists[key]) + 1}"
        validation = DataValidation(
            type="list",
            formula1=source,
            allow_blank=not next(c for c in COLUMNS if c.key == key).required,
            showErrorMessage=True,
            errorTitle=LABELS[key],
            error=_("Hãy chọn một giá trị trong danh sách."),
        )
        validation.add(f"{target}2:{target}{MAX_ROWS + 1}")
        sheet.add_data_validation(validation)

    guide = book.create_sheet(GUIDE_SHEET)
    guide.column_dimensions["A"].width = 22
    guide.column_dimensions["B"].width = 12
    guide.column_dimensions["C"].width = 90
    guide.append([_("Nhập sổ văn bản từ Excel")])
    guide["A1"].font = Font(bold=True, size=14)
    guide.append(
        [
            _(
                "Mỗi dòng của trang “%(sheet)s” là một văn bản; giữ nguyên dòng tiêu đề. Tối đa %(n)s dòng. "
                "Nếu có lỗi, hệ thống liệt kê từng lỗi theo dòng và cột và không lưu văn bản nào."
            )
            % {"sheet": SHEET, "n": f"{MAX_ROWS:,}".replace(",", ".")}
        ]
    )
    guide.append([])
    guide.append([_("Cột"), _("Bắt buộc"), _("Cách ghi")])
    for cell in guide[4]:
        cell.font = bold
    for column in COLUMNS:
        guide.append([column.label, _("Có") if column.required else "", column.guide])
    guide.append([])
    guide.append(
        [
            _("Phạm vi"),
            "",
            _(
                "Chỉ đơn vị: đơn vị sở hữu và cấp trên; Đơn vị và trực thuộc: thêm các đơn vị cấp dưới; Toàn hệ thống: mọi người dùng."
            ),
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- reading ---------------------------------------------------------------------------------


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_OFFICE_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


# The package is untrusted, but ElementTree never fetches external entities or DTDs, the expat it
# runs on (2.5 with Python 3.12) stops billion-laughs and quadratic entity expansion, and the ZIP
# bomb check (`files.check_upload`) bounds the parts' size: what defusedxml would add is covered.
def _xml_root(package: zipfile.ZipFile, path: str) -> ElementTree.Element:
    return ElementTree.parse(package.open(path)).getroot()  # noqa: S314  # see above


def _xml_elements(package: zipfile.ZipFile, path: str) -> Iterator[ElementTree.Element]:
    """The elements of a part as each one closes, so a large sheet is read row by row."""
    for _event, element in ElementTree.iterparse(package.open(path)):  # noqa: S314  # see above
        yield element


def _part(target: str) -> str:
    """A workbook relationship's target as a path inside the package."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")


def _shared_strings(package: zipfile.ZipFile, path: str | None) -> list[str]:
    if path is None or path not in package.namelist():
        return []
    strings = []
    for item in _xml_elements(package, path):
        if item.tag == f"{_MAIN}si":
            # The text runs, without the phonetic guides (rPh) that East Asian editions may add.
            phonetic = {id(t) for guide in item.iter(f"{_MAIN}rPh") for t in guide.iter(f"{_MAIN}t")}
            strings.append("".join(t.text or "" for t in item.iter(f"{_MAIN}t") if id(t) not in phonetic))
            item.clear()
    return strings


def _date_styles(package: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell styles whose number format is a date."""
    if "xl/styles.xml" not in package.namelist():
        return set()
    root = _xml_root(package, "xl/styles.xml")
    formats = dict(BUILTIN_FORMATS)
    for item in root.iter(f"{_MAIN}numFmt"):
        formats[int(item.get("numFmtId", "0"))] = item.get("formatCode", "")
    cell_styles = root.find(f"{_MAIN}cellXfs")
    if cell_styles is None:
        return set()
    return {
        index
        for index, xf in enumerate(cell_styles.iter(f"{_MAIN}xf"))
        if is_date_format(formats.get(int(xf.get("numFmtId", "0")), "") or "")
    }


def _sheet_rows(package: zipfile.ZipFile) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, cell values) of the register sheet (or the first), read straight from the
    package's XML: openpyxl builds an object per cell and a rich-text tree per string, which made
    reading 20,000 rows cost more than checking and writing them."""
    book = _xml_root(package, "xl/workbook.xml")
    relations = _xml_root(package, "xl/_rels/workbook.xml.rels")
    targets = {r.get("Id"): r.get("Target", "") for r in relations.iter(f"{_PACKAGE_REL}Relationship")}
    strings_path = next(
        (
            _part(r.get("Target", ""))
            for r in relations.iter(f"{_PACKAGE_REL}Relationship")
            if r.get("Type", "").endswith("/sharedStrings")
        ),
        None,
    )
    sheets = [(s.get("name"), s.get(f"{_OFFICE_REL}id")) for s in book.iter(f"{_MAIN}sheet")]
    sheet_id = next((rid for name, rid in sheets if name == SHEET), sheets[0][1])
    properties = book.find(f"{_MAIN}workbookPr")
    epoch = MAC_EPOCH if properties is not None and properties.get("date1904") in ("1", "true") else WINDOWS_EPOCH
    strings = _shared_strings(package, strings_path)
    dates = _date_styles(package)
    row_number = 0
    for row in _xml_elements(package, _part(targets[sheet_id])):
        if row.tag != f"{_MAIN}row":
            continue
        row_number = int(row.get("r") or row_number + 1)
        cells: dict[int, Any] = {}
        column = 0
        for cell in row.iter(f"{_MAIN}c"):
            ref = _CELL_REF.match(cell.get("r") or "")
            column = column_index_from_string(ref.group(1)) if ref else column + 1
            kind, text = cell.get("t", "n"), cell.findtext(f"{_MAIN}v") or None
            value: Any = None
            if kind == "inlineStr":
                value = "".join(t.text or "" for t in cell.iter(f"{_MAIN}t")) or None
            elif text is None:
                value = None
            elif kind == "s":
                value = strings[int(text)]
            elif kind == "n":
                value = float(text) if any(c in text for c in ".eE") else int(text)
                if int(cell.get("s") or 0) in dates:
                    try:
                        value = from_excel(value, epoch)
                    except (OverflowError, ValueError):
                        value = text  # reported on its row as an invalid date
            elif kind == "b":
                value = text == "1"
            elif kind == "d":
                value = dt.datetime.fromisoformat(text)
            else:  # "str" (a formula's text), "e" (an error such as #N/A)
                value = text
            cells[column] = value
        row.clear()
        if cells:
            yield row_number, tuple(cells.get(i) for i in range(1, max(cells) + 1))


def _rows(upload: IO[bytes], *, name: str, size: int) -> list[tuple[int, tuple[Any, ...]]]:
    """(row number, cells) of the register sheet, the header row first; the upload must really be
    an .xlsx package, within the size limit and not a ZIP bomb."""
    if uploads.detect_type(upload, (uploads.XLSX,)) is None:
        raise ImportFailed([_("Tệp không phải bảng tính Excel (.xlsx): hãy tải mẫu, điền rồi tải lên lại.")])
    try:
        files.check_upload(upload, name=name, size=size, field="file")
    except ValidationError as exc:
        raise ImportFailed(exc.messages) from exc
    upload.seek(0)
    rows: list[tuple[int, tuple[Any, ...]]] = []
    try:
        with zipfile.ZipFile(upload) as package:
            for number, cells in _sheet_rows(package):
                if any(c is not None and str(c).strip() for c in cells):
                    rows.append((number, cells))
                if len(rows) > MAX_ROWS + 1:
                    raise ImportFailed([_("Tệp có quá %(n)s dòng văn bản.") % {"n": f"{MAX_ROWS:,}".replace(",", ".")}])
    except (zipfile.BadZipFile, KeyError, IndexError, ValueError, OSError, ElementTree.ParseError) as exc:
        raise ImportFailed([_("Không đọc được tệp Excel: tệp hỏng hoặc không đúng định dạng.")]) from exc
    return rows


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        converted = from_excel(value)
        return converted.date() if isinstance(converted, dt.datetime) else None
    text = str(value or "").strip()
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007  # a calendar date, no time zone
        except ValueError:
            continue
    return None


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


@dataclass
class _Row:
    number: int
    values: dict[str, Any]


def _parse(rows: list[tuple[int, tuple[Any, ...]]]) -> list[_Row]:
    """Every data row as register_document's arguments; all errors of all rows at once."""
    if not rows:
        raise ImportFailed([_("Tệp không có dữ liệu.")])
    header_number, header = rows[0]
    keys = [HEADERS.get(_header_key(cell)) for cell in header]
    missing = [c.label for c in COLUMNS if c.required and c.key not in keys]
    if missing:
        raise ImportFailed(
            [
                _("Dòng %(row)s: thiếu cột %(cols)s. Hãy dùng tệp mẫu.")
                % {"row": header_number, "cols": ", ".join(f"“{m}”" for m in missing)}
            ]
        )
    lists = choices()
    # The list columns and the issuer repeat a few values over thousands of rows: fold each once.
    folded = functools.cache(fold)
    errors: list[str] = []
    parsed: list[_Row] = []
    seen: dict[tuple[str, str, int], int] = {}
    for number, cells in rows[1:]:
        raw = {key: cells[i] for i, key in enumerate(keys) if key and i < len(cells)}

        def error(key: str, message: str, number: int = number) -> None:
            errors.append(
                _("Dòng %(row)s, cột “%(col)s”: %(msg)s") % {"row": number, "col": LABELS[key], "msg": message}
            )

        values: dict[str, Any] = {
            key: _text(raw.get(key)) for key in ("symbol", "issuer", "title", "signer", "summary")
        }
        for key in ("issuer", "title"):
            if not values[key]:
                error(key, _("không được để trống."))
        for key, limit in (("symbol", 100), ("issuer", 255), ("title", 1000), ("signer", 255)):
            if len(values[key]) > limit:
                error(key, _("dài quá %(n)s ký tự.") % {"n": limit})
        for key, default in (("kind", None), ("direction", Direction.INCOMING), ("visibility", Visibility.SUBTREE)):
            text = _text(raw.get(key))
            values[key] = lists[key].get(folded(text)) if text else default
            if values[key] is None:
                if text:
                    error(key, _("“%(value)s” không có trong danh sách.") % {"value": text})
                else:
                    error(key, _("không được để trống."))
        for key in ("issued_on", "received_on"):
            given = raw.get(key)
            values[key] = _date(given) if _text(given) else None
            if _text(given) and values[key] is None:
                error(
                    key,
                    _("ngày “%(value)s” không hợp lệ (ghi ngày/tháng/năm, ví dụ 05/02/2026).")
                    % {"value": _text(given)},
                )
            elif key == "issued_on" and not _text(given):
                error(key, _("không được để trống."))
        received = _text(raw.get("received_number"))
        values["received_number"] = int(received) if received.isdigit() and int(received) > 0 else None
        if received and values["received_number"] is None:
            error("received_number", _("“%(value)s” không phải số nguyên dương.") % {"value": received})
        if values["symbol"] and values["issued_on"] is not None:
            identity = (symbol_key(values["symbol"]), folded(values["issuer"]), values["issued_on"].year)
            if identity in seen:
                error(
                    "symbol",
                    _("trùng với dòng %(row)s (cùng số ký hiệu, cơ quan ban hành và năm).") % {"row": seen[identity]},
                )
            else:
                seen[identity] = number
        parsed.append(_Row(number=number, values=values))
    if errors:
        raise ImportFailed(errors)
    if not parsed:
        raise ImportFailed([_("Tệp chưa có dòng văn bản nào dưới dòng tiêu đề.")])
    return parsed


# --- importing -------------------------------------------------------------------------------


@transaction.atomic
def import_register(*, actor: User, unit: Unit, upload: IO[bytes], name: str, size: int) -> ImportSummary:
    """Enter every row of the file in `unit`'s register, or nothing (ImportFailed lists why)."""
    require_role(actor, unit, services.EDITOR)
    rows = _parse(_rows(upload, name=name, size=size))
    try:
        created = services.register_documents(actor=actor, unit=unit, rows=[row.values for row in rows])
    except services.RowsInvalid as exc:
        errors = []
        for problem in exc.problems:
            number = rows[problem.index].number
            where = (
                _("Dòng %(row)s, cột “%(col)s”") % {"row": number, "col": LABELS[problem.field]}
                if problem.field in LABELS
                else _("Dòng %(row)s") % {"row": number}
            )
            errors.append(f"{where}: {problem.message}")
        raise ImportFailed(errors) from exc
    kinds = Counter(d.kind for d in created)
    directions = Counter(d.direction for d in created)
    days = [d.issued_on for d in created]
    audit.record(
        actor=actor,
        action="documents.register.imported",
        target=unit,
        unit=unit,
        changes={"file": name[:200], "created": len(created), "kinds": dict(kinds)},
    )
    return ImportSummary(
        created=len(created),
        by_kind=[(str(DocumentKind(k).label), n) for k, n in kinds.most_common()],
        by_direction=[(str(Direction(k).label), n) for k, n in directions.most_common()],
        first_day=min(days),
        last_day=max(days),
        document_ids=[d.pk for d in created],
    )
