from django.urls import path

from chidao.tasks import views

app_name = "tasks"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("unit/", views.unit, name="unit"),
    path("assigned/", views.assigned, name="assigned"),
    path("export.xlsx", views.export, name="export"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/subtasks/new/", views.subtask_create, name="subtask_create"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/comments/", views.comment, name="comment"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/extensions/new/", views.extension_request, name="extension_request"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:pk>/evaluate/", views.evaluate, name="evaluate"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("from-meeting/<int:meeting_pk>/", views.from_meeting, name="from_meeting"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/settings/", views.preferences, name="preferences"),
]
