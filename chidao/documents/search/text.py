"""Text for the search index and for highlighting: no database here.

The index holds every text as `index_fold(text)`: `chidao.lib.text.fold` (diacritics off, đ→d, lower
case) with everything that is not a letter or digit turned into single spaces, so "35-NQ/TW" is
stored as "35 nq tw" and both databases' tokenizers see plain words. Like `fold`, it works word by
word and remembers each distinct word's result: a document costs a split, a dictionary lookup per
word and a join.

Snippets are cut from the original text, with its diacritics: each query word becomes a regular
expression matching every way of writing it ("dang" matches "Đảng", "đăng", "DANG" and the
decomposed forms), so nothing is folded at display time.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence

from chidao.lib.text import CACHE_LIMIT, fold, fold_word

_NON_WORD = re.compile(r"[\W_]+")
_FOLDED: dict[str, str] = {}


def _remember(word: str) -> str:
    if len(_FOLDED) >= CACHE_LIMIT:
        _FOLDED.clear()
    folded = _FOLDED[word] = " ".join(_NON_WORD.sub(" ", fold_word(word)).split())
    return folded


def fold_pieces(text: str) -> list[str]:
    """Each whitespace-separated word of `text` folded for the index: its letters and digits, one
    or more words ("35-NQ/TW" → "35 nq tw"), or "" (punctuation standing alone)."""
    words = text.split()
    cache = _FOLDED
    try:
        return [cache[word] for word in words]
    except KeyError:
        return [cache[word] if word in cache else _remember(word) for word in words]


def join_pieces(pieces: list[str]) -> str:
    # Punctuation standing alone (a dash, an ellipsis) folds to nothing.
    return " ".join(filter(None, pieces)) if "" in pieces else " ".join(pieces)


def index_fold(text: str) -> str:
    """`fold(text)` reduced to its words separated by single spaces: "Đảng ủy, 35-NQ/TW" →
    "dang uy 35 nq tw"."""
    return join_pieces(fold_pieces(text))


def words(text: str) -> list[str]:
    """The words of `text` as the index sees them."""
    return index_fold(text).split()


# --- highlighting ------------------------------------------------------------------------------


@functools.cache
def _letter_classes() -> dict[str, str]:
    """For each folded letter, a character class of every lower-case Latin character that folds to
    it (patterns ignore case)."""
    variants: dict[str, set[str]] = {}
    for code in (*range(0x61, 0x7B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        char = chr(code)
        if char != char.lower():
            continue
        folded = fold(char)
        if len(folded) == 1 and folded.isascii() and folded.isalpha():
            variants.setdefault(folded, set()).add(char)
    return {letter: "[" + "".join(sorted(chars)) + "]" for letter, chars in variants.items()}


def _word_pattern(word: str) -> str:
    classes = _letter_classes()
    # Each letter may carry combining marks when the text is stored decomposed (NFD).
    return "".join((classes[ch] if ch in classes else re.escape(ch)) + "[\u0300-\u036f]*" for ch in word)


def match_pattern(groups: Sequence[Sequence[str]]) -> re.Pattern[str] | None:
    """A pattern finding any of `groups` (each a word or a phrase of words, folded) in original
    text, as whole words; the longest groups first, so a phrase wins over its own words."""
    alternatives = [
        r"[\W_]+".join(_word_pattern(w) for w in group)
        for group in sorted((g for g in groups if g), key=lambda g: -sum(map(len, g)))
    ]
    if not alternatives:
        return None
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])", re.IGNORECASE)


def mark(text: str, pattern: re.Pattern[str] | None) -> str:
    """`text` HTML-escaped, every match wrapped in <mark>."""
    if pattern is None:
        return html.escape(text)
    out: list[str] = []
    last = 0
    for found in pattern.finditer(text):
        out.append(html.escape(text[last : found.start()]))
        out.append(f"<mark>{html.escape(found.group())}</mark>")
        last = found.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def snippet(texts: Sequence[str], pattern: re.Pattern[str] | None, width: int = 240) -> str:
    """About `width` characters around the first match in `texts` (in order), as HTML with the
    matches marked; the start of the first non-empty text when nothing matches."""
    for text in texts:
        found = pattern.search(text) if pattern is not None else None
        if found is None:
            continue
        start = max(0, found.start() - width // 3)
        if start > 0:
            space = text.rfind(" ", 0, start)
            start = space + 1 if start - space < 30 else start
        end = min(len(text), start + width)
        if end < len(text):
            space = text.find(" ", end)
            end = space if 0 <= space - end < 30 else end
        piece = " ".join(text[start:end].split())
        prefix = "… " if start > 0 else ""
        suffix = " …" if end < len(text) else ""
        return f"{html.escape(prefix)}{mark(piece, pattern)}{html.escape(suffix)}"
    for text in texts:
        if text.strip():
            piece = " ".join(text[:width].split())
            return html.escape(piece + (" …" if len(text) > width else ""))
    return ""
