"""The conclusion notice (thông báo kết luận) and its numbered conclusions.

`split_conclusions` turns the pasted text of a notice into its numbered directions. Vietnamese
notices number them in two ways:
- in running text with ordinal words: "Một là, …; Hai là, …" (một … mười, then mười một …) or
  "Thứ nhất, …; Thứ hai, …";
- as a list, one direction per line: "1.", "2)", "a)", "-", "•".
Whichever marker comes first in the text is the top level; other markers inside an item (the "a)"
and "-" points under "1.") stay part of that item. Text before the first marker (the preamble,
"Đồng chí Trưởng ban kết luận như sau:") is not a conclusion.

Saving keeps the rows whose number stays: a task created from conclusion 2 still points at
conclusion 2 after its wording is corrected.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chidao.audit import services as audit
from chidao.meetings.models import Conclusion, Meeting
from chidao.meetings.services.common import require_host_editor

if TYPE_CHECKING:
    from chidao.accounts.models import User

MAX_CONCLUSIONS = 100
_UNITS = ["một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
# Counting words after "mười": mười một, mười hai, … mười bốn/mười tư, mười lăm/mười năm.
_TEEN = {**{w: i for i, w in enumerate(_UNITS, start=1)}, "tư": 4, "lăm": 5}


def _counting_words() -> dict[str, int]:
    """ "một" → 1 … "mười chín" → 19, with the spoken variants ("tư" for 4, "lăm" for 15)."""
    words = {w: i for i, w in enumerate(_UNITS, start=1)}
    words["tư"] = 4
    words["mười"] = 10
    for word, value in _TEEN.items():
        words[f"mười {word}"] = 10 + value
    return words


def _ordinal_words() -> dict[str, int]:
    """ "thứ nhất" → 1, "thứ hai" → 2, "thứ tư" → 4 … "thứ mười chín" → 19."""
    words = {f"thứ {w}": i for w, i in _counting_words().items() if w not in {"một", "bốn"}}
    words["thứ nhất"] = 1
    words["thứ tư"] = 4
    return words


COUNTING = _counting_words()
ORDINALS = _ordinal_words()


def _alternation(words: dict[str, int]) -> str:
    # Longest first, so "mười hai" wins over "mười" and "hai".
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


_COUNTING_RE = re.compile(rf"(?<!\w)({_alternation(COUNTING)})\s+là(?!\w)\s*[,:]?", re.IGNORECASE)
# "Thứ nhất," needs its comma (or "là"): "lần thứ hai" inside a sentence is not a marker.
_ORDINAL_RE = re.compile(rf"(?<!\w)({_alternation(ORDINALS)})(?:\s*[,:]|\s+là(?!\w)\s*[,:]?)", re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*(\d{1,3})\s*[.)]\s+")
_LETTERED = re.compile(r"^\s*([a-zđ])\s*\)\s+", re.IGNORECASE)
_BULLET = re.compile(r"^\s*[-\u2013\u2014\u2022\u25cf\u25aa+*]\s+")  # hyphen, en and em dash, bullets, plus, star
_LINE_MARKERS = (("numbered", _NUMBERED), ("lettered", _LETTERED), ("bullet", _BULLET))


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")


def _tidy(item: str) -> str:
    """One conclusion's text: trimmed of list punctuation, joined lines kept, first letter capital."""
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in item.strip().split("\n")]
    text = "\n".join(line for line in lines if line)
    text = text.strip(" \t\n,;:")
    return text[:1].upper() + text[1:]


def _word_value(match: re.Match[str], words: dict[str, int]) -> int:
    return words[re.sub(r"\s+", " ", match.group(1).lower())]


def _ordinal_chain(text: str) -> list[tuple[int, int]]:
    """(start, end) of the markers "Một là" (or "Thứ nhất"), "Hai là", … in order; stray words
    ("năm là", "Thứ Hai" as a weekday) that do not continue the count are skipped."""
    best: list[tuple[int, int]] = []
    for pattern, words in ((_COUNTING_RE, COUNTING), (_ORDINAL_RE, ORDINALS)):
        chain: list[tuple[int, int]] = []
        for match in pattern.finditer(text):
            if _word_value(match, words) == len(chain) + 1:
                chain.append((match.start(), match.end()))
        if len(chain) >= 2 and (not best or chain[0][0] < best[0][0]):
            best = chain
    return best


def _first_line_marker(lines: list[str]) -> tuple[int, re.Pattern[str]] | None:
    for index, line in enumerate(lines):
        for _name, pattern in _LINE_MARKERS:
            if pattern.match(line):
                return index, pattern
    return None


def _split_lines(lines: list[str], start: int, pattern: re.Pattern[str]) -> list[str]:
    items: list[list[str]] = []
    for line in lines[start:]:
        match = pattern.match(line)
        if match:
            items.append([line[match.end() :]])
        elif items:
            items[-1].append(line)
    return ["\n".join(parts) for parts in items]


