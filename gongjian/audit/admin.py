from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy

from gongjian.audit import export
from gongjian.audit.models import AuditArchive, AuditEntry
from gongjian.audit.services import (
    audit_created,
    audit_deleted,
    audit_event,
    audit_updated,
    snapshot,
)


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
    """The trail, for the audit administrator: read, filter, export; nothing else."""

    list_display = ["at", "seq", "actor_name", "action", "target_type", "target_repr", "note"]
    list_filter = ["action", "target_type", "at"]
    search_fields = ["actor_name", "target_repr", "note"]
    date_hierarchy = "at"
    show_full_result_count = False  # a count over millions of entries on every page
    readonly_fields = ["changes_in_words"]

    def get_fields(self, request, obj=None):
        # The stored changes stay as they are (the hashed evidence); their reading in words, with
        # field labels and status labels instead of codes, follows right after them.
        fields = [name for name in super().get_fields(request, obj) if name != "changes_in_words"]
        at = fields.index("changes") + 1 if "changes" in fields else len(fields)
        return [*fields[:at], "changes_in_words", *fields[at:]]

    @admin.display(description=gettext_lazy("changes in words"))
    def changes_in_words(self, obj):
        rows = (
            (label, _or_empty(before), _or_empty(after))
            for label, before, after in obj.readable_changes()
        )
        return format_html_join(mark_safe("<br>"), "{}: {} → {}", rows)

    # The trail is evidence: nobody edits or deletes it, not even a superuser.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_view)
        return [path("export/", export, name="audit_auditentry_export"), *super().get_urls()]

    def export_view(self, request):
        """The entries the list shows (its filters, dates and search), as CSV; the export is
        itself an entry."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return redirect(reverse("admin:audit_auditentry_changelist") + "?e=1")
        queryset = changelist.queryset
        count = queryset.count()
        filters = request.GET.urlencode()
        audit_event(
            actor=request.user,
            action=AuditEntry.Action.EXPORT,
            target_repr=gettext("audit trail (CSV)"),
            changes={"rows": [None, count]},
            note=(f"{count} entries; {filters}" if filters else f"{count} entries")[:200],
        )
        response = StreamingHttpResponse(
            export.csv_lines(queryset), content_type="text/csv; charset=utf-8"
        )
        name = f"audit-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


@admin.register(AuditArchive)
class AuditArchiveAdmin(admin.ModelAdmin):
    """The files old entries were moved to (archive_audit); verify them with verify_audit."""

    list_display = ["file_name", "first_seq", "last_seq", "count", "older_than", "created_at"]
    readonly_fields = [f.name for f in AuditArchive._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _or_empty(value):
    return "∅" if value is None or value == "" else value


def _audited_save(request, obj, save) -> None:
    before = snapshot(type(obj).objects.get(pk=obj.pk)) if obj.pk else None
    save()
    if before is None:
        audit_created(actor=request.user, instance=obj, note="admin")
    else:
        audit_updated(actor=request.user, instance=obj, before=before, note="admin")
