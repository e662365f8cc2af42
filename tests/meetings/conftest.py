"""Meeting fixtures on top of the shared personas.

Committees: Hải Châu's (commune A, W20242, Party), Thanh Khê's (commune B, the sibling), Đà Nẵng's
(province A, state kind for the other layout) and Quảng Ninh's (province B, P22, the other province).
A working delegation from Quảng Ninh visits Hải Châu: commune_officer (host) and outsider (visiting
side, secretariat on P22) both read it; sibling_officer does not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from chidao.meetings import services
from chidao.meetings.models import Meeting, MeetingKind
from chidao.org import services as org_services
from chidao.org.models import Committee, CommitteeKind, Person, Role
from tests.conftest import World

START = dt.datetime(2026, 3, 27, 8, 0, tzinfo=timezone.get_fixed_timezone(7 * 60))


@dataclass
class MeetingWorld:
    world: World
    host: Committee
    sibling: Committee
    province: Committee
    visitor: Committee
    chair: Person
    member: Person
    secretary: Person
    guest: Person

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


@pytest.fixture
def mw(world: World) -> MeetingWorld:
    return _meeting_world(world)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _meeting_world(world: World) -> MeetingWorld:
    officer = world.commune_officer
    host = org_services.create_committee(actor=officer, unit=world.commune_a, name="Ban Chỉ đạo 35 phường Hải Châu")
    sibling = org_services.create_committee(
        actor=world.sibling_officer, unit=world.commune_b, name="Ban Chỉ đạo 35 phường Thanh Khê"
    )
    province = org_services.create_committee(
        actor=world.province_admin,
        unit=world.province_a,
        name="Ban Chỉ đạo chuyển đổi số thành phố Đà Nẵng",
        kind=CommitteeKind.STATE,
    )
    visitor = org_services.create_committee(
        actor=world.outsider, unit=world.province_b, name="Ban Chỉ đạo 35 tỉnh Quảng Ninh"
    )
    chair = org_services.create_person(
        actor=officer, unit=world.commune_a, full_name="Nguyễn Văn An", titles="Bí thư Đảng ủy phường"
    )
    member = org_services.create_person(
        actor=officer, unit=world.commune_a, full_name="Trần Thị Bình", titles="Phó Bí thư Đảng ủy phường"
    )
    secretary = org_services.create_person(
        actor=officer, unit=world.commune_a, full_name="Lê Văn Cường", titles="Chuyên viên Văn phòng Đảng ủy"
    )
    guest = org_services.create_person(
        actor=world.outsider, unit=world.province_b, full_name="Phạm Văn Dũng", titles="Trưởng đoàn công tác"
    )
    day = dt.date(2026, 1, 1)
    org_services.appoint_member(actor=officer, committee=host, person=chair, role=Role.HEAD, start_date=day)
    org_services.appoint_member(actor=officer, committee=host, person=member, role=Role.STANDING_DEPUTY, start_date=day)
    org_services.appoint_member(actor=world.outsider, committee=visitor, person=guest, role=Role.MEMBER, start_date=day)
    return MeetingWorld(
        world=world,
        host=host,
        sibling=sibling,
        province=province,
        visitor=visitor,
        chair=chair,
        member=member,
        secretary=secretary,
        guest=guest,
    )


def make_delegation(mw: MeetingWorld, **fields: Any) -> Meeting:
    fields.setdefault("title", "Làm việc với Đoàn công tác Ban Chỉ đạo 35 tỉnh Quảng Ninh")
    fields.setdefault("starts_at", START)
    fields.setdefault("kind", MeetingKind.DELEGATION)
    fields.setdefault("visiting_committee", mw.visitor)
    fields.setdefault("chair", mw.chair)
    fields.setdefault("place", "Hội trường Đảng ủy phường Hải Châu")
    return services.create_meeting(actor=mw.commune_officer, host_committee=mw.host, **fields)


@pytest.fixture
def delegation(mw: MeetingWorld) -> Meeting:
    return make_delegation(mw)


# Real-looking notice text in the wording of the seed articles (Ban Chỉ đạo 35 conference, quý I/2024).
NOTICE_TEXT = (
    "Phát biểu kết luận hội nghị, đồng chí Trưởng Ban Chỉ đạo đề nghị thành viên Ban Chỉ đạo 35 các cấp: "
    "Một là, tiếp tục tham mưu giúp cấp ủy lãnh đạo, chỉ đạo thực hiện hiệu quả các nghị quyết, chỉ thị, kết luận "
    "của Trung ương, của tỉnh về công tác bảo vệ nền tảng tư tưởng của Đảng; "
    "hai là, tiếp tục đổi mới, nâng cao công tác giáo dục lý luận, chính trị, tư tưởng, bồi dưỡng lý tưởng cách "
    "mạng, đạo đức, lối sống cho cán bộ, đảng viên và thế hệ trẻ; "
    "ba là, tăng cường công tác bảo vệ chính trị nội bộ, các quy định về bảo mật, quy chế phát ngôn, cung cấp "
    "thông tin, tài liệu; "
    "bốn là, nêu cao tinh thần trách nhiệm của cấp ủy, tổ chức đảng, cán bộ, đảng viên trong triển khai nhiệm vụ "
    "công tác quý II năm 2026."
)
