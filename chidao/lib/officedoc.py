"""The two official layouts of outgoing documents, as python-docx building blocks, and the PDF
through LibreOffice. No Django here: callers work out who issues the document and pass plain text.

- Party bodies: thể thức văn bản của Đảng, Hướng dẫn 36-HD/VPTW ngày 03/4/2018 — "ĐẢNG CỘNG SẢN
  VIỆT NAM" at the top right, the issuing body at the left with "*" below it, number "Số 12-KH/BCĐ",
  "T/M", "K/T";
- state bodies: thể thức văn bản hành chính, Nghị định 30/2020/NĐ-CP, Phụ lục I — "CỘNG HÒA XÃ HỘI
  CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc", number "Số: 12/KH-BCĐ", công văn
  "Số: 12/BCĐ-VP" with "V/v …" below, "TM.", "KT.".
Both: A4, Times New Roman, header table of two columns, place and date, title, body, then "Nơi
nhận" at the bottom left and the signature block at the bottom right.

The words on the page are the ones the rules prescribe, always in Vietnamese whatever language the
user works in; that is why they are plain strings and not translatable interface text.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

FONT = "Times New Roman"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"
# Within the ranges of both rules: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
BODY_SIZE = Pt(14)
PARTY_TITLE = "ĐẢNG CỘNG SẢN VIỆT NAM"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
# Left for the văn thư to write by hand when the number is not known yet.
BLANK_NUMBER = "     "
PLACE_PREFIXES = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ", "Thị trấn ", "Quận ", "Huyện ", "Thị xã ")
# Thẩm quyền ký: thay mặt (a collective body), ký thay (the head), thừa lệnh, thừa ủy quyền, quyền.
# HD 36 writes them with a slash, NĐ 30 with a full stop.
AUTHORITY = {
    "TM": ("T/M", "TM."),
    "KT": ("K/T", "KT."),
    "TL": ("T/L", "TL."),
    "TUQ": ("T/UQ", "TUQ."),
    "Q": ("Q.", "Q."),
}
_HEADING = re.compile(r"^(?:(?P<roman>[IVXLC]+)\.|(?P<number>\d+(?:\.\d+)*)\.|(?P<letter>[a-zđ])\))\s")


@dataclass
class Letterhead:
    """What the header and the signature say."""

    party: bool
    superior: str  # tên cơ quan chủ quản / cơ quan cấp trên ("" when none)
    issuer: str  # tên cơ quan ban hành, upper case
    number: str  # the whole line: "Số 12-KH/BCĐ" or "Số: 12/KH-BCĐ"
    place: str
    day: dt.date
    on_behalf: str  # "TM. BAN CHỈ ĐẠO", "K/T TRƯỞNG BAN", or "" when the head signs in their own name
    position: str
    signer: str
    recipients: list[str]
    subject: str = ""  # "V/v …" under the number: công văn only
    addressees: list[str] = field(default_factory=list)  # "Kính gửi": công văn only


# --- numbers, dates, places ------------------------------------------------------------------


def symbol(*, party: bool, number: str, type_code: str, issuer_code: str, drafting_code: str = "") -> str:
    """Số, ký hiệu without "Số": Party "12-KH/BCĐ" (công văn "12-CV/BCĐ"), state "12/KH-BCĐ", state
    công văn (no type code) "12/BCĐ-VP". A blank number is left for the văn thư."""
    n = number.strip() or BLANK_NUMBER
    if party:
        return f"{n}-{type_code}/{issuer_code}"
    if type_code:
        return f"{n}/{type_code}-{issuer_code}"
    return f"{n}/{issuer_code}-{drafting_code}" if drafting_code else f"{n}/{issuer_code}"


def number_line(*, party: bool, text: str) -> str:
    """ "Số 12-KH/BCĐ" (HD 36, no colon) or "Số: 12/KH-BCĐ" (NĐ 30)."""
    return f"Số {text}" if party else f"Số: {text}"


def authority(*, party: bool, mode: str, of: str) -> str:
    """ "T/M BAN CHỈ ĐẠO" / "TM. BAN CHỈ ĐẠO"; "" when the signer signs in their own name."""
    if not mode:
        return ""
    slash, dot = AUTHORITY[mode]
    return f"{slash if party else dot} {of.upper()}".strip()


def vn_date(day: dt.date, place: str) -> str:
    """ "Đà Nẵng, ngày 05 tháng 02 năm 2026": days below 10 and months 1 and 2 take a leading zero
    (Nghị định 30/2020/NĐ-CP, Phụ lục I, mục II.5)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def place_from_name(name: str) -> str:
    """Địa danh: an administrative unit's name without its kind ("Phường Hải Châu" → "Hải Châu")."""
    for prefix in PLACE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def heading_level(text: str) -> int | None:
    """1 for "I. …", 2 for "1. …" or "1.2. …", 3 for "a) …"; None for a plain paragraph."""
    found = _HEADING.match(text)
    if found is None:
        return None
    if found["roman"]:
        return 1
    return 2 if found["number"] else 3


