"""Every scheme and review event belongs to a government (its `owner`), whose office runs it.
The rule that keeps that meaningful: every unit it ranks lies under the owner. A county office
cannot put the city's counties in its scheme, and a scheme cannot rank a unit of another city.

`units_outside` is pure; the rest reads the units of a scheme or an event. The admin forms and
the services (compute, opening an event) both check it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from gongjian.accounts.models import Unit

NAMED = 5  # units named in a message; the rest are counted


def units_outside(owner_path: str, units: list[tuple[str, str]]) -> list[str]:
    """The names of `units` ((name, path) pairs) not under the unit at `owner_path`, sorted."""
    return sorted({name for name, path in units if not path.startswith(owner_path)})


def outside_message(owner: Unit, names: list[str]) -> str:
    shown = "、".join(names[:NAMED])
    if len(names) > NAMED:
        shown = _("%(names)s and %(more)d more") % {"names": shown, "more": len(names) - NAMED}
    return _(
        "Only units under %(owner)s, which runs this, can be ranked; not under it: %(units)s."
    ) % {"units": shown, "owner": owner.name}


def _name_paths(units) -> list[tuple[str, str]]:
    return [(unit.name, unit.path) for unit in units]


def scheme_error(owner: Unit | None, groups) -> str:
    """The message when a unit of `groups` (UnitGroups) is not under `owner`, else ""."""
    if owner is None:
        return ""
    units = Unit.objects.filter(assessment_groups__in=list(groups)).only("name", "path")
    names = units_outside(owner.path, _name_paths(units))
    return outside_message(owner, names) if names else ""


def scheme_units_error(scheme) -> str:
    return scheme_error(scheme.owner, scheme.groups.all())


def event_units_error(event) -> str:
    """The message when a unit of the event's groups or nominations is not under its owner."""
    units = Unit.objects.filter(pk__in=event.groups.values("units")) | Unit.objects.filter(
        pk__in=event.nominations.values("unit")
    )
    names = units_outside(event.owner.path, _name_paths(units.only("name", "path")))
    return outside_message(event.owner, names) if names else ""
