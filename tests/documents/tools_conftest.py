"""Shared data of the document tools' tests (compose, import): a plan's body text, register rows
and an Excel builder. Not a conftest: the test modules import what they use."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl

from chidao.documents import imports

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BODY = """I. MỤC ĐÍCH, YÊU CẦU
1. Nâng cao nhận thức của cán bộ, đảng viên về bảo vệ nền tảng tư tưởng của Đảng.
II. NHIỆM VỤ
a) Các chi bộ tổ chức sinh hoạt chuyên đề.
Văn phòng theo dõi, tổng hợp, báo cáo kết quả."""
HEADER = [c.label for c in imports.COLUMNS]
ROWS = [
    [
        "Nghị quyết",
        "35-NQ/TW",
        dt.date(2018, 10, 22),
        "Bộ Chính trị",
        "Về tăng cường bảo vệ nền tảng tư tưởng của Đảng",
        "Trần Quốc Vượng",
        "Văn bản đến",
        "Toàn hệ thống",
        15,
        dt.date(2018, 10, 30),
        "",
    ],
    [
        "Kế hoạch",
        "123-KH/TU",
        "05/03/2024",
        "Thành ủy Đà Nẵng",
        "Kế hoạch thực hiện Nghị quyết 35-NQ/TW năm 2024",
        "",
        "Văn bản đến",
        "",
        16,
        "07/03/2024",
        "Triển khai đến các chi bộ",
    ],
    ["cong van", "45/UBND-VP", "2024-04-01", "UBND phường Hải Châu", "V/v báo cáo quý I", "", "đi", "Chỉ đơn vị"],
]


def workbook(rows: list[list[Any]], header: list[str] | None = None, *, from_template: bool = True) -> bytes:
    if from_template:
        book = openpyxl.load_workbook(io.BytesIO(imports.template_xlsx()))
        sheet = book[imports.SHEET]
    else:
        book = openpyxl.Workbook()
        sheet = book.worksheets[0]
        sheet.append(header or HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
