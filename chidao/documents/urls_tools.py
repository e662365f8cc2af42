"""Pages that produce documents: composing an outgoing document in the official layout and
importing an existing register from Excel. Included by `chidao.documents.urls`."""

from django.urls import URLPattern, path

from chidao.documents import views_tools

urlpatterns: list[URLPattern] = [
    path("compose/", views_tools.compose_page, name="compose"),
    path("import/", views_tools.import_page, name="import"),
    path("import/template/", views_tools.import_template, name="import_template"),
]
