from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    name = "gongjian.problems"
    verbose_name = _("Problem list")
    default_auto_field = "django.db.models.BigAutoField"
