"""Check sheet rows with the project and listing forms, optionally on every CPU core.

Checking is pure computation over data loaded beforehand (no queries), and is most of an
import's time: about 0.4 ms a row. `check_rows` can therefore fork worker processes that inherit
the loaded data, check a share of the rows each, and send back plain values, not model objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from gongjian.lib.parallel import forked_map
from gongjian.lib.search import search_text_for
from gongjian.projects.forms import BASELINE_FIELDS, EDIT_FIELDS
from gongjian.projects.models import AnnualListing, Project
from gongjian.transfer.columns import BY_FIELD
from gongjian.transfer.lookups import ImportListingForm, ImportProjectForm, Lookups

FORM_FIELDS = EDIT_FIELDS + BASELINE_FIELDS
FORM_FIELD_SET = frozenset(FORM_FIELDS)
LISTING_FIELDS = ["year", "level", "planned_investment", "planned_start", "planned_completion"]
LISTING_COLUMNS = {
    "year": "listing_year",
    "level": "listing_level",
    "planned_investment": "listing_planned_investment",
}
# Below this many rows, starting processes costs more than it saves.
PARALLEL_MIN_ROWS = 3000


@dataclass
class Checker:
    """What checking a row needs, loaded once per file."""

    user: Any
    lookups: Lookups
    listings: dict[tuple[int, int], AnnualListing]
    is_office: bool
    project_form: type[ImportProjectForm]
    listing_form: type[ImportListingForm]
    new_project_data: dict[str, Any] = field(
        default_factory=lambda: model_to_dict(Project(), fields=FORM_FIELDS)
    )


@dataclass
class RowCheck:
    """The outcome for one row: errors, or the cleaned values to apply (lookups as keys)."""

    row: int
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column header, message)
    project: dict[str, Any] | None = None
    listing: dict[str, Any] | None = None
    changes_baseline: bool = False


Row = tuple[int, dict[str, Any], Project | None]  # sheet row number, parsed values, match


def check_rows(checker: Checker, rows: list[Row], *, parallel: bool = False) -> list[RowCheck]:
    if parallel:
        return forked_map(lambda row: check_row(checker, *row), rows, min_items=PARALLEL_MIN_ROWS)
    return [check_row(checker, *row) for row in rows]


def check_row(checker: Checker, number: int, values: dict, project: Project | None) -> RowCheck:
    result = RowCheck(row=number)
    base = model_to_dict(project, fields=FORM_FIELDS) if project else checker.new_project_data
    data = {**base, **{k: v for k, v in values.items() if k in FORM_FIELD_SET}}
    form = checker.project_form(data, user=checker.user)
    if not form.is_valid():
        for name, messages in form.errors.items():
            column = BY_FIELD[name].header if name in BY_FIELD else _("row")
            result.errors += [(column, str(message)) for message in messages]
        return result
    cleaned = form.cleaned_data
    unit = cleaned["responsible_unit"]
    if unit.pk not in checker.lookups.assignable:
        message = _("you may not make %(unit)s responsible for projects") % {"unit": unit}
        result.errors.append((BY_FIELD["responsible_unit"].header, message))
        return result
    if project is not None and any(cleaned[k] != getattr(project, k) for k in BASELINE_FIELDS):
        if not checker.is_office:
            message = _(
                "the row changes the approved baseline (total investment or planned dates); "
                "only the campaign office may re-baseline, on the project page"
            )
            result.errors.append((BY_FIELD["total_investment"].header, message))
            return result
        result.changes_baseline = True
    result.project = {name: _plain(cleaned[name]) for name in FORM_FIELDS}
    # Pinyin is slow enough (0.1 ms a name) to be worth doing here, on every core.
    result.project["search_text"] = search_text_for(
        cleaned["name"], cleaned["code"], cleaned["owner_name"]
    )
    if values.get("listing_year"):
        _check_listing(checker, result, values, cleaned, project)
    return result


def _check_listing(checker: Checker, result: RowCheck, values, cleaned, project) -> None:
    year = int(values["listing_year"])
    existing = checker.listings.get((project.pk, year)) if project is not None else None
    data = {
        "year": year,
        "level": values.get("listing_level", existing.level if existing else ""),
        "planned_investment": values.get(
            "listing_planned_investment", existing.planned_investment if existing else ""
        ),
        "planned_start": existing.planned_start if existing else cleaned["planned_start"],
        "planned_completion": existing.planned_completion if existing else cleaned["planned_end"],
    }
    form = checker.listing_form(data)
    if not form.is_valid():
        for name, messages in form.errors.items():
            column = BY_FIELD[LISTING_COLUMNS[name]].header if name in LISTING_COLUMNS else ""
            result.errors += [(column or _("annual listing"), str(m)) for m in messages]
        result.project = None
        return
    result.listing = {name: form.cleaned_data[name] for name in LISTING_FIELDS}


def _plain(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value
