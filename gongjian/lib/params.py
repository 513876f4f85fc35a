"""Query parameters, and the few POST scalars views read by hand, parsed in one place.

Each function takes the request's QueryDict (`request.GET` or `request.POST`; any mapping with
`.get` will do), the parameter's name and what a usable value looks like. It returns the value,
or the default when the parameter is absent or empty, and raises `BadParameter` for anything
else; `gongjian.params_middleware` answers that with a 400 page naming the parameter.

Numbers are ASCII digits only. `str.isdigit()` is true for '²', '①' and '١', which `int()`
then refuses (or, for full-width '１２' and Arabic-Indic digits, silently accepts), and no form
of ours sends them. Ids stop at 2**63 - 1, the largest integer the databases store: a longer
number would overflow the query instead of finding nothing.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

MAX_ID = 2**63 - 1
YEAR_RANGE = (2000, 2100)
MAX_PAGE = 1_000_000
TEXT_MAX_LENGTH = 4000

_DIGITS = re.compile(r"[0-9]{1,19}")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_PERIOD = re.compile(r"([0-9]{4})(?:-([0-9]{2})|-Q([1-4]))?")
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"0", "false", "off", "no"}
# Control characters, NUL included (PostgreSQL refuses NUL in text); tabs and line breaks pass.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class BadParameter(ValueError):
    """A parameter's value the page cannot use. The message names the parameter in the user's
    language and never repeats the value (it would be reflected into the page)."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


def ascii_int(text: str) -> int | None:
    """'42' → 42; None for anything but 1 to 19 ASCII digits (no sign, space or exponent)."""
    return int(text) if _DIGITS.fullmatch(text) else None


def _raw(params: Mapping, name: str) -> str | None:
    """The parameter's text, or None when it is absent or empty."""
    value = params.get(name)
    return None if value is None or value == "" else str(value)


def _missing(name: str, label: str | None) -> BadParameter:
    return BadParameter(name, _("The parameter “%(name)s” is missing.") % {"name": label or name})


def int_param(
    params: Mapping,
    name: str,
    *,
    low: int = 0,
    high: int = MAX_ID,
    default: int | None = None,
    required: bool = False,
    label: str | None = None,
) -> int | None:
    """A whole number from `low` to `high`."""
    raw = _raw(params, name)
    if raw is None:
        if required:
            raise _missing(name, label)
        return default
    number = ascii_int(raw)
    if number is None or not low <= number <= high:
        raise BadParameter(
            name,
            _("The parameter “%(name)s” must be a whole number from %(low)s to %(high)s.")
            % {"name": label or name, "low": low, "high": high},
        )
    return number


def id_param(
    params: Mapping,
    name: str,
    *,
    default: int | None = None,
    required: bool = False,
    label: str | None = None,
) -> int | None:
    """A database id: 1 to 2**63 - 1."""
    raw = _raw(params, name)
    if raw is None:
        if required:
            raise _missing(name, label)
        return default
    number = ascii_int(raw)
    if number is None or not 1 <= number <= MAX_ID:
        raise BadParameter(
            name, _("The parameter “%(name)s” must be an id number.") % {"name": label or name}
        )
    return number


def year_param(
    params: Mapping,
    name: str = "year",
    *,
    default: int | None = None,
    low: int = YEAR_RANGE[0],
    high: int = YEAR_RANGE[1],
    label: str | None = None,
) -> int | None:
    """A year, by default from 2000 to 2100: the pages compute dates from it."""
    raw = _raw(params, name)
    if raw is None:
        return default
    number = ascii_int(raw)
    if number is None or not low <= number <= high:
        raise BadParameter(
            name,
            _("The parameter “%(name)s” must be a year from %(low)s to %(high)s.")
            % {"name": label or name, "low": low, "high": high},
        )
    return number


