"""The office configures problems in the admin: categories, the deadline and escalation
policy, and calendar overrides for years the calendar package does not know yet. Every change
is audited (AuditedModelAdmin)."""

from django.contrib import admin

from gongjian.audit.admin import AuditedModelAdmin
from gongjian.problems.models import ProblemCategory, ProblemPolicy, WorkdayOverride


@admin.register(ProblemCategory)
class ProblemCategoryAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(ProblemPolicy)
class ProblemPolicyAdmin(AuditedModelAdmin):
    list_display = ["__str__", "sign_days", "resolve_days", "review_days", "escalation_steps"]

    def has_add_permission(self, request):
        # One policy for the deployment (ProblemPolicy.current() creates it).
        return not ProblemPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(AuditedModelAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
