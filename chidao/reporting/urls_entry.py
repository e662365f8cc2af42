"""Catalogue, data entry, workflow and completeness pages (namespace "reporting")."""

from django.urls import URLPattern, path

from chidao.reporting import views

urlpatterns: list[URLPattern] = [
    path("indicators/", views.indicator_list, name="indicator_list"),
    path("indicators/new/", views.indicator_create, name="indicator_create"),
    path("forms/", views.form_list, name="form_list"),
    path("forms/new/", views.form_create, name="form_create"),
    path("forms/<int:pk>/", views.form_detail, name="form_detail"),
    path("forms/<int:pk>/sections/new/", views.form_section_add, name="form_section_add"),
    path("forms/<int:pk>/fields/new/", views.form_field_add, name="form_field_add"),
    path("forms/<int:pk>/rules/new/", views.form_rule_add, name="form_rule_add"),
    path("forms/<int:pk>/publish/", views.form_publish, name="form_publish"),
    path("forms/<int:pk>/versions/new/", views.form_version_new, name="form_version_new"),
    path("forms/<int:pk>/assignments/new/", views.assignment_create, name="assignment_create"),
    path("forms/<int:pk>/periods/<int:period_pk>/completeness/", views.completeness, name="completeness"),
    path("forms/<int:pk>/periods/<int:period_pk>/remind/", views.completeness_remind, name="completeness_remind"),
    path("owed/", views.owed, name="owed"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/open/", views.report_open, name="report_open"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/value/", views.report_save_value, name="report_save_value"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/return/", views.report_return, name="report_return"),
    path("reports/<int:pk>/approve/", views.report_approve, name="report_approve"),
    path("reports/<int:pk>/correction/", views.report_correction, name="report_correction"),
]
