from django.urls import path

from gongjian.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("<id:pk>/", views.project_detail, name="detail"),
    path("<id:pk>/edit/", views.project_edit, name="edit"),
    path("<id:pk>/rebaseline/", views.project_rebaseline, name="rebaseline"),
    path("<id:pk>/delete/", views.project_delete, name="delete"),
    path("<id:pk>/listings/new/", views.listing_edit, name="listing-create"),
    path("<id:pk>/listings/<id:listing_pk>/", views.listing_edit, name="listing-edit"),
    path("<id:pk>/milestones/<id:milestone_pk>/", views.milestone_edit, name="milestone-edit"),
]
