"""Demo tasks of Đà Nẵng's Ban Chỉ đạo 35 and its wards, in every status.

The tasks are fictional and concern the committee's own work (plans, conferences, training,
reports); none watches or lists members of the public. Dates are set relative to the day the demo
is loaded so that each status shows: done on time, done late, in progress within term, overdue
(one with a pending extension), a quarterly recurring report and a task split into a sub-task.
When the meetings demo has recorded a meeting of the city's committee with conclusions, its first
conclusions become tasks too. Idempotent: a task is matched by its title and assigning unit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from chidao.org.demo import DA_NANG, HAI_CHAU, HOI_AN, PROPAGANDA_DN, SAMPLE_MARK
from chidao.org.models import Person, Unit, UnitKind
from chidao.tasks import services
from chidao.tasks.models import Priority, Recurrence, Source, Task

if TYPE_CHECKING:
    from chidao.accounts.models import User

NOTE = f"Nhiệm vụ mẫu {SAMPLE_MARK}."


@dataclass
class TasksDemoSummary:
    created: int = 0
    from_conclusions: int = 0
    skipped: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if not self.created:
            return "tasks demo: nothing new"
        return f"tasks demo: {self.created} tasks ({self.from_conclusions} from meeting conclusions)"


def _agency(parent_code: str, name: str) -> Unit | None:
    return Unit.objects.filter(parent__code=parent_code, name=name, kind=UnitKind.AGENCY).first()


@transaction.atomic
def load(*, actor: User, today: dt.date | None = None) -> TasksDemoSummary:
    """Create the demo tasks (through the services, as `actor`); a second call creates nothing."""
    summary = TasksDemoSummary()
    day = today or timezone.localdate()
    da_nang = Unit.objects.filter(code=DA_NANG).first()
    hai_chau = Unit.objects.filter(code=HAI_CHAU).first()
    hoi_an = Unit.objects.filter(code=HOI_AN).first()
    propaganda = _agency(DA_NANG, PROPAGANDA_DN)
    if da_nang is None or hai_chau is None or hoi_an is None or propaganda is None:
        summary.skipped.append("the organisation demo is not loaded")
        return summary
    party_hai_chau = _agency(HAI_CHAU, "Đảng ủy phường Hải Châu")
    person = Person.objects.filter(unit=hai_chau, user__isnull=True).order_by("id").first()

    def task(title: str, **fields: Any) -> Task | None:
        assigning = fields.pop("assigning_unit", da_nang)
        if Task.objects.filter(title=title, assigning_unit=assigning).exists():
            return None
        created = services.create_task(
            actor=actor, assigning_unit=assigning, title=title, description=fields.pop("description", NOTE), **fields
        )
        summary.created += 1
        return created

    done = task(
        "Xây dựng kế hoạch tuyên truyền bảo vệ nền tảng tư tưởng của Đảng năm 2026",
        lead_unit=propaganda,
        coordinating_units=[hai_chau, hoi_an],
        source=Source.DOCUMENT,
        document_reference="12-KH/BCĐ (mẫu)",
        document_title="Kế hoạch công tác năm của Ban Chỉ đạo 35 thành phố",
        assigned_on=day - dt.timedelta(days=90),
        due_date=day - dt.timedelta(days=60),
    )
    if done is not None:
        services.record_progress(actor=actor, task=done, percent=60, text="Đã có dự thảo kế hoạch, đang lấy ý kiến.")
        services.complete_task(
            actor=actor, task=done, report="Kế hoạch đã ban hành đúng hạn.", completed_on=day - dt.timedelta(days=62)
        )
        services.evaluate_task(actor=actor, task=done, rating="good", comment="Kế hoạch đầy đủ, đúng tiến độ.")

    late = task(
        "Tổ chức hội nghị sơ kết 6 tháng công tác Ban Chỉ đạo 35 phường",
        lead_unit=hai_chau,
        lead_person=person,
        source=Source.PLAN,
        document_reference="05-KH/BCĐ (mẫu)",
        assigned_on=day - dt.timedelta(days=70),
        due_date=day - dt.timedelta(days=40),
    )
    if late is not None:
        services.complete_task(
            actor=actor,
            task=late,
            report="Đã tổ chức hội nghị; chậm do trùng lịch đại hội chi bộ.",
            completed_on=day - dt.timedelta(days=33),
        )

    report = task(
        "Báo cáo kết quả thực hiện Nghị quyết 35-NQ/TW hằng quý",
        lead_unit=hai_chau,
        lead_person=person,
        source=Source.DIRECT,
        recurrence=Recurrence.QUARTERLY,
        assigned_on=day - dt.timedelta(days=20),
        due_date=day + dt.timedelta(days=10),
    )
    if report is not None:
        services.record_progress(actor=actor, task=report, percent=40, text="Đã tổng hợp số liệu của các chi bộ.")
        services.add_comment(actor=actor, task=report, text="Đề nghị bổ sung số liệu tập huấn cộng tác viên.")

    overdue = task(
        "Tập huấn nghiệp vụ cho cộng tác viên Ban Chỉ đạo 35 phường",
        lead_unit=hoi_an,
        priority=Priority.HIGH,
        assigned_on=day - dt.timedelta(days=45),
        due_date=day - dt.timedelta(days=5),
    )
    if overdue is not None:
        services.record_progress(actor=actor, task=overdue, percent=30, text="Đã mời giảng viên, chưa chốt lịch.")
        services.request_extension(
            actor=actor,
            task=overdue,
            requested_due_date=day + dt.timedelta(days=20),
            reason="Giảng viên bận công tác đến cuối tháng.",
        )
    task(
        "Rà soát, kiện toàn Tổ giúp việc Ban Chỉ đạo 35 phường",
        lead_unit=hoi_an,
        assigned_on=day - dt.timedelta(days=30),
        due_date=day - dt.timedelta(days=2),
    )

    contest = task(
        "Triển khai cuộc thi viết về bảo vệ nền tảng tư tưởng của Đảng trên địa bàn phường",
        lead_unit=hai_chau,
        source=Source.PLAN,
        document_reference="08-KH/BCĐ (mẫu)",
        assigned_on=day - dt.timedelta(days=10),
        due_date=day + dt.timedelta(days=45),
    )
    if contest is not None and party_hai_chau is not None:
        services.create_subtask(
            actor=actor,
            parent=contest,
            title="Phát động cuộc thi trong các chi bộ",
            lead_unit=party_hai_chau,
            due_date=day + dt.timedelta(days=15),
        )
        summary.created += 1

    summary.from_conclusions = _from_meeting(actor=actor, committee_unit=da_nang, leads=[propaganda, hai_chau], day=day)
    summary.created += summary.from_conclusions
    return summary


def _from_meeting(*, actor: User, committee_unit: Unit, leads: list[Unit], day: dt.date) -> int:
    """Tasks from the first conclusions of the city committee's latest meeting, when the meetings
    demo recorded one and none of its conclusions has a task yet."""
    from chidao.meetings.models import Meeting

    meeting = (
        Meeting.objects.filter(host_committee__unit=committee_unit, conclusions__isnull=False)
        .order_by("-starts_at", "-pk")
        .distinct()
        .first()
    )
    if meeting is None or Task.objects.filter(meeting=meeting).exists():
        return 0
    conclusions = list(meeting.conclusions.order_by("number", "pk")[: len(leads)])
    rows = [
        services.ConclusionRow(
            conclusion=conclusion,
            title=conclusion.text[:1000],
            lead_unit=lead,
            due_date=max(day, timezone.localtime(meeting.starts_at).date()) + dt.timedelta(days=30 * (index + 1)),
        )
        for index, (conclusion, lead) in enumerate(zip(conclusions, leads, strict=False))
    ]
    if not rows:
        return 0
    return len(services.create_tasks_from_conclusions(actor=actor, meeting=meeting, rows=rows))
