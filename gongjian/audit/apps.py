from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gongjian.audit"
    verbose_name = "Audit trail"
