from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "gongjian.assessment"
    default_auto_field = "django.db.models.BigAutoField"
