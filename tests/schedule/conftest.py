"""Calendar fixtures: the meeting and task worlds together, with entries around today.

Commune A (Hải Châu, commune_officer) hosts a meeting tomorrow and a working delegation of Quảng
Ninh's committee (province B, outsider) in three days; commune B (Thanh Khê, sibling_officer) and
the province (Đà Nẵng, province_admin) host one meeting each. The province assigns commune A a task
due in four days, one overdue since yesterday and one done, commune B a task of its own, and commune
B a task that commune A coordinates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from chidao.meetings import services as meeting_services
from chidao.meetings.models import Meeting
from chidao.tasks import services as task_services
from chidao.tasks.models import Task
from tests.conftest import World
from tests.meetings.conftest import MeetingWorld, _meeting_world, make_delegation
from tests.tasks.conftest import TaskWorld, _task_world, make_task


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of `day` in the site's time zone (Asia/Ho_Chi_Minh)."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


@dataclass
class CalendarWorld:
    mw: MeetingWorld
    tw: TaskWorld
    today: dt.date
    meeting_a: Meeting
    delegation: Meeting
    meeting_b: Meeting
    meeting_province: Meeting
    task_a: Task
    task_overdue: Task
    task_done: Task
    task_b: Task
    task_coordinated: Task

    def __getattr__(self, name: str) -> Any:
        return getattr(self.mw.world, name)


def _calendar_world(world: World) -> CalendarWorld:
    mw = _meeting_world(world)
    tw = _task_world(world)
    today = timezone.localdate()
    meeting_a = meeting_services.create_meeting(
        actor=world.commune_officer,
        host_committee=mw.host,
        title="Hội nghị đánh giá kết quả quý I phường Hải Châu",
        starts_at=at(today + dt.timedelta(days=1), 8),
        ends_at=at(today + dt.timedelta(days=1), 11, 30),
        place="Hội trường Đảng ủy phường Hải Châu",
    )
    delegation = make_delegation(mw, starts_at=at(today + dt.timedelta(days=3), 14))
    meeting_b = meeting_services.create_meeting(
        actor=world.sibling_officer,
        host_committee=mw.sibling,
        title="Họp Ban Chỉ đạo phường Thanh Khê",
        starts_at=at(today + dt.timedelta(days=1), 9),
    )
    meeting_province = meeting_services.create_meeting(
        actor=world.province_admin,
        host_committee=mw.province,
        title="Hội nghị chuyển đổi số thành phố Đà Nẵng",
        starts_at=at(today + dt.timedelta(days=2), 8),
    )
    task_a = make_task(tw, title="Báo cáo sơ kết Nghị quyết 35 phường Hải Châu", due_date=today + dt.timedelta(days=4))
    task_overdue = make_task(
        tw,
        title="Rà soát danh sách cộng tác viên dư luận xã hội",
        assigned_on=today - dt.timedelta(days=10),
        due_date=today - dt.timedelta(days=1),
    )
    task_done = make_task(
        tw,
        title="Tổ chức tọa đàm bảo vệ nền tảng tư tưởng",
        assigned_on=today - dt.timedelta(days=10),
        due_date=today,
    )
    task_services.complete_task(actor=world.commune_officer, task=task_done, report="Đã tổ chức tọa đàm.")
    task_b = make_task(
        tw, title="Báo cáo của phường Thanh Khê", lead_unit=world.commune_b, due_date=today + dt.timedelta(days=4)
    )
    task_coordinated = make_task(
        tw,
        title="Kế hoạch liên phường về an ninh mạng",
        lead_unit=world.commune_b,
        coordinating_units=[world.commune_a],
        due_date=today + dt.timedelta(days=5),
    )
    return CalendarWorld(
        mw=mw,
        tw=tw,
        today=today,
        meeting_a=meeting_a,
        delegation=delegation,
        meeting_b=meeting_b,
        meeting_province=meeting_province,
        task_a=task_a,
        task_overdue=task_overdue,
        task_done=task_done,
        task_b=task_b,
        task_coordinated=task_coordinated,
    )


@pytest.fixture
def cw(world: World) -> CalendarWorld:
    return _calendar_world(world)
