from django.urls import path

from chidao.documents.search import views

app_name = "search"
urlpatterns = [
    path("", views.index, name="index"),
]
