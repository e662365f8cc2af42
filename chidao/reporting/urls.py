"""Reporting URLs, one module per area (namespace "reporting")."""

from chidao.reporting.urls_dashboard import urlpatterns as dashboard_urls
from chidao.reporting.urls_documents import urlpatterns as document_urls
from chidao.reporting.urls_entry import urlpatterns as entry_urls
from chidao.reporting.urls_excel import urlpatterns as excel_urls

app_name = "reporting"

urlpatterns = [*entry_urls, *dashboard_urls, *excel_urls, *document_urls]
