from django.urls import path

from gongjian.screen import views

app_name = "screen"
urlpatterns = [
    path("<str:token>/", views.show, name="show"),
    path("<str:token>/data/", views.data, name="data"),
]
