"""API shapes of the document registry."""

import datetime as dt

from django.urls import reverse
from ninja import Schema
from pydantic import Field


class DocumentOut(Schema):
    id: int
    kind: str
    symbol: str
    number: int | None
    type_code: str
    issuer_code: str
    issuer: str
    issued_on: dt.date
    title: str
    direction: str
    visibility: str
    unit_id: int
    unit_name: str
    url: str

    @staticmethod
    def resolve_unit_name(obj: object) -> str:
        return str(obj.unit.name)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_url(obj: object) -> str:
        return reverse("documents:detail", args=[obj.id])  # type: ignore[attr-defined]


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    url: str

    @staticmethod
    def resolve_url(obj: object) -> str:
        return reverse("api:documents_attachment_download", args=[obj.pk])  # type: ignore[attr-defined]


class RelatedOut(Schema):
    """One relation seen from the document asked for: `label` reads the right way round."""

    id: int
    kind: str
    label: str
    note: str
    document: DocumentOut


class ImplementationOut(Schema):
    level: int
    document: DocumentOut


class DocumentDetailOut(DocumentOut):
    signer: str
    summary: str
    full_text: str
    received_number: int | None
    received_on: dt.date | None
    effective_on: dt.date | None
    can_edit: bool
    attachments: list[AttachmentOut]
    relations_out: list[RelatedOut]
    relations_in: list[RelatedOut]
    implementations: list[ImplementationOut]


class DocumentIn(Schema):
    unit_id: int
    kind: str
    symbol: str = Field(default="", max_length=100)
    issuer: str = Field(max_length=255)
    issued_on: dt.date
    title: str = Field(max_length=1000)
    direction: str = "incoming"
    visibility: str = "subtree"
    signer: str = Field(default="", max_length=255)
    summary: str = ""
    full_text: str = ""
    received_number: int | None = None
    received_on: dt.date | None = None
    effective_on: dt.date | None = None


class DocumentPatch(Schema):
    """Only the fields sent are changed."""

    unit_id: int | None = None
    kind: str | None = None
    symbol: str | None = Field(default=None, max_length=100)
    issuer: str | None = Field(default=None, max_length=255)
    issued_on: dt.date | None = None
    title: str | None = Field(default=None, max_length=1000)
    direction: str | None = None
    visibility: str | None = None
    signer: str | None = Field(default=None, max_length=255)
    summary: str | None = None
    full_text: str | None = None
    received_number: int | None = None
    received_on: dt.date | None = None
    effective_on: dt.date | None = None


class RelationIn(Schema):
    target_id: int
    kind: str
    note: str = Field(default="", max_length=500)


class RelationOut(Schema):
    id: int
    source_id: int
    target_id: int
    kind: str
    note: str
