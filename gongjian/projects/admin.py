from django.contrib import admin

from gongjian.audit.admin import AuditedModelAdmin
from gongjian.projects.models import Category, ConstructionType, Industry, MilestoneKind, Stage


class ListItemAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]
    ordering = ["order", "id"]


admin.site.register(Category, ListItemAdmin)
admin.site.register(ConstructionType, ListItemAdmin)
admin.site.register(Industry, ListItemAdmin)


@admin.register(Stage)
class StageAdmin(ListItemAdmin):
    list_display = ["name", "code", "oc4ids_status", "is_started", "order", "is_active"]


@admin.register(MilestoneKind)
class MilestoneKindAdmin(ListItemAdmin):
    list_display = ["name", "code", "phase", "order", "is_active"]
