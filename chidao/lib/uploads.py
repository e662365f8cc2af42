"""Checking uploaded files, for every app that takes them: the type from the first bytes (never the
name or the browser's word) and a safe display name. Each app keeps its own list of accepted types
and size limit. No database here."""

from __future__ import annotations

import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import SuspiciousFileOperation
from django.utils.text import get_valid_filename


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str
    label: str


PDF = FileType(".pdf", "application/pdf", "PDF")
DOCX = FileType(".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word (.docx)")
XLSX = FileType(".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (.xlsx)")
PNG = FileType(".png", "image/png", "PNG")
JPEG = FileType(".jpg", "image/jpeg", "JPEG")
GIF = FileType(".gif", "image/gif", "GIF")
WEBP = FileType(".webp", "image/webp", "WebP")
KNOWN = (PDF, DOCX, XLSX, PNG, JPEG, GIF, WEBP)


def detect_type(upload: IO[bytes], allowed: tuple[FileType, ...] = KNOWN) -> FileType | None:
    """The type of `upload` from its content, or None when it is not one of `allowed`.

    DOCX and XLSX are ZIP packages: the first bytes only say "ZIP", so the package's parts decide
    (word/document.xml or xl/workbook.xml); any other ZIP is refused."""
    found = _sniff(upload)
    return found if found in allowed else None


def _sniff(upload: IO[bytes]) -> FileType | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" not in names:
            return None
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return None


def clean_name(name: str, file_type: FileType, max_length: int = 150, *, fallback: str = "tep-dinh-kem") -> str:
    """A display name without path, control characters or a misleading extension.

    Vietnamese letters are kept (the name is shown to people and sent back, RFC 6266-encoded, in
    the download's Content-Disposition); the extension always matches the detected type."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    try:
        stem = get_valid_filename(stem)
    except SuspiciousFileOperation:
        stem = ""
    stem = stem.strip("._-")[: max_length - len(file_type.extension)] or fallback
    return f"{stem}{file_type.extension}"
