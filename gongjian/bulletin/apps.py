from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinConfig(AppConfig):
    name = "gongjian.bulletin"
    verbose_name = _("Dispatch bulletin")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers this output's check with check_figures (dashboards/reconcile.py).
        from gongjian.bulletin import reconcile  # noqa: F401
