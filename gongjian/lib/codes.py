"""Validators for Chinese national codes used by forms and the Excel import.

Every ``*_error`` function returns ``None`` for a valid code, otherwise one short
English sentence that says exactly what is wrong (position, character, expected
value), because import reports are read by people fixing spreadsheets by hand.
Validators check the code as given; callers run the ``normalize_*`` helper first.

Pure Python, no Django imports, so the functions work in forms, in the importer
and in management commands alike.
"""

from __future__ import annotations

import re
import unicodedata

# --- 统一社会信用代码 (GB 32100-2015) -------------------------------------------
# We do not use python-stdnum's cn.uscc: it requires positions 1-8 to be digits, so
# it rejects codes from authorities A, N and Y, and it skips the inner
# GB 11714 organisation-code check, so it accepts codes that cannot exist.

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # value of a character = its index
USCC_FORBIDDEN = "IOSVZ"  # left out of the alphabet because they look like 1, 0, 5, 2
USCC_WEIGHTS = tuple(3**i % 31 for i in range(17))
USCC_AUTHORITIES = "123456789ANY"  # position 1: registration authority
GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def normalize_uscc(code: str) -> str:
    """Remove all whitespace, turn full-width characters into ASCII, upper-case."""
    code = unicodedata.normalize("NFKC", code or "")
    return "".join(code.split()).upper()


def _gb11714_check(body: str) -> str:
    """Check character for an 8-character organisation code body (GB 11714)."""
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w
        for c, w in zip(body, GB11714_WEIGHTS, strict=True)
    )
    r = 11 - total % 11
    return {10: "X", 11: "0"}.get(r, str(r))


def _uscc_check(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_error(code: str) -> str | None:
    code = (code or "").strip()
    if not code:
        return "is empty"
    if any(c.islower() for c in code):
        return "must be upper case"
    if len(code) != 18:
        return f"must be 18 characters, got {len(code)}"
    for pos, c in enumerate(code, start=1):
        if c in USCC_FORBIDDEN:
            return (
                f"character '{c}' at position {pos} is not allowed (I, O, S, V, Z are never used)"
            )
        if c not in USCC_ALPHABET:
            return f"character '{c}' at position {pos} is not allowed"
    if code[0] not in USCC_AUTHORITIES:
        return f"registration authority '{code[0]}' is not one of 1-9, A, N, Y"
    for pos in range(3, 9):
        if not code[pos - 1].isdigit():
            return (
                f"positions 3-8 (region code) must be digits, "
                f"got '{code[pos - 1]}' at position {pos}"
            )
    # The inner check is tested first: a typo in positions 9-17 breaks both checks,
    # and this message points at the smaller span the user has to look at.
    inner = _gb11714_check(code[8:16])
    if code[16] != inner:
        return (
            f"organisation code (positions 9-17) check character should be "
            f"'{inner}', got '{code[16]}' (GB 11714)"
        )
    outer = _uscc_check(code[:17])
    if code[17] != outer:
        return f"check character should be '{outer}', got '{code[17]}'"
    return None


def is_valid_uscc(code: str) -> bool:
    return uscc_error(code) is None


# --- 行政区划代码 (GB/T 2260) ------------------------------------------------------
# Only the shape and the province prefix are checked. Counties are created, merged
# and renamed every year, so a list of counties would reject valid new codes.

PROVINCE_PREFIXES = frozenset(
    [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47)]
    + [*range(50, 55), *range(61, 66), 71, 81, 82]
)


def region_code_error(code: str) -> str | None:
    code = (code or "").strip()
    if not code:
        return "is empty"
    if len(code) != 6:
        return f"must be 6 digits, got {len(code)} characters"
    for pos, c in enumerate(code, start=1):
        if c not in "0123456789":  # not str.isdigit(): that accepts '١' and '²'
            return f"character '{c}' at position {pos} is not a digit"
    if int(code[:2]) not in PROVINCE_PREFIXES:
        return f"province prefix '{code[:2]}' does not exist"
    return None


def is_valid_region_code(code: str) -> bool:
    return region_code_error(code) is None


def region_level(code: str) -> str:
    """'province' (xx0000), 'city' (xxxx00) or 'county'; ValueError if invalid."""
    error = region_code_error(code)
    if error:
        raise ValueError(f"region code {code!r} {error}")
    code = code.strip()
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


# --- 投资项目代码 -----------------------------------------------------------------
# 4-6-2-2-6 digits. The first segment is the year (2014-2020, old rules) or, since
# GB/T 40058-2021, YYMM of issue. 2014-2020 can only be a year (months 14-20 do not
# exist), so the two forms never collide. The last digit is a check digit whose
# algorithm is not published, so it is not checked.

PROJECT_CODE_RE = re.compile(r"[0-9]{4}-[0-9]{6}-[0-9]{2}-[0-9]{2}-[0-9]{6}")
PROJECT_CODE_SHAPE = (
    "must look like 2411-130202-89-01-637015 (24 characters: 4-6-2-2-6 digits with hyphens)"
)
_SEGMENT_LENGTHS = (4, 6, 2, 2, 6)
_SEGMENT_NAMES = ("first", "second", "third", "fourth", "fifth")
_DASHES = str.maketrans({c: "-" for c in "－—–‐‑−"})


def normalize_project_code(code: str) -> str:
    """Full-width digits to ASCII, any dash to '-', whitespace removed."""
    code = unicodedata.normalize("NFKC", code or "")  # also maps '－' and U+3000
    return "".join(code.split()).translate(_DASHES)


def _issued(first: str) -> tuple[int, int | None]:
    """(year, month) from the 4-digit first segment; ValueError says why not."""
    n = int(first)
    if 2014 <= n <= 2020:
        return n, None
    yy, mm = divmod(n, 100)
    if yy < 20:
        reason = f"YY {yy:02d} is before 20"
    elif not 1 <= mm <= 12:
        reason = f"month {mm:02d}"
    else:
        return 2000 + yy, mm
    raise ValueError(
        f"first segment '{first}' is neither a year 2014-2020 nor a valid YYMM ({reason})"
    )


def project_code_error(code: str) -> str | None:
    code = (code or "").strip()
    if not code:
        return "is empty"
    if not PROJECT_CODE_RE.fullmatch(code):
        parts = code.split("-")
        if len(parts) == 5:  # right shape of hyphens: name the segment that is wrong
            for name, part, n in zip(_SEGMENT_NAMES, parts, _SEGMENT_LENGTHS, strict=True):
                if len(part) != n or not all(c in "0123456789" for c in part):
                    return f"{name} segment '{part}' must be {n} digits; {PROJECT_CODE_SHAPE}"
        return PROJECT_CODE_SHAPE
    first, region = code[:4], code[5:11]
    try:
        _issued(first)
    except ValueError as e:
        return str(e)
    if int(region[:2]) not in PROVINCE_PREFIXES:
        return f"second segment '{region}' is not a region code (no province '{region[:2]}')"
    return None


def is_valid_project_code(code: str) -> bool:
    return project_code_error(code) is None


def project_code_issued(code: str) -> tuple[int, int | None]:
    """(year, month) of issue; month is None for old-form codes (a year 2014-2020).

    Normalises first, so raw spreadsheet cells can be passed; ValueError if invalid.
    """
    code = normalize_project_code(code)
    error = project_code_error(code)
    if error:
        raise ValueError(f"project code {code!r} {error}")
    return _issued(code[:4])