def month_param(
    params: Mapping, name: str = "month", *, default: int | None = None, label: str | None = None
) -> int | None:
    """A month, 1 to 12."""
    raw = _raw(params, name)
    if raw is None:
        return default
    number = ascii_int(raw)
    if number is None or not 1 <= number <= 12:
        raise BadParameter(
            name,
            _("The parameter “%(name)s” must be a month from 1 to 12.") % {"name": label or name},
        )
    return number


def page_param(params: Mapping, name: str = "page") -> int:
    """A page number, 1 if absent. A page past the last is the paginator's to clamp."""
    raw = _raw(params, name)
    if raw is None:
        return 1
    number = ascii_int(raw)
    if number is None or not 1 <= number <= MAX_PAGE:
        raise BadParameter(
            name, _("The parameter “%(name)s” must be a page number.") % {"name": name}
        )
    return number


def choice_param(
    params: Mapping,
    name: str,
    choices: Iterable[str],
    *,
    default: str | None = None,
    label: str | None = None,
) -> str | None:
    """One of a fixed set of values."""
    raw = _raw(params, name)
    if raw is None:
        return default
    if raw not in set(choices):
        raise BadParameter(
            name,
            _("The parameter “%(name)s” has a value this page does not offer.")
            % {"name": label or name},
        )
    return raw


def bool_param(params: Mapping, name: str, *, default: bool = False) -> bool:
    """1/0 (also true/false, on/off, yes/no)."""
    raw = _raw(params, name)
    if raw is None:
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise BadParameter(name, _("The parameter “%(name)s” must be 1 or 0.") % {"name": name})


def parse_date(text: str) -> datetime.date | None:
    """'2026-03-31' → date(2026, 3, 31); None for any other form or an impossible day."""
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def date_param(
    params: Mapping,
    name: str,
    *,
    default: datetime.date | None = None,
    label: str | None = None,
) -> datetime.date | None:
    """A date written YYYY-MM-DD, in the years 2000 to 2100 (date arithmetic stays in range)."""
    raw = _raw(params, name)
    if raw is None:
        return default
    day = parse_date(raw)
    if day is None or not YEAR_RANGE[0] <= day.year <= YEAR_RANGE[1]:
        raise BadParameter(
            name,
            _("The parameter “%(name)s” must be a date written YYYY-MM-DD.")
            % {"name": label or name},
        )
    return day


def is_period(text: str) -> bool:
    """An assessment period: 'YYYY', 'YYYY-MM' (01 to 12) or 'YYYY-Qn', years 2000 to 2100."""
    match = _PERIOD.fullmatch(text)
    if match is None or not YEAR_RANGE[0] <= int(match[1]) <= YEAR_RANGE[1]:
        return False
    return match[2] is None or 1 <= int(match[2]) <= 12


def period_param(
    params: Mapping,
    name: str = "period",
    *,
    default: str | None = None,
    required: bool = False,
    label: str | None = None,
) -> str | None:
    """An assessment period (`is_period`), surrounding spaces ignored: the office types it."""
    raw = _raw(params, name)
    raw = raw.strip() if raw is not None else None
    if not raw:
        if required:
            raise _missing(name, label)
        return default
    if not is_period(raw):
        raise BadParameter(
            name,
            _(
                "The parameter “%(name)s” must be a period written YYYY, YYYY-MM or YYYY-Qn, "
                "in the years %(low)s to %(high)s."
            )
            % {"name": label or name, "low": YEAR_RANGE[0], "high": YEAR_RANGE[1]},
        )
    return raw


def text_param(
    params: Mapping,
    name: str,
    *,
    default: str = "",
    max_length: int = TEXT_MAX_LENGTH,
    label: str | None = None,
) -> str:
    """Free text, stripped: at most `max_length` characters and no control characters."""
    raw = _raw(params, name)
    if raw is None:
        return default
    text = raw.strip()
    if len(text) > max_length or _CONTROL.search(text):
        raise BadParameter(
            name,
            _("The parameter “%(name)s” is too long or holds characters that are not allowed.")
            % {"name": label or name},
        )
    return text
