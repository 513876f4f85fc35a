from django.urls import path

from gongjian.assessment import views, views_review

app_name = "assessment"
urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("compute/", views.compute, name="compute"),
    path("run/<int:run_pk>/publish/", views.publish, name="publish"),
    path("run/<int:run_pk>/unit/<int:unit_pk>/", views.breakdown, name="breakdown"),
    path("targets/", views.targets, name="targets"),
    path("awards/<int:year>/", views.awards, name="awards"),
    path("awards/<int:year>.xlsx", views.awards_xlsx, name="awards-xlsx"),
    path("review/", views_review.events, name="review-events"),
    path("review/<int:event_pk>/", views_review.event, name="review-event"),
    path("review/<int:event_pk>/ballot/", views_review.ballot, name="ballot"),
    path("review/<int:event_pk>/open/", views_review.open_event, name="review-open"),
    path("review/<int:event_pk>/close/", views_review.close_event, name="review-close"),
    path("review/<int:event_pk>/results/", views_review.results, name="review-results"),
    path(
        "review/nomination/<int:nomination_pk>/override/",
        views_review.override_nomination,
        name="nomination-override",
    ),
]
