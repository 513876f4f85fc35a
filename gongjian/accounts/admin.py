"""Organisation and accounts in /admin/, split between the administrators (三员分立): the
system administrator keeps units, regions and accounts' basic fields; the security
administrator grants roles, groups, permissions and the administrator roles, unlocks accounts
and resets passwords and second factors. accounts/access.py decides who may do what."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongjian.accounts import access_admin
from gongjian.accounts.models import Region, RoleGrant, Unit, User
from gongjian.audit.admin import AuditedModelAdmin
from gongjian.audit.models import AuditEntry
from gongjian.audit.services import audit_event, current_actor


@admin.register(Region)
class RegionAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    search_fields = ["code", "name"]


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "parent", "region", "uscc"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "uscc"]
    autocomplete_fields = ["parent"]


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    autocomplete_fields = ["unit"]

    # `obj` is the account: its grants are its rights.
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and _rights(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _rights(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _rights(request, obj)


def _rights(request, account) -> bool:
    return account is None or access_admin.may_change_rights(request.user, account)


class AccountForm(UserChangeForm):
    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("admin_role", self.instance.admin_role)
        superuser = cleaned.get("is_superuser", self.instance.is_superuser)
        if role and superuser:
            # A superuser holds every right at once, which 三员分立 forbids an administrator.
            raise forms.ValidationError(
                _("An administrator cannot be a superuser as well; clear one of the two.")
            )
        return cleaned


class PasswordResetForm(AdminPasswordChangeForm):
    """An administrator sets someone's password: the trail records it, and the person must
    choose their own at the next sign-in (a password someone else knows is no secret)."""

    def save(self, commit=True):
        actor = current_actor()
        own = actor is not None and actor.pk == self.user.pk
        self.user.must_change_password = not own
        user = super().save(commit)
        audit_event(
            actor=actor,
            action=AuditEntry.Action.PASSWORD,
            target=user,
            note="self" if own else "reset by administrator",
        )
        return user


DATE_FIELDS = ("last_login", "date_joined", "password_changed_at")
FLAG_FIELDS = ("is_superuser", "is_staff")  # a superuser's to change, and only theirs


@admin.register(User)
class GongjianUserAdmin(UserAdmin, AuditedModelAdmin):
    form = AccountForm
    change_password_form = PasswordResetForm
    list_display = ["username", "display_name", "admin_role", "is_active", "is_superuser"]
    list_filter = ["admin_role", "is_active", "is_superuser", "groups"]
    search_fields = ["username", "display_name", "first_name", "last_name", "email"]
    inlines = [RoleGrantInline]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        user = request.user
        rights = ["admin_role", *FLAG_FIELDS, "groups", "user_permissions", "must_change_password"]
        first = ["username"]
        if access_admin.may_reset_password(user, obj):
            first.append("password")  # its link opens the reset form
        return [
            (None, {"fields": first}),
            (
                _("Personal info"),
                {"fields": ["display_name", "first_name", "last_name", "email", "phone"]},
            ),
            (_("Status"), {"fields": ["is_active"]}),
            (_("Rights"), {"fields": rights}),
            (_("Important dates"), {"fields": list(DATE_FIELDS)}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        user = request.user
        editable = set()
        if access_admin.may_edit_account(user, obj):
            editable |= set(access_admin.USER_ACCOUNT_FIELDS)
        if access_admin.may_change_rights(user, obj):
            editable |= set(access_admin.USER_RIGHTS_FIELDS)
        if user.is_superuser:
            editable |= set(FLAG_FIELDS)
        shown = [
            name for _title, spec in self.get_fieldsets(request, obj) for name in spec["fields"]
        ]
        return [name for name in shown if name != "password" and name not in editable]

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or (
            access_admin.may_edit_account(request.user, obj)
            or access_admin.may_change_rights(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or access_admin.may_delete_account(request.user, obj)

    def delete_queryset(self, request, queryset):
        # The bulk action too: an administrator's account is not the system administrator's.
        if any(not access_admin.may_delete_account(request.user, account) for account in queryset):
            raise PermissionDenied
        super().delete_queryset(request, queryset)

    def user_change_password(self, request, id, form_url=""):
        account = self.get_object(request, id)
        if account is not None and not access_admin.may_reset_password(request.user, account):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        if not change:
            # The administrator chose this first password; the person chooses their own.
            obj.must_change_password = True
        super().save_model(request, obj, form, change)


@admin.register(RoleGrant)
class RoleGrantAdmin(AuditedModelAdmin):
    """Every grant at a glance; they are given on the account's page."""

    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__display_name", "unit__name"]
    list_select_related = ["user", "unit"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or access_admin.may_change_rights(request.user, obj.user))

    def delete_queryset(self, request, queryset):
        if any(not access_admin.may_change_rights(request.user, g.user) for g in queryset):
            raise PermissionDenied
        super().delete_queryset(request, queryset)


admin.site.unregister(Group)


@admin.register(Group)
class AuditedGroupAdmin(GroupAdmin, AuditedModelAdmin):
    pass


# Libraries' admins, replaced so that what the security administrator does there is audited.

if admin.site.is_registered(AccessAttempt):  # unless AXES_ENABLE_ADMIN is off
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class UnlockAdmin(AccessAttemptAdmin):
    """Deleting an account's failed attempts unlocks it."""

    def delete_model(self, request, obj):
        _audit_unlock(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        _audit_unlock(request, list(queryset))
        super().delete_queryset(request, queryset)


def _audit_unlock(request, attempts) -> None:
    for attempt in attempts:
        audit_event(
            actor=request.user,
            action=AuditEntry.Action.LOCKOUT,
            target=User.objects.filter(username=attempt.username).first(),
            target_repr=attempt.username or "",
            note="unlocked by administrator",
        )


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class SecondFactorAdmin(admin.ModelAdmin):
    """Second factors are listed and can be reset (deleted: the person sets up a new one at the
    next sign-in); nobody sees or changes their secret here."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__display_name"]
    list_select_related = ["user"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or access_admin.may_change_rights(request.user, obj.user))

    def delete_model(self, request, obj):
        self.delete_queryset(request, TOTPDevice.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        devices = list(queryset.select_related("user"))
        if any(not access_admin.may_change_rights(request.user, d.user) for d in devices):
            raise PermissionDenied
        for device in devices:
            audit_event(
                actor=request.user,
                action=AuditEntry.Action.SECOND_FACTOR,
                target=device.user,
                note="reset by administrator",
            )
        queryset.delete()
