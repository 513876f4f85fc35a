from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "gongjian.projects"
    verbose_name = "Project registry"
