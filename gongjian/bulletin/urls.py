from django.urls import path

from gongjian.bulletin import views

app_name = "bulletin"
urlpatterns = [
    path("", views.index, name="index"),
    path("xlsx/", views.download_xlsx, name="xlsx"),
    path("pdf/", views.download_pdf, name="pdf"),
    path("text/", views.download_text, name="text"),
]
