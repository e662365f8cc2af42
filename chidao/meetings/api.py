"""Meetings API: the same services and scope rules as the pages.

A meeting is read by both sides of a delegation and changed only by its host's secretariat:
out of scope answers 404, the visiting side or a reader trying to change it 403.
"""

from types import SimpleNamespace
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from chidao.meetings import queries, services
from chidao.meetings.models import Meeting
from chidao.meetings.schemas import (
    AttendanceIn,
    ConclusionOut,
    ConclusionsIn,
    ConclusionsTextIn,
    InviteeOut,
    InviteIn,
    MeetingDetailOut,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    SplitOut,
)
from chidao.org.models import Committee
from chidao.org.scope import get_visible_or_404

router = Router(tags=["meetings"])


def _meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    return get_visible_or_404(
        Meeting.objects.select_related("host_committee__unit", "visiting_committee__unit", "chair"),
        request.user,
        pk=meeting_id,
    )


def _detail(meeting: Meeting) -> SimpleNamespace:
    detail = queries.meeting_detail(meeting)
    fields = {f: getattr(meeting, f) for f in MeetingOut.model_fields if not f.endswith("_name")}
    return SimpleNamespace(
        **fields,
        host_committee=meeting.host_committee,
        visiting_committee=meeting.visiting_committee,
        description=meeting.description,
        invitation_number=meeting.invitation_number,
        minutes_text=meeting.minutes_text,
        has_minutes_file=bool(meeting.minutes_file),
        notice_text=meeting.notice_text,
        agenda=detail.agenda,
        invitees=detail.invitees,
        invited_unit_ids=[u.pk for u in detail.invited_units],
        conclusions=detail.conclusions,
    )


@router.get("/", response=list[MeetingOut])
@paginate(LimitOffsetPagination)
def list_meetings(
    request: HttpRequest,
    committee_id: int | None = None,
    kind: str = "",
    year: int | None = None,
    status: str = "",
    q: str = "",
) -> object:
    return queries.meetings_for(request.user, committee_id=committee_id, kind=kind, year=year, status=status, text=q)


@router.post("/", response={201: MeetingDetailOut})
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Status[SimpleNamespace]:
    host = get_visible_or_404(Committee.objects.select_related("unit"), request.user, pk=payload.host_committee_id)
    visitor = queries.choice_or_404(queries.visiting_committee_choices(request.user), payload.visiting_committee_id)
    chair = queries.choice_or_404(queries.people_choices(request.user), payload.chair_id)
    data = payload.dict(exclude={"host_committee_id", "visiting_committee_id", "chair_id"})
    meeting = services.create_meeting(
        actor=request.user,  # type: ignore[arg-type]  # authenticated by the API
        host_committee=host,
        visiting_committee=visitor,
        chair=chair,
        **data,
    )
    return Status(201, _detail(meeting))


# Before the "/{meeting_id}" routes: Django tries URL patterns in order.
@router.post("/split-conclusions", response=SplitOut)
def split_conclusions(request: HttpRequest, payload: ConclusionsTextIn) -> dict[str, list[str]]:
    """Preview: the numbered items of a notice text, nothing saved."""
    return {"items": services.split_conclusions(payload.text)}


@router.get("/{meeting_id}", response=MeetingDetailOut)
def get_meeting(request: HttpRequest, meeting_id: int) -> SimpleNamespace:
    return _detail(_meeting(request, meeting_id))


@router.patch("/{meeting_id}", response=MeetingDetailOut)
def update_meeting(request: HttpRequest, meeting_id: int, payload: MeetingPatch) -> SimpleNamespace:
    meeting = _meeting(request, meeting_id)
    services.require_host_editor(request.user, meeting)  # type: ignore[arg-type]
    fields = payload.dict(exclude_unset=True)
    if "visiting_committee_id" in fields:
        fields["visiting_committee"] = queries.choice_or_404(
            queries.visiting_committee_choices(request.user), fields.pop("visiting_committee_id")
        )
    if "chair_id" in fields:
        fields["chair"] = queries.choice_or_404(queries.people_choices(request.user, meeting), fields.pop("chair_id"))
    for name in ("kind", "title", "starts_at", "place", "status", "description", "invitation_number"):
        if name in fields and fields[name] is None:
            fields.pop(name)
    meeting = services.update_meeting(actor=request.user, meeting=meeting, **fields)  # type: ignore[arg-type]
    return _detail(meeting)


@router.post("/{meeting_id}/invitees", response=list[InviteeOut])
def invite(request: HttpRequest, meeting_id: int, payload: InviteIn) -> list[Any]:
    meeting = _meeting(request, meeting_id)
    services.require_host_editor(request.user, meeting)  # type: ignore[arg-type]
    people = [queries.choice_or_404(queries.people_choices(request.user, meeting), pk) for pk in payload.person_ids]
    units = [queries.choice_or_404(queries.unit_choices(request.user, meeting), pk) for pk in payload.unit_ids]
    services.invite(
        actor=request.user,  # type: ignore[arg-type]
        meeting=meeting,
        people=[p for p in people if p is not None],
        units=[u for u in units if u is not None],
    )
    return queries.meeting_detail(meeting).invitees


@router.get("/{meeting_id}/attendance", response=list[InviteeOut])
def get_attendance(request: HttpRequest, meeting_id: int) -> list[Any]:
    return queries.meeting_detail(_meeting(request, meeting_id)).invitees


@router.put("/{meeting_id}/attendance", response=list[InviteeOut])
def record_attendance(request: HttpRequest, meeting_id: int, payload: list[AttendanceIn]) -> list[Any]:
    meeting = _meeting(request, meeting_id)
    services.require_host_editor(request.user, meeting)  # type: ignore[arg-type]
    people = queries.people_choices(request.user, meeting)
    rows = [
        services.AttendanceRow(
            person_id=row.person_id,
            attendance=row.attendance,
            absence_reason=row.absence_reason,
            delegate=queries.choice_or_404(people, row.delegate_id),
            delegate_name=row.delegate_name,
        )
        for row in payload
    ]
    services.record_attendance(actor=request.user, meeting=meeting, rows=rows)  # type: ignore[arg-type]
    return queries.meeting_detail(meeting).invitees


@router.get("/{meeting_id}/conclusions", response=list[ConclusionOut])
def list_conclusions(request: HttpRequest, meeting_id: int) -> list[Any]:
    return queries.meeting_detail(_meeting(request, meeting_id)).conclusions


@router.put("/{meeting_id}/conclusions", response=list[ConclusionOut])
def replace_conclusions(request: HttpRequest, meeting_id: int, payload: ConclusionsIn) -> list[Any]:
    meeting = _meeting(request, meeting_id)
    return services.save_conclusions(
        actor=request.user,  # type: ignore[arg-type]
        meeting=meeting,
        items=payload.items,
        notice_number=payload.notice_number,
        notice_date=payload.notice_date,
    )


@router.post("/{meeting_id}/conclusions/from-text", response=list[ConclusionOut])
def conclusions_from_text(request: HttpRequest, meeting_id: int, payload: ConclusionsTextIn) -> list[Any]:
    """Replace the conclusions with the numbered items found in the pasted notice text."""
    meeting = _meeting(request, meeting_id)
    return services.record_conclusions_from_text(
        actor=request.user,  # type: ignore[arg-type]
        meeting=meeting,
        text=payload.text,
        notice_number=payload.notice_number,
        notice_date=payload.notice_date,
    )
