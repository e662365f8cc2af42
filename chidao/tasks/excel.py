"""The task list as an Excel workbook (write-only, streamed from the database in chunks).

Text cells are always stored as text: a task title starting with "=" is never a formula."""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from chidao.tasks.models import Priority, Rating, Source, Status

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from chidao.tasks.models import TaskQuerySet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 100_000
FONT = "Times New Roman"
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
OVERDUE_FONT = Font(name=FONT, color="B00020")


def _columns() -> list[tuple[str, int]]:
    return [
        (_("STT"), 6),
        (_("Tên nhiệm vụ"), 60),
        (_("Nguồn giao"), 18),
        (_("Văn bản, kế hoạch"), 18),
        (_("Đơn vị giao"), 28),
        (_("Đơn vị chủ trì"), 28),
        (_("Người chủ trì"), 22),
        (_("Đơn vị phối hợp"), 36),
        (_("Ngày giao"), 12),
        (_("Hạn hoàn thành"), 12),
        (_("Hạn ban đầu"), 12),
        (_("Tiến độ (%)"), 10),
        (_("Tình trạng"), 24),
        (_("Ngày hoàn thành"), 12),
        (_("Mức độ"), 12),
        (_("Đánh giá"), 20),
    ]


def _cell(sheet: WriteOnlyWorksheet, value: Any, *, font: Font | None = None) -> Any:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if isinstance(value, dt.date):
        cell.number_format = "DD/MM/YYYY"
    cell.font = font or Font(name=FONT)
    return cell


def export_tasks(qs: TaskQuerySet, *, title: str, today: dt.date) -> tuple[bytes, int]:
    """The workbook and the number of tasks written (at most MAX_ROWS)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Nhiệm vụ"))
    columns = _columns()
    for index, (_name, width) in enumerate(columns, start=1):
        sheet.column_dimensions[chr(64 + index)].width = width
    heading = _cell(sheet, title, font=Font(name=FONT, bold=True, size=13))
    sheet.append([heading])
    sheet.append([_cell(sheet, _("Tình trạng tính đến ngày %(d)s") % {"d": f"{today:%d/%m/%Y}"})])
    sheet.append([])
    header = []
    for name, _width in columns:
        cell = _cell(sheet, name, font=Font(name=FONT, bold=True))
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header.append(cell)
    sheet.append(header)
    rows = (
        qs.with_status(today)
        .select_related("lead_unit", "lead_person", "assigning_unit")
        .prefetch_related("coordinating_units")
        .order_by("due_date", "id")
    )
    written = 0
    for task in rows[: MAX_ROWS + 1].iterator(chunk_size=2000):
        if written == MAX_ROWS:
            sheet.append([_cell(sheet, _("Chỉ xuất %(n)s nhiệm vụ đầu tiên; hãy lọc thêm.") % {"n": MAX_ROWS})])
            break
        written += 1
        status = Status(task.status)  # type: ignore[attr-defined]  # annotated by with_status
        font = OVERDUE_FONT if status == Status.OVERDUE else None
        document = " ".join(p for p in (task.document_reference, task.document_title) if p)
        values: list[Any] = [
            written,
            task.title,
            str(Source(task.source).label),
            document,
            task.assigning_unit.name,
            task.lead_unit.name,
            task.lead_person.full_name if task.lead_person else "",
            "; ".join(sorted(u.name for u in task.coordinating_units.all())),
            task.assigned_on,
            task.due_date,
            task.original_due_date,
            task.progress,
            str(status.label),
            task.completed_on,
            str(Priority(task.priority).label),
            str(Rating(task.rating).label) if task.rating else "",
        ]
        sheet.append([_cell(sheet, v, font=font) for v in values])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), written
