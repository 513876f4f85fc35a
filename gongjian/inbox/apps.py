from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "gongjian.inbox"
    default_auto_field = "django.db.models.BigAutoField"
