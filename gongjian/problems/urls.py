from django.urls import path

from gongjian.problems import views, views_reports

app_name = "problems"
urlpatterns = [
    path("", views.problem_list, name="list"),
    path("new/", views.new, name="new"),
    path("whistle/", views.whistle, name="whistle"),
    path("mine/", views.mine, name="mine"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/step/<slug:step>/", views.step, name="step"),
    path("<id:pk>/attachment/<id:attachment_pk>/", views.attachment, name="attachment"),
    path("notice/<id:notice_pk>/", views.notice, name="notice"),
    path("notice/<id:notice_pk>/pdf/", views.notice_pdf, name="notice-pdf"),
    path("stats/", views_reports.stats, name="stats"),
    path("weekly/", views_reports.weekly, name="weekly"),
    path("weekly.xlsx", views_reports.weekly_xlsx, name="weekly-xlsx"),
]
