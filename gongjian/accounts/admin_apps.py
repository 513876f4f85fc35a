"""Replaces django.contrib.admin in INSTALLED_APPS so that `admin.site`, where every app
registers its models, is the 三员分立 site (admin_site.py). Kept apart from that module: an
AppConfig is imported before the models are ready."""

from django.contrib.admin.apps import AdminConfig


class GongjianAdminConfig(AdminConfig):
    default_site = "gongjian.accounts.admin_site.GongjianAdminSite"
