"""The report as an official Word document (and PDF through LibreOffice).

Two layouts, chosen by the kind of the unit's steering committee (state when it has none):
- state bodies: thể thức văn bản hành chính, Nghị định 30/2020/NĐ-CP, Phụ lục I;
- Party bodies: thể thức văn bản của Đảng, Hướng dẫn 36-HD/VPTW ngày 03/4/2018.
Both: A4, Times New Roman, header table of two columns, title, body, then "Nơi nhận" at the
bottom left and the signature block at the bottom right.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docx.table import _Cell

from chidao.documents.compose import PdfUnavailable, active_committee, docx_to_pdf, issuer_of
from chidao.lib import officedoc, periods
from chidao.lib.officedoc import DOCX_TYPE, Letterhead, office_binary, vn_date
from chidao.org.models import Committee, Membership, Role, Unit
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

__all__ = ["DOCX_TYPE", "Letterhead", "PdfUnavailable", "build_report_docx", "docx_to_pdf", "office_binary", "vn_date"]


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


def letterhead(report: Report, *, today: dt.date | None = None) -> Letterhead:
    """The unit's committee issues the report (state layout when the unit has none)."""
    unit = report.unit
    day = timezone.localtime(report.submitted_at).date() if report.submitted_at else (today or timezone.localdate())
    committee = active_committee(unit, day)
    issuer = issuer_of(unit, committee)
    number = officedoc.symbol(party=issuer.party, number="", type_code="BC", issuer_code=issuer.code)
    signer = ""
    if committee is not None:
        head = (
            Membership.objects.filter(committee=committee, role=Role.HEAD)
            .active_on(day)
            .select_related("person")
            .first()
        )
        signer = head.person.full_name if head else ""
    body = _("BAN CHỈ ĐẠO") if committee is not None else issuer.heading
    recipients = []
    parent = unit.parent
    if parent is not None:
        above = Committee.objects.filter(unit=parent).active(day).order_by("id").first()
        recipients.append(f"- {above.name if above else parent.name};")
    recipients.append(_("- Lưu Văn phòng.") if issuer.party else _("- Lưu: VT."))
    return Letterhead(
        party=issuer.party,
        superior=issuer.superior,
        issuer=issuer.heading,
        number=officedoc.number_line(party=issuer.party, text=number),
        place=issuer.place,
        day=day,
        on_behalf=officedoc.authority(party=issuer.party, mode="TM", of=body),
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


def _cell(cell: _Cell, text: str, *, bold: bool = False, align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT) -> None:
    officedoc.line(cell, text, size=Pt(13), bold=bold, align=align, first=True)


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
    figures = dashboard_rows(report.form, report.period, report.unit, indicators)
    children, aggregates = figures.children, figures.by_unit
    if not children or not indicators:
        return False
    officedoc.paragraph(document, _("Tổng hợp đơn vị trực thuộc"), bold=True)
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
    document = officedoc.new_document()
    officedoc.header(document, head)
    officedoc.title(document, head, _("BÁO CÁO"), subject(report))
    for section in sections:
        if section.kind != SectionKind.NARRATIVE:
            continue
        officedoc.paragraph(document, section.title, bold=True)
        for text in (narratives.get(section.pk) or "").splitlines():
            if text.strip():
                officedoc.paragraph(document, text.strip())
    if fields:
        officedoc.paragraph(document, _("Số liệu các chỉ tiêu"), bold=True)
        _values_table(document, report, fields)
    _children_table(document, report, fields)
    officedoc.closing(document, head)
    return officedoc.to_bytes(document)


def filename(report: Report, extension: str) -> str:
    period = report.period
    return f"bao-cao-{report.form.code}-{report.unit.code}-{period.year}-{period.kind}-{period.number}.{extension}"
