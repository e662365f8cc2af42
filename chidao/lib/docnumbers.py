"""Numbers and symbols of official documents (số, ký hiệu văn bản).

State bodies write "45/KH-UBND" (Nghị định 30/2020/NĐ-CP, Phụ lục I); Party bodies write
"35-NQ/TW" (Hướng dẫn 36-HD/VPTW). No database here.
"""

from __future__ import annotations

import re

from chidao.lib.text import fold

_NOT_KEY = re.compile(r"[^0-9A-Z/\-.]")


def symbol_key(text: str) -> str:
    """The form a symbol is stored and matched in: folded (đ→d), upper case, without spaces or
    other punctuation than "/", "-" and ".": "35-nq/tw" and "35 - NQ/TW" both give "35-NQ/TW",
    "12/2020/NĐ-CP" gives "12/2020/ND-CP"."""
    return _NOT_KEY.sub("", fold(text).upper())
