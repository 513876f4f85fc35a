from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "gongjian.projects"
    verbose_name = "Project registry"

    def ready(self):
        from gongjian.projects import lists  # noqa: F401  (connects the cache's receivers)
