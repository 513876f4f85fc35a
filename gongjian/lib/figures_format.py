"""Money and percentages as people read them: one rounding, half up, from the exact value.

Every figure the app shows — on a page, in Excel, in a PDF, in a text file, in JSON — is rounded
by this module and nowhere else, so the cockpit, the bulletin, the big screen and 四多四少 show
the same digits for the same figure (2,139,050 万元 is 213.91 亿元 everywhere).

- Inputs are exact: Decimal, int or Fraction. Floats are refused: their binary value is not
  what was typed (213.905 as a float is 213.904999…).
- One rounding, from the exact value. 亿元 are 万元 ÷ 10,000 rounded, never 万元 rounded to
  cents and then rounded again; a percentage is part ÷ whole rounded, never a rounded quotient
  rounded again; a gap in percentage points is (actual − expected) rounded, never the
  difference of two rounded percentages.
- Half up: halves go away from zero (213.905 → 213.91, −1.65 → −1.7), as people round by hand.
  Python's round(), Decimal.quantize and f"{x:.2f}" round halves to even (213.90): the reason
  the app had four converters that disagreed.
- Units: 万元 with two decimals and thousands separators (2,139,050.5; `wan`); 亿元 = 10,000 万元
  with two decimals and thousands separators (213.91; `yi`); percentages and percentage points
  with one decimal (31.3; `percent`, `percent_of`, `percentage_points`); dates YYYY-MM-DD
  (`day`).

Each function returns a `Shown`: `value`, the rounded Decimal (Excel numeric cells, stored
fields, JSON numbers), and `text`, the display string (templates, text files, PDF, JSON).

JSON carries both. Figures are JSON numbers holding the rounded value (`Shown.number`), for
charts, sorting and colouring; what a page prints comes from the strings the JSON carries under
"text" (for example figures.text.completed_ytd_yi == "213.91"). Clients print those strings as
they are and never divide, round or re-format a figure. A rounded Decimal survives the trip
through a double: float(Decimal("213.91")) is written as 213.91 by json and read as 213.91 by
JavaScript, so the numbers and the strings agree too.

Excel: write `value` as a number with the matching EXCEL_* format; the value is already
rounded, so the format only lays it out (Excel rounds halves away from zero as well).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

Number = Decimal | int | Fraction

TEN_THOUSAND = 10000  # 万元 in a 亿元
MONEY_PLACES = 2
PERCENT_PLACES = 1
EXCEL_WAN = "#,##0.00"
EXCEL_YI = "#,##0.00"
EXCEL_PERCENT = "0.0"


@dataclass(frozen=True)
class Shown:
    """A figure rounded once: the Decimal to compute with or store, the text to print."""

    value: Decimal
    text: str

    def __str__(self) -> str:
        return self.text

    @property
    def number(self) -> float:
        """The rounded value as a JSON number (its repr is the rounded digits)."""
        return float(self.value)


def exact(value: Number) -> Fraction:
    """The value as a Fraction; refuses floats, whose binary value is not what was typed."""
    if isinstance(value, float | bool) or not isinstance(value, Decimal | int | Fraction):
        raise TypeError(f"expected Decimal, int or Fraction, got {type(value).__name__}")
    return Fraction(value)


def round_half_up(value: Number, places: int) -> Decimal:
    """Round to `places` decimals, halves away from zero (-1.65 -> -1.7), exactly."""
    scaled = exact(value) * 10**places
    whole, rest = divmod(abs(scaled.numerator), scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    return Decimal(-whole if scaled < 0 else whole).scaleb(-places)


def _grouped(value: Decimal, *, trim: bool = False) -> str:
    """Thousands separators, the value's own decimals (it is already rounded); `trim` drops
    trailing zeros of the decimals (12,345.60 -> 12,345.6, 100.00 -> 100)."""
    text = f"{value:,f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def wan(amount: Number, *, trim: bool = True) -> Shown:
    """An amount in 万元: 2139050.5 -> "2,139,050.5" (trim=False: "2,139,050.50", for tables
    whose columns line up on the decimal point)."""
    value = round_half_up(amount, MONEY_PLACES)
    return Shown(value, _grouped(value, trim=trim))


def yi(amount: Number) -> Shown:
    """An amount in 万元 shown in 亿元: 2139050 -> "213.91" (213.905, half up)."""
    value = round_half_up(exact(amount) / TEN_THOUSAND, MONEY_PLACES)
    return Shown(value, _grouped(value))


def percent_of(share: Number, places: int = PERCENT_PLACES) -> Shown:
    """A share of 1 as a percentage: Fraction(1, 3) -> "33.3", Fraction(5, 16) -> "31.3"."""
    value = round_half_up(exact(share) * 100, places)
    return Shown(value, _grouped(value))


def percent(part: Number, whole: Number | None, places: int = PERCENT_PLACES) -> Shown | None:
    """`part` as a percentage of `whole`; None when there is no whole to divide by."""
    if whole is None or exact(whole) == 0:
        return None
    return percent_of(exact(part) / exact(whole), places)


def percentage_points(points: Number, places: int = PERCENT_PLACES) -> Shown:
    """Exact percentage points, signed: "+6.3", "-1.6", "0.0"."""
    value = round_half_up(points, places)
    return Shown(value, ("+" if value > 0 else "") + _grouped(value))


def point_gap(actual_share: Number, expected_share: Number) -> Shown:
    """How far a share (of 1) is from another, in percentage points, positive = ahead."""
    return percentage_points((exact(actual_share) - exact(expected_share)) * 100)


def day(value: datetime.date | None) -> str:
    """A date as YYYY-MM-DD ("" for none)."""
    return "" if value is None else f"{value:%Y-%m-%d}"
