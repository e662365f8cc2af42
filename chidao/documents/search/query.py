"""What a user typed in the search box, parsed: words and "exact phrases", folded, and the
document number and symbol when the text names one. No database here.

Symbols are written two ways — Party bodies "35-NQ/TW" (Hướng dẫn 36-HD/VPTW), state bodies
"45/KH-UBND" and "12/2020/NĐ-CP" (Nghị định 30/2020/NĐ-CP) — and users mix them up ("35/NQ-TW"),
drop the issuer ("35-NQ") or type the kind and the number ("nq 35", "nghị quyết 35"). Stored
symbols and queries both reduce to (number, type code, issuer code), compared without separators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chidao.documents.search.text import index_fold, words

MIN_QUERY_LENGTH = 2

# Folded names of document kinds → their type code, for "nghị quyết 35" and "ke hoach 123".
KIND_WORDS: dict[str, str] = {
    "nghi quyet": "NQ",
    "chi thi": "CT",
    "ket luan": "KL",
    "quy dinh": "QD",
    "quy che": "QC",
    "quyet dinh": "QD",
    "ke hoach": "KH",
    "chuong trinh": "CTR",
    "de an": "DA",
    "huong dan": "HD",
    "thong bao": "TB",
    "bao cao": "BC",
    "to trinh": "TTR",
    "cong van": "CV",
    "bien ban": "BB",
    "nghi dinh": "ND",
    "thong tu": "TT",
    "thong tri": "TT",
}
# Type codes a user may type on their own ("nq 35"), folded and upper-cased.
TYPE_CODES = frozenset({*KIND_WORDS.values(), "QDI", "QYD", "PA", "GM", "TC", "CD", "TTLT", "NQLT"})

_SYMBOL = re.compile(
    r"(?<![0-9A-Z])(\d{1,6})\s*[-/]\s*(?:((?:19|20)\d\d)\s*[-/]\s*)?([A-Z][A-Z0-9]*)"
    r"(?:\s*[-/]\s*([A-Z0-9]+(?:[-.&][A-Z0-9]+)*))?"
)
_QUOTED = re.compile(r"[\"“”]([^\"“”]*)[\"“”]?")


@dataclass(frozen=True)
class Symbol:
    """A document number and symbol reduced for matching: "35-NQ/TW" → (35, "NQ", "TW")."""

    number: int
    type_code: str = ""
    issuer_code: str = ""
    # A year written in the symbol ("15/2024/NQ-HĐND"): councils and ministries number each year
    # anew, so "15/2024/…" and "15/2026/…" of the same body are different documents.
    year: int | None = None
    # The number as typed ("08" of "08-CT/TU"): a document written the same way ranks before one
    # that reduces to the same symbol ("8-CT/TU" of another Tỉnh ủy). Not part of equality.
    written: str = field(default="", compare=False)


def parse_symbol(text: str) -> Symbol | None:
    """The symbol written in `text` ("35-NQ/TW", "45/KH-UBND", "12/2020/NĐ-CP", "35/NQ-TW"), if any."""
    folded = index_fold_keep_separators(text)
    found = _SYMBOL.search(folded)
    if found is None:
        return None
    number, year, type_code, issuer = found.groups()
    return Symbol(
        int(number), type_code, re.sub(r"[^0-9A-Z]", "", issuer or ""), int(year) if year else None, written=number
    )


def index_fold_keep_separators(text: str) -> str:
    """Folded and upper-cased, keeping "/", "-", "." and "&" so a symbol's parts stay apart."""
    parts = re.split(r"([/\-.&])", text)
    return "".join(p if p in "/-.&" else index_fold(p).upper() if p.strip() else " " for p in parts)


@dataclass(frozen=True)
class Match:
    """What the full-text index must find: every group (one word, or a phrase of words in order)
    in the title only (`scope` "title") or anywhere in the document ("any")."""

    scope: str
    groups: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ParsedQuery:
    """Words every result must contain (in the title or the body, in any order) and phrases it
    must contain word for word; `symbol` when the text names a document number."""

    raw: str
    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    symbol: Symbol | None = None
    groups: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not self.terms and not self.phrases

    @property
    def too_short(self) -> bool:
        """Fewer than two letters or digits in all: one letter matches nearly every document."""
        return sum(len(w) for g in self.groups for w in g) < MIN_QUERY_LENGTH and self.symbol is None

    @property
    def all_words(self) -> tuple[str, ...]:
        return tuple(w for g in self.groups for w in g)

    def match(self, scope: str = "any") -> Match:
        return Match(scope, self.groups)

    def title_phrase(self) -> Match | None:
        """The whole query as one phrase in the title, for ranking titles that contain it word for
        word above those that only contain its words."""
        if self.phrases or len(self.terms) < 2:
            return None
        return Match("title", (self.terms,))


def parse_query(raw: str) -> ParsedQuery:
    """Split the search box text into words, "quoted phrases" and a number/symbol."""
    raw = raw.strip()
    phrases: list[tuple[str, ...]] = []
    rest = raw
    for quoted in _QUOTED.findall(raw):
        phrase = tuple(words(quoted))
        if len(phrase) > 1:
            phrases.append(phrase)
        elif phrase:
            rest += " " + phrase[0]
    rest = _QUOTED.sub(" ", rest) if phrases else rest.replace('"', " ")
    symbol = parse_symbol(rest)
    if symbol is not None:
        # The symbol's words must be found together: "35-NQ/TW" cited in a body as written.
        found = _SYMBOL.search(index_fold_keep_separators(rest))
        symbol_words = tuple(words(found.group(0))) if found else ()
        if len(symbol_words) > 1:
            phrases.append(symbol_words)
        rest = _remove_symbol_text(rest)
    terms = tuple(dict.fromkeys(words(rest)))
    if symbol is None:
        symbol = _number_and_kind(terms)
    groups = tuple((t,) for t in terms) + tuple(phrases)
    return ParsedQuery(raw=raw, terms=terms, phrases=tuple(dict.fromkeys(phrases)), symbol=symbol, groups=groups)


def _remove_symbol_text(text: str) -> str:
    folded = index_fold_keep_separators(text)
    found = _SYMBOL.search(folded)
    if found is None:
        return text
    return folded[: found.start()] + " " + folded[found.end() :]


def _number_and_kind(terms: tuple[str, ...]) -> Symbol | None:
    """ "nq 35", "35 nq", "nghị quyết 35": a number with a type code or a kind's name; a number
    alone when it is the whole query."""
    numbers = [t for t in terms if t.isdigit() and len(t) <= 6]
    if not numbers:
        return None
    # A year is a date filter in disguise, not a document number, unless nothing else is given.
    number = next((n for n in numbers if not (len(n) == 4 and n[:2] in ("19", "20"))), numbers[0])
    text = " ".join(terms)
    type_code = next((t.upper() for t in terms if t.upper() in TYPE_CODES), "")
    if not type_code:
        type_code = next((code for name, code in KIND_WORDS.items() if f" {name} " in f" {text} "), "")
    if not type_code and len(terms) > 1:
        return None
    return Symbol(int(number), type_code)


def symbol_of_key(key: str) -> Symbol | None:
    """The parts of a stored symbol (`Document.symbol_key`, e.g. "12/2020/ND-CP")."""
    return parse_symbol(key) if key else None
