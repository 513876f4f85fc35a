from django.apps import AppConfig


class ScreenConfig(AppConfig):
    name = "gongjian.screen"
    default_auto_field = "django.db.models.BigAutoField"