def split_conclusions(text: str) -> list[str]:
    """The numbered directions of a conclusion notice, in order, without their markers."""
    text = _normal(text or "").strip()
    if not text:
        return []
    lines = text.split("\n")
    chain = _ordinal_chain(text)
    first_line = _first_line_marker(lines)
    line_offset = sum(len(line) + 1 for line in lines[: first_line[0]]) if first_line else None
    if chain and (line_offset is None or chain[0][0] <= line_offset):
        ends = [start for start, _end in chain[1:]] + [len(text)]
        raw = [text[end:stop] for (_start, end), stop in zip(chain, ends, strict=True)]
    elif first_line is not None:
        raw = _split_lines(lines, first_line[0], first_line[1])
    else:
        # No markers: each paragraph is one conclusion.
        raw = [part for part in re.split(r"\n\s*\n", text) if part.strip()]
    return [t for t in (_tidy(item) for item in raw) if t]


def _check_notice(meeting: Meeting, notice_date: dt.date | None) -> None:
    if notice_date is not None and notice_date < meeting.starts_at.date():
        raise ValidationError({"notice_date": _("Ngày thông báo kết luận không được trước ngày họp.")})


@transaction.atomic
def save_conclusions(
    *,
    actor: User,
    meeting: Meeting,
    items: list[str],
    notice_number: str | None = None,
    notice_date: dt.date | None = None,
    notice_text: str | None = None,
) -> list[Conclusion]:
    """Make the meeting's conclusions exactly `items`, numbered 1…n (empty items are dropped).

    Rows keep their identity by number: the text of conclusion 2 is updated in place, extra old
    rows are deleted. The notice's number, date and text are saved when given."""
    require_host_editor(actor, meeting)
    texts = [t for t in (_tidy(_normal(i or "")) for i in items) if t]
    if len(texts) > MAX_CONCLUSIONS:
        raise ValidationError({"items": _("Tối đa %(n)d kết luận cho một cuộc họp.") % {"n": MAX_CONCLUSIONS}})
    _check_notice(meeting, notice_date)
    before_notice = audit.snapshot(meeting, ["notice_number", "notice_date", "notice_text"])
    if notice_number is not None:
        meeting.notice_number = notice_number.strip()
    if notice_date is not None or notice_number is not None:
        meeting.notice_date = notice_date
    if notice_text is not None:
        meeting.notice_text = _normal(notice_text).strip()
    existing = {c.number: c for c in meeting.conclusions.select_for_update()}
    old_texts = {n: c.text for n, c in existing.items()}
    changed: list[Conclusion] = []
    created: list[Conclusion] = []
    for number, text in enumerate(texts, start=1):
        row = existing.get(number)
        if row is None:
            created.append(Conclusion(meeting=meeting, number=number, text=text))
        elif row.text != text:
            row.text = text
            changed.append(row)
    removed = [n for n in existing if n > len(texts)]
    Conclusion.objects.filter(meeting=meeting, number__in=removed).delete()
    Conclusion.objects.bulk_update(changed, ["text"])
    Conclusion.objects.bulk_create(created)
    notice_changes = audit.diff(before_notice, audit.snapshot(meeting, ["notice_number", "notice_date", "notice_text"]))
    if notice_changes:
        meeting.save(update_fields=["notice_number", "notice_date", "notice_text", "updated_at"])
    if changed or created or removed or notice_changes:
        changes: dict[str, object] = {
            "count": [len(old_texts), len(texts)],
            "changed": [c.number for c in changed],
            "added": [c.number for c in created],
            "removed": removed,
        }
        changes.update({k: v for k, v in notice_changes.items() if k != "notice_text"})
        if "notice_text" in notice_changes:
            changes["notice_text"] = "changed"
        audit.record(
            actor=actor,
            action="meetings.conclusions.saved",
            target=meeting,
            unit=meeting.host_committee.unit,
            changes=changes,
        )
    return list(meeting.conclusions.order_by("number"))


@transaction.atomic
def record_conclusions_from_text(
    *,
    actor: User,
    meeting: Meeting,
    text: str,
    notice_number: str | None = None,
    notice_date: dt.date | None = None,
) -> list[Conclusion]:
    """Split the pasted notice and save its conclusions; the text is kept as the notice's text."""
    require_host_editor(actor, meeting)
    items = split_conclusions(text)
    if not items:
        raise ValidationError({"text": _("Không tìm thấy kết luận nào trong nội dung đã dán.")})
    return save_conclusions(
        actor=actor,
        meeting=meeting,
        items=items,
        notice_number=notice_number,
        notice_date=notice_date,
        notice_text=text,
    )
