"""The report as an official Word document (and PDF through LibreOffice).

Two layouts, chosen by the kind of the unit's steering committee (state when it has none):
- state bodies: thể thức văn bản hành chính, Nghị định 30/2020/NĐ-CP, Phụ lục I;
- Party bodies: thể thức văn bản của Đảng, Hướng dẫn 36-HD/VPTW ngày 03/4/2018.
Both: A4, Times New Roman, header table of two columns, title, body, then "Nơi nhận" at the
bottom left and the signature block at the bottom right.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from chidao.lib import periods
from chidao.org.models import Committee, CommitteeKind, Membership, Role, Unit, UnitKind
from chidao.reporting.models import (
    DataValue,
    FormField,
    Indicator,
    Narrative,
    Period,
    Report,
    SectionKind,
    ValueType,
)
from chidao.reporting.queries import dashboard_rows

FONT = "Times New Roman"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Margins within the ranges of both rules: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
BODY_SIZE = Pt(14)
PLACE_PREFIXES = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ", "Thị trấn ", "Quận ", "Huyện ", "Thị xã ")
ADMINISTRATIVE = {UnitKind.NATIONAL, UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE}


@dataclass
class Letterhead:
    """What the header and the signature say, worked out from the unit and its committee."""

    party: bool
    superior: str  # tên cơ quan chủ quản / cơ quan cấp trên
    issuer: str  # tên cơ quan ban hành
    number: str  # "Số: …/BC-BCĐ" or "Số …-BC/BCĐ", the number left blank for the văn thư
    place: str
    day: dt.date
    on_behalf: str  # "TM. BAN CHỈ ĐẠO" / "T/M BAN CHỈ ĐẠO"
    position: str
    signer: str
    recipients: list[str]


def vn_number(value: Decimal | None) -> str:
    """1234567,5 written the Vietnamese way: "1.234.567,5"."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    sign = "-" if text.startswith("-") else ""
    whole, _sep, fraction = text.lstrip("-").partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + (f",{fraction}" if fraction else "")


def display_value(indicator: Indicator, value: DataValue | None) -> str:
    if value is None:
        return ""
    if indicator.value_type == ValueType.TEXT:
        return value.text
    if indicator.value_type == ValueType.BOOLEAN and value.value is not None:
        return _("Có") if value.value else _("Không")
    return vn_number(value.value)


def vn_date(day: dt.date, place: str) -> str:
    """ "Đà Nẵng, ngày 05 tháng 02 năm 2026": days below 10 and months 1 and 2 take a leading zero
    (Nghị định 30/2020/NĐ-CP, Phụ lục I, mục II.5)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return _("%(place)s, ngày %(day)02d tháng %(month)s năm %(year)d") % {
        "place": place,
        "day": day.day,
        "month": month,
        "year": day.year,
    }


def place_name(unit: Unit) -> str:
    """Địa danh: the administrative unit's name without its kind ("Phường Hải Châu" → "Hải Châu")."""
    admin = unit
    if unit.kind not in ADMINISTRATIVE:
        admin = Unit.objects.ancestors_of(unit).filter(kind__in=ADMINISTRATIVE).order_by("-depth").first() or unit
    if admin.kind == UnitKind.NATIONAL:
        return "Hà Nội"
    for prefix in PLACE_PREFIXES:
        if admin.name.startswith(prefix):
            return admin.name[len(prefix) :]
    return admin.name


def letterhead(report: Report, *, today: dt.date | None = None) -> Letterhead:
    unit = report.unit
    day = timezone.localtime(report.submitted_at).date() if report.submitted_at else (today or timezone.localdate())
    committee = Committee.objects.filter(unit=unit).active(day).order_by("id").first()
    party = committee is not None and committee.kind == CommitteeKind.PARTY
    issuer = (committee.name if committee else unit.name).upper()
    short = "BCĐ" if committee is not None else "VP"
    parent = unit.parent
    if party:
        province = Unit.objects.ancestors_of(unit).filter(kind=UnitKind.PROVINCE).first()
        # Central bodies write "BAN CHẤP HÀNH TRUNG ƯƠNG" where provincial ones name their Đảng bộ.
        superior = (
            _("ĐẢNG BỘ %(name)s") % {"name": province.name.upper()} if province else _("BAN CHẤP HÀNH TRUNG ƯƠNG")
        )
        number = _("Số      -BC/%(short)s") % {"short": short}
    else:
        owner = unit if committee is not None else parent
        superior = ""
        if owner is not None:
            name = owner.name.upper()
            if owner.kind == UnitKind.NATIONAL:
                name = _("CHÍNH PHỦ")
            elif owner.kind in ADMINISTRATIVE:
                name = _("ỦY BAN NHÂN DÂN %(name)s") % {"name": name}
            superior = name
        number = _("Số:      /BC-%(short)s") % {"short": short}
    signer = ""
    if committee is not None:
        head = (
            Membership.objects.filter(committee=committee, role=Role.HEAD)
            .active_on(day)
            .select_related("person")
            .first()
        )
        signer = head.person.full_name if head else ""
    body = _("BAN CHỈ ĐẠO") if committee is not None else issuer
    recipients = []
    if parent is not None:
        above = Committee.objects.filter(unit=parent).active(day).order_by("id").first()
        recipients.append(f"- {above.name if above else parent.name};")
    recipients.append(_("- Lưu Văn phòng.") if party else _("- Lưu: VT."))
    return Letterhead(
        party=party,
        superior=superior,
        issuer=issuer,
        number=number,
        place=place_name(unit),
        day=day,
        on_behalf=(_("T/M %(body)s") if party else _("TM. %(body)s")) % {"body": body},
        position=_("TRƯỞNG BAN") if committee is not None else _("THỦ TRƯỞNG"),
        signer=signer,
        recipients=recipients,
    )


