from django.contrib import admin

from chidao.audit.models import AuditEntry
from chidao.org.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "at", "actor_repr", "action", "target_repr", "unit")
    list_filter = ("action",)
    search_fields = ("target_repr", "actor_repr", "action")
