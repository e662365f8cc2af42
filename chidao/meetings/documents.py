"""The invitation (giấy mời) and the conclusion notice (thông báo kết luận) as Word documents in the
official layout of the host committee's kind, PDF through LibreOffice when it is installed.

- Party committees: thể thức văn bản của Đảng, Hướng dẫn 36-HD/VPTW ngày 03/4/2018 — "ĐẢNG CỘNG
  SẢN VIỆT NAM", number "Số 15-TB/BCĐ", "T/M BAN CHỈ ĐẠO";
- state committees: Nghị định 30/2020/NĐ-CP, Phụ lục I — "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM /
  Độc lập - Tự do - Hạnh phúc", number "Số: 15/TB-BCĐ", "TM. BAN CHỈ ĐẠO".
Page, fonts, header, closing and PDF conversion come from `chidao.lib.officedoc`, the issuing
committee's letterhead from `chidao.documents.compose`; what is worked out here are the two bodies.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chidao.documents.compose import PdfUnavailable, docx_to_pdf, issuer_of
from chidao.lib import officedoc
from chidao.lib.officedoc import DOCX_TYPE, Letterhead, office_binary
from chidao.meetings.models import Meeting, MeetingKind
from chidao.meetings.queries import chair_position, meeting_detail

__all__ = ["DOCX_TYPE", "PdfUnavailable", "build_invitation", "build_notice", "docx_to_pdf", "office_binary"]

INVITATION, NOTICE = "GM", "TB"
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "chủ nhật")


def _number(party: bool, symbol: str, given: str, code: str) -> str:
    """ "Số 15-TB/BCĐ" (Party) or "Số: 15/TB-BCĐ" (state); a full number typed by the user is kept."""
    given = given.strip()
    if not (given and ("/" in given or "-" in given)):
        given = officedoc.symbol(party=party, number=given, type_code=symbol, issuer_code=code)
    return officedoc.number_line(party=party, text=given)


def meeting_letterhead(meeting: Meeting, *, symbol: str, number: str, day: dt.date) -> Letterhead:
    """The header and signature of a document issued by the meeting's host committee."""
    committee = meeting.host_committee
    issuer = issuer_of(committee.unit, committee)
    party = issuer.party
    position = chair_position(meeting)
    recipients = _recipients(meeting, party, symbol)
    return Letterhead(
        party=party,
        superior=issuer.superior,
        issuer=issuer.heading,
        number=_number(party, symbol, number, issuer.code),
        place=issuer.place,
        day=day,
        on_behalf=officedoc.authority(party=party, mode="TM", of=issuer.collective),
        position=(position or _("Trưởng ban")).upper(),
        signer=meeting.chair.full_name if meeting.chair else "",
        recipients=recipients,
    )


def _recipients(meeting: Meeting, party: bool, symbol: str) -> list[str]:
    names = [_("Như trên")] if symbol == INVITATION else [_("Các thành viên Ban Chỉ đạo")]
    if symbol == NOTICE:
        names += [unit.name for unit in meeting.invited_units.order_by("depth", "name")[:8]]
        if meeting.visiting_committee is not None:
            names.append(meeting.visiting_committee.name)
    return officedoc.recipient_lines(names, party=party)


def _when(meeting: Meeting) -> str:
    start = timezone.localtime(meeting.starts_at)
    return _("%(hour)02d giờ %(minute)02d, %(weekday)s, ngày %(date)s") % {
        "hour": start.hour,
        "minute": start.minute,
        "weekday": WEEKDAYS[start.weekday()],
        "date": start.strftime("%d/%m/%Y"),
    }


# --- giấy mời ---------------------------------------------------------------------------------


def build_invitation(meeting: Meeting, *, today: dt.date | None = None) -> bytes:
    """The invitation, always in Vietnamese: an official document does not follow the interface language."""
    with translation.override("vi"):
        return _build_invitation(meeting, today=today or timezone.localdate())


