"""The iCalendar feed: RFC 5545 shape (CRLF, folding at 75 octets, escaping, UIDs, dates) and scope."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from chidao.meetings import services as meeting_services
from chidao.schedule import ics, services
from tests.schedule.conftest import at
from tests.tasks.conftest import make_task


def fetch(client, user) -> str:
    _feed, secret = services.create_feed(actor=user)
    response = client.get(reverse("schedule:ics", args=[secret]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content.decode("utf-8")


def unfold(text: str) -> list[str]:
    """The content lines: physical lines joined where a continuation starts with a space."""
    assert text.endswith("\r\n")
    physical = text[: -len("\r\n")].split("\r\n")
    lines: list[str] = []
    for line in physical:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def events(text: str) -> dict[str, dict[str, str]]:
    """UID -> {property name with parameters: value} for each VEVENT."""
    found: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in unfold(text):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            found[current["UID"]] = current
            current = None
        elif current is not None:
            name, _sep, value = line.partition(":")
            current[name] = value
    return found


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\":
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def test_folding_keeps_lines_within_75_octets_and_never_splits_a_character():
    line = "SUMMARY:" + "Hội nghị sơ kết công tác bảo vệ nền tảng tư tưởng của Đảng " * 4
    folded = ics.fold(line)
    physical = folded.split("\r\n")
    assert len(physical) > 3
    assert all(len(p.encode()) <= 75 for p in physical)
    assert all(p.startswith(" ") for p in physical[1:])
    assert "".join([physical[0], *(p[1:] for p in physical[1:])]) == line
    assert ics.fold("VERSION:2.0") == "VERSION:2.0"


def test_text_escaping():
    assert ics.escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


def test_feed_is_a_wellformed_calendar_of_the_users_meetings_and_deadlines(cw, client):
    text = fetch(client, cw.commune_officer)
    assert "\n" not in text.replace("\r\n", "")  # CRLF only
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT")
    found = events(text)
    meeting = found[f"meeting-{cw.meeting_a.pk}@chidao"]
    starts = cw.meeting_a.starts_at.astimezone(dt.UTC)
    assert meeting["DTSTART"] == starts.strftime("%Y%m%dT%H%M%SZ")
    assert meeting["DTEND"] == cw.meeting_a.ends_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert meeting["DTSTAMP"].endswith("Z")
    assert unescape(meeting["SUMMARY"]) == cw.meeting_a.title
    assert unescape(meeting["LOCATION"]) == cw.meeting_a.place
    assert meeting["URL"] == f"http://testserver{cw.meeting_a.get_absolute_url()}"
    task = found[f"task-{cw.task_a.pk}@chidao"]
    assert task["DTSTART;VALUE=DATE"] == f"{cw.task_a.due_date:%Y%m%d}"
    assert task["DTEND;VALUE=DATE"] == f"{cw.task_a.due_date + dt.timedelta(days=1):%Y%m%d}"
    assert unescape(task["SUMMARY"]) == f"Hạn: {cw.task_a.title}"
    assert unescape(found[f"task-{cw.task_overdue.pk}@chidao"]["SUMMARY"]).startswith("Quá hạn: ")
    assert f"task-{cw.task_coordinated.pk}@chidao" in found  # coordinated by commune A
    assert f"meeting-{cw.delegation.pk}@chidao" in found
    assert f"meeting-{cw.meeting_b.pk}@chidao" not in found
    assert f"task-{cw.task_b.pk}@chidao" not in found


def test_text_with_commas_semicolons_backslashes_and_newlines_survives(cw, client):
    title = "Họp; kiểm điểm, đánh giá \\ quý IV"
    meeting = meeting_services.create_meeting(
        actor=cw.commune_officer,
        host_committee=cw.mw.host,
        title=title,
        starts_at=at(cw.today + dt.timedelta(days=7), 8),
        place="Phòng họp số 2, tầng 3; nhà A",
        description="Thành phần: Thường trực Đảng ủy\nCác đồng chí ủy viên Ban Chỉ đạo",
    )
    text = fetch(client, cw.commune_officer)
    event = events(text)[f"meeting-{meeting.pk}@chidao"]
    assert event["SUMMARY"] == "Họp\\; kiểm điểm\\, đánh giá \\\\ quý IV"
    assert unescape(event["SUMMARY"]) == title
    assert unescape(event["LOCATION"]) == "Phòng họp số 2, tầng 3; nhà A"
    assert "Thường trực Đảng ủy\nCác đồng chí" in unescape(event["DESCRIPTION"])
    assert "\\n" in event["DESCRIPTION"]


def test_uids_are_stable_between_fetches_and_a_cancelled_meeting_says_so(cw, client):
    _feed, secret = services.create_feed(actor=cw.commune_officer)
    url = reverse("schedule:ics", args=[secret])
    first = events(client.get(url).content.decode())
    meeting_services.update_meeting(actor=cw.commune_officer, meeting=cw.meeting_a, status="cancelled")
    second = events(client.get(url).content.decode())
    assert set(first) == set(second)
    assert second[f"meeting-{cw.meeting_a.pk}@chidao"]["STATUS"] == "CANCELLED"
    assert first[f"meeting-{cw.meeting_a.pk}@chidao"]["STATUS"] == "CONFIRMED"


def test_a_delegation_is_in_both_sides_feeds_and_nobody_elses(cw, client):
    uid = f"meeting-{cw.delegation.pk}@chidao"
    assert uid in events(fetch(client, cw.outsider))
    assert uid in events(fetch(client, cw.commune_officer))
    assert uid not in events(fetch(client, cw.sibling_officer))


def test_the_lead_person_gets_their_task_without_any_role(cw, client):
    task = make_task(
        cw.tw, title="Việc giao đích danh", lead_person=cw.tw.person_a, due_date=cw.today + dt.timedelta(days=9)
    )
    found = events(fetch(client, cw.tw.lead_user))
    assert set(found) == {f"task-{task.pk}@chidao"}


def test_the_feed_covers_90_days_back_and_365_ahead(cw, client):
    def meeting(days: int) -> str:
        m = meeting_services.create_meeting(
            actor=cw.commune_officer,
            host_committee=cw.mw.host,
            title=f"Họp ngày {days}",
            starts_at=at(cw.today + dt.timedelta(days=days), 8),
        )
        return f"meeting-{m.pk}@chidao"

    inside = [meeting(-89), meeting(364)]
    outside = [meeting(-120), meeting(400)]
    found = events(fetch(client, cw.commune_officer))
    assert all(uid in found for uid in inside)
    assert not any(uid in found for uid in outside)
