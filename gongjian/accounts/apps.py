from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gongjian.accounts"
    verbose_name = "Organisation and accounts"

    def ready(self):
        from gongjian.accounts import signals  # noqa: F401  (connects the receivers)
