from django.contrib import admin

from gongjian.audit.models import AuditEntry
from gongjian.audit.services import audit_created, audit_deleted, audit_updated, snapshot


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes land in the audit trail with before/after values,
    like every other write (Django's own LogEntry records neither)."""

    def save_model(self, request, obj, form, change):
        _audited_save(
            request,
            obj,
            lambda: super(AuditedModelAdmin, self).save_model(request, obj, form, change),
        )

    def save_formset(self, request, form, formset, change):
        # Inline rows (a user's role grants) are writes too.
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            audit_deleted(actor=request.user, instance=obj, note="admin")
            obj.delete()
        for obj in instances:
            _audited_save(request, obj, obj.save)
        formset.save_m2m()

    def delete_model(self, request, obj):
        audit_deleted(actor=request.user, instance=obj, note="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_deleted(actor=request.user, instance=obj, note="admin")
        super().delete_queryset(request, queryset)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "action", "target_type", "target_repr", "note"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_name", "target_repr", "note"]
    date_hierarchy = "at"

    # The trail is evidence: nobody edits or deletes it, not even a superuser.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _audited_save(request, obj, save) -> None:
    before = snapshot(type(obj).objects.get(pk=obj.pk)) if obj.pk else None
    save()
    if before is None:
        audit_created(actor=request.user, instance=obj, note="admin")
    else:
        audit_updated(actor=request.user, instance=obj, before=before, note="admin")
