"""The office configures assessment in the admin: indicators, groups, targets, schemes with
their items, manual item scores (with a reason), review events with groups, nominations and
judges. Every change is audited (AuditedModelAdmin); published snapshots are not editable here."""

from django.contrib import admin

from gongjian.assessment.models import (
    Indicator,
    Judge,
    ManualScore,
    Nomination,
    ReviewEvent,
    ReviewGroup,
    Scheme,
    SchemeItem,
    Target,
    UnitGroup,
)
from gongjian.assessment.review import refresh_eligibility
from gongjian.audit.admin import AuditedModelAdmin


@admin.register(Indicator)
class IndicatorAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "measure", "unit_label", "higher_is_better"]


@admin.register(UnitGroup)
class UnitGroupAdmin(AuditedModelAdmin):
    list_display = ["name", "order"]
    filter_horizontal = ["units"]


@admin.register(Target)
class TargetAdmin(AuditedModelAdmin):
    list_display = ["year", "unit", "indicator", "value"]
    list_filter = ["year", "indicator"]


class SchemeItemInline(admin.TabularInline):
    model = SchemeItem
    extra = 0


@admin.register(Scheme)
class SchemeAdmin(AuditedModelAdmin):
    list_display = ["name", "cadence"]
    filter_horizontal = ["groups"]
    inlines = [SchemeItemInline]


@admin.register(ManualScore)
class ManualScoreAdmin(AuditedModelAdmin):
    list_display = ["period", "unit", "item", "points", "reason", "entered_by"]
    list_filter = ["period", "item"]
    exclude = ["entered_by"]

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)


class ReviewGroupInline(admin.TabularInline):
    model = ReviewGroup
    extra = 0


class JudgeInline(admin.TabularInline):
    model = Judge
    extra = 0


class NominationInline(admin.TabularInline):
    model = Nomination
    extra = 0
    readonly_fields = ["eligible", "findings", "override_reason"]


@admin.register(ReviewEvent)
class ReviewEventAdmin(AuditedModelAdmin):
    list_display = ["name", "period", "held_on", "method", "status"]
    readonly_fields = ["status", "closed_at"]
    inlines = [ReviewGroupInline, JudgeInline, NominationInline]

    def save_formset(self, request, form, formset, change):
        # A nomination added or changed here is checked against the event's rules at once.
        if formset.model is Nomination:
            for nomination in formset.save(commit=False):
                refresh_eligibility(nomination)
        super().save_formset(request, form, formset, change)