def subject(report: Report) -> str:
    """Trích yếu: the form's name without "Báo cáo", followed by the period ("… quý I/2026")."""
    name = report.form.name.strip()
    if name.lower().startswith("báo cáo"):
        name = name[len("báo cáo") :].strip()
    name = name[:1].upper() + name[1:]
    label = report.period.label
    label = label[:1].lower() + label[1:]
    first = label.split(" ", 1)[0]
    if name.lower().endswith(" " + first):
        name = name[: -len(first) - 1]
    return f"{name} {label}"


# --- the document ----------------------------------------------------------------------------


def _run(
    paragraph: Paragraph,
    text: str,
    *,
    size: Pt = BODY_SIZE,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
) -> None:
    run = paragraph.add_run(text)
    run.font.name = FONT
    run.font.size = size
    run.bold = bold
    run.italic = italic
    run.underline = underline


def _line(
    container: DocxDocument | _Cell,
    text: str,
    *,
    size: Pt = BODY_SIZE,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    first: bool = False,
) -> Paragraph:
    paragraph = container.paragraphs[0] if first and isinstance(container, _Cell) else container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.space_before = Pt(0)
    _run(paragraph, text, size=size, bold=bold, italic=italic, underline=underline)
    return paragraph


def _setup(document: DocxDocument) -> None:
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


def _header(document: DocxDocument, head: Letterhead) -> None:
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Cm(7), Cm(9.5)
    if head.party:
        _line(left, head.superior, size=Pt(14), first=True)
        _line(left, head.issuer, size=Pt(14), bold=True)
        _line(left, "*", size=Pt(14))
        _line(left, head.number, size=Pt(14))
        _line(right, _("ĐẢNG CỘNG SẢN VIỆT NAM"), size=Pt(15), bold=True, underline=True, first=True)
        _line(right, "")
        _line(right, vn_date(head.day, head.place), size=Pt(14), italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    else:
        _line(left, head.superior, size=Pt(13), first=True)
        _line(left, head.issuer, size=Pt(13), bold=True)
        _line(left, head.number, size=Pt(13))
        _line(right, _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), size=Pt(13), bold=True, first=True)
        _line(right, _("Độc lập - Tự do - Hạnh phúc"), size=Pt(14), bold=True, underline=True)
        _line(right, "")
        _line(right, vn_date(head.day, head.place), size=Pt(14), italic=True)


def _title(document: DocxDocument, report: Report, head: Letterhead) -> None:
    spacer = _line(document, "")
    spacer.paragraph_format.space_before = Pt(12)
    _line(document, _("BÁO CÁO"), size=Pt(15) if head.party else Pt(14), bold=True)
    _line(document, subject(report), size=Pt(14), bold=True)
    if head.party:
        _line(document, "-----", size=Pt(14))
    _line(document, "")


