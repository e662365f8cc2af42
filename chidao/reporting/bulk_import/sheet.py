"""Reading the first worksheet of an uploaded .xlsx, row by row, for the bulk import.

openpyxl opens the package (manifest, workbook, shared strings), but the rows are scanned from the
sheet's XML when it has the layout every spreadsheet application writes (`<c r="A1" …>`, UTF-8, no
CDATA or comments): openpyxl's read-only worksheet builds a dictionary per cell and, for a sheet
that does not state its size (our own write-only exports), reads the whole sheet twice — tens of
seconds for 100,000 rows on a 2-core server, against one or two for the scan. Any other layout is
read by openpyxl's read-only worksheet; `tests/reporting/test_bulk_import.py` checks that both
give the same rows.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import column_index_from_string, get_column_letter

from chidao.reporting import excel

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

MAX_BYTES = 40 * 1024 * 1024
# The sheet's XML, uncompressed: about 700 bytes a row in our exports.
MAX_XML_BYTES = 512 * 1024 * 1024


class ImportFailed(excel.UploadFailed):
    """The file was not imported; `errors` holds the first `excel.MAX_ERRORS` problems and a line
    counting the others, `total` how many there are."""

    def __init__(self, errors: list[str], *, total: int | None = None) -> None:
        total = len(errors) if total is None else total
        shown = errors[: excel.MAX_ERRORS]
        if total > len(shown):
            shown.append(_("… và %(n)s lỗi khác.") % {"n": total - len(shown)})
        super().__init__(shown)
        self.total = total


def read_upload(upload: UploadedFile[bytes]) -> bytes:
    """The uploaded file's bytes, refusing one larger than MAX_BYTES without reading it all."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ImportFailed([_too_large()])
    data: bytes = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportFailed([_too_large()])
    return data


