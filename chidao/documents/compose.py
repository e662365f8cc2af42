"""Outgoing documents of a committee or a unit in the official layout of its kind: kế hoạch, thông
báo, báo cáo and công văn from a form, and the letterhead every generated document shares
(reports and meeting papers too).

The layout follows the issuing committee's kind (`org.Committee.kind`): Party bodies by Hướng dẫn
36-HD/VPTW, state bodies by Nghị định 30/2020/NĐ-CP; a unit issuing without a committee is a
state body. Numbering follows the same rule: Party "Số 12-KH/BCĐ", state "Số: 12/KH-BCĐ", state
công văn "Số: 12/BCĐ-VP" with "V/v …" under it (Party công văn "Số 12-CV/BCĐ"). Reads only; the
writes are in `services_compose`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chidao.accounts.models import AccessRole
from chidao.documents.models import DocumentKind
from chidao.lib import officedoc
from chidao.lib.docnumbers import symbol_key
from chidao.org.models import Committee, CommitteeKind, Unit, UnitKind

if TYPE_CHECKING:
    from chidao.org.models import CommitteeQuerySet
    from chidao.org.scope import AnyUser

ADMINISTRATIVE = {UnitKind.NATIONAL, UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE}
EDITOR = AccessRole.SECRETARIAT


@dataclass(frozen=True)
class Layout:
    """How one kind of document is titled and numbered."""

    title: str  # "KẾ HOẠCH"; empty for công văn, whose trích yếu goes under the number
    type_code: str  # ký hiệu loại văn bản (HD 36 and NĐ 30, Phụ lục III)
    slug: str  # the file name's stem


COMPOSABLE: dict[str, Layout] = {
    DocumentKind.PLAN: Layout("KẾ HOẠCH", "KH", "ke-hoach"),
    DocumentKind.NOTICE: Layout("THÔNG BÁO", "TB", "thong-bao"),
    DocumentKind.REPORT: Layout("BÁO CÁO", "BC", "bao-cao"),
    DocumentKind.OFFICIAL_LETTER: Layout("", "CV", "cong-van"),
}
ON_BEHALF_MODES = tuple(officedoc.AUTHORITY)
_NUMBER = re.compile(r"^\d{1,6}$")
_CODE = re.compile(r"^[0-9A-ZĐ.&]{1,20}$")


# --- who issues ------------------------------------------------------------------------------


def place_name(unit: Unit) -> str:
    """Địa danh: the name of the administrative unit the unit belongs to, without its kind."""
    admin = unit
    if unit.kind not in ADMINISTRATIVE:
        admin = Unit.objects.ancestors_of(unit).filter(kind__in=ADMINISTRATIVE).order_by("-depth").first() or unit
    if admin.kind == UnitKind.NATIONAL:
        return "Hà Nội"
    return officedoc.place_from_name(admin.name)


def superior_name(unit: Unit | None, *, party: bool) -> str:
    """Tên cơ quan cấp trên, the first header line. Party: the province's Đảng bộ ("BAN CHẤP HÀNH
    TRUNG ƯƠNG" for central bodies); state: the people's committee of `unit`, or its name."""
    if unit is None:
        return ""
    if party:
        province = Unit.objects.ancestors_of(unit).filter(kind=UnitKind.PROVINCE).first()
        return f"ĐẢNG BỘ {province.name.upper()}" if province else "BAN CHẤP HÀNH TRUNG ƯƠNG"
    if unit.kind == UnitKind.NATIONAL:
        return "CHÍNH PHỦ"
    if unit.kind in ADMINISTRATIVE:
        return f"ỦY BAN NHÂN DÂN {unit.name.upper()}"
    return unit.name.upper()


def initials(name: str) -> str:
    """ "Sở Nội vụ" → "SNV": the first letter of each word, without diacritics but keeping Đ."""
    letters = []
    for word in name.split():
        first = word[0].upper()
        if first != "Đ":
            first = unicodedata.normalize("NFD", first)[0]
        if first.isalnum():
            letters.append(first)
    return "".join(letters)[:20]


