"""Django admin for system administrators: read-only; changes go through the task pages and
services so they are scoped and audited."""

from django.contrib import admin

from chidao.org.admin import ReadOnlyAdmin
from chidao.tasks.models import Notification, ReminderRun, Task


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("title", "lead_unit", "assigning_unit", "due_date", "completed_on", "source")
    list_filter = ("source", "priority", "recurrence")
    search_fields = ("title", "document_reference")
    list_select_related = ("lead_unit", "assigning_unit")
    date_hierarchy = "due_date"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "text", "created_at", "read_at")
    list_filter = ("kind",)
    list_select_related = ("user",)


@admin.register(ReminderRun)
class ReminderRunAdmin(ReadOnlyAdmin):
    list_display = ("day", "started_at", "finished_at", "reminders", "notifications", "emails")
