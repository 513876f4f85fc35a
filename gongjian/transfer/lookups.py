"""Name → row lookups for an import, loaded once, and the import variants of the project forms.

A 10,000-row file would otherwise cost a query per lookup column per row. The forms keep every
check of ProjectForm and ListingForm; only the database round trips are replaced by the
lookups loaded here, inside the import's transaction.
"""

from __future__ import annotations

from collections import defaultdict

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from gongjian.accounts import access
from gongjian.accounts.models import Region, Role, Unit, User
from gongjian.projects.forms import ListingForm, ProjectForm
from gongjian.projects.models import Category, ConstructionType, Industry, Stage
from gongjian.transfer.cells import CellError

LOOKUP_FIELDS = [
    "industry",
    "region",
    "park",
    "responsible_unit",
    "leader",
    "construction_type",
    "category",
    "stage",
]


class NameIndex:
    """Objects by every name people write for them; a name shared by two objects is ambiguous."""

    def __init__(self, objects, names_of):
        self.by_pk: dict[int, models.Model] = {}
        matches: dict[str, set[int]] = defaultdict(set)
        for obj in objects:
            self.by_pk[obj.pk] = obj
            for name in names_of(obj):
                if name:
                    matches[str(name).strip()].add(obj.pk)
        self.matches = matches

    def find(self, text: str) -> models.Model:
        pks = self.matches.get(text.strip(), set())
        if len(pks) > 1:
            raise CellError(
                _('"%(text)s" names several records; use the full name') % {"text": text}
            )
        if not pks:
            raise CellError(_('"%(text)s" is not known') % {"text": text})
        return self.by_pk[next(iter(pks))]


class Lookups:
    def __init__(self, user):
        self.user = user

        def item_names(obj):
            return (obj.name, obj.code)

        def unit_names(unit):
            return (unit.name, unit.short_name)

        def user_names(person):
            return (person.display_name, person.username)

        self.indexes = {
            "industry": NameIndex(Industry.objects.filter(is_active=True), item_names),
            "construction_type": NameIndex(
                ConstructionType.objects.filter(is_active=True), item_names
            ),
            "category": NameIndex(Category.objects.filter(is_active=True), item_names),
            "stage": NameIndex(Stage.objects.filter(is_active=True), item_names),
            "region": NameIndex(Region.objects.all(), lambda region: (region.code,)),
            "park": NameIndex(Unit.objects.filter(kind=Unit.Kind.PARK), unit_names),
            "responsible_unit": NameIndex(
                Unit.objects.exclude(kind=Unit.Kind.ENTERPRISE), unit_names
            ),
            "leader": NameIndex(
                User.objects.filter(grants__role=Role.LEADER).distinct(), user_names
            ),
        }
        self.assignable = set(access.assignable_units(user).values_list("pk", flat=True))

    def resolve(self, field: str, text: str) -> int:
        return self.indexes[field].find(text).pk


class CachedChoiceField(forms.Field):
    """A ModelChoiceField that resolves the primary key from objects already loaded."""

    def __init__(self, objects: dict[int, models.Model], **kwargs):
        super().__init__(**kwargs)
        self.objects = objects

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.objects[int(value)]
        except (KeyError, TypeError, ValueError) as error:
            raise ValidationError(_("Select a valid choice."), code="invalid_choice") from error


class ImportProjectForm(ProjectForm):
    """ProjectForm with the baseline editable (the importer decides whether a change is a
    re-baseline) and lookups served from memory."""

    def __init__(self, *args, lookups: Lookups, **kwargs):
        super().__init__(*args, **kwargs)
        for name in LOOKUP_FIELDS:
            old = self.fields[name]
            self.fields[name] = CachedChoiceField(
                lookups.indexes[name].by_pk, required=old.required, label=old.label
            )
        for name in ("total_investment", "planned_start", "planned_end"):
            self.fields[name].disabled = False

    def _get_validation_exclusions(self):
        # Model validation would cost queries per row: one per foreign key (checked above against
        # rows loaded in this transaction) and one per database constraint. The constraints are
        # checked without the database instead: codes against every code in the database and the
        # file at once (importer._match_rows), amounts by ProjectForm.clean.
        return (
            super()._get_validation_exclusions()
            | set(LOOKUP_FIELDS)
            | {"code", "total_investment", "land_area"}
        )


class ImportListingForm(ListingForm):
    def clean_year(self) -> int:
        # The importer updates the (project, year) listing in place, so there is no clash to
        # look up; only the range check of ListingForm.clean_year applies.
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise ValidationError(_("Enter a year between 2000 and 2100."))
        return year

    def clean_planned_investment(self):
        value = self.cleaned_data.get("planned_investment")
        if value is not None and value < 0:
            raise ValidationError(_("Planned investment cannot be negative."))
        return value

    def _get_validation_exclusions(self):
        # planned_investment's constraint would be a query per row; clean_planned_investment
        # checks the same.
        return super()._get_validation_exclusions() | {"planned_investment"}
