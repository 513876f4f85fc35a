from django.urls import path

from gongjian.dispatch import views

app_name = "dispatch"
urlpatterns = [
    path("", views.due, name="due"),
    path("report/<id:project_pk>/<id:period_pk>/", views.report, name="report"),
    path("batch/", views.batch, name="batch"),
    path("batch/sheet/", views.batch_sheet, name="batch-sheet"),
    path("batch/<id:project_pk>/<id:period_pk>/", views.batch_row, name="batch-row"),
    path("photo/<id:photo_pk>/", views.photo, name="photo"),
    path("desk/", views.desk, name="desk"),
    path("review/", views.review, name="review"),
    path("review/<id:report_pk>/", views.review_action, name="review-action"),
    path("correct/<id:report_pk>/", views.correct, name="correct"),
]
