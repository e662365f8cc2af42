"""Django admin for system administrators: read-only views of the registry.

Changes go through the pages and services so every change is scoped, audited and indexed.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from chidao.documents.models import Attachment, Document, DocumentRelation


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttachmentInline(_ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = Attachment
    extra = 0
    fields = ("name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at")


class RelationInline(_ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = DocumentRelation
    fk_name = "source"
    extra = 0
    fields = ("kind", "target", "note")


@admin.register(Document)
class DocumentAdmin(_ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("symbol", "title", "kind", "issuer", "issued_on", "direction", "unit", "visibility")
    list_filter = ("kind", "direction", "visibility")
    search_fields = ("symbol_key", "title", "issuer")
    date_hierarchy = "issued_on"
    list_select_related = ("unit",)
    inlines = (AttachmentInline, RelationInline)
