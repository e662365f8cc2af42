"""Files attached to tasks: PDF, Word, Excel and images (checks in chidao.lib.uploads)."""

from __future__ import annotations

from typing import IO

from chidao.lib.uploads import DOCX, GIF, JPEG, PDF, PNG, WEBP, XLSX, FileType, clean_name
from chidao.lib.uploads import detect_type as _detect

ALLOWED = (PDF, DOCX, XLSX, PNG, JPEG, GIF, WEBP)

__all__ = ["ALLOWED", "FileType", "clean_name", "detect_type"]


def detect_type(upload: IO[bytes]) -> FileType | None:
    return _detect(upload, ALLOWED)
