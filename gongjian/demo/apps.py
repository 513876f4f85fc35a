from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo city: the top layer, since it fills every other app."""

    name = "gongjian.demo"
    verbose_name = _("Demo city")
    default_auto_field = "django.db.models.BigAutoField"
