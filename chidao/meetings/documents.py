"""The invitation (giấy mời) and the conclusion notice (thông báo kết luận) as Word documents in the
official layout of the host committee's kind, PDF through LibreOffice when it is installed.

- Party committees: thể thức văn bản của Đảng, Hướng dẫn 36-HD/VPTW ngày 03/4/2018 — "ĐẢNG CỘNG
  SẢN VIỆT NAM", number "Số 15-TB/BCĐ", "T/M BAN CHỈ ĐẠO";
- state committees: Nghị định 30/2020/NĐ-CP, Phụ lục I — "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM /
  Độc lập - Tự do - Hạnh phúc", number "Số: 15/TB-BCĐ", "TM. BAN CHỈ ĐẠO".
Page, fonts, header, closing and PDF conversion come from `chidao.reporting.documents`; what is
worked out here is the letterhead of a committee (not of a report's unit) and the two bodies.
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from chidao.meetings.models import Meeting, MeetingKind
from chidao.meetings.queries import chair_position, meeting_detail
from chidao.org.models import Committee, CommitteeKind, Unit, UnitKind
from chidao.reporting.documents import (
    ADMINISTRATIVE,
    DOCX_TYPE,
    Letterhead,
    PdfUnavailable,
    _closing,
    _header,
    _line,
    _setup,
    docx_to_pdf,
    office_binary,
    place_name,
)

__all__ = ["DOCX_TYPE", "PdfUnavailable", "build_invitation", "build_notice", "docx_to_pdf", "office_binary"]

INVITATION, NOTICE = "GM", "TB"
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "chủ nhật")
BLANK_NUMBER = "      "


def _number(party: bool, symbol: str, given: str) -> str:
    """ "Số 15-TB/BCĐ" (Party) or "Số: 15/TB-BCĐ" (state); a full number typed by the user is kept."""
    given = given.strip()
    if given and ("/" in given or "-" in given):
        return (_("Số %(n)s") if party else _("Số: %(n)s")) % {"n": given}
    n = given or BLANK_NUMBER
    if party:
        return _("Số %(n)s-%(symbol)s/BCĐ") % {"n": n, "symbol": symbol}
    return _("Số: %(n)s/%(symbol)s-BCĐ") % {"n": n, "symbol": symbol}


def _superior(committee: Committee, party: bool) -> str:
    unit = committee.unit
    if party:
        province = Unit.objects.ancestors_of(unit).filter(kind=UnitKind.PROVINCE).first()
        return _("ĐẢNG BỘ %(name)s") % {"name": province.name.upper()} if province else _("BAN CHẤP HÀNH TRUNG ƯƠNG")
    if unit.kind == UnitKind.NATIONAL:
        return _("CHÍNH PHỦ")
    if unit.kind in ADMINISTRATIVE:
        return _("ỦY BAN NHÂN DÂN %(name)s") % {"name": unit.name.upper()}
    return unit.name.upper()


def meeting_letterhead(meeting: Meeting, *, symbol: str, number: str, day: dt.date) -> Letterhead:
    """The header and signature of a document issued by the meeting's host committee."""
    committee = meeting.host_committee
    party = committee.kind == CommitteeKind.PARTY
    position = chair_position(meeting)
    recipients = _recipients(meeting, party, symbol)
    return Letterhead(
        party=party,
        superior=_superior(committee, party),
        issuer=committee.name.upper(),
        number=_number(party, symbol, number),
        place=place_name(committee.unit),
        day=day,
        on_behalf=(_("T/M %(body)s") if party else _("TM. %(body)s")) % {"body": _("BAN CHỈ ĐẠO")},
        position=(position or _("Trưởng ban")).upper(),
        signer=meeting.chair.full_name if meeting.chair else "",
        recipients=recipients,
    )


def _recipients(meeting: Meeting, party: bool, symbol: str) -> list[str]:
    end = "," if party else ";"
    lines = [_("- Như trên") + end] if symbol == INVITATION else [_("- Các thành viên Ban Chỉ đạo") + end]
    if symbol == NOTICE:
        lines += [f"- {unit.name}{end}" for unit in meeting.invited_units.order_by("depth", "name")[:8]]
        if meeting.visiting_committee is not None:
            lines.append(f"- {meeting.visiting_committee.name}{end}")
    lines.append(_("- Lưu Văn phòng.") if party else _("- Lưu: VT."))
    return lines


def _title(document: DocxDocument, head: Letterhead, title: str, subject: str) -> None:
    spacer = _line(document, "")
    spacer.paragraph_format.space_before = Pt(12)
    _line(document, title, size=Pt(15) if head.party else Pt(14), bold=True)
    _line(document, subject, size=Pt(14), bold=True)
    if head.party:
        _line(document, "-----", size=Pt(14))
    _line(document, "")


