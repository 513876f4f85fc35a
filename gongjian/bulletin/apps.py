from django.apps import AppConfig


class BulletinConfig(AppConfig):
    name = "gongjian.bulletin"
    default_auto_field = "django.db.models.BigAutoField"
