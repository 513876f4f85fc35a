from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "gongjian.problems"
    default_auto_field = "django.db.models.BigAutoField"
