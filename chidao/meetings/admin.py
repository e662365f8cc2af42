"""Django admin for system administrators: read-only views of meetings.

Changes go through the pages and services so every change is scoped and audited.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from chidao.meetings.models import AgendaItem, Conclusion, Invitee, Meeting


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AgendaItemInline(_ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = AgendaItem
    extra = 0
    fields = ("order", "title", "presenter", "presenter_text")


class InviteeInline(_ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = Invitee
    extra = 0
    fields = ("person", "attendance", "absence_reason", "delegate", "delegate_name")


class ConclusionInline(_ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = Conclusion
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(_ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title", "kind", "host_committee", "visiting_committee", "starts_at", "status")
    list_filter = ("kind", "status")
    search_fields = ("title",)
    date_hierarchy = "starts_at"
    inlines = (AgendaItemInline, InviteeInline, ConclusionInline)
