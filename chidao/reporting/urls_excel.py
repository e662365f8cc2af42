from django.urls import URLPattern, path

from chidao.reporting import excel_views

urlpatterns: list[URLPattern] = [
    path("reports/<int:pk>/xlsx/", excel_views.report_xlsx, name="report_xlsx"),
    path("reports/<int:pk>/xlsx/upload/", excel_views.report_xlsx_upload, name="report_xlsx_upload"),
    path("export/", excel_views.export, name="export"),
    path("import/", excel_views.import_values, name="import_values"),
]
