"""Django admin for system administrators: read-only views of organisation data.

Changes go through the app's pages and services so every change is scoped and audited.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from chidao.org.models import Committee, CommitteeGroup, Membership, Person, Unit


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "name",
        "kind",
        "parent",
        "valid_from",
        "valid_until",
        "successor",
    )
    list_filter = ("kind", "agency_type")
    search_fields = ("code", "name", "name_folded")
    list_select_related = ("parent", "successor")


@admin.register(Committee)
class CommitteeAdmin(ReadOnlyAdmin):
    list_display = ("name", "unit", "kind", "founded_on", "dissolved_on")
    search_fields = ("name", "short_name")
    list_select_related = ("unit",)


@admin.register(CommitteeGroup)
class CommitteeGroupAdmin(ReadOnlyAdmin):
    list_display = ("name", "committee", "kind")


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ("full_name", "titles", "unit")
    search_fields = ("full_name", "name_folded")
    list_select_related = ("unit",)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("person", "committee", "role", "start_date", "end_date", "decision")
    list_filter = ("role",)
    list_select_related = ("person", "committee")
