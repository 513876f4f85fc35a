"""The office creates a big-screen link per place it is shown, and revokes it when needed."""

from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjian.audit.admin import AuditedModelAdmin
from gongjian.audit.services import audit_updated, snapshot
from gongjian.screen.models import ScreenToken


@admin.register(ScreenToken)
class ScreenTokenAdmin(AuditedModelAdmin):
    list_display = ["name", "link", "created_at", "revoked_at"]
    readonly_fields = ["link", "created_by", "revoked_at"]
    exclude = ["created_by"]
    actions = ["revoke"]

    @admin.display(description=_("link"))
    def link(self, obj):
        return settings.SITE_URL + reverse("screen:show", args=[obj.token]) if obj.pk else ""

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Revoke the selected links"))
    def revoke(self, request, queryset):
        for screen in queryset.filter(revoked_at__isnull=True):
            before = snapshot(screen)
            screen.revoked_at = timezone.now()
            screen.save(update_fields=["revoked_at"])
            audit_updated(actor=request.user, instance=screen, before=before, note="revoked")