# --- building blocks -------------------------------------------------------------------------


def run(
    paragraph: Paragraph,
    text: str,
    *,
    size: Length = BODY_SIZE,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
) -> None:
    piece = paragraph.add_run(text)
    piece.font.name = FONT
    piece.font.size = size
    piece.bold = bold
    piece.italic = italic
    piece.underline = underline


def line(
    container: DocxDocument | _Cell,
    text: str,
    *,
    size: Length = BODY_SIZE,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    first: bool = False,
) -> Paragraph:
    """One paragraph of one run; `first` writes into a table cell's own empty paragraph."""
    paragraph = container.paragraphs[0] if first and isinstance(container, _Cell) else container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.space_before = Pt(0)
    run(paragraph, text, size=size, bold=bold, italic=italic, underline=underline)
    return paragraph


def new_document() -> DocxDocument:
    """An empty A4 document with the margins and the font of both rules."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = MARGINS["top"]
    section.bottom_margin = MARGINS["bottom"]
    section.left_margin = MARGINS["left"]
    section.right_margin = MARGINS["right"]
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = BODY_SIZE
    # Word picks the East Asian font slot for some Vietnamese characters: name it too.
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    return document


def header(document: DocxDocument, head: Letterhead) -> None:
    """The header table: issuing body and number at the left, national or Party title at the right,
    place and date below it."""
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Cm(7), Cm(9.5)
    if head.party:
        line(left, head.superior, size=Pt(14), first=True)
        line(left, head.issuer, size=Pt(14), bold=True)
        line(left, "*", size=Pt(14))
        line(left, head.number, size=Pt(14))
        if head.subject:
            line(left, head.subject, size=Pt(12), italic=True)
        line(right, PARTY_TITLE, size=Pt(15), bold=True, underline=True, first=True)
        line(right, "")
        line(right, vn_date(head.day, head.place), size=Pt(14), italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    else:
        line(left, head.superior, size=Pt(13), first=True)
        line(left, head.issuer, size=Pt(13), bold=True)
        line(left, head.number, size=Pt(13))
        if head.subject:
            line(left, head.subject, size=Pt(13))
        line(right, NATIONAL_TITLE, size=Pt(13), bold=True, first=True)
        line(right, MOTTO, size=Pt(14), bold=True, underline=True)
        line(right, "")
        line(right, vn_date(head.day, head.place), size=Pt(14), italic=True)


def title(document: DocxDocument, head: Letterhead, name: str, subject: str) -> None:
    """ "KẾ HOẠCH" and the trích yếu below it; HD 36 puts a short dash line under them."""
    spacer = line(document, "")
    spacer.paragraph_format.space_before = Pt(12)
    line(document, name, size=Pt(15) if head.party else Pt(14), bold=True)
    if subject:
        line(document, subject, size=Pt(14), bold=True)
    if head.party:
        line(document, "-----", size=Pt(14))
    line(document, "")


def addressees(document: DocxDocument, head: Letterhead) -> None:
    """ "Kính gửi: …" of a công văn: on one line for one addressee, a list for several."""
    if not head.addressees:
        return
    spacer = line(document, "")
    spacer.paragraph_format.space_before = Pt(12)
    if len(head.addressees) == 1:
        line(document, f"Kính gửi: {head.addressees[0].strip(' -;.')}.")
    else:
        line(document, "Kính gửi:")
        last = len(head.addressees) - 1
        for index, name in enumerate(head.addressees):
            paragraph = line(document, f"- {name.strip(' -;.')}{'.' if index == last else ';'}")
            paragraph.paragraph_format.left_indent = Cm(4)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    line(document, "")


def paragraph(
    document: DocxDocument, text: str, *, bold: bool = False, italic: bool = False, indent: bool = True
) -> Paragraph:
    """A justified body paragraph, first line indented 1.27 cm, 6 pt after."""
    written = line(document, text, bold=bold, italic=italic, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    if indent:
        written.paragraph_format.first_line_indent = Cm(1.27)
    written.paragraph_format.space_after = Pt(6)
    return written


def body(document: DocxDocument, lines: Iterable[str]) -> None:
    """Body paragraphs; "I." and "1." headings bold, "a)" headings italic, blank lines dropped."""
    for text in (raw.strip() for raw in lines):
        if not text:
            continue
        level = heading_level(text)
        paragraph(document, text, bold=level in (1, 2), italic=level == 3)


def closing(document: DocxDocument, head: Letterhead) -> None:
    """ "Nơi nhận:" and its list at the left, the signature block at the right."""
    line(document, "")
    table = document.add_table(rows=1, cols=2)
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Cm(7.5), Cm(9)
    if head.party:
        line(left, "Nơi nhận:", size=Pt(14), underline=True, align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
        size = Pt(12)
    else:
        line(left, "Nơi nhận:", size=Pt(12), bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
        size = Pt(11)
    for recipient in head.recipients:
        line(left, recipient, size=size, align=WD_ALIGN_PARAGRAPH.LEFT)
    lines = [text for text in (head.on_behalf, head.position) if text]
    for index, text in enumerate(lines):
        line(right, text, size=Pt(14), bold=True, first=index == 0)
    for _blank in range(4):
        line(right, "")
    line(right, head.signer, size=Pt(14), bold=True)


def recipient_lines(names: Iterable[str], *, party: bool) -> list[str]:
    """ "- Tên;" for each recipient (HD 36 ends them with ","), then the archive line."""
    end = "," if party else ";"
    lines = [f"- {name.strip(' -;,.')}{end}" for name in names if name.strip(" -;,.")]
    lines.append("- Lưu Văn phòng." if party else "- Lưu: VT.")
    return lines


def to_bytes(document: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- PDF -------------------------------------------------------------------------------------


class PdfUnavailable(Exception):
    """LibreOffice is missing (`missing`), or it failed or timed out on this document."""

    def __init__(self, message: str, *, missing: bool) -> None:
        super().__init__(message)
        self.missing = missing


def office_binary() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(data: bytes, *, timeout: int = 60) -> bytes:
    binary = office_binary()
    if binary is None:
        raise PdfUnavailable("LibreOffice is not installed", missing=True)
    with tempfile.TemporaryDirectory(prefix="chidao-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "report.docx"
        source.write_bytes(data)
        # A private profile per conversion: two LibreOffice processes cannot share one.
        profile = (folder / "profile").as_uri()
        command = [
            binary,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=timeout)  # noqa: S603  # fixed argv
        except (subprocess.SubprocessError, OSError) as exc:
            raise PdfUnavailable(f"LibreOffice failed: {exc}", missing=False) from exc
        target = folder / "report.pdf"
        if not target.exists():
            raise PdfUnavailable("LibreOffice wrote no PDF", missing=False)
        return target.read_bytes()
