"""The office configures assessment in the admin: indicators, groups, targets, schemes with
their items, manual item scores (with a reason), review events with groups, nominations and
judges. Every change is audited (AuditedModelAdmin); published snapshots are not editable here.

Each scheme and event names the government that runs it (`owner`); the forms refuse a unit
outside that government's subtree, wherever it would enter (groups, inline groups,
nominations, manual scores)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

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
from gongjian.assessment.ownership import outside_message, scheme_error, units_outside
from gongjian.assessment.review import refresh_eligibility
from gongjian.audit.admin import AuditedModelAdmin


@admin.register(Indicator)
class IndicatorAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "measure", "unit_label", "higher_is_better"]


def _outside_error(owner, units) -> str:
    names = units_outside(owner.path, [(unit.name, unit.path) for unit in units])
    return outside_message(owner, names) if names else ""


class UnitGroupForm(forms.ModelForm):
    class Meta:
        model = UnitGroup
        fields = ["name", "units", "order"]

    def clean_units(self):
        units = self.cleaned_data["units"]
        if self.instance.pk:
            # A group shared by schemes must stay under every one of their governments.
            for scheme in self.instance.schemes.select_related("owner"):
                error = _outside_error(scheme.owner, units)
                if error:
                    raise ValidationError(f"{scheme}: {error}")
        return units


@admin.register(UnitGroup)
class UnitGroupAdmin(AuditedModelAdmin):
    form = UnitGroupForm
    list_display = ["name", "order"]
    filter_horizontal = ["units"]


@admin.register(Target)
class TargetAdmin(AuditedModelAdmin):
    list_display = ["year", "unit", "indicator", "value"]
    list_filter = ["year", "indicator"]


class SchemeItemInline(admin.TabularInline):
    model = SchemeItem
    extra = 0


class SchemeForm(forms.ModelForm):
    class Meta:
        model = Scheme
        fields = ["name", "cadence", "rollup", "owner", "groups"]

    def clean(self):
        data = super().clean()
        error = scheme_error(data.get("owner"), data.get("groups") or [])
        if error:
            self.add_error("groups", error)
        return data


@admin.register(Scheme)
class SchemeAdmin(AuditedModelAdmin):
    form = SchemeForm
    list_display = ["name", "cadence", "owner"]
    filter_horizontal = ["groups"]
    inlines = [SchemeItemInline]


class ManualScoreForm(forms.ModelForm):
    class Meta:
        model = ManualScore
        fields = ["item", "unit", "period", "points", "reason"]

    def clean(self):
        data = super().clean()
        item, unit = data.get("item"), data.get("unit")
        if item is not None and unit is not None:
            error = _outside_error(item.scheme.owner, [unit])
            if error:
                self.add_error("unit", error)
        return data


@admin.register(ManualScore)
class ManualScoreAdmin(AuditedModelAdmin):
    form = ManualScoreForm
    list_display = ["period", "unit", "item", "points", "reason", "entered_by"]
    list_filter = ["period", "item"]

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)


class OwnedUnitsFormSet(forms.BaseInlineFormSet):
    """Inline rows of an event whose `unit_field` must lie under the event's government."""

    unit_field = ""
    many = False  # a many-to-many field (a group's units) or one unit (a nomination's)

    def clean(self):
        super().clean()
        if not self.instance.owner_id:
            return  # the event's own form reports the missing owner
        for form in self.forms:
            # Unchanged rows too: a new owner must cover the rows already there.
            if self._should_delete_form(form) or not hasattr(form, "cleaned_data"):
                continue
            value = form.cleaned_data.get(self.unit_field)
            units = [] if value is None else list(value) if self.many else [value]
            error = _outside_error(self.instance.owner, units)
            if error:
                form.add_error(self.unit_field, error)


class ReviewGroupFormSet(OwnedUnitsFormSet):
    unit_field = "units"
    many = True


class NominationFormSet(OwnedUnitsFormSet):
    unit_field = "unit"


class ReviewGroupInline(admin.TabularInline):
    model = ReviewGroup
    formset = ReviewGroupFormSet
    extra = 0


class JudgeInline(admin.TabularInline):
    model = Judge
    extra = 0


class NominationInline(admin.TabularInline):
    model = Nomination
    formset = NominationFormSet
    extra = 0
    readonly_fields = ["eligible", "findings", "override_reason"]


@admin.register(ReviewEvent)
class ReviewEventAdmin(AuditedModelAdmin):
    list_display = ["name", "period", "held_on", "method", "status", "owner"]
    readonly_fields = ["status", "closed_at"]
    inlines = [ReviewGroupInline, JudgeInline, NominationInline]

    def save_formset(self, request, form, formset, change):
        # A nomination added or changed here is checked against the event's rules at once.
        if formset.model is Nomination:
            for nomination in formset.save(commit=False):
                refresh_eligibility(nomination)
        super().save_formset(request, form, formset, change)
