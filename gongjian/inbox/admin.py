from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjian.audit.admin import AuditedModelAdmin
from gongjian.inbox.models import WebhookDelivery, WebhookEndpoint
from gongjian.inbox.webhooks import send_test_message


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "topics", "is_active", "created_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "topics"]
    actions = ["send_test"]
    # A robot's address is always https; a typed address without a scheme gets it.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.action(description=_("Send a test message"))
    def send_test(self, request, queryset):
        errors = send_test_message(queryset)
        for endpoint in queryset:
            if endpoint in errors:
                self.message_user(request, f"{endpoint}: {errors[endpoint]}", messages.ERROR)
            else:
                self.message_user(request, _("%(name)s: sent") % {"name": endpoint})


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "endpoint",
        "key",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "endpoint"]
    search_fields = ["key"]
    list_select_related = ["endpoint"]
    date_hierarchy = "created_at"

    # The outbox is written by webhooks.py only; here it is read.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
