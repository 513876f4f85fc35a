"""Project forms. The web form and every Excel import row go through ProjectForm."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjian.accounts import access
from gongjian.accounts.models import Region, Unit, User
from gongjian.lib.codes import (
    normalize_project_code,
    normalize_uscc,
    project_code_error,
    uscc_error,
)
from gongjian.projects.models import (
    AnnualListing,
    Category,
    ConstructionType,
    Industry,
    Milestone,
    Project,
    Stage,
)

# Fields a project form edits. The cost/schedule baseline is set on creation and afterwards
# changed only by a logged re-baseline (RebaselineForm).
EDIT_FIELDS = [
    "name",
    "code",
    "owner_name",
    "owner_uscc",
    "industry",
    "industry_class",
    "region",
    "park",
    "address",
    "latitude",
    "longitude",
    "responsible_unit",
    "leader",
    "construction_type",
    "category",
    "investment_source",
    "is_fortune500",
    "is_listed_company",
    "is_specialised",
    "land_area",
    "expected_output",
    "expected_tax",
    "is_secretary_project",
    "is_high_tech",
    "is_manufacturing",
    "is_livelihood",
    "stage",
    "stats_status",
    "stats_code",
]
BASELINE_FIELDS = ["total_investment", "planned_start", "planned_end"]
# How the form is laid out on the page, section by section.
FIELDSETS = [
    (
        _("Project"),
        ["name", "code", "stage", "industry", "industry_class", "category", "construction_type"],
    ),
    (
        _("Owner and investment"),
        [
            "owner_name",
            "owner_uscc",
            "investment_source",
            "total_investment",
            "planned_start",
            "planned_end",
            "land_area",
            "expected_output",
            "expected_tax",
            "stats_status",
            "stats_code",
            "is_fortune500",
            "is_listed_company",
            "is_specialised",
        ],
    ),
    (
        _("Location and responsibility"),
        ["region", "park", "address", "longitude", "latitude", "responsible_unit", "leader"],
    ),
    (_("Flags"), ["is_secretary_project", "is_high_tech", "is_manufacturing", "is_livelihood"]),
]


class ProjectForm(forms.ModelForm):
    """Create or edit a project.

    `user` limits the responsible units to those the user may assign. `version` carries the
    optimistic lock: the view refuses to save over a newer version.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Project
        fields = EDIT_FIELDS + BASELINE_FIELDS
        widgets = {
            "planned_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "planned_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.configure_fields(self.fields, user)
        if self.instance.pk:
            for name in BASELINE_FIELDS:
                self.fields[name].disabled = True
            self.fields["version"].initial = self.instance.version

    @staticmethod
    def configure_fields(fields: dict, user) -> None:
        """Choices the user may pick, and Bootstrap classes. The importer calls this once per
        file for fields it shares between rows."""
        querysets = {
            "responsible_unit": lambda: access.assignable_units(user),
            "park": lambda: Unit.objects.filter(kind=Unit.Kind.PARK),
            "leader": lambda: User.objects.filter(grants__role="leader").distinct(),
            "region": lambda: Region.objects.all(),
            "stage": lambda: Stage.objects.filter(is_active=True),
            "industry": lambda: Industry.objects.filter(is_active=True),
            "category": lambda: Category.objects.filter(is_active=True),
            "construction_type": lambda: ConstructionType.objects.filter(is_active=True),
        }
        for name, queryset in querysets.items():
            if isinstance(fields[name], forms.ModelChoiceField):
                fields[name].queryset = queryset()
        for field in fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")
            else:
                field.widget.attrs.setdefault("class", "form-control")

    def fieldsets(self) -> list[tuple[str, list, list]]:
        """(title, input fields, checkbox fields) per section of the page."""
        sections = []
        for title, names in FIELDSETS:
            fields = [self[name] for name in names]
            boxes = [f for f in fields if isinstance(f.field.widget, forms.CheckboxInput)]
            sections.append((title, [f for f in fields if f not in boxes], boxes))
        return sections

    def clean_code(self) -> str:
        code = normalize_project_code(self.cleaned_data.get("code") or "")
        if code:
            error = project_code_error(code)
            if error:
                raise ValidationError(error)
        return code

    def clean_owner_uscc(self) -> str:
        code = normalize_uscc(self.cleaned_data.get("owner_uscc") or "")
        if code:
            error = uscc_error(code)
            if error:
                raise ValidationError(error)
        return code

    def clean_industry_class(self) -> str:
        value = (self.cleaned_data.get("industry_class") or "").strip()
        if value and not re.fullmatch(r"\d{2,4}", value):
            raise ValidationError(_("Enter a GB/T 4754 code of 2 to 4 digits, e.g. 2651."))
        return value

    def clean_latitude(self):
        value = self.cleaned_data.get("latitude")
        if value is not None and not (-90 <= value <= 90):
            raise ValidationError(_("Latitude must be between -90 and 90."))
        return value

    def clean_longitude(self):
        value = self.cleaned_data.get("longitude")
        if value is not None and not (-180 <= value <= 180):
            raise ValidationError(_("Longitude must be between -180 and 180."))
        return value

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("Planned completion is before the planned start."))
        for name in ("total_investment", "land_area", "expected_output", "expected_tax"):
            value = data.get(name)
            if value is not None and value < 0:
                self.add_error(name, _("This cannot be negative."))
        if data.get("owner_uscc") and not data.get("owner_name"):
            self.add_error("owner_name", _("Give the owner's name with its credit code."))
        return data