def _paragraph(document: DocxDocument, text: str, *, bold: bool = False, indent: bool = True) -> None:
    paragraph = _line(document, text, bold=bold, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1.27)
    paragraph.paragraph_format.space_after = Pt(6)


def _when(meeting: Meeting) -> str:
    start = timezone.localtime(meeting.starts_at)
    return _("%(hour)02d giờ %(minute)02d, %(weekday)s, ngày %(date)s") % {
        "hour": start.hour,
        "minute": start.minute,
        "weekday": WEEKDAYS[start.weekday()],
        "date": start.strftime("%d/%m/%Y"),
    }


def _save(document: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- giấy mời ---------------------------------------------------------------------------------


def build_invitation(meeting: Meeting, *, today: dt.date | None = None) -> bytes:
    """The invitation, always in Vietnamese: an official document does not follow the interface language."""
    with translation.override("vi"):
        return _build_invitation(meeting, today=today or timezone.localdate())


def _build_invitation(meeting: Meeting, *, today: dt.date) -> bytes:
    head = meeting_letterhead(meeting, symbol=INVITATION, number=meeting.invitation_number, day=today)
    detail = meeting_detail(meeting)
    committee = meeting.host_committee
    document = Document()
    _setup(document)
    _header(document, head)
    _title(document, head, _("GIẤY MỜI"), meeting.title)
    _paragraph(document, _("%(committee)s trân trọng kính mời:") % {"committee": committee.name})
    for invitee in detail.invitees:
        person = invitee.person
        titles = f", {person.titles}" if person.titles else ""
        _paragraph(document, _("- Đồng chí %(name)s%(titles)s;") % {"name": person.full_name, "titles": titles})
    for unit in detail.invited_units:
        _paragraph(document, _("- Đại diện lãnh đạo %(unit)s;") % {"unit": unit.name})
    if meeting.kind == MeetingKind.DELEGATION and meeting.visiting_committee is not None:
        _paragraph(document, _("- Đoàn công tác %(name)s.") % {"name": meeting.visiting_committee.name})
    _paragraph(document, _("Đến dự: %(title)s.") % {"title": meeting.title})
    _paragraph(document, _("Thời gian: %(when)s.") % {"when": _when(meeting)})
    if meeting.place:
        _paragraph(document, _("Địa điểm: %(place)s.") % {"place": meeting.place})
    if meeting.chair is not None:
        position = chair_position(meeting)
        _paragraph(
            document,
            _("Chủ trì: đồng chí %(name)s%(position)s.")
            % {"name": meeting.chair.full_name, "position": f", {position}" if position else ""},
        )
    if detail.agenda:
        _paragraph(document, _("Nội dung:"))
        for item in detail.agenda:
            by = f" ({item.presenter_label})" if item.presenter_label else ""
            _paragraph(document, f"{item.order}. {item.title}{by}.")
    if meeting.description:
        for text in meeting.description.splitlines():
            if text.strip():
                _paragraph(document, text.strip())
    _paragraph(document, _("Đề nghị các đồng chí sắp xếp thời gian tham dự đúng giờ./."))
    _closing(document, head)
    return _save(document)


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
    document = Document()
    _setup(document)
    _header(document, head)
    subject = _("Kết luận của %(speaker)s tại %(title)s") % {"speaker": speaker, "title": meeting.title}
    _title(document, head, _("THÔNG BÁO"), subject)
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
    _paragraph(document, opening)
    _paragraph(
        document,
        _("Sau khi nghe báo cáo và ý kiến phát biểu của các đại biểu, %(speaker)s kết luận như sau:")
        % {"speaker": speaker},
    )
    for conclusion in detail.conclusions:
        lines = [line.strip() for line in conclusion.text.splitlines() if line.strip()]
        _paragraph(document, f"{conclusion.number}. {lines[0] if lines else ''}")
        for line in lines[1:]:
            _paragraph(document, line)
    _paragraph(
        document,
        _("Ban Chỉ đạo thông báo để các cơ quan, đơn vị, thành viên Ban Chỉ đạo biết, thực hiện./."),
    )
    _closing(document, head)
    return _save(document)


def filename(meeting: Meeting, kind: str, extension: str) -> str:
    stem = "giay-moi" if kind == INVITATION else "thong-bao-ket-luan"
    day = timezone.localtime(meeting.starts_at).strftime("%Y%m%d")
    return f"{stem}-{meeting.pk}-{day}.{extension}"
