"""Form helpers for the filter bars above the lists (projects, problems).

A list page is the busiest page there is, so its filter bar must be cheap: each drop-down reads
its rows once, the chosen value is validated against those same rows, and the options are
written in Python rather than by a template loop (which costs a few dozen template nodes per
option).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

ALL = _("All")


class ListedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that reads its rows once per form.

    Django's field runs one query to list the options and another to look the chosen value up,
    and lists the options through a server-side cursor (three round trips on PostgreSQL). For a
    short configuration list (stages, industries, units, leaders) one plain query serves both.
    """

    def __init__(self, queryset, *, load=None, **kwargs):
        self._rows = None
        # Where the rows come from when not from the queryset: a cached list (lib/cached_lists).
        self.load = load
        kwargs.setdefault("empty_label", ALL)
        super().__init__(queryset, **kwargs)

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy._rows = None  # each form reads its own rows: the list may have changed
        return copy

    def _set_queryset(self, queryset):
        # Unlike Django's, this does not hand the widget its choices, which would read the rows
        # at once (at import time, for a class attribute); select_options() renders them.
        self._queryset = None if queryset is None else queryset.all()
        self._rows = None

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def rows(self) -> list:
        if self._rows is None:
            self._rows = list(self.load() if self.load else self.queryset)
        return self._rows

    @property
    def choices(self) -> list[tuple[object, str]]:
        options = [(obj.pk, self.label_from_instance(obj)) for obj in self.rows()]
        return ([("", self.empty_label)] if self.empty_label is not None else []) + options

    @choices.setter
    def choices(self, value):  # ModelChoiceField's __init__ assigns; the rows decide instead
        pass

    def to_python(self, value):
        if value in self.empty_values:
            return None
        key = str(value)
        for obj in self.rows():
            if str(obj.pk) == key:
                return obj
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


def select_options(field: forms.BoundField, choices) -> SafeString:
    """The <option> elements of a drop-down, the field's current value selected; labels and
    values escaped."""
    value = field.value()
    current = "" if value is None else str(value)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((key, " selected" if str(key) == current else "", label) for key, label in choices),
    )
