from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from gongjian.accounts.models import Region, RoleGrant, Unit, User
from gongjian.audit.admin import AuditedModelAdmin


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


@admin.register(User)
class GongjianUserAdmin(UserAdmin, AuditedModelAdmin):
    fieldsets = UserAdmin.fieldsets + (("Gongjian", {"fields": ("display_name", "phone")}),)
    list_display = ["username", "display_name", "is_active", "is_staff"]
    inlines = [RoleGrantInline]
