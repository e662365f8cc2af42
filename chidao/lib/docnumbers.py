"""Numbers and symbols of official documents (số, ký hiệu văn bản).

State bodies write "45/KH-UBND" (Nghị định 30/2020/NĐ-CP, Phụ lục I and III): number, "/", the
type abbreviation, "-", the issuer's abbreviation; legal documents add the year ("12/2020/NĐ-CP");
a công văn has no type abbreviation ("1234/BNV-CCVC": issuer and drafting unit).
Party bodies write "35-NQ/TW" (Hướng dẫn 36-HD/VPTW): number, "-", the type abbreviation, "/", the
issuer's abbreviation; a Party công văn is "05-CV/BCĐ". No database here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from chidao.lib.text import fold

_NOT_KEY = re.compile(r"[^0-9A-Z/\-.]")


def symbol_key(text: str) -> str:
    """The form a symbol is stored and matched in: folded (đ→d), upper case, without spaces or
    other punctuation than "/", "-" and ".": "35-nq/tw" and "35 - NQ/TW" both give "35-NQ/TW",
    "12/2020/NĐ-CP" gives "12/2020/ND-CP"."""
    return _NOT_KEY.sub("", fold(text).upper())


# Type abbreviations → DocumentKind value ("other" for types the registry has no kind of its own for).
# Hướng dẫn 36-HD/VPTW (2018), Phụ lục 1: văn bản của Đảng.
PARTY_TYPES: dict[str, str] = {
    "NQ": "resolution",
    "QĐ": "decision",
    "CT": "directive",
    "KL": "conclusion",
    "QC": "rules",
    "QĐi": "regulation",
    "TT": "other",  # thông tri
    "HD": "guidance",
    "BC": "report",
    "KH": "plan",
    "CTr": "programme",
    "ĐA": "scheme",
    "PA": "other",  # phương án
    "TB": "notice",
    "TTr": "submission",
    "CV": "letter",
    "BB": "minutes",
    "GM": "other",  # giấy mời
    "GGT": "other",  # giấy giới thiệu
    "GCN": "other",  # giấy chứng nhận
}
# Nghị định 30/2020/NĐ-CP, Phụ lục III: văn bản hành chính, plus the legal documents most often
# registered (Luật 80/2015/QH13: nghị định, thông tư, nghị quyết, quyết định with a year).
STATE_TYPES: dict[str, str] = {
    "NQ": "resolution",
    "QĐ": "decision",
    "CT": "directive",
    "KL": "conclusion",  # kết luận thanh tra, kiểm tra
    "QC": "rules",
    "QyĐ": "regulation",
    "TC": "other",  # thông cáo
    "TB": "notice",
    "HD": "guidance",
    "CTr": "programme",
    "KH": "plan",
    "PA": "other",  # phương án
    "ĐA": "scheme",
    "DA": "other",  # dự án
    "BC": "report",
    "BB": "minutes",
    "TTr": "submission",
    "HĐ": "other",  # hợp đồng
    "CĐ": "other",  # công điện
    "BGN": "other",  # bản ghi nhớ
    "BTT": "other",  # bản thỏa thuận
    "GUQ": "other",  # giấy ủy quyền
    "GM": "other",  # giấy mời
    "GGT": "other",  # giấy giới thiệu
    "GNP": "other",  # giấy nghỉ phép
    "PG": "other",  # phiếu gửi
    "PC": "other",  # phiếu chuyển
    "PB": "other",  # phiếu báo
    "NĐ": "other",  # nghị định
    "TT": "other",  # thông tư
    "TTLT": "other",  # thông tư liên tịch
    "NQLT": "other",  # nghị quyết liên tịch
    "L": "other",  # luật
    "PL": "other",  # pháp lệnh
}
# A state công văn carries no type abbreviation: its parsed type code is empty.
STATE_LETTER_KIND = "letter"

# Type codes are matched without regard to case ("nq", "QĐI"), and kept in their official spelling.
_PARTY_BY_UPPER = {code.upper(): code for code in PARTY_TYPES}
_STATE_BY_UPPER = {code.upper(): code for code in STATE_TYPES}

_LETTERS = r"[^\W\d_]"
_CODE = re.compile(rf"^{_LETTERS}+$")
_ISSUER = re.compile(rf"^(?:{_LETTERS}|\d)+(?:[-.&](?:{_LETTERS}|\d)+)*$")
_PREFIX = re.compile(r"^(?:số|so)\s*[:.]?\s*", re.IGNORECASE)
_AROUND_SEPARATORS = re.compile(r"\s*([/\-])\s*")
_PARTY = re.compile(r"^(\d+)-([^/]*)/(.*)$")
_STATE = re.compile(r"^(\d+)/(.*)$")
_YEAR = re.compile(r"^\d{4}$")
EXAMPLES = "35-NQ/TW, 123-KH/TU, 45/KH-UBND, 12/2020/NĐ-CP, 1234/BNV-CCVC"


@dataclass(frozen=True)
class ParsedSymbol:
    """The parts of a number and symbol: "35-NQ/TW" → 35, None, "NQ", "TW", party=True."""

    number: int
    year: int | None
    type_code: str
    issuer_code: str
    party: bool

    @property
    def kind(self) -> str:
        """The DocumentKind value the type abbreviation stands for ("other" for types without one)."""
        if self.party:
            return PARTY_TYPES[self.type_code]
        return STATE_TYPES[self.type_code] if self.type_code else STATE_LETTER_KIND

    @property
    def text(self) -> str:
        """The symbol written the official way, whatever spacing and case it was typed in."""
        if self.party:
            return f"{self.number:02d}-{self.type_code}/{self.issuer_code}"
        year = f"{self.year}/" if self.year is not None else ""
        middle = f"{self.type_code}-" if self.type_code else ""
        return f"{self.number}/{year}{middle}{self.issuer_code}"


def parse_symbol(text: str) -> ParsedSymbol:
    """Parse a Party ("35-NQ/TW", "08-QĐi/TW") or state ("45/KH-UBND", "12/2020/NĐ-CP",
    "1234/BNV-CCVC") number and symbol. Raises ValueError with a Vietnamese message saying what is
    wrong and how it should look."""
    cleaned = _PREFIX.sub("", _AROUND_SEPARATORS.sub(r"\1", unicodedata.normalize("NFC", text or "").strip()))
    if not cleaned:
        raise ValueError(_("Hãy nhập số, ký hiệu văn bản, ví dụ %(examples)s.") % {"examples": EXAMPLES})
    if " " in cleaned:
        raise ValueError(
            _("Số, ký hiệu “%(text)s” không được có khoảng trắng giữa các phần, ví dụ %(examples)s.")
            % {"text": cleaned, "examples": EXAMPLES}
        )
    if (match := _PARTY.match(cleaned)) is not None:
        return _party(cleaned, *match.groups())
    if (match := _STATE.match(cleaned)) is not None:
        return _state(cleaned, *match.groups())
    if not cleaned[0].isdigit():
        raise ValueError(
            _("Số, ký hiệu “%(text)s” phải bắt đầu bằng số văn bản, ví dụ %(examples)s.")
            % {"text": cleaned, "examples": EXAMPLES}
        )
    raise ValueError(
        _(
            "Số, ký hiệu “%(text)s” không đúng mẫu: văn bản của Đảng viết “số-LOẠI/CƠ QUAN” (35-NQ/TW), "
            "văn bản của cơ quan nhà nước viết “số/LOẠI-CƠ QUAN” (45/KH-UBND)."
        )
        % {"text": cleaned}
    )


def _number(text: str, raw: str) -> int:
    number = int(raw)
    if number <= 0:
        raise ValueError(_("Số văn bản trong “%(text)s” phải lớn hơn 0.") % {"text": text})
    if number > 999_999:
        raise ValueError(_("Số văn bản trong “%(text)s” quá lớn.") % {"text": text})
    return number


def _issuer(text: str, raw: str, example: str) -> str:
    if not raw:
        raise ValueError(
            _("Số, ký hiệu “%(text)s” thiếu ký hiệu cơ quan ban hành, ví dụ %(example)s.")
            % {"text": text, "example": example}
        )
    if not _ISSUER.match(raw):
        raise ValueError(
            _("Ký hiệu cơ quan ban hành “%(code)s” trong “%(text)s” chỉ gồm chữ, số và dấu gạch nối.")
            % {"code": raw, "text": text}
        )
    return raw.upper()


def _party(text: str, raw_number: str, raw_type: str, raw_issuer: str) -> ParsedSymbol:
    number = _number(text, raw_number)
    if not raw_type:
        raise ValueError(
            _("Số, ký hiệu “%(text)s” thiếu ký hiệu loại văn bản giữa dấu “-” và dấu “/”, ví dụ 35-NQ/TW.")
            % {"text": text}
        )
    type_code = _PARTY_BY_UPPER.get(raw_type.upper())
    if type_code is None:
        raise ValueError(
            _(
                "“%(code)s” không phải ký hiệu loại văn bản của Đảng theo Hướng dẫn 36-HD/VPTW "
                "(ví dụ NQ, CT, KL, QĐ, QĐi, KH, HD, TB, BC, CV)."
            )
            % {"code": raw_type}
        )
    return ParsedSymbol(number, None, type_code, _issuer(text, raw_issuer, "35-NQ/TW"), party=True)


def _state(text: str, raw_number: str, rest: str) -> ParsedSymbol:
    number = _number(text, raw_number)
    year: int | None = None
    head, _slash, tail = rest.partition("/")
    if _slash:
        if not head.isdigit():
            raise ValueError(
                _(
                    "Số, ký hiệu “%(text)s” không đúng mẫu của cơ quan nhà nước “số/LOẠI-CƠ QUAN” (45/KH-UBND) "
                    "hoặc “số/năm/LOẠI-CƠ QUAN” (12/2020/NĐ-CP)."
                )
                % {"text": text}
            )
        if not _YEAR.match(head):
            raise ValueError(_("Năm ban hành trong “%(text)s” phải có 4 chữ số, ví dụ 12/2020/NĐ-CP.") % {"text": text})
        year = int(head)
        if not 1945 <= year <= 2100:
            raise ValueError(_("Năm ban hành %(year)s trong “%(text)s” không hợp lệ.") % {"year": year, "text": text})
        rest = tail
    if not rest:
        raise ValueError(
            _("Số, ký hiệu “%(text)s” thiếu ký hiệu loại văn bản và cơ quan ban hành, ví dụ 45/KH-UBND.")
            % {"text": text}
        )
    code, _dash, issuer = rest.partition("-")
    type_code = _STATE_BY_UPPER.get(code.upper())
    if type_code is not None and _CODE.match(code):
        return ParsedSymbol(number, year, type_code, _issuer(text, issuer, "45/KH-UBND"), party=False)
    if year is not None:
        raise ValueError(
            _(
                "“%(code)s” không phải ký hiệu loại văn bản theo Nghị định 30/2020/NĐ-CP "
                "(ví dụ NQ, QĐ, CT, KH, TB, BC, NĐ, TT)."
            )
            % {"code": code}
        )
    # Công văn: "1234/BNV-CCVC", the issuer and the drafting unit, no type abbreviation.
    return ParsedSymbol(number, None, "", _issuer(text, rest, "1234/BNV-CCVC"), party=False)
