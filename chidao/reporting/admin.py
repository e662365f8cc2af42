"""Django admin for system administrators.

Holiday swaps (nghỉ bù, làm bù) are decided by the Government each year and shift every working-day
due date: this admin is, for now, the only place to edit them. Everything else is read-only here;
changes go through the reporting pages and services so they are scoped and audited.
"""

from django.contrib import admin

from chidao.org.admin import ReadOnlyAdmin
from chidao.reporting.models import (
    Aggregate,
    Assignment,
    DataValue,
    FormVersion,
    HolidayShift,
    Indicator,
    Period,
    Report,
    ReportForm,
)


@admin.register(HolidayShift)
class HolidayShiftAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("day", "is_day_off", "note")
    list_filter = ("is_day_off",)
    date_hierarchy = "day"
    search_fields = ("note",)


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "owner", "value_type", "aggregation", "is_key")
    list_filter = ("value_type", "aggregation", "is_key")
    search_fields = ("code", "name")
    list_select_related = ("owner",)


@admin.register(ReportForm)
class ReportFormAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "owner", "periodicity", "calendar", "due_days")
    search_fields = ("code", "name")
    list_select_related = ("owner",)


@admin.register(FormVersion)
class FormVersionAdmin(ReadOnlyAdmin):
    list_display = ("form", "number", "published_at", "note")
    list_select_related = ("form",)


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("form", "parent", "unit_kind", "agency_type", "valid_from", "valid_until")
    list_select_related = ("form", "parent")


@admin.register(Period)
class PeriodAdmin(ReadOnlyAdmin):
    list_display = ("label", "kind", "calendar", "start", "end")
    list_filter = ("kind", "calendar", "year")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("form", "unit", "period", "revision", "status", "is_current", "due_date", "submitted_at")
    list_filter = ("status", "is_current")
    search_fields = ("unit__name", "form__code")
    list_select_related = ("form", "unit", "period")


@admin.register(DataValue)
class DataValueAdmin(ReadOnlyAdmin):
    list_display = ("report", "indicator", "value", "text", "updated_by", "updated_at")
    list_select_related = ("report__form", "report__unit", "report__period", "indicator", "updated_by")


@admin.register(Aggregate)
class AggregateAdmin(ReadOnlyAdmin):
    list_display = ("form", "unit", "period", "indicator", "total", "count", "updated_at")
    list_select_related = ("form", "unit", "period", "indicator")
