from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gongjian.accounts"
    verbose_name = "Organisation and accounts"
