from django.urls import URLPattern, path

from chidao.reporting import document_views

urlpatterns: list[URLPattern] = [
    path("reports/<int:pk>/docx/", document_views.report_docx, name="report_docx"),
    path("reports/<int:pk>/pdf/", document_views.report_pdf, name="report_pdf"),
]
