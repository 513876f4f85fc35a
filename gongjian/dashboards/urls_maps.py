"""The battle maps, 四多四少 and the project map keep their addresses under /projects/ (people have
bookmarked them); their views live in dashboards (views_maps.py)."""

from django.urls import path

from gongjian.dashboards import views_maps

app_name = "maps"
urlpatterns = [
    path("structure/", views_maps.structure, name="structure"),
    path("map/", views_maps.project_map, name="map"),
    path("map/data/", views_maps.map_data, name="map-data"),
    path("<id:pk>/battle/", views_maps.battle_map, name="battle"),
    path("units/<id:unit_pk>/battle/", views_maps.unit_battle_map, name="unit-battle"),
]
