"""Checking uploaded meeting files (agenda documents, minutes): the type from the first bytes,
never from the name or the browser's word, a size limit, and a safe display name. No database here.

Accepted: PDF, Word (.docx), Excel (.xlsx), PNG, JPEG. DOCX and XLSX are ZIP packages whose first
bytes only say "ZIP", so the package's parts decide; any other ZIP (and old .doc/.xls) is refused.
"""

from __future__ import annotations

import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


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
ALLOWED = (PDF, DOCX, XLSX, PNG, JPEG)
ACCEPT = ",".join(t.extension for t in ALLOWED) + ",.jpeg"


def max_bytes() -> int:
    return int(getattr(settings, "MEETING_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def detect_type(upload: IO[bytes]) -> FileType | None:
    """The type of `upload` from its content, or None when it is not one we accept."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
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


def clean_name(name: str, file_type: FileType, max_length: int = 150) -> str:
    """A display name without path, control characters or a misleading extension.

    Vietnamese letters stay (the name is shown and sent back RFC 6266-encoded); the extension
    always matches the detected type."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    try:
        stem = get_valid_filename(stem)
    except SuspiciousFileOperation:
        stem = ""
    stem = stem.strip("._-")[: max_length - len(file_type.extension)] or "tai-lieu"
    return f"{stem}{file_type.extension}"


def storage_name(file_type: FileType) -> str:
    """The name on disk: random, so a stored path reveals nothing and never collides."""
    return f"{secrets.token_hex(12)}{file_type.extension}"


def check_upload(upload: IO[bytes], *, name: str, size: int, field: str = "file") -> tuple[FileType, str]:
    """(detected type, display name) of an acceptable upload; a ValidationError naming `field` otherwise."""
    limit = max_bytes()
    if size <= 0:
        raise ValidationError({field: _("Tệp rỗng.")})
    if size > limit:
        raise ValidationError({field: _("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": f"{limit / 1024 / 1024:.0f}"}})
    file_type = detect_type(upload)
    if file_type is None:
        raise ValidationError({field: _("Chỉ nhận tệp PDF, Word (.docx), Excel (.xlsx) hoặc ảnh PNG, JPEG.")})
    return file_type, clean_name(name, file_type)
