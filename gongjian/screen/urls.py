from django.urls import path

from gongjian.screen import views

app_name = "screen"
urlpatterns = [
    path("<slug:token>/", views.show, name="show"),
    path("<slug:token>/data/", views.data, name="data"),
]