def _body_paragraph(document: DocxDocument, text: str, *, bold: bool = False) -> None:
    paragraph = _line(document, text, bold=bold, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    paragraph.paragraph_format.first_line_indent = Cm(1.27)
    paragraph.paragraph_format.space_after = Pt(6)


def _cell(cell: _Cell, text: str, *, bold: bool = False, align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT) -> None:
    _line(cell, text, size=Pt(13), bold=bold, align=align, first=True)


def _previous_values(report: Report) -> dict[int, DataValue]:
    """The same unit's current values for the period before, if it reported then."""
    if report.period.kind == periods.Kind.CUSTOM:
        return {}
    before = periods.previous(report.period.span())
    period = Period.objects.filter(
        kind=before.kind, calendar=before.calendar, year=before.year, number=before.number
    ).first()
    if period is None:
        return {}
    previous = Report.objects.filter(form=report.form_id, unit=report.unit_id, period=period, is_current=True).first()
    return {v.indicator_id: v for v in previous.values.all()} if previous else {}


def _values_table(document: DocxDocument, report: Report, fields: list[FormField]) -> None:
    values = {v.indicator_id: v for v in report.values.all()}
    previous = _previous_values(report)
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    titles = [_("STT"), _("Chỉ tiêu"), _("Đơn vị tính"), _("Kết quả kỳ này"), _("Kỳ trước")]
    for cell, title in zip(table.rows[0].cells, titles, strict=True):
        _cell(cell, title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for number, field in enumerate(fields, start=1):
        indicator = field.indicator
        cells = table.add_row().cells
        _cell(cells[0], str(number), align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell(cells[1], indicator.name)
        _cell(cells[2], indicator.unit_of_measure, align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell(cells[3], display_value(indicator, values.get(indicator.pk)), align=WD_ALIGN_PARAGRAPH.RIGHT)
        _cell(cells[4], display_value(indicator, previous.get(indicator.pk)), align=WD_ALIGN_PARAGRAPH.RIGHT)
    widths = [Cm(1.2), Cm(7.3), Cm(2.5), Cm(2.7), Cm(2.7)]
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _children_table(document: DocxDocument, report: Report, fields: list[FormField]) -> bool:
    """Tổng hợp đơn vị trực thuộc: the key indicators of each child unit's subtree, then the total."""
    numeric = [f.indicator for f in fields if f.indicator.is_numeric]
    indicators = [i for i in numeric if i.is_key] or numeric
    children, aggregates = dashboard_rows(report.form, report.period, report.unit, indicators)
    if not children or not indicators:
        return False
    _body_paragraph(document, _("Tổng hợp đơn vị trực thuộc"), bold=True)
    table = document.add_table(rows=1, cols=2 + len(indicators))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0].cells
    _cell(header[0], _("STT"), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _cell(header[1], _("Đơn vị"), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for cell, indicator in zip(header[2:], indicators, strict=True):
        _cell(cell, indicator.name, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    rows: list[tuple[str, Unit, bool]] = [(str(n), child, False) for n, child in enumerate(children, start=1)]
    rows.append(("", report.unit, True))
    for number, unit, total in rows:
        cells = table.add_row().cells
        _cell(cells[0], number, align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell(cells[1], _("Tổng cộng") if total else unit.name, bold=total)
        for cell, indicator in zip(cells[2:], indicators, strict=True):
            aggregate = aggregates.get((unit.pk, indicator.pk))
            shown = aggregate.value(indicator.aggregation) if aggregate else None
            _cell(cell, vn_number(shown), bold=total, align=WD_ALIGN_PARAGRAPH.RIGHT)
    return True


def _closing(document: DocxDocument, head: Letterhead) -> None:
    _line(document, "")
    table = document.add_table(rows=1, cols=2)
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Cm(7.5), Cm(9)
    if head.party:
        _line(left, _("Nơi nhận:"), size=Pt(14), underline=True, align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
        size = Pt(12)
    else:
        _line(left, _("Nơi nhận:"), size=Pt(12), bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
        size = Pt(11)
    for recipient in head.recipients:
        _line(left, recipient, size=size, align=WD_ALIGN_PARAGRAPH.LEFT)
    _line(right, head.on_behalf, size=Pt(14), bold=True, first=True)
    _line(right, head.position, size=Pt(14), bold=True)
    for _blank in range(4):
        _line(right, "")
    _line(right, head.signer, size=Pt(14), bold=True)


def build_report_docx(report: Report, *, today: dt.date | None = None) -> bytes:
    """The report as a .docx in the layout of its committee's kind, always in Vietnamese: an
    official document does not follow the reader's interface language."""
    with translation.override("vi"):
        return _build_report_docx(report, today=today)


def _build_report_docx(report: Report, *, today: dt.date | None) -> bytes:
    head = letterhead(report, today=today)
    version = report.version
    sections = list(version.sections.all())
    fields = list(FormField.objects.filter(section__version=version).select_related("indicator"))
    narratives = {n.section_id: n.text for n in Narrative.objects.filter(report=report)}
    document = Document()
    _setup(document)
    _header(document, head)
    _title(document, report, head)
    for section in sections:
        if section.kind != SectionKind.NARRATIVE:
            continue
        _body_paragraph(document, section.title, bold=True)
        for text in (narratives.get(section.pk) or "").splitlines():
            if text.strip():
                _body_paragraph(document, text.strip())
    if fields:
        _body_paragraph(document, _("Số liệu các chỉ tiêu"), bold=True)
        _values_table(document, report, fields)
    _children_table(document, report, fields)
    _closing(document, head)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def filename(report: Report, extension: str) -> str:
    period = report.period
    return f"bao-cao-{report.form.code}-{report.unit.code}-{period.year}-{period.kind}-{period.number}.{extension}"


# --- PDF -------------------------------------------------------------------------------------


class PdfUnavailable(Exception):
    """LibreOffice is missing, or it failed or timed out on this document."""


def office_binary() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(data: bytes, *, timeout: int = 60) -> bytes:
    binary = office_binary()
    if binary is None:
        raise PdfUnavailable(_("Máy chủ chưa cài LibreOffice để xuất PDF."))
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
            raise PdfUnavailable(_("Không chuyển được báo cáo sang PDF, hãy thử lại hoặc tải bản Word.")) from exc
        target = folder / "report.pdf"
        if not target.exists():
            raise PdfUnavailable(_("Không chuyển được báo cáo sang PDF, hãy thử lại hoặc tải bản Word."))
        return target.read_bytes()
