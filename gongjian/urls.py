from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, register_converter

from gongjian.accounts.views import home
from gongjian.lib.converters import IdConverter, YearConverter
from gongjian.views import healthz

# Before the apps' urls are included: their patterns use <id:…> and <year:…>.
register_converter(IdConverter, "id")
register_converter(YearConverter, "year")

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("gongjian.accounts.urls")),
    path("projects/", include("gongjian.projects.urls")),
    path("projects/", include("gongjian.dashboards.urls_maps")),
    path("transfer/", include("gongjian.transfer.urls")),
    path("dispatch/", include("gongjian.dispatch.urls")),
    path("inbox/", include("gongjian.inbox.urls")),
    path("problems/", include("gongjian.problems.urls")),
    path("assessment/", include("gongjian.assessment.urls")),
    path("bulletin/", include("gongjian.bulletin.urls")),
    path("dashboards/", include("gongjian.dashboards.urls")),
    path("screen/", include("gongjian.screen.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler500 = "gongjian.views.server_error"
