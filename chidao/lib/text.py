"""Vietnamese text folding: strip diacritics and map đ/Đ to d/D.

Unicode decomposition removes the tone and vowel marks but leaves "đ" (U+0111), which is a letter of
its own, not "d" with a mark; Vietnamese users type "dang uy" for "Đảng ủy", so it is mapped by hand.
"""

import re
import unicodedata

_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Return `text` without diacritics, lower-cased, with runs of white space collapsed."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()


def slug_code(text: str) -> str:
    """A code-friendly form: folded, non-alphanumerics turned into single dashes."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
