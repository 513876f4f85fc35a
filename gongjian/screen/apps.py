from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreenConfig(AppConfig):
    name = "gongjian.screen"
    verbose_name = _("Public big screen")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers this output's check with check_figures (dashboards/reconcile.py).
        from gongjian.screen import reconcile  # noqa: F401
