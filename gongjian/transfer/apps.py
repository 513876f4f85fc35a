from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "gongjian.transfer"
    verbose_name = "Excel import and export"
