from django.urls import path

from chidao.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/agenda/new/", views.agenda_add, name="agenda_add"),
    path("agenda/<int:pk>/edit/", views.agenda_edit, name="agenda_edit"),
    path("agenda/<int:pk>/delete/", views.agenda_delete, name="agenda_delete"),
    path("agenda/<int:pk>/documents/new/", views.document_upload, name="document_upload"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("documents/<int:pk>/delete/", views.document_delete, name="document_delete"),
    path("<int:pk>/invitees/", views.invitees, name="invitees"),
    path("invitees/<int:pk>/remove/", views.invitee_remove, name="invitee_remove"),
    path("<int:pk>/units/<int:unit_pk>/remove/", views.invited_unit_remove, name="invited_unit_remove"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/minutes/file/", views.minutes_download, name="minutes_download"),
    path("<int:pk>/conclusions/", views.conclusions, name="conclusions"),
    path("<int:pk>/invitation.docx", views.invitation_docx, name="invitation_docx"),
    path("<int:pk>/invitation.pdf", views.invitation_pdf, name="invitation_pdf"),
    path("<int:pk>/notice.docx", views.notice_docx, name="notice_docx"),
    path("<int:pk>/notice.pdf", views.notice_pdf, name="notice_pdf"),
]