@dataclass(frozen=True)
class Issuer:
    """The issuing body as the header shows it."""

    party: bool
    superior: str
    name: str  # as registered: "Ban Chỉ đạo 35 phường Hải Châu"
    place: str
    code: str  # its abbreviation in numbers: "BCĐ", "UBND"
    collective: str  # what "TM." stands for: "BAN CHỈ ĐẠO", "ỦY BAN NHÂN DÂN"

    @property
    def heading(self) -> str:
        return self.name.upper()


def issuer_of(unit: Unit, committee: Committee | None) -> Issuer:
    """A committee issues under its own name; a unit without one as a state body under its parent."""
    if committee is not None:
        party = committee.kind == CommitteeKind.PARTY
        return Issuer(
            party=party,
            superior=superior_name(committee.unit, party=party),
            name=committee.name,
            place=place_name(committee.unit),
            code="BCĐ",
            collective="BAN CHỈ ĐẠO",
        )
    administrative = unit.kind in ADMINISTRATIVE
    return Issuer(
        party=False,
        superior=superior_name(unit.parent, party=False),
        name=unit.name,
        place=place_name(unit),
        code="UBND" if administrative else initials(unit.name),
        collective="ỦY BAN NHÂN DÂN" if administrative else unit.name.upper(),
    )


def active_committee(unit: Unit, day: dt.date) -> Committee | None:
    """The unit's steering committee on `day` (the oldest when there are several)."""
    return Committee.objects.filter(unit=unit).active(day).order_by("id").first()


# --- the form --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """What the composing form says. `committee`, when given, issues the document for its unit."""

    unit: Unit
    kind: str
    title: str  # trích yếu
    day: dt.date
    body: str
    committee: Committee | None = None
    number: str = ""
    place: str = ""
    addressees: list[str] = field(default_factory=list)  # "Kính gửi": công văn only
    recipients: list[str] = field(default_factory=list)
    signer: str = ""
    position: str = ""
    on_behalf: str = ""  # one of ON_BEHALF_MODES, or "" for the head signing in their own name
    on_behalf_of: str = ""  # "BAN CHỈ ĐẠO" for TM, "TRƯỞNG BAN" for KT; a default when blank
    issuer_code: str = ""
    drafting_code: str = ""  # state công văn: "VP" in "12/BCĐ-VP"


@dataclass(frozen=True)
class Composed:
    """A built document: what the registry records and the Word file."""

    kind: str
    issuer: Issuer
    symbol: str  # "12-KH/BCĐ"; empty when the number is left for the văn thư
    letterhead: officedoc.Letterhead
    docx: bytes

    @property
    def stem(self) -> str:
        """ "ke-hoach-12-KH-BCD", "cong-van-du-thao": the attachments' file name."""
        number = symbol_key(self.symbol).replace("/", "-").replace(".", "-") if self.symbol else "du-thao"
        return f"{COMPOSABLE[self.kind].slug}-{number}"


def clean_lines(text: str | list[str]) -> list[str]:
    lines = text.splitlines() if isinstance(text, str) else text
    return [line.strip() for line in lines if line.strip(" -;,.")]


def validate(draft: Draft) -> None:
    """The form's rules, each error keyed by its field, in Vietnamese."""
    errors: dict[str, str] = {}
    if draft.kind not in COMPOSABLE:
        errors["kind"] = _("Chỉ soạn được kế hoạch, thông báo, báo cáo hoặc công văn.")
    if not draft.title.strip():
        errors["title"] = _("Nhập trích yếu của văn bản.")
    elif len(draft.title) > 1000:
        errors["title"] = _("Trích yếu dài quá 1.000 ký tự.")
    if not draft.body.strip():
        errors["body"] = _("Nhập nội dung văn bản.")
    if draft.number.strip() and not _NUMBER.match(draft.number.strip()):
        errors["number"] = _("Số văn bản chỉ gồm chữ số, ví dụ 12; để trống để văn thư ghi số.")
    for name in ("issuer_code", "drafting_code"):
        code = getattr(draft, name).strip()
        if code and not _CODE.match(code):
            errors[name] = _("Ký hiệu chỉ gồm chữ in hoa và chữ số, ví dụ BCĐ, UBND, VP.")
    if draft.on_behalf and draft.on_behalf not in ON_BEHALF_MODES:
        errors["on_behalf"] = _("Thẩm quyền ký không hợp lệ.")
    elif draft.on_behalf in ("TL", "TUQ", "Q") and not draft.on_behalf_of.strip():
        errors["on_behalf_of"] = _("Ghi rõ ký thừa lệnh, thừa ủy quyền hoặc quyền của ai, ví dụ TRƯỞNG BAN.")
    if draft.committee is not None and draft.committee.unit_id != draft.unit.pk:
        errors["committee"] = _("Ban Chỉ đạo không thuộc đơn vị đã chọn.")
    if errors:
        raise ValidationError(errors)


