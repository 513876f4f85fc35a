"""/admin/ under 三员分立 (等保2.0): the system, security and audit administrators each reach
their own models only (accounts/access.py decides; this module applies it).

Two layers, so no ModelAdmin of any app, ours or a library's, can be forgotten:
- AdminRoleBackend answers Django's model permissions (`user.has_perm("app.change_x")`,
  which every ModelAdmin asks) from the administrator's role alone; the groups and permissions
  the security administrator manages never widen an administrator's reach;
- GongjianAdminSite lets only administrators in, and refuses every page of a model the user's
  role does not cover, whatever that model's admin would allow.
"""

from __future__ import annotations

from functools import update_wrapper

from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from gongjian.accounts import access_admin


class AdminRoleBackend:
    """Model permissions for the three administrators. For them it decides alone (raising
    PermissionDenied stops Django asking the next backend); for everyone else it has no say.
    Superusers never get here: Django grants them every permission first."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user, perm: str, obj=None) -> bool:
        if not user.is_active or not user.admin_role:
            return False
        app_label, _dot, codename = perm.partition(".")
        action, _underscore, model_name = codename.partition("_")
        if access_admin.may_administer(user, f"{app_label}.{model_name}", action):
            return True
        raise PermissionDenied

    def has_module_perms(self, user, app_label: str) -> bool:
        if not user.is_active or not user.admin_role:
            return False
        site = admin.site
        models = [m._meta.label_lower for m in site._registry if m._meta.app_label == app_label]
        if any(access_admin.may_open_admin_model(user, model) for model in models):
            return True
        raise PermissionDenied


class GongjianAdminSite(admin.AdminSite):
    site_header = _("Gongjian administration")
    site_title = _("Gongjian administration")
    index_title = _("Administration")

    def has_permission(self, request) -> bool:
        return access_admin.may_enter_admin(request.user)

    def login(self, request, extra_context=None):
        # One sign-in page for everyone (lockout, second factor and the trail apply to it);
        # a signed-in user who is no administrator is refused rather than asked to sign in.
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect("admin:index")
            raise PermissionDenied
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)
        model_admin = getattr(view, "__self__", None)
        if not isinstance(model_admin, BaseModelAdmin):
            return inner
        model = model_admin.model._meta.label_lower

        def gated(request, *args, **kwargs):
            user = request.user
            if self.has_permission(request) and not access_admin.may_open_admin_model(user, model):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(gated, inner)
