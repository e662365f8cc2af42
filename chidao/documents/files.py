"""Checking files attached to documents: the type from the content (never the name or the browser's
word), a size limit, a guard against ZIP bombs in Word and Excel packages, and safe names.

Accepted: PDF, Word (.docx), Excel (.xlsx), PNG, JPEG. The size limit is the setting
DOCUMENTS_UPLOAD_MAX_BYTES (30 MB by default), read at call time. The name on disk is a random
token plus the detected extension; the display name is kept in the row. No database here.
"""

from __future__ import annotations

import unicodedata
import uuid
import zipfile
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chidao.lib import uploads
from chidao.lib.uploads import DOCX, JPEG, PDF, PNG, XLSX, FileType

__all__ = ["ACCEPT", "ALLOWED", "INLINE", "FileType", "check_upload", "max_bytes", "storage_name"]

DEFAULT_MAX_BYTES = 30 * 1024 * 1024
ALLOWED = (PDF, DOCX, XLSX, PNG, JPEG)
ACCEPT = ",".join(t.extension for t in ALLOWED) + ",.jpeg"
# Types a browser may show in place (the download view still sandboxes them); others download.
INLINE = frozenset({PDF.content_type, PNG.content_type, JPEG.content_type})

# ZIP packages (DOCX, XLSX): a real report is a few MB unpacked and compresses 5 to 20 times; a bomb is a
# few KB that unpack to gigabytes, or thousands of members.
ZIP_MAX_MEMBERS = 2000
ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100


def max_bytes() -> int:
    return int(getattr(settings, "DOCUMENTS_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def storage_name(file_type: FileType) -> str:
    """The name on disk: random, so a stored path reveals nothing and never collides."""
    return f"{uuid.uuid4().hex}{file_type.extension}"


def _check_name(name: str, field: str) -> None:
    """Refuse a name that carries a path or control characters: browsers send bare names, so such a
    name was made by hand ("../../etc/passwd.pdf")."""
    if "/" in name or "\\" in name or any(unicodedata.category(ch) == "Cc" for ch in name):
        raise ValidationError(
            {
                field: _("Tên tệp “%(name)s” không hợp lệ: tên tệp không được chứa đường dẫn hay ký tự điều khiển.")
                % {"name": name.encode("unicode_escape").decode("ascii")[:120]}
            }
        )


def _check_package(upload: IO[bytes], field: str, label: str) -> None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValidationError({field: _("Tệp %(type)s bị hỏng, không mở được.") % {"type": label}}) from exc
    finally:
        upload.seek(0)
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if (
        len(members) > ZIP_MAX_MEMBERS
        or unpacked > ZIP_MAX_UNCOMPRESSED
        or unpacked / packed > ZIP_MAX_RATIO
        or any(m.file_size > 1024 * 1024 and m.file_size / max(m.compress_size, 1) > ZIP_MAX_RATIO for m in members)
    ):
        raise ValidationError(
            {
                field: _(
                    "Tệp %(type)s bất thường: khi giải nén quá lớn hoặc có quá nhiều thành phần (nghi là “bom nén”). "
                    "Hãy lưu lại tệp bằng Word hoặc Excel rồi tải lên."
                )
                % {"type": label}
            }
        )


def check_upload(upload: IO[bytes], *, name: str, size: int, field: str = "upload") -> tuple[FileType, str]:
    """(detected type, display name) of an acceptable file; a ValidationError naming `field` otherwise."""
    _check_name(name, field)
    limit = max_bytes()
    if size <= 0:
        raise ValidationError({field: _("Tệp rỗng.")})
    if size > limit:
        raise ValidationError(
            {
                field: _("Tệp quá lớn (%(size)s MB): tối đa %(mb)s MB.")
                % {"size": f"{size / 1024 / 1024:.1f}", "mb": f"{limit / 1024 / 1024:.0f}"}
            }
        )
    file_type = uploads.detect_type(upload, ALLOWED)
    if file_type is None:
        raise ValidationError(
            {
                field: _(
                    "Nội dung tệp “%(name)s” không phải PDF, Word (.docx), Excel (.xlsx) hay ảnh PNG, JPEG "
                    "(loại tệp được xác định theo nội dung, không theo tên)."
                )
                % {"name": name[:120]}
            }
        )
    if file_type in (DOCX, XLSX):
        _check_package(upload, field, file_type.label)
    return file_type, uploads.clean_name(name, file_type, fallback="van-ban")