def _on_behalf(draft: Draft, issuer: Issuer) -> str:
    of = draft.on_behalf_of.strip()
    if not of:
        if draft.on_behalf == "KT":
            of = "TRƯỞNG BAN" if draft.committee is not None else "CHỦ TỊCH"
        else:
            of = issuer.collective
    return officedoc.authority(party=issuer.party, mode=draft.on_behalf, of=of)


def compose(draft: Draft) -> Composed:
    """The Word file of a valid draft, in the layout of the issuer's kind."""
    validate(draft)
    issuer = issuer_of(draft.unit, draft.committee)
    layout = COMPOSABLE[draft.kind]
    letter = draft.kind == DocumentKind.OFFICIAL_LETTER
    code = draft.issuer_code.strip() or issuer.code
    type_code = "" if letter and not issuer.party else layout.type_code
    text = officedoc.symbol(
        party=issuer.party,
        number=draft.number,
        type_code=type_code,
        issuer_code=code,
        drafting_code=draft.drafting_code.strip(),
    )
    subject = draft.title.strip()
    if letter and not subject.lower().startswith("v/v"):
        subject = f"V/v {subject[:1].lower()}{subject[1:]}"
    head = officedoc.Letterhead(
        party=issuer.party,
        superior=issuer.superior,
        issuer=issuer.heading,
        number=officedoc.number_line(party=issuer.party, text=text),
        place=draft.place.strip() or issuer.place,
        day=draft.day,
        on_behalf=_on_behalf(draft, issuer),
        position=draft.position.strip().upper(),
        signer=draft.signer.strip(),
        recipients=officedoc.recipient_lines(clean_lines(draft.recipients), party=issuer.party),
        subject=subject if letter else "",
        addressees=clean_lines(draft.addressees) if letter else [],
    )
    document = officedoc.new_document()
    officedoc.header(document, head)
    if letter:
        officedoc.addressees(document, head)
    else:
        officedoc.title(document, head, layout.title, subject)
    officedoc.body(document, draft.body.splitlines())
    officedoc.closing(document, head)
    return Composed(
        kind=draft.kind,
        issuer=issuer,
        symbol=text if draft.number.strip() else "",
        letterhead=head,
        docx=officedoc.to_bytes(document),
    )


# --- PDF -------------------------------------------------------------------------------------


class PdfUnavailable(Exception):
    """LibreOffice is missing, or it failed or timed out on this document; says so in Vietnamese."""


def docx_to_pdf(data: bytes) -> bytes:
    """`officedoc.docx_to_pdf` with the reason in the user's words."""
    try:
        return officedoc.docx_to_pdf(data)
    except officedoc.PdfUnavailable as exc:
        if exc.missing:
            raise PdfUnavailable(_("Máy chủ chưa cài LibreOffice để xuất PDF.")) from exc
        raise PdfUnavailable(_("Không chuyển được văn bản sang PDF, hãy thử lại hoặc tải bản Word.")) from exc


# --- choices for the pickers -----------------------------------------------------------------


def committee_choices(user: AnyUser) -> CommitteeQuerySet:
    """Committees the user may issue documents for: active ones under a secretariat grant."""
    return Committee.objects.visible_to(user, minimum_role=EDITOR).active().select_related("unit")
