from django.urls import URLPattern, path

from chidao.reporting import dashboard

urlpatterns: list[URLPattern] = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path(
        "dashboard/<int:form>/<int:period>/<int:unit>/<int:indicator>/",
        dashboard.drilldown,
        name="drilldown",
    ),
]
