from django.urls import path

from gongjian.transfer import views

app_name = "transfer"
urlpatterns = [
    path("export/", views.export, name="export"),
    path("template/", views.template, name="template"),
    path("import/", views.upload, name="import"),
    path("import/confirm/", views.confirm, name="import-confirm"),
]
