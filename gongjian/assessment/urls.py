from django.urls import path

from gongjian.assessment import views, views_review

app_name = "assessment"
urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("compute/", views.compute, name="compute"),
    path("run/<id:run_pk>/publish/", views.publish, name="publish"),
    path("run/<id:run_pk>/unit/<id:unit_pk>/", views.breakdown, name="breakdown"),
    path("targets/", views.targets, name="targets"),
    path("awards/<year:year>/", views.awards, name="awards"),
    path("awards/<year:year>.xlsx", views.awards_xlsx, name="awards-xlsx"),
    path("review/", views_review.events, name="review-events"),
    path("review/<id:event_pk>/", views_review.event, name="review-event"),
    path("review/<id:event_pk>/ballot/", views_review.ballot, name="ballot"),
    path("review/<id:event_pk>/open/", views_review.open_event, name="review-open"),
    path("review/<id:event_pk>/close/", views_review.close_event, name="review-close"),
    path("review/<id:event_pk>/results/", views_review.results, name="review-results"),
    path(
        "review/nomination/<id:nomination_pk>/override/",
        views_review.override_nomination,
        name="nomination-override",
    ),
]
