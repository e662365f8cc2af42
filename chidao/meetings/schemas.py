"""API shapes for meetings."""

import datetime as dt

from ninja import Schema
from pydantic import Field


class MeetingOut(Schema):
    id: int
    kind: str
    title: str
    host_committee_id: int
    host_committee_name: str
    visiting_committee_id: int | None
    visiting_committee_name: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    place: str
    chair_id: int | None
    status: str
    notice_number: str
    notice_date: dt.date | None

    @staticmethod
    def resolve_host_committee_name(obj: object) -> str:
        return str(obj.host_committee.name)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_visiting_committee_name(obj: object) -> str | None:
        committee = obj.visiting_committee  # type: ignore[attr-defined]
        return str(committee.name) if committee is not None else None


class AgendaDocumentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj: object) -> str:
        from django.urls import reverse

        return reverse("meetings:document_download", args=[obj.pk])  # type: ignore[attr-defined]


class AgendaItemOut(Schema):
    id: int
    order: int
    title: str
    presenter_id: int | None
    presenter_text: str
    documents: list[AgendaDocumentOut]

    @staticmethod
    def resolve_documents(obj: object) -> list[object]:
        return list(obj.documents.all())  # type: ignore[attr-defined]


class InviteeOut(Schema):
    id: int
    person_id: int
    person_name: str
    attendance: str
    absence_reason: str
    delegate_id: int | None
    delegate_name: str

    @staticmethod
    def resolve_person_name(obj: object) -> str:
        return str(obj.person.full_name)  # type: ignore[attr-defined]


class ConclusionOut(Schema):
    id: int
    number: int
    text: str


class MeetingDetailOut(MeetingOut):
    description: str
    invitation_number: str
    minutes_text: str
    has_minutes_file: bool
    notice_text: str
    agenda: list[AgendaItemOut]
    invitees: list[InviteeOut]
    invited_unit_ids: list[int]
    conclusions: list[ConclusionOut]


class MeetingIn(Schema):
    host_committee_id: int
    title: str = Field(max_length=500)
    starts_at: dt.datetime
    kind: str = "regular"
    visiting_committee_id: int | None = None
    ends_at: dt.datetime | None = None
    place: str = ""
    chair_id: int | None = None
    description: str = ""
    invitation_number: str = ""


class MeetingPatch(Schema):
    """Only the fields sent are changed; the host committee never changes."""

    kind: str | None = None
    title: str | None = Field(default=None, max_length=500)
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    place: str | None = None
    chair_id: int | None = None
    visiting_committee_id: int | None = None
    status: str | None = None
    description: str | None = None
    invitation_number: str | None = None


class InviteIn(Schema):
    person_ids: list[int] = []
    unit_ids: list[int] = []


class AttendanceIn(Schema):
    person_id: int
    attendance: str
    absence_reason: str = ""
    delegate_id: int | None = None
    delegate_name: str = ""


class ConclusionsTextIn(Schema):
    """The pasted notice: split into numbered conclusions on the server."""

    text: str
    notice_number: str | None = None
    notice_date: dt.date | None = None


class ConclusionsIn(Schema):
    """The conclusions as a list, numbered in order."""

    items: list[str]
    notice_number: str | None = None
    notice_date: dt.date | None = None


class SplitOut(Schema):
    items: list[str]
