from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gongjian.accounts"
    verbose_name = _("Organisation and accounts")

    def ready(self):
        from gongjian.accounts import signals  # noqa: F401  (connects the receivers)
