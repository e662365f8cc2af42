"""Pages that produce documents: composing an outgoing document in the official layout and
importing an existing register from Excel. Included by `chidao.documents.urls`."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
