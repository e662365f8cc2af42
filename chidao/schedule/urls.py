from django.urls import path

from chidao.schedule import views

app_name = "schedule"

urlpatterns = [
    path("", views.month, name="month"),
    path("week/", views.week, name="week"),
    path("feed/", views.feed, name="feed"),
    path("feed/<int:pk>/revoke/", views.feed_revoke, name="feed_revoke"),
    path("feed/<str:secret>.ics", views.ics_feed, name="ics"),
]
