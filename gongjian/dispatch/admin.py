from django import forms
from django.contrib import admin

from gongjian.audit.admin import AuditedModelAdmin
from gongjian.dispatch import services
from gongjian.dispatch.lighting import recompute_lights
from gongjian.dispatch.models import Campaign
from gongjian.dispatch.rules.lights import PRESETS, resolve_rule_set


class CampaignForm(forms.ModelForm):
    rule_preset = forms.ChoiceField(choices=[(name, name) for name in PRESETS])

    class Meta:
        model = Campaign
        fields = [
            "name",
            "year",
            "cadence",
            "deadline_days",
            "deadline_time",
            "review_levels",
            "rule_preset",
            "rule_set",
            "is_active",
        ]

    def clean_review_levels(self):
        levels = self.cleaned_data.get("review_levels") or []
        unknown = [level for level in levels if level not in services.LEVEL_DEPTH]
        if not isinstance(levels, list) or unknown:
            known = ", ".join(sorted(services.LEVEL_DEPTH))
            raise forms.ValidationError(
                f'Give a list of review levels ({known}), e.g. ["county", "city"]'
            )
        return levels

    def clean(self):
        data = super().clean()
        try:
            # A campaign's own rule set (JSON) overrides the preset; its errors name the field.
            resolve_rule_set(data.get("rule_preset", "default"), data.get("rule_set") or None)
        except ValueError as error:
            self.add_error("rule_set", str(error))
        return data


@admin.register(Campaign)
class CampaignAdmin(AuditedModelAdmin):
    form = CampaignForm
    list_display = ["name", "year", "cadence", "rule_preset", "is_active"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Periods are created from the cadence, and lights follow a change of rules at once.
        services.periods_ensure(obj)
        if not change or {"rule_preset", "rule_set"} & set(form.changed_data):
            recompute_lights(campaign=obj, all_periods=True)
