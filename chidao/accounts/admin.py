"""The Django admin, for system administrators only: a system_admin grant on the national root
makes a user staff and superuser (see services.grant_role).

Role grants are read-only here: they are given and taken back through the users page or the API,
so that the scope rules apply and every change is audited.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from chidao.accounts.models import RoleGrant, User


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RoleGrantInline(ReadOnlyMixin, admin.TabularInline):  # type: ignore[type-arg]  # generic in stubs only
    model = RoleGrant
    fk_name = "user"
    extra = 0
    fields = ["unit", "role", "granted_by", "created_at"]
    readonly_fields = ["unit", "role", "granted_by", "created_at"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]  # generic in stubs only
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin cá nhân"), {"fields": ("full_name", "email")}),
        (_("Quyền"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Thời điểm"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "email", "password1", "password2"),
            },
        ),
    )
    list_display = [
        "username",
        "full_name",
        "email",
        "is_active",
        "is_staff",
        "last_login",
    ]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "full_name", "email"]
    ordering = ["username"]
    inlines = [RoleGrantInline]


@admin.register(RoleGrant)
class RoleGrantAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]  # generic in stubs only
    list_display = ["user", "role", "unit", "granted_by", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "unit__name", "unit__code"]
    list_select_related = ["user", "unit", "granted_by"]
