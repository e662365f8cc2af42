"""Checking uploaded meeting files (agenda documents, minutes): the type from the first bytes,
never from the name or the browser's word, a size limit, and a safe display name. No database here.

Accepted: PDF, Word (.docx), Excel (.xlsx), PNG, JPEG. DOCX and XLSX are ZIP packages whose first
bytes only say "ZIP", so the package's parts decide; any other ZIP (and old .doc/.xls) is refused.
"""

from __future__ import annotations

import secrets
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chidao.lib import uploads
from chidao.lib.uploads import DOCX, JPEG, PDF, PNG, XLSX, FileType

__all__ = ["ACCEPT", "ALLOWED", "FileType", "check_upload", "clean_name", "detect_type", "storage_name"]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


ALLOWED = (PDF, DOCX, XLSX, PNG, JPEG)
ACCEPT = ",".join(t.extension for t in ALLOWED) + ",.jpeg"


def max_bytes() -> int:
    return int(getattr(settings, "MEETING_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def detect_type(upload: IO[bytes]) -> FileType | None:
    return uploads.detect_type(upload, ALLOWED)


def clean_name(name: str, file_type: FileType, max_length: int = 150) -> str:
    return uploads.clean_name(name, file_type, max_length, fallback="tai-lieu")


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
