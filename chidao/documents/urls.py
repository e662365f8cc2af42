from django.urls import include, path

app_name = "documents"
urlpatterns = [
    path("", include("chidao.documents.urls_tools")),
]
