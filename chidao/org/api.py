"""Organisation API: the same services and scope rules as the pages."""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from chidao.org import queries, services
from chidao.org.models import Committee, CommitteeGroup, Membership, Person, Unit
from chidao.org.schemas import (
    CommitteeIn,
    CommitteeOut,
    CompositionOut,
    MembershipEndIn,
    MembershipIn,
    MembershipOut,
    PersonIn,
    PersonOut,
    UnitIn,
    UnitOut,
)
from chidao.org.scope import get_visible_or_404

router = Router(tags=["org"])

# Lists are serialised from plain rows: pydantic reads dicts several times faster than model
# instances, which matters for 50-row pages of units.
UNIT_FIELDS = list(UnitOut.model_fields)


@router.get("/units", response=list[UnitOut])
@paginate(LimitOffsetPagination)
def list_units(
    request: HttpRequest,
    parent_id: int | None = None,
    q: str = "",
    kind: str = "",
    history: bool = False,
) -> object:
    parent = get_visible_or_404(Unit.objects.all(), request.user, pk=parent_id) if parent_id else None
    return queries.units_for(request.user, parent=parent, text=q, kind=kind, include_history=history).values(
        *UNIT_FIELDS
    )


@router.get("/units/{unit_id}", response=UnitOut)
def get_unit(request: HttpRequest, unit_id: int) -> Unit:
    return get_visible_or_404(Unit.objects.all(), request.user, pk=unit_id)


@router.get("/units/{unit_id}/subtree", response=list[UnitOut])
@paginate(LimitOffsetPagination)
def unit_subtree(request: HttpRequest, unit_id: int, history: bool = False) -> object:
    unit = get_visible_or_404(Unit.objects.all(), request.user, pk=unit_id)
    return queries.subtree(request.user, unit, include_history=history).order_by("depth", "name").values(*UNIT_FIELDS)


@router.get("/units/{unit_id}/ancestors", response=list[UnitOut])
def unit_ancestors(request: HttpRequest, unit_id: int) -> list[Unit]:
    unit = get_visible_or_404(Unit.objects.all(), request.user, pk=unit_id)
    return queries.ancestors(unit, request.user)


@router.post("/units", response={201: UnitOut})
def create_unit(request: HttpRequest, payload: UnitIn) -> Status[Unit]:
    parent = get_visible_or_404(Unit.objects.all(), request.user, pk=payload.parent_id)
    unit = services.create_unit(
        actor=request.user,  # type: ignore[arg-type]  # authenticated by the API
        parent=parent,
        name=payload.name,
        agency_type=payload.agency_type,
        code=payload.code,
        note=payload.note,
    )
    return Status(201, unit)


@router.get("/committees", response=list[CommitteeOut])
@paginate(LimitOffsetPagination)
def list_committees(request: HttpRequest, unit_id: int | None = None, q: str = "") -> object:
    under = get_visible_or_404(Unit.objects.all(), request.user, pk=unit_id) if unit_id else None
    return queries.committees_for(request.user, under=under, text=q)


@router.get("/committees/{committee_id}", response=CommitteeOut)
def get_committee(request: HttpRequest, committee_id: int) -> Committee:
    return get_visible_or_404(Committee.objects.all(), request.user, pk=committee_id)


@router.post("/committees", response={201: CommitteeOut})
def create_committee(request: HttpRequest, payload: CommitteeIn) -> Status[Committee]:
    unit = get_visible_or_404(Unit.objects.all(), request.user, pk=payload.unit_id)
    agency = (
        get_visible_or_404(Unit.objects.all(), request.user, pk=payload.standing_agency_id)
        if payload.standing_agency_id
        else None
    )
    data = payload.dict(exclude={"unit_id", "standing_agency_id"})
    committee = services.create_committee(actor=request.user, unit=unit, standing_agency=agency, **data)  # type: ignore[arg-type]
    return Status(201, committee)


@router.get("/committees/{committee_id}/composition", response=CompositionOut)
def committee_composition(request: HttpRequest, committee_id: int, on: dt.date | None = None) -> dict[str, object]:
    committee = get_visible_or_404(Committee.objects.all(), request.user, pk=committee_id)
    comp = queries.composition(committee, on)
    seats = comp.leaders + comp.members + [m for _, ms in comp.groups for m in ms] + comp.others
    return {"committee_id": committee.pk, "day": comp.day, "memberships": seats}


@router.get("/committees/{committee_id}/memberships", response=list[MembershipOut])
def committee_memberships(request: HttpRequest, committee_id: int) -> object:
    committee = get_visible_or_404(Committee.objects.all(), request.user, pk=committee_id)
    return queries.committee_memberships(committee)


@router.post("/committees/{committee_id}/memberships", response={201: MembershipOut})
def appoint_member(request: HttpRequest, committee_id: int, payload: MembershipIn) -> Status[Membership]:
    committee = get_visible_or_404(Committee.objects.select_related("unit"), request.user, pk=committee_id)
    person = get_visible_or_404(Person.objects.all(), request.user, pk=payload.person_id)
    group = (
        get_visible_or_404(CommitteeGroup.objects.all(), request.user, pk=payload.group_id)
        if payload.group_id
        else None
    )
    data = payload.dict(exclude={"person_id", "group_id"})
    membership = services.appoint_member(actor=request.user, committee=committee, person=person, group=group, **data)  # type: ignore[arg-type]
    return Status(201, membership)


@router.post("/memberships/{membership_id}/end", response=MembershipOut)
def end_membership(request: HttpRequest, membership_id: int, payload: MembershipEndIn) -> Membership:
    membership = get_visible_or_404(
        Membership.objects.select_related("committee__unit", "person"),
        request.user,
        pk=membership_id,
    )
    return services.end_membership(actor=request.user, membership=membership, **payload.dict())  # type: ignore[arg-type]


@router.get("/people", response=list[PersonOut])
@paginate(LimitOffsetPagination)
def list_people(request: HttpRequest, unit_id: int | None = None, q: str = "") -> object:
    under = get_visible_or_404(Unit.objects.all(), request.user, pk=unit_id) if unit_id else None
    return queries.people_for(request.user, under=under, text=q)


@router.get("/people/{person_id}", response=PersonOut)
def get_person(request: HttpRequest, person_id: int) -> Person:
    return get_visible_or_404(Person.objects.all(), request.user, pk=person_id)


@router.post("/people", response={201: PersonOut})
def create_person(request: HttpRequest, payload: PersonIn) -> Status[Person]:
    unit = get_visible_or_404(Unit.objects.all(), request.user, pk=payload.unit_id)
    agency = get_visible_or_404(Unit.objects.all(), request.user, pk=payload.agency_id) if payload.agency_id else None
    data = payload.dict(exclude={"unit_id", "agency_id"})
    person = services.create_person(actor=request.user, unit=unit, agency=agency, **data)  # type: ignore[arg-type]
    return Status(201, person)
