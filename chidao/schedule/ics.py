"""iCalendar text (RFC 5545) for a calendar feed: meetings as timed events in UTC, task due dates
as all-day events.

The details that calendar clients are strict about: CRLF line endings; content lines folded at 75
octets of UTF-8 (never inside a character — Vietnamese letters take two or three octets), with a
space at the start of each continuation; commas, semicolons, backslashes and line breaks escaped in
text values; a UID per meeting or task that never changes, so a refreshed feed updates events
instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _

from chidao.meetings.models import MeetingStatus
from chidao.schedule.grid import ONE_DAY
from chidao.schedule.queries import Entry

CRLF = "\r\n"
MAX_OCTETS = 75
CONTENT_TYPE = "text/calendar; charset=utf-8"
# Without an end time a meeting is shown as lasting this long.
DEFAULT_MEETING_LENGTH = dt.timedelta(hours=1)


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11)."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """One content line, folded so that no physical line passes 75 octets (§3.1)."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        octets = len(char.encode())
        if size + octets > MAX_OCTETS:
            parts.append("".join(current))
            current, size = [], 1  # the leading space of the continuation line
        current.append(char)
        size += octets
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def date_value(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def uid(entry: Entry) -> str:
    return f"{entry.kind}-{entry.pk}@chidao"


def _summary(entry: Entry) -> str:
    if entry.is_meeting:
        return _("[Hủy] %(title)s") % {"title": entry.title} if entry.cancelled else entry.title
    if entry.done:
        return _("Đã xong: %(title)s") % {"title": entry.title}
    if entry.overdue:
        return _("Quá hạn: %(title)s") % {"title": entry.title}
    return _("Hạn: %(title)s") % {"title": entry.title}


def _event(entry: Entry, *, url: str, now: dt.datetime) -> list[str]:
    lines = ["BEGIN:VEVENT", f"UID:{uid(entry)}", f"DTSTAMP:{utc(now)}"]
    if entry.starts_at is not None:
        end = entry.ends_at or entry.starts_at + DEFAULT_MEETING_LENGTH
        lines += [f"DTSTART:{utc(entry.starts_at)}", f"DTEND:{utc(end)}"]
    else:
        lines += [
            f"DTSTART;VALUE=DATE:{date_value(entry.first_day)}",
            f"DTEND;VALUE=DATE:{date_value(entry.last_day + ONE_DAY)}",
            "TRANSP:TRANSPARENT",
        ]
    description = [entry.kind_label, entry.organiser, entry.status_label, *entry.notes, url]
    lines.append(f"SUMMARY:{escape_text(_summary(entry))}")
    if entry.place:
        lines.append(f"LOCATION:{escape_text(entry.place)}")
    lines.append(f"DESCRIPTION:{escape_text(chr(10).join(part for part in description if part))}")
    lines.append(f"CATEGORIES:{escape_text(entry.kind_label)}")
    lines.append(f"URL:{url}")
    if entry.is_meeting:
        lines.append("STATUS:CANCELLED" if entry.status == MeetingStatus.CANCELLED else "STATUS:CONFIRMED")
    if entry.updated_at is not None:
        lines.append(f"LAST-MODIFIED:{utc(entry.updated_at)}")
    lines.append("END:VEVENT")
    return lines


def calendar(
    entries: Iterable[Entry], *, name: str, absolute_url: Callable[[str], str], now: dt.datetime, time_zone: str
) -> str:
    """The whole VCALENDAR object, CRLF-terminated."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//chidao//Lich cong tac Ban Chi dao//VI",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"X-WR-TIMEZONE:{time_zone}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for entry in entries:
        lines += _event(entry, url=absolute_url(entry.url), now=now)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
