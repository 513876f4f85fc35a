from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "gongjian.dashboards"
    verbose_name = _("Leader cockpit")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # check_figures' checks of the desk, lights, cockpit, targets and scores register
        # themselves on import (reconcile.register), as the bulletin's and the screen's do;
        # the period snapshots follow every write that changes them (receivers).
        from gongjian.dashboards import (  # noqa: F401
            receivers,
            reconcile_assessment,
            reconcile_figures,
        )
