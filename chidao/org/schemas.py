"""API shapes for the organisation."""

import datetime as dt

from ninja import Schema


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    agency_type: str
    division_type: str
    official_code: int | None
    parent_id: int | None
    depth: int
    valid_from: dt.date | None
    valid_until: dt.date | None
    successor_id: int | None


class UnitIn(Schema):
    parent_id: int
    name: str
    agency_type: str
    code: str = ""
    note: str = ""


class CommitteeOut(Schema):
    id: int
    unit_id: int
    name: str
    short_name: str
    kind: str
    founding_decision: str
    founded_on: dt.date | None
    standing_agency_id: int | None
    dissolved_on: dt.date | None


class CommitteeIn(Schema):
    unit_id: int
    name: str
    short_name: str = ""
    kind: str = "party"
    founding_decision: str = ""
    founded_on: dt.date | None = None
    standing_agency_id: int | None = None
    description: str = ""


class PersonOut(Schema):
    id: int
    unit_id: int
    full_name: str
    titles: str
    agency_id: int | None
    email: str
    phone: str


class PersonIn(Schema):
    unit_id: int
    full_name: str
    titles: str = ""
    agency_id: int | None = None
    email: str = ""
    phone: str = ""
    note: str = ""


class MembershipOut(Schema):
    id: int
    committee_id: int
    person_id: int
    person_name: str
    role: str
    role_label: str
    group_id: int | None
    position: str
    start_date: dt.date
    end_date: dt.date | None
    decision: str
    end_decision: str

    @staticmethod
    def resolve_person_name(obj: object) -> str:
        return str(obj.person.full_name)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_role_label(obj: object) -> str:
        return str(obj.get_role_display())  # type: ignore[attr-defined]


class MembershipIn(Schema):
    person_id: int
    role: str
    start_date: dt.date
    end_date: dt.date | None = None
    group_id: int | None = None
    position: str = ""
    decision: str = ""
    note: str = ""


class MembershipEndIn(Schema):
    end_date: dt.date
    end_decision: str = ""


class CompositionOut(Schema):
    committee_id: int
    day: dt.date
    memberships: list[MembershipOut]
