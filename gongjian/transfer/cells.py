"""Turn one Excel cell into the text a form field expects, or say exactly what is wrong with it.

Each parser returns the form value or raises CellError. Amounts must be plain numbers of 万元:
"5亿", "5,000" or "5000万元" are refused rather than guessed at, because a wrong guess is off by
a factor of 10,000.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from gongjian.transfer.columns import CHOICE_LABELS, FALSE_WORDS, TRUE_WORDS, Column, Kind

_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class CellError(ValueError):
    pass


def parse_cell(column: Column, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
    if value in ("", None):
        return False if column.kind == Kind.BOOL else ""
    return PARSERS[column.kind](column, value)


def _text(column: Column, value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed into a number cell
    if isinstance(value, datetime.date):
        raise CellError(_("expected text, found a date"))
    return str(value)


def _code(column: Column, value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
        # Excel drops leading zeros of GB/T 4754 codes such as 0511; they have an even length.
        return text.zfill(len(text) + len(text) % 2)
    return str(value)


def _decimal(column: Column, value: Any) -> str:
    if isinstance(value, bool) or isinstance(value, datetime.date):
        raise CellError(_("expected a number"))
    if isinstance(value, int | float):
        return str(round(Decimal(repr(value)), 6).normalize())
    text = str(value)
    if any(unit in text for unit in ("万", "亿", "元")):
        raise CellError(
            _('"%(text)s" has a unit; enter the plain number of 万元, e.g. 50000 for 5亿')
            % {"text": text}
        )
    if "," in text or "，" in text:
        raise CellError(
            _('"%(text)s" has thousands separators; enter the plain number, e.g. 12000')
            % {"text": text}
        )
    if not _PLAIN_NUMBER.fullmatch(text):
        raise CellError(_('"%(text)s" is not a number') % {"text": text})
    try:
        return str(Decimal(text))
    except InvalidOperation as error:  # pragma: no cover - the regex admits only valid numbers
        raise CellError(_('"%(text)s" is not a number') % {"text": text}) from error


def _integer(column: Column, value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.isdigit():
        return value
    raise CellError(_('"%(text)s" is not a whole number') % {"text": value})


def _date(column: Column, value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value)
    # A text date is accepted only in the one unambiguous form; 2026.3.1, 3/1/2026 and 2026年3月
    # are refused because Excel and people read them differently.
    if _ISO_DATE.fullmatch(text):
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
    raise CellError(
        _('"%(text)s" is text, not a date; format the cell as a date or type YYYY-MM-DD')
        % {"text": text}
    )


def _bool(column: Column, value: Any) -> bool:
    word = _text(column, value).upper()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_('"%(text)s" should be 是 or 否') % {"text": value})


def _choice(column: Column, value: Any) -> str:
    labels = CHOICE_LABELS[column.field]
    text = _text(column, value)
    for code, label in labels.items():
        if text in (label, code):
            return str(code)
    raise CellError(
        _('"%(text)s" is not one of %(choices)s')
        % {"text": text, "choices": "、".join(labels.values())}
    )


PARSERS = {
    Kind.TEXT: _text,
    Kind.CODE: _code,
    Kind.DECIMAL: _decimal,
    Kind.INTEGER: _integer,
    Kind.DATE: _date,
    Kind.BOOL: _bool,
    Kind.CHOICE: _choice,
    Kind.LOOKUP: _text,
}