class RebaselineForm(forms.Form):
    total_investment = forms.DecimalField(
        label=_("total investment (万元)"), max_digits=14, decimal_places=2, min_value=0
    )
    planned_start = forms.DateField(
        label=_("planned start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    planned_end = forms.DateField(
        label=_("planned completion"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))
    approved_by = forms.CharField(label=_("approved by"), max_length=60)
    approved_on = forms.DateField(
        label=_("approval date"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, project: Project, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "total_investment": project.total_investment,
                "planned_start": project.planned_start,
                "planned_end": project.planned_end,
            },
        )
        super().__init__(*args, **kwargs)
        self.project = project
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("Planned completion is before the planned start."))
        p = self.project
        if (data.get("total_investment"), start, end) == (
            p.total_investment,
            p.planned_start,
            p.planned_end,
        ):
            raise ValidationError(
                _("Nothing changed: a re-baseline must change the cost or a date.")
            )
        return data


def check_listing_year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise ValidationError(_("Enter a year between 2000 and 2100."))
    return year


class ListingForm(forms.ModelForm):
    class Meta:
        model = AnnualListing
        fields = ["year", "level", "planned_investment", "planned_start", "planned_completion"]
        widgets = {
            "planned_start": forms.DateInput(attrs={"type": "date"}),
            "planned_completion": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_year(self) -> int:
        year = check_listing_year(self.cleaned_data["year"])
        # `project` is not a form field, so Django's unique check would skip this constraint.
        taken = AnnualListing.objects.filter(project=self.project, year=year).exclude(
            pk=self.instance.pk
        )
        if taken.exists():
            raise ValidationError(
                _("This project is already on the %(year)s list.") % {"year": year}
            )
        return year

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_completion")
        if start and end and end < start:
            self.add_error(
                "planned_completion", _("Planned completion is before the planned start.")
            )
        return data


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["planned_date", "actual_date", "owner_unit", "owner_person", "note"]
        widgets = {
            "planned_date": forms.DateInput(attrs={"type": "date"}),
            "actual_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = Unit.objects.exclude(kind=Unit.Kind.ENTERPRISE)

    def clean_actual_date(self):
        value = self.cleaned_data.get("actual_date")
        if value and value > timezone.localdate():
            raise ValidationError(_("An actual date cannot be in the future."))
        return value
