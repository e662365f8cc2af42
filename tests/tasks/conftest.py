"""Task fixtures on top of the shared personas.

The province (P48 Đà Nẵng, administered by province_admin) assigns tasks to commune A (W20242
Phường Hải Châu, whose secretariat is commune_officer). Commune A has an agency (its party
committee) for sub-tasks, and a person whose account `lead_user` holds no role at all: the lead
person of a task acts on it through that link alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from chidao.accounts.models import User
from chidao.meetings.models import Conclusion, Meeting
from chidao.org import services as org_services
from chidao.org.models import Committee, Person, Unit
from chidao.tasks import services
from chidao.tasks.models import Task
from tests.conftest import World, make_user

TODAY = dt.date(2026, 3, 10)


@dataclass
class TaskWorld:
    world: World
    agency_a: Unit
    person_a: Person
    lead_user: User
    committee: Committee

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


@pytest.fixture
def tw(world: World) -> TaskWorld:
    return _task_world(world)


def _task_world(world: World) -> TaskWorld:
    officer = world.commune_officer
    agency = org_services.create_unit(
        actor=officer, parent=world.commune_a, name="Đảng ủy phường Hải Châu", agency_type="party_committee"
    )
    lead_user = make_user("lead_person", email="lead@example.vn")
    person = org_services.create_person(actor=officer, unit=world.commune_a, full_name="Trần Thị Chủ Trì")
    Person.objects.filter(pk=person.pk).update(user=lead_user)
    person.refresh_from_db()
    committee = org_services.create_committee(
        actor=world.province_admin, unit=world.province_a, name="Ban Chỉ đạo 35 thành phố Đà Nẵng"
    )
    User.objects.filter(pk=world.commune_officer.pk).update(email="haichau@example.vn")
    User.objects.filter(pk=world.province_admin.pk).update(email="danang@example.vn")
    for name in ("commune_officer", "province_admin"):
        getattr(world, name).refresh_from_db()
    return TaskWorld(world=world, agency_a=agency, person_a=person, lead_user=lead_user, committee=committee)


def make_task(tw: TaskWorld, **fields: Any) -> Task:
    """A task from the province to commune A, due in 30 days unless told otherwise."""
    fields.setdefault("title", "Tổ chức hội nghị quán triệt Nghị quyết")
    fields.setdefault("lead_unit", tw.commune_a)
    fields.setdefault("due_date", timezone.localdate() + dt.timedelta(days=30))
    actor = fields.pop("actor", tw.province_admin)
    assigning_unit = fields.pop("assigning_unit", tw.province_a)
    return services.create_task(actor=actor, assigning_unit=assigning_unit, **fields)


def make_meeting(tw: TaskWorld, conclusions: list[str], **fields: Any) -> Meeting:
    """A quarterly meeting of the province committee with numbered conclusions (no meeting service
    is needed by these tests: the meetings app tests its own)."""
    meeting = Meeting.objects.create(
        title=fields.pop("title", "Hội nghị đánh giá kết quả quý I, triển khai nhiệm vụ quý II"),
        host_committee=fields.pop("host_committee", tw.committee),
        starts_at=fields.pop("starts_at", timezone.now() - dt.timedelta(days=1)),
        kind="quarterly_review",
        **fields,
    )
    for number, text in enumerate(conclusions, start=1):
        Conclusion.objects.create(meeting=meeting, number=number, text=text)
    return meeting
