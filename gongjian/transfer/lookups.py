"""Name → row lookups for an import, loaded once, and the import variants of the project forms.

A 10,000-row file would otherwise cost a query per lookup column per row. The forms keep every
check of ProjectForm and ListingForm; only the database round trips are replaced by the
lookups loaded here, inside the import's transaction.
"""

from __future__ import annotations

import copy
from collections import defaultdict

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from gongjian.accounts import access
from gongjian.accounts.models import Region, Role, Unit, User
from gongjian.projects.forms import ListingForm, ProjectForm, check_listing_year
from gongjian.projects.models import (
    Category,
    ConstructionType,
    Industry,
    Stage,
)
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
        if value is None or value == "":
            return None
        try:
            return self.objects[int(value)]
        except (KeyError, TypeError, ValueError) as error:
            raise ValidationError(_("Select a valid choice."), code="invalid_choice") from error

    def validate(self, value):
        # Field.validate compares the object with each of empty_values (Model.__eq__ each time).
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value):
        pass  # a choice field has no validators; the base method would compare as above


class _SharedFields(dict):
    """Form fields shared by every row of one import. They are configured once and never changed
    afterwards, so the deep copy Django makes for each form (0.5 ms × 10,000 rows) is skipped."""

    def __deepcopy__(self, memo):
        return self


class _InMemoryValidation:
    """ModelForm validation for 10,000 rows: the same checks, without per-row queries or
    per-row machinery a sheet row does not need.

    - Django's _post_clean validates the model's database constraints, a query each per row.
      The import checks the same rules without the database: project codes against every code
      in the database and the file at once (importer._match_rows), amounts by the forms' clean
      methods. Foreign keys were resolved against rows loaded for this import.
    - Model.clean_fields repeats what the form fields generated from the model already checked
      (required, choices, lengths, digits); Model.clean() still runs.
    - Django's _clean_fields builds a BoundField per field per row, for HTML rendering.
    Together these were two thirds of the time of an import.
    """

    def _init_row(self, data: dict) -> None:
        # BaseModelForm.__init__ would also turn an instance into initial values and re-apply
        # limit_choices_to to every field; a sheet row needs neither. The importer applies the
        # cleaned values to the project itself.
        forms.BaseForm.__init__(self, data)
        self.instance = None
        self._validate_unique = False

    def _clean_fields(self):
        for name, field in self.fields.items():
            value = field.widget.value_from_datadict(self.data, self.files, name)
            try:
                self.cleaned_data[name] = field.clean(value)
                clean_field = getattr(self, f"clean_{name}", None)
                if clean_field is not None:
                    self.cleaned_data[name] = clean_field()
            except ValidationError as error:
                self.add_error(name, error)

    def _post_clean(self):
        # An instance is built only to run the model's own clean(), if it has one.
        model = self._meta.model
        if model.clean is models.Model.clean:
            return
        self.instance = model()
        for name in self._meta.fields:
            if name in self.cleaned_data:
                model._meta.get_field(name).save_form_data(self.instance, self.cleaned_data[name])
        try:
            self.instance.clean()
        except ValidationError as error:
            self._update_errors(error)


class ImportProjectForm(_InMemoryValidation, ProjectForm):
    """ProjectForm for one sheet row: the same fields and clean methods, the baseline editable
    (the importer decides whether a change is a re-baseline), lookups served from memory.
    Build the class for an import with `for_import`."""

    def __init__(self, data: dict, *, user):
        # Not ProjectForm.__init__: its per-form field set-up was done once, in for_import.
        self._init_row(data)
        self.user = user

    @classmethod
    def for_import(cls, lookups: Lookups, user) -> type[ImportProjectForm]:
        fields = copy.deepcopy(dict(cls.base_fields))
        for name in LOOKUP_FIELDS:
            old = fields[name]
            fields[name] = CachedChoiceField(
                lookups.indexes[name].by_pk, required=old.required, label=old.label
            )
        ProjectForm.configure_fields(fields, user)
        form_class = type(cls.__name__, (cls,), {})
        form_class.base_fields = _SharedFields(fields)
        return form_class


class ImportListingForm(_InMemoryValidation, ListingForm):
    def __init__(self, data: dict):
        self._init_row(data)
        self.project = None  # the importer updates the (project, year) listing in place

    def clean_year(self) -> int:
        # The importer updates the (project, year) listing in place, so there is no clash to
        # look up; only the range check applies.
        return check_listing_year(self.cleaned_data["year"])

    def clean_planned_investment(self):
        value = self.cleaned_data.get("planned_investment")
        if value is not None and value < 0:
            raise ValidationError(_("Planned investment cannot be negative."))
        return value

    @classmethod
    def for_import(cls) -> type[ImportListingForm]:
        form_class = type(cls.__name__, (cls,), {})
        form_class.base_fields = _SharedFields(copy.deepcopy(dict(cls.base_fields)))
        return form_class
