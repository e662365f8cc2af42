"""Demo reporting data: a quarterly report form of Đà Nẵng's Ban Chỉ đạo 35 for its communes,
with approved reports from some communes so the dashboard, completeness and drill-down show data.

The indicators count the committee's own work (meetings, training, contests, published news of
its activities). None of them counts, scores or lists members of the public or their posts.
Figures are fictional and deterministic; a second run creates nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chidao.lib import periods
from chidao.org.models import Unit, UnitKind
from chidao.reporting import services
from chidao.reporting.models import Report, ReportForm, Status

if TYPE_CHECKING:
    from chidao.accounts.models import User

FORM_CODE = "BC35-QUY"
OWNER_CODE = "P48"
INDICATORS = [
    # code, name, unit of measure, type, aggregation, key
    ("HN", "Số hội nghị quán triệt, triển khai nghị quyết", "hội nghị", "integer", "sum", True),
    ("TH-DK", "Số lượt cán bộ, đảng viên đăng ký tập huấn", "lượt người", "integer", "sum", False),
    ("TH", "Số lượt cán bộ, đảng viên được tập huấn, bồi dưỡng", "lượt người", "integer", "sum", True),
    ("SHCD", "Tỷ lệ chi bộ tổ chức sinh hoạt chuyên đề", "%", "percent", "avg", True),
    (
        "TB",
        "Số tin, bài về hoạt động của Ban Chỉ đạo đăng trên trang thông tin của đơn vị",
        "tin, bài",
        "integer",
        "sum",
        False,
    ),
    ("CT", "Số cuộc thi tìm hiểu, viết bài được tổ chức", "cuộc thi", "integer", "sum", False),
]
NARRATIVES = [
    "I. Kết quả thực hiện nhiệm vụ",
    "II. Hạn chế, nguyên nhân",
    "III. Phương hướng, nhiệm vụ kỳ tới",
]
QUARTERS = [(2026, 1), (2026, 2), (2026, 3)]
REPORTING_SHARE = 0.25  # a quarter of the communes send each quarter's report in the demo


@dataclass
class ReportingDemoSummary:
    created_form: bool = False
    approved_reports: int = 0

    def __str__(self) -> str:
        if not self.created_form:
            return "reporting demo: nothing new"
        return f"reporting demo: 1 form, {self.approved_reports} approved reports"


def load_reporting_demo(*, actor: User) -> ReportingDemoSummary:
    summary = ReportingDemoSummary()
    owner = Unit.objects.filter(code=OWNER_CODE).first()
    if owner is None or ReportForm.objects.filter(owner=owner, code=FORM_CODE).exists():
        return summary
    indicators = {
        code: services.create_indicator(
            actor=actor,
            owner=owner,
            code=code,
            name=name,
            unit_of_measure=uom,
            value_type=vtype,
            aggregation=agg,
            is_key=key,
        )
        for code, name, uom, vtype, agg, key in INDICATORS
    }
    form = services.create_form(
        actor=actor,
        owner=owner,
        code=FORM_CODE,
        name="Báo cáo kết quả thực hiện Nghị quyết 35-NQ/TW hằng quý",
        periodicity=periods.Kind.QUARTER,
        calendar=periods.Calendar.ND09,
        due_days=5,
    )
    section = services.add_section(actor=actor, form=form, title="Các chỉ tiêu chủ yếu")
    for code, indicator in indicators.items():
        services.add_field(actor=actor, section=section, indicator=indicator, required=code != "CT")
    for title in NARRATIVES:
        services.add_section(actor=actor, form=form, title=title, kind="narrative")
    services.add_rule(
        actor=actor,
        form=form,
        left=indicators["TH"],
        operator="<=",
        right=indicators["TH-DK"],
        message="Số lượt được tập huấn không được vượt số lượt đăng ký.",
    )
    services.publish_form(actor=actor, form=form, note="Ban hành lần đầu (dữ liệu mẫu)")
    services.assign_form(
        actor=actor, form=form, parent=owner, unit_kind=UnitKind.COMMUNE, valid_from=dt.date(2025, 7, 1)
    )
    summary.created_form = True

    rng = random.Random(35)  # noqa: S311  # fictional demo figures, not security
    communes = list(Unit.objects.current().filter(parent=owner, kind=UnitKind.COMMUNE).order_by("code"))
    narrative_sections = list(form.current_version().sections.filter(kind="narrative"))  # type: ignore[union-attr]
    for year, quarter in QUARTERS:
        period = services.ensure_period(periods.Kind.QUARTER, year, quarter, periods.Calendar.ND09)
        for unit in rng.sample(communes, max(1, int(len(communes) * REPORTING_SHARE))):
            report = services.open_report(actor=actor, form=form, unit=unit, period=period)
            registered = rng.randint(40, 300)
            values = {
                indicators["HN"].pk: rng.randint(1, 6),
                indicators["TH-DK"].pk: registered,
                indicators["TH"].pk: rng.randint(registered // 2, registered),
                indicators["SHCD"].pk: rng.randint(60, 100),
                indicators["TB"].pk: rng.randint(2, 30),
                indicators["CT"].pk: rng.randint(0, 2),
            }
            narratives = {s.pk: f"{s.title} của {unit.name} (dữ liệu mẫu)." for s in narrative_sections}
            services.save_values(actor=actor, report=report, values=values, narratives=narratives)
            services.submit_report(actor=actor, report=report)
            if Report.objects.get(pk=report.pk).status == Status.SUBMITTED:
                services.approve_report(actor=actor, report=report)
                summary.approved_reports += 1
    return summary
