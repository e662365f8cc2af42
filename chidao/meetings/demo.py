"""Demo meetings drawn from the seed articles, on top of `chidao.org.demo`.

- a quarterly review of today's Ban Chỉ đạo 35 thành phố Đà Nẵng (quý I/2026), worded after the
  Sơn La conference of 22/3/2024 (seed 003): the meeting, its people and figures are fictional and
  marked SAMPLE_MARK, since the articles publish no composition of the merged city's committee;
- the working delegation of Ban Chỉ đạo 35 tỉnh Thanh Hóa to Quảng Nam (seed 002, "24/8", year
  unverified, see org.demo.QUANG_NAM_YEAR), with the officials the article names, in the roles it
  gives them; its two conclusions summarise what the article reports, no notice was published;
- the working delegation of Ban Chỉ đạo 35 TP Đà Nẵng to Quảng Ninh on 02/11/2022 (seed 000):
  the article names the head of the delegation only and reports no conclusions, so none are made up.

Both delegations belong to pre-2025 units whose successors are today's Đà Nẵng and Quảng Ninh, so
each side's users read them. Every write goes through the services with `actor=`; a meeting is
matched by host committee and title, a person by name and unit: a second run creates nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction

from chidao.meetings import services
from chidao.meetings.models import Attendance, Meeting, MeetingKind, MeetingStatus
from chidao.org import services as org_services
from chidao.org.demo import (
    DA_NANG,
    FICTIONAL,
    HAI_CHAU,
    HOI_AN,
    OLD_DA_NANG,
    OLD_QUANG_NAM,
    OLD_QUANG_NINH,
    OLD_THANH_HOA,
    QUANG_NAM_DAY,
    QUANG_NAM_YEAR,
    SAMPLE_MARK,
    SRC_DA_NANG,
    SRC_QUANG_NAM,
    SRC_SON_LA,
)
from chidao.org.models import Committee, Person, Unit

if TYPE_CHECKING:
    from chidao.accounts.models import User

VN = dt.timezone(dt.timedelta(hours=7))

DN_COMMITTEE = (DA_NANG, "Ban Chỉ đạo 35 thành phố Đà Nẵng")
QUARTERLY_TITLE = (
    "Hội nghị Ban Chỉ đạo 35 thành phố đánh giá kết quả công tác quý I, triển khai nhiệm vụ công tác quý II năm 2026"
)
# Fictional city officials of the sample meeting: (name, titles).
DN_PEOPLE = (
    ("Trần Văn Q", "Phó Bí thư Thành ủy, Trưởng Ban Chỉ đạo 35 thành phố"),
    ("Lê Thị R", "Trưởng Ban Tuyên giáo và Dân vận Thành ủy, Phó Trưởng ban Thường trực"),
    ("Phan Văn S", "Giám đốc Sở Văn hóa và Thể thao"),
    ("Đỗ Thị U", "Chuyên viên Ban Tuyên giáo và Dân vận Thành ủy, Tổ thư ký"),
)
QUARTERLY_NOTICE = (
    "Phát biểu kết luận hội nghị, đồng chí Trưởng Ban Chỉ đạo đề nghị thành viên Ban Chỉ đạo 35 các cấp:\n"
    "Một là, tiếp tục tham mưu giúp cấp ủy lãnh đạo, chỉ đạo thực hiện hiệu quả các nghị quyết, chỉ thị, kết luận "
    "của Trung ương, của thành phố về công tác bảo vệ nền tảng tư tưởng của Đảng trong năm 2026; "
    "hai là, tiếp tục đổi mới, nâng cao công tác giáo dục lý luận, chính trị, tư tưởng, bồi dưỡng lý tưởng cách "
    "mạng, đạo đức, lối sống cho cán bộ, đảng viên và thế hệ trẻ; "
    "ba là, tăng cường công tác bảo vệ chính trị nội bộ, thực hiện nghiêm các quy định về bảo mật, quy chế phát "
    "ngôn và cung cấp thông tin, tài liệu; "
    "bốn là, các phường, xã hoàn thành kiện toàn Ban Chỉ đạo, Tổ giúp việc và gửi báo cáo kết quả quý II về cơ "
    "quan thường trực trước ngày 15/6/2026."
)

QN_DELEGATION_TITLE = (
    "Làm việc với Đoàn công tác Ban Chỉ đạo 35 tỉnh Thanh Hóa, trao đổi kinh nghiệm thực hiện Nghị quyết 35-NQ/TW"
)
QN_CONCLUSIONS = [
    "Công tác bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch là nhiệm vụ "
    "quan trọng, cấp bách của cả hệ thống chính trị.",
    "Hai địa phương học hỏi, trao đổi kinh nghiệm, cách làm hay trong công tác tổ chức, hoạt động của Ban Chỉ đạo "
    "35; cùng vận dụng và triển khai hiệu quả ở địa phương trong thời gian đến.",
]
DN_DELEGATION_TITLE = "Đoàn công tác Ban Chỉ đạo 35 TP Đà Nẵng trao đổi kinh nghiệm tại Quảng Ninh"


@dataclass
class MeetingsDemoSummary:
    created: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if not self.created:
            return "meetings demo: nothing new"
        return f"meetings demo: {len(self.created)} meetings created"


@transaction.atomic
def load(*, actor: User) -> MeetingsDemoSummary:
    """Create the demo meetings that are missing; committees missing from the org demo are skipped."""
    summary = MeetingsDemoSummary()
    for build in (_quarterly_review, _thanh_hoa_delegation, _da_nang_delegation):
        meeting = build(actor)
        if meeting is not None:
            summary.created.append(meeting.title)
    return summary


def _committee(unit_code: str, name: str) -> Committee | None:
    return Committee.objects.filter(unit__code=unit_code, name=name).select_related("unit").first()


def _committee_starting(unit_code: str, prefix: str) -> Committee | None:
    return Committee.objects.filter(unit__code=unit_code, name__startswith=prefix).select_related("unit").first()


def _exists(host: Committee, title: str) -> bool:
    return Meeting.objects.filter(host_committee=host, title=title).exists()


def _person(actor: User, unit: Unit, name: str, titles: str, note: str = FICTIONAL) -> Person:
    person = Person.objects.filter(unit=unit, full_name=name).first()
    if person is None:
        person = org_services.create_person(actor=actor, unit=unit, full_name=name, titles=titles, note=note)
    return person


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN)


def _quarterly_review(actor: User) -> Meeting | None:
    host = _committee(*DN_COMMITTEE)
    if host is None or _exists(host, QUARTERLY_TITLE):
        return None
    unit = host.unit
    chair, deputy, member, secretary = (
        _person(actor, unit, f"{name} {SAMPLE_MARK}", titles) for name, titles in DN_PEOPLE
    )
    day = dt.date(2026, 3, 24)
    meeting = services.create_meeting(
        actor=actor,
        host_committee=host,
        title=QUARTERLY_TITLE,
        kind=MeetingKind.QUARTERLY_REVIEW,
        starts_at=_at(day, 8),
        ends_at=_at(day, 11, 30),
        place=f"Hội trường Thành ủy Đà Nẵng {SAMPLE_MARK}",
        chair=chair,
        invitation_number="08",
        description=(
            "Thành phần: thành viên Ban Chỉ đạo, Tổ thư ký, nhóm chuyên gia; đại diện Ban Chỉ đạo 35 các phường, xã.\n"
            f"Cuộc họp mẫu, nội dung phỏng theo hội nghị ngày 22/3/2024. {SRC_SON_LA} {SAMPLE_MARK}"
        ),
    )
    services.add_agenda_item(
        actor=actor,
        meeting=meeting,
        title="Báo cáo kết quả công tác quý I, nhiệm vụ trọng tâm quý II năm 2026",
        presenter=deputy,
    )
    services.add_agenda_item(actor=actor, meeting=meeting, title="Ý kiến thảo luận của các thành viên Ban Chỉ đạo")
    services.add_agenda_item(
        actor=actor, meeting=meeting, title="Kết luận của đồng chí Trưởng Ban Chỉ đạo", presenter=chair
    )
    ward_head = Person.objects.filter(unit__code=HAI_CHAU, full_name=f"Nguyễn Văn A {SAMPLE_MARK}").first()
    ward_deputy = Person.objects.filter(unit__code=HAI_CHAU, full_name=f"Trần Thị B {SAMPLE_MARK}").first()
    invited = [p for p in (chair, deputy, member, secretary, ward_head) if p is not None]
    wards = list(Unit.objects.filter(code__in=[HAI_CHAU, HOI_AN]))
    services.invite(actor=actor, meeting=meeting, people=invited, units=wards)
    rows = [
        services.AttendanceRow(person_id=chair.pk, attendance=Attendance.PRESENT),
        services.AttendanceRow(person_id=deputy.pk, attendance=Attendance.PRESENT),
        services.AttendanceRow(person_id=secretary.pk, attendance=Attendance.PRESENT),
        services.AttendanceRow(
            person_id=member.pk, attendance=Attendance.ABSENT, absence_reason="Đi công tác tại Hà Nội"
        ),
    ]
    if ward_head is not None:
        rows.append(
            services.AttendanceRow(
                person_id=ward_head.pk,
                attendance=Attendance.DELEGATED,
                delegate=ward_deputy,
                delegate_name="" if ward_deputy else f"Phó Bí thư Đảng ủy phường Hải Châu {SAMPLE_MARK}",
            )
        )
    services.record_attendance(actor=actor, meeting=meeting, rows=rows)
    services.save_minutes(
        actor=actor,
        meeting=meeting,
        text=(
            "Hội nghị nghe cơ quan thường trực báo cáo kết quả công tác quý I, nhiệm vụ trọng tâm quý II năm 2026; "
            "các thành viên Ban Chỉ đạo thảo luận, thống nhất các nội dung; đồng chí Trưởng Ban Chỉ đạo kết luận. "
            f"{SAMPLE_MARK}"
        ),
    )
    services.record_conclusions_from_text(
        actor=actor, meeting=meeting, text=QUARTERLY_NOTICE, notice_number="12-TB/BCĐ", notice_date=dt.date(2026, 3, 26)
    )
    return services.update_meeting(actor=actor, meeting=meeting, status=MeetingStatus.HELD)


def _thanh_hoa_delegation(actor: User) -> Meeting | None:
    host = _committee(OLD_QUANG_NAM, "Ban Chỉ đạo 35 tỉnh Quảng Nam")
    visitor = _committee(OLD_THANH_HOA, "Ban Chỉ đạo 35 tỉnh Thanh Hóa")
    if host is None or visitor is None or _exists(host, QN_DELEGATION_TITLE):
        return None
    chair = Person.objects.filter(full_name="Nguyễn Thị Thu Lan", memberships__committee=host).first()
    speaker = Person.objects.filter(full_name="Nguyễn Hữu Sáng", unit=host.unit).first()
    guest = Person.objects.filter(full_name="Phạm Văn Tuấn", memberships__committee=visitor).first()
    meeting = services.create_meeting(
        actor=actor,
        host_committee=host,
        visiting_committee=visitor,
        title=QN_DELEGATION_TITLE,
        kind=MeetingKind.DELEGATION,
        starts_at=_at(QUANG_NAM_DAY, 8),
        place="Tỉnh Quảng Nam",
        chair=chair,
        description=f"{SRC_QUANG_NAM}\n{QUANG_NAM_YEAR} Giờ bắt đầu ghi 8 giờ vì bài chỉ nói “sáng nay”.",
    )
    services.add_agenda_item(
        actor=actor,
        meeting=meeting,
        title="Phát biểu của đồng chí chủ trì về công tác bảo vệ nền tảng tư tưởng của Đảng tại Quảng Nam",
        presenter=chair,
    )
    services.add_agenda_item(
        actor=actor,
        meeting=meeting,
        title=(
            "Chia sẻ kinh nghiệm hoạt động của Ban Chỉ đạo 35 tỉnh; mối quan hệ giữa các thành viên; hoạt động của "
            "nhóm chuyên gia, cộng tác viên; phối hợp với Ban Chỉ đạo 35 cấp huyện"
        ),
        presenter=speaker,
        presenter_text="" if speaker else "Ban Tuyên giáo Tỉnh ủy Quảng Nam",
    )
    services.add_agenda_item(
        actor=actor,
        meeting=meeting,
        title="Đề nghị trao đổi của Đoàn công tác Ban Chỉ đạo 35 tỉnh Thanh Hóa",
        presenter=guest,
        presenter_text="" if guest else "Đoàn công tác tỉnh Thanh Hóa",
    )
    present = [p for p in (chair, speaker, guest) if p is not None]
    services.invite(actor=actor, meeting=meeting, people=present)
    services.record_attendance(
        actor=actor,
        meeting=meeting,
        rows=[services.AttendanceRow(person_id=p.pk, attendance=Attendance.PRESENT) for p in present],
    )
    services.save_minutes(
        actor=actor,
        meeting=meeting,
        text="Không có biên bản công bố; nội dung ghi theo bài báo nguồn.",
    )
    services.save_conclusions(actor=actor, meeting=meeting, items=QN_CONCLUSIONS)
    return services.update_meeting(actor=actor, meeting=meeting, status=MeetingStatus.HELD)


def _da_nang_delegation(actor: User) -> Meeting | None:
    host = _committee(OLD_QUANG_NINH, "Ban Chỉ đạo 35 tỉnh Quảng Ninh")
    visitor = _committee_starting(OLD_DA_NANG, "Ban Chỉ đạo Bảo vệ nền tảng tư tưởng của Đảng")
    if host is None or visitor is None or _exists(host, DN_DELEGATION_TITLE):
        return None
    head = Person.objects.filter(full_name="Đoàn Ngọc Hùng Anh", memberships__committee=visitor).first()
    meeting = services.create_meeting(
        actor=actor,
        host_committee=host,
        visiting_committee=visitor,
        title=DN_DELEGATION_TITLE,
        kind=MeetingKind.DELEGATION,
        starts_at=dt.datetime(2022, 11, 2, 8, 0, tzinfo=VN),
        place="Tỉnh Quảng Ninh",
        description=(
            f"{SRC_DA_NANG}\nTrưởng đoàn: đồng chí Đoàn Ngọc Hùng Anh, Trưởng Ban Tuyên giáo Thành ủy Đà Nẵng. "
            "Bài không nêu người chủ trì phía Quảng Ninh và không nêu kết luận. Giờ bắt đầu ghi 8 giờ vì bài chỉ nói "
            "“sáng 2/11”."
        ),
    )
    services.add_agenda_item(
        actor=actor,
        meeting=meeting,
        title="Ban Chỉ đạo 35 tỉnh Quảng Ninh thông tin kết quả lãnh đạo, chỉ đạo thời gian qua",
        presenter_text="Ban Chỉ đạo 35 tỉnh Quảng Ninh",
    )
    services.add_agenda_item(
        actor=actor,
        meeting=meeting,
        title=(
            "Thảo luận: xây dựng lực lượng, tuyên truyền có chiều sâu; phối hợp chặt chẽ giữa các lực lượng; "
            "quản lý báo chí"
        ),
        presenter_text="Thành viên Ban Chỉ đạo 35 hai địa phương",
    )
    services.add_agenda_item(
        actor=actor, meeting=meeting, title="Phát biểu của Trưởng đoàn công tác TP Đà Nẵng", presenter=head
    )
    if head is not None:
        services.invite(actor=actor, meeting=meeting, people=[head])
        services.record_attendance(
            actor=actor,
            meeting=meeting,
            rows=[services.AttendanceRow(person_id=head.pk, attendance=Attendance.PRESENT)],
        )
    return services.update_meeting(actor=actor, meeting=meeting, status=MeetingStatus.HELD)
