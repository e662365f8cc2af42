from django.contrib import admin
from django.urls import include, path

from chidao.api import api
from chidao.org import views as org_views

urlpatterns = [
    path("", org_views.home, name="home"),
    path("", include("chidao.org.urls")),
    path("account/", include("chidao.accounts.urls")),
    path("audit/", include("chidao.audit.urls")),
    path("reporting/", include("chidao.reporting.urls")),
    path("meetings/", include("chidao.meetings.urls")),
    path("tasks/", include("chidao.tasks.urls")),
    path("calendar/", include("chidao.schedule.urls")),
    path("documents/", include("chidao.documents.urls")),
    path("search/", include("chidao.documents.search.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
