from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "gongjian.audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from gongjian.audit import signals  # noqa: F401  (connects the receivers)
