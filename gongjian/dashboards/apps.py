from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "gongjian.dashboards"
    verbose_name = _("Leader cockpit")
    default_auto_field = "django.db.models.BigAutoField"
