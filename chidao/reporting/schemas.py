"""API shapes for periodic reporting."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, NotRequired, TypedDict

from ninja import Schema
from pydantic import BaseModel, Field


class FieldOut(Schema):
    indicator_id: int
    code: str
    name: str
    type: str
    unit_of_measure: str
    aggregation: str
    required: bool
    min_value: Decimal | None
    max_value: Decimal | None
    section_id: int


class SectionOut(Schema):
    id: int
    title: str
    kind: str


class FormOut(Schema):
    id: int
    code: str
    name: str
    owner_id: int
    periodicity: str
    calendar: str
    version: int | None
    sections: list[SectionOut]
    fields: list[FieldOut]


class PeriodOut(Schema):
    id: int
    kind: str
    calendar: str
    year: int
    number: int
    start: dt.date
    end: dt.date
    label: str


class ReportOut(Schema):
    id: int
    form_id: int
    form_code: str
    unit_id: int
    unit_code: str
    unit_name: str
    period_id: int
    period_label: str
    revision: int
    is_current: bool
    status: str
    due_date: dt.date
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    updated_at: dt.datetime


class ValueOut(Schema):
    indicator_id: int
    code: str
    value: Decimal | None
    text: str
    comment: str
    updated_at: dt.datetime


class NarrativeOut(Schema):
    section_id: int
    title: str
    text: str


class ReportDetailOut(ReportOut):
    version: int
    returned_reason: str
    correction_reason: str
    values: list[ValueOut]
    narratives: list[NarrativeOut]


# Inputs of the bulk writes are plain pydantic models: ninja's Schema wraps every object in a
# Django-aware getter, which doubles the parse time of a 100,000-value batch.


class PeriodRef(BaseModel):
    """A period by its place in the calendar; `calendar` defaults to the form's."""

    kind: str
    year: int
    number: int = 1
    calendar: str | None = None


# A TypedDict, not a model: 100,000 values validate in a tenth of the time. `value` may be a JSON
# boolean, number, string ("1.234,5" is parsed the Vietnamese way) or null; the handler and
# services.parse_value check it.
class ValueIn(TypedDict):
    """Một giá trị chỉ tiêu."""

    indicator: Annotated[str, Field(description="Mã chỉ tiêu")]
    value: NotRequired[
        Annotated[
            Any,
            Field(
                description="Giá trị: số, chuỗi, true/false hoặc null",
                json_schema_extra={"type": ["boolean", "number", "string", "null"]},
            ),
        ]
    ]
    comment: NotRequired[str | None]


class NarrativeIn(BaseModel):
    section: int
    text: str


class ValuesIn(BaseModel):
    form: int | str = Field(description="Id hoặc mã biểu mẫu")
    period: int | PeriodRef = Field(description="Id kỳ báo cáo hoặc {kind, year, number, calendar}")
    unit: int | str = Field(description="Id hoặc mã đơn vị")
    values: list[ValueIn] = []
    narratives: list[NarrativeIn] = []


class SavedOut(Schema):
    report_id: int
    unit_id: int
    status: str
    changed: int


class BatchOut(Schema):
    reports: list[SavedOut]
    changed: int


class ImportOut(Schema):
    rows: int = Field(description="Số dòng có dữ liệu trong tệp")
    changed: int = Field(description="Số liệu được ghi (mới hoặc thay đổi)")
    unchanged: int = Field(description="Dòng trùng với số liệu đã lưu, bỏ qua")
    reports: int = Field(description="Số báo cáo được ghi")


class ReasonIn(Schema):
    reason: str


class AggregateValueOut(Schema):
    indicator_id: int
    code: str
    aggregation: str
    value: Decimal | None
    count: int
    updated_at: dt.datetime | None


class AggregateRowOut(Schema):
    unit_id: int
    unit_code: str
    unit_name: str
    is_total: bool
    values: list[AggregateValueOut]


class AggregatesOut(Schema):
    form_id: int
    period_id: int
    unit_id: int
    rows: list[AggregateRowOut]


class CumulativeValueOut(Schema):
    indicator_id: int
    code: str
    aggregation: str
    value: Decimal | None


class CumulativeOut(Schema):
    form_id: int
    unit_id: int
    kind: str = Field(description="half, nine_months, ten_months hoặc year")
    year: int
    label: str
    start: dt.date
    end: dt.date
    months: int
    months_with_data: int
    values: list[CumulativeValueOut]
