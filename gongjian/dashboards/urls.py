from django.urls import path

from gongjian.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("summary.json", views.summary_json, name="summary"),
    path("trend.json", views.trend_json, name="trend"),
    path("units.json", views.units_json, name="units"),
    path("projects.json", views.projects_json, name="projects"),
    path("reds.json", views.reds_json, name="reds"),
]