def _too_large() -> str:
    return _("Tệp lớn hơn %(n)s MB.") % {"n": MAX_BYTES // (1024 * 1024)}


type Clean = Callable[[Any], Any]


class Sheet(Protocol):
    title: str

    def header(self) -> dict[int, Any]:
        """Row 1: column number (1-based) -> value."""
        ...

    def rows(self, columns: Sequence[int], clean: Sequence[Clean]) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(row number, values of `columns`, each passed through its `clean` function) for every
        row after the first that has a cell."""
        ...


_SHEET_DATA = re.compile(rb"<([A-Za-z_][\w.-]*:)?sheetData\b")
_ENCODING = re.compile(rb"""^<\?xml[^>]*\bencoding\s*=\s*["']([\w.-]+)["']""")
_TYPE = re.compile(rb'\bt="(\w+)"')


class ScannedSheet:
    """A worksheet read straight from its XML, for the layout Excel, LibreOffice, Google Sheets and
    openpyxl write: every cell `<c r="…"`, in row order, UTF-8 (see `scannable`)."""

    CHUNK = 1 << 22

    def __init__(self, title: str, xml: bytes, start: int, prefix: bytes, shared: Sequence[str]) -> None:
        self.title = title
        self._xml = xml
        self._start = start
        self._shared = shared
        p = re.escape(prefix)
        self._cell_head = b"<" + p + rb'c r="('
        self._cell_tail = rb')(\d+)"([^>]*?)(?:/>|>(.*?)</' + p + rb"c>)"
        self._v_open, self._v_close = b"<" + prefix + b"v>", b"</" + prefix + b"v>"
        self._value = re.compile(b"<" + p + rb"v>(.*?)</" + p + rb"v>", re.S)
        self._text = re.compile(b"<" + p + rb"t(?:\s[^>]*?)?(?<!/)>(.*?)</" + p + rb"t>", re.S)
        self._phonetic = re.compile(b"<" + p + rb"rPh\b.*?</" + p + rb"rPh>", re.S)
        self._row_end = b"</" + prefix + b"row>"

    def _cells(self, letters: bytes) -> re.Pattern[bytes]:
        return re.compile(self._cell_head + letters + self._cell_tail, re.S)

    def header(self) -> dict[int, Any]:
        cells: dict[int, Any] = {}
        for match in self._cells(rb"[A-Z]{1,3}").finditer(self._xml, self._start):
            letter, row, attrs, inner = match.groups()
            if row != b"1":
                break
            cells[column_index_from_string(letter.decode())] = self._convert(attrs, inner or b"")
        return cells

    def rows(self, columns: Sequence[int], clean: Sequence[Clean]) -> Iterator[tuple[int, tuple[Any, ...]]]:
        letters = [get_column_letter(c).encode() for c in columns]
        position = {letter: i for i, letter in enumerate(letters)}
        pattern = self._cells(b"|".join(letters))
        convert, v_open, v_close = self._convert, self._v_open, self._v_close
        width = len(columns)
        # Strings by their XML, per column: codes, names and labels repeat on every row.
        strings: list[dict[bytes, Any]] = [{} for _ in columns]
        current, number = b"", 0
        values: list[Any] = []
        for chunk in self._chunks():
            for letter, row, attrs, inner in pattern.findall(chunk):
                if row != current:
                    if number > 1:
                        yield number, tuple(values)
                    current, number, values = row, int(row), [None] * width
                at = position[letter]
                if b"t=" in attrs and b't="n"' not in attrs:
                    seen = strings[at]
                    key = attrs + inner
                    value = seen.get(key, seen)
                    if value is seen:
                        value = convert(attrs, inner)
                        value = seen[key] = clean[at](value)
                    values[at] = value
                    continue
                if inner.startswith(v_open) and inner.endswith(v_close):
                    raw = inner[len(v_open) : -len(v_close)]
                    try:
                        value = int(raw)
                    except ValueError:
                        value = _number(raw)
                else:
                    value = convert(attrs, inner)
                values[at] = clean[at](value)
        if number > 1:
            yield number, tuple(values)

    def _chunks(self) -> Iterator[bytes]:
        """The sheet in slices of about CHUNK bytes, each ending after a row: a row never spans two."""
        xml, end, start = self._xml, self._row_end, self._start
        while start < len(xml):
            stop = xml.find(end, start + self.CHUNK)
            stop = len(xml) if stop < 0 else stop + len(end)
            yield xml[start:stop]
            start = stop

    def _convert(self, attrs: bytes, inner: bytes) -> Any:
        """A cell's value as openpyxl's read-only mode gives it (data only), except numbers with a
        fraction, kept exact as Decimal, and date-formatted numbers, left as numbers."""
        kind = b"n"
        if b"t=" in attrs:
            match = _TYPE.search(attrs)
            if match is not None:
                kind = match.group(1)
        if kind == b"inlineStr":
            if not inner:
                return None
            if b"rPh" in inner:
                inner = self._phonetic.sub(b"", inner)
            return _decode(b"".join(self._text.findall(inner)))
        if not inner:
            return None
        if inner.startswith(self._v_open) and inner.endswith(self._v_close):
            raw = inner[len(self._v_open) : -len(self._v_close)]
        else:  # a formula before its cached value
            found = self._value.search(inner)
            if found is None:
                return None
            raw = found.group(1)
        if kind == b"n":
            return _number(raw)
        if kind == b"s":
            return self._shared[int(raw)]
        if kind == b"b":
            return raw.strip() in {b"1", b"true"}
        return _decode(raw)


def _number(raw: bytes) -> Any:
    text = raw.decode("ascii", errors="replace").strip()
    if not text:
        return None
    if text.isdigit() or (text[:1] == "-" and text[1:].isdigit()):
        return int(text)
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def _decode(raw: bytes) -> str:
    if b"\r" in raw:  # XML end-of-line handling, as a parser would do
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    text = raw.decode("utf-8")
    return html.unescape(text) if "&" in text else text


def scannable(xml: bytes) -> tuple[int, bytes] | None:
    """(offset of sheetData, namespace prefix) when `ScannedSheet` reads this XML exactly as an XML
    parser would, else None."""
    head = xml[:200]
    if not head.startswith(b"<"):  # a byte order mark, UTF-16, white space: leave it to openpyxl
        return None
    declared = _ENCODING.match(head)
    if declared is not None and declared.group(1).lower() not in {b"utf-8", b"utf8"}:
        return None
    data = _SHEET_DATA.search(xml)
    if data is None:
        return None
    prefix = data.group(1) or b""
    # A cell without `r` first (or without it at all), CDATA, a comment: one pass finds any of them.
    odd = re.compile(b"<" + re.escape(prefix) + rb'c(?! r=")[\s>/]|<!\[CDATA\[|<!--')
    if odd.search(xml, data.start()) is not None:
        return None
    return data.start(), prefix


class OpenpyxlSheet:
    """A worksheet read by openpyxl's read-only mode: any valid layout, slowly."""

    def __init__(self, worksheet: Any) -> None:
        self.title = str(worksheet.title)
        self._ws = worksheet
        worksheet.reset_dimensions()  # some writers store a wrong size; read to the real last row

    def header(self) -> dict[int, Any]:
        for row in self._ws.iter_rows(min_row=1, max_row=1, values_only=True):
            return {n: v for n, v in enumerate(row, start=1) if v is not None}
        return {}

    def rows(self, columns: Sequence[int], clean: Sequence[Clean]) -> Iterator[tuple[int, tuple[Any, ...]]]:
        rows = self._ws.iter_rows(min_row=2, max_col=max(columns), values_only=True)
        for number, row in enumerate(rows, start=2):
            if any(v is not None for v in row):
                yield (
                    number,
                    tuple(f(row[c - 1]) for c, f in zip(columns, clean, strict=True)),
                )


def open_sheet(data: bytes) -> Sheet:
    """The first worksheet of the workbook in `data`; ImportFailed when it is not a readable .xlsx."""
    if len(data) > MAX_BYTES:
        raise ImportFailed([_too_large()])
    if not data.startswith(b"PK\x03\x04"):
        raise ImportFailed([_("Tệp không phải bảng tính Excel (.xlsx). Hãy lưu tệp dạng .xlsx rồi tải lên lại.")])
    try:
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        sheets = [
            (sheet.name, rel.target)
            for sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        ]
        if not sheets:
            raise ImportFailed([_("Tệp không có trang tính (sheet) nào.")])
        title, path = sheets[0]
        if reader.archive.getinfo(path).file_size > MAX_XML_BYTES:
            raise ImportFailed([_("Sheet “%(sheet)s” quá lớn.") % {"sheet": title}])
        xml = reader.archive.read(path)
        layout = scannable(xml)
        if layout is not None:
            return ScannedSheet(title, xml, layout[0], layout[1], reader.shared_strings)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        return OpenpyxlSheet(workbook.worksheets[0])
    except excel.UNREADABLE as exc:
        raise ImportFailed([_unreadable()]) from exc


def _unreadable() -> str:
    return _("Không đọc được tệp Excel: tệp hỏng hoặc không phải định dạng .xlsx.")
