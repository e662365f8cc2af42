from django.urls import path

from chidao.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.entry_list, name="entry_list"),
    path("<int:pk>/", views.entry_detail, name="entry_detail"),
]
