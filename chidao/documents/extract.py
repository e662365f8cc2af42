"""Text of attached files for the search: PDF (pypdf) and Word .docx (python-docx, paragraphs and
tables). Bounded in pages and characters; a broken or hostile file gives empty text and a log line,
never an error, since the attachment itself is still worth keeping. No database here."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

from chidao.lib.uploads import DOCX, PDF

logger = logging.getLogger(__name__)

MAX_PAGES = 200
MAX_CHARS = 500_000


def extract_text(content: bytes, content_type: str, *, max_chars: int = MAX_CHARS, max_pages: int = MAX_PAGES) -> str:
    """The text of a PDF or DOCX file (at most `max_chars`); "" for other types and broken files."""
    try:
        if content_type == PDF.content_type:
            parts = _pdf(content, max_pages)
        elif content_type == DOCX.content_type:
            parts = _docx(content)
        else:
            return ""
        return _join(parts, max_chars)
    except Exception:  # pypdf and python-docx raise many types on hostile input
        logger.warning("text extraction failed (%s, %d bytes)", content_type, len(content), exc_info=True)
        return ""


def _join(parts: Iterator[str], max_chars: int) -> str:
    out: list[str] = []
    total = 0
    for part in parts:
        text = part.strip()
        if not text:
            continue
        out.append(text)
        total += len(text) + 1
        if total >= max_chars:
            break
    return "\n".join(out)[:max_chars]


def _pdf(content: bytes, max_pages: int) -> Iterator[str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    for number, page in enumerate(reader.pages):
        if number >= max_pages:
            break
        yield page.extract_text() or ""


def _docx(content: bytes) -> Iterator[str]:
    import docx

    document = docx.Document(io.BytesIO(content))
    for paragraph in document.paragraphs:
        yield paragraph.text
    for table in document.tables:
        for row in table.rows:
            cells = dict.fromkeys(cell.text.strip() for cell in row.cells)  # merged cells repeat
            yield " | ".join(c for c in cells if c)
