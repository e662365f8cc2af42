"""Composing an outgoing document: build it in the official layout, then register it in the unit's
register of outgoing documents with the Word file (and the PDF when LibreOffice is installed).

Rules: the actor needs the secretariat role (or higher) on the issuing unit; the form's errors are
keyed by field (`compose.validate`); the register entry and its attachments are saved together or
not at all. The files are built before the transaction opens: a LibreOffice conversion takes
seconds, and SQLite would hold its write lock all that time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction

from chidao.audit import services as audit
from chidao.documents import compose, services
from chidao.documents.models import Attachment, Direction, Document, Visibility
from chidao.lib import officedoc
from chidao.org.scope import require_role

if TYPE_CHECKING:
    from chidao.accounts.models import User
    from chidao.org.models import Committee, Unit


@dataclass
class ComposedDocument:
    document: Document
    attachments: list[Attachment]
    pdf_error: str = ""  # why there is no PDF, when LibreOffice is installed but failed


@dataclass
class _Files:
    built: compose.Composed
    pdf: bytes | None = None
    pdf_error: str = ""
    stored: list[Attachment] = field(default_factory=list)


def compose_document(
    *,
    actor: User,
    unit: Unit,
    kind: str,
    title: str,
    issued_on: dt.date,
    body: str,
    committee: Committee | None = None,
    number: str = "",
    place: str = "",
    addressees: list[str] | None = None,
    recipients: list[str] | None = None,
    signer: str = "",
    position: str = "",
    on_behalf: str = "",
    on_behalf_of: str = "",
    issuer_code: str = "",
    drafting_code: str = "",
    visibility: str = Visibility.SUBTREE,
) -> ComposedDocument:
    """Build the document of `committee` (or of `unit` when none) and register it as outgoing."""
    require_role(actor, unit, compose.EDITOR)
    draft = compose.Draft(
        unit=unit,
        committee=committee,
        kind=kind,
        number=number,
        title=title,
        day=issued_on,
        place=place,
        body=body,
        addressees=addressees or [],
        recipients=recipients or [],
        signer=signer,
        position=position,
        on_behalf=on_behalf,
        on_behalf_of=on_behalf_of,
        issuer_code=issuer_code,
        drafting_code=drafting_code,
    )
    files = _Files(built=compose.compose(draft))
    if officedoc.office_binary() is not None:
        try:
            files.pdf = compose.docx_to_pdf(files.built.docx)
        except compose.PdfUnavailable as exc:
            files.pdf_error = str(exc)
    try:
        document = _register(actor=actor, draft=draft, files=files, visibility=visibility)
    except BaseException:
        # The rows rolled back; an attachment stored before a later step failed leaves no file behind.
        for attachment in files.stored:
            if attachment.file.name:
                attachment.file.storage.delete(attachment.file.name)
        raise
    return ComposedDocument(document=document, attachments=files.stored, pdf_error=files.pdf_error)


@transaction.atomic
def _register(*, actor: User, draft: compose.Draft, files: _Files, visibility: str) -> Document:
    built = files.built
    document = services.register_document(
        actor=actor,
        unit=draft.unit,
        kind=draft.kind,
        symbol=built.symbol,
        issuer=built.issuer.name,
        issued_on=draft.day,
        title=draft.title.strip(),
        direction=Direction.OUTGOING,
        visibility=visibility,
        signer=draft.signer.strip(),
        full_text=draft.body.strip(),
    )
    outputs = [(built.docx, f"{built.stem}.docx")]
    if files.pdf is not None:
        outputs.append((files.pdf, f"{built.stem}.pdf"))
    for content, name in outputs:
        files.stored.append(services.attach_bytes(actor=actor, document=document, content=content, name=name))
    audit.record(
        actor=actor,
        action="documents.document.composed",
        target=document,
        unit=draft.unit,
        changes={
            "layout": "party" if built.issuer.party else "state",
            "committee": draft.committee.pk if draft.committee is not None else None,
            "attachments": [a.pk for a in files.stored],
        },
    )
    return document
