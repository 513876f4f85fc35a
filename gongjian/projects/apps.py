from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "gongjian.projects"
    verbose_name = _("Project registry")

    def ready(self):
        from gongjian.projects import lists  # noqa: F401  (connects the cache's receivers)
