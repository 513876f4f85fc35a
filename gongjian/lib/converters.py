"""URL path converters for ids and years.

Django's <int:…> takes any run of digits; a number past 2**63 - 1 then overflows the database
query (a 500) instead of finding nothing. These accept only what can exist, so anything else is
simply no match: a 404.
"""

from __future__ import annotations

from gongjian.lib.params import MAX_ID, YEAR_RANGE


class IdConverter:
    """<id:pk>: a database id, 1 to 2**63 - 1, in ASCII digits."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(value)  # Django treats this as "no match"
        return number

    def to_url(self, value: int) -> str:
        return str(value)


class YearConverter:
    """<year:year>: four ASCII digits within the years the pages compute with."""

    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        year = int(value)
        if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            raise ValueError(value)
        return year

    def to_url(self, value: int) -> str:
        return str(value)