def _build_invitation(meeting: Meeting, *, today: dt.date) -> bytes:
    head = meeting_letterhead(meeting, symbol=INVITATION, number=meeting.invitation_number, day=today)
    detail = meeting_detail(meeting)
    committee = meeting.host_committee
    document = officedoc.new_document()
    officedoc.header(document, head)
    officedoc.title(document, head, _("GIẤY MỜI"), meeting.title)
    officedoc.paragraph(document, _("%(committee)s trân trọng kính mời:") % {"committee": committee.name})
    for invitee in detail.invitees:
        person = invitee.person
        titles = f", {person.titles}" if person.titles else ""
        officedoc.paragraph(
            document, _("- Đồng chí %(name)s%(titles)s;") % {"name": person.full_name, "titles": titles}
        )
    for unit in detail.invited_units:
        officedoc.paragraph(document, _("- Đại diện lãnh đạo %(unit)s;") % {"unit": unit.name})
    if meeting.kind == MeetingKind.DELEGATION and meeting.visiting_committee is not None:
        officedoc.paragraph(document, _("- Đoàn công tác %(name)s.") % {"name": meeting.visiting_committee.name})
    officedoc.paragraph(document, _("Đến dự: %(title)s.") % {"title": meeting.title})
    officedoc.paragraph(document, _("Thời gian: %(when)s.") % {"when": _when(meeting)})
    if meeting.place:
        officedoc.paragraph(document, _("Địa điểm: %(place)s.") % {"place": meeting.place})
    if meeting.chair is not None:
        position = chair_position(meeting)
        officedoc.paragraph(
            document,
            _("Chủ trì: đồng chí %(name)s%(position)s.")
            % {"name": meeting.chair.full_name, "position": f", {position}" if position else ""},
        )
    if detail.agenda:
        officedoc.paragraph(document, _("Nội dung:"))
        for item in detail.agenda:
            by = f" ({item.presenter_label})" if item.presenter_label else ""
            officedoc.paragraph(document, f"{item.order}. {item.title}{by}.")
    if meeting.description:
        for text in meeting.description.splitlines():
            if text.strip():
                officedoc.paragraph(document, text.strip())
    officedoc.paragraph(document, _("Đề nghị các đồng chí sắp xếp thời gian tham dự đúng giờ./."))
    officedoc.closing(document, head)
    return officedoc.to_bytes(document)


# --- thông báo kết luận -----------------------------------------------------------------------


def build_notice(meeting: Meeting, *, today: dt.date | None = None) -> bytes:
    """The conclusion notice with its numbered conclusions, always in Vietnamese."""
    with translation.override("vi"):
        return _build_notice(meeting, today=today or timezone.localdate())


def _build_notice(meeting: Meeting, *, today: dt.date) -> bytes:
    day = meeting.notice_date or today
    head = meeting_letterhead(meeting, symbol=NOTICE, number=meeting.notice_number, day=day)
    detail = meeting_detail(meeting)
    committee = meeting.host_committee
    position = chair_position(meeting)
    speaker = _("đồng chí %(position)s") % {"position": position} if meeting.chair else committee.name
    document = officedoc.new_document()
    officedoc.header(document, head)
    subject = _("Kết luận của %(speaker)s tại %(title)s") % {"speaker": speaker, "title": meeting.title}
    officedoc.title(document, head, _("THÔNG BÁO"), subject)
    start = timezone.localtime(meeting.starts_at)
    where = _(", tại %(place)s") % {"place": meeting.place} if meeting.place else ""
    if meeting.visiting_committee is not None:
        opening = _("Ngày %(date)s%(where)s, %(host)s làm việc với Đoàn công tác %(visitor)s.") % {
            "date": start.strftime("%d/%m/%Y"),
            "where": where,
            "host": committee.name,
            "visitor": meeting.visiting_committee.name,
        }
    else:
        opening = _("Ngày %(date)s%(where)s, %(host)s tổ chức %(title)s.") % {
            "date": start.strftime("%d/%m/%Y"),
            "where": where,
            "host": committee.name,
            "title": meeting.title,
        }
    if meeting.chair is not None:
        opening += " " + _("Đồng chí %(name)s%(position)s chủ trì.") % {
            "name": meeting.chair.full_name,
            "position": f", {position}" if position else "",
        }
    officedoc.paragraph(document, opening)
    officedoc.paragraph(
        document,
        _("Sau khi nghe báo cáo và ý kiến phát biểu của các đại biểu, %(speaker)s kết luận như sau:")
        % {"speaker": speaker},
    )
    for conclusion in detail.conclusions:
        lines = [line.strip() for line in conclusion.text.splitlines() if line.strip()]
        officedoc.paragraph(document, f"{conclusion.number}. {lines[0] if lines else ''}")
        for line in lines[1:]:
            officedoc.paragraph(document, line)
    officedoc.paragraph(
        document,
        _("Ban Chỉ đạo thông báo để các cơ quan, đơn vị, thành viên Ban Chỉ đạo biết, thực hiện./."),
    )
    officedoc.closing(document, head)
    return officedoc.to_bytes(document)


def filename(meeting: Meeting, kind: str, extension: str) -> str:
    stem = "giay-moi" if kind == INVITATION else "thong-bao-ket-luan"
    day = timezone.localtime(meeting.starts_at).strftime("%Y%m%d")
    return f"{stem}-{meeting.pk}-{day}.{extension}"
