"""Search keys for Chinese names: users type pinyin initials (cqca) or full pinyin."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=4096)
def pinyin_keys(text: str) -> tuple[str, str]:
    """Return (initials, full pinyin) of `text`, lower case, with non-Chinese kept as is."""
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default"))
    full = "".join(lazy_pinyin(text, errors="default"))
    return initials.lower().replace(" ", ""), full.lower().replace(" ", "")


def search_text_for(name: str, code: str, owner_name: str) -> str:
    """One lower-case haystack per project; `q` matches it with a single icontains.

    The parts are separated by a character nobody types so a query cannot match across two.
    """
    initials, full = pinyin_keys(name)
    return "\x1f".join([name.lower(), code.lower(), owner_name.lower(), initials, full])


def normalise_query(q: str) -> str:
    return " ".join(q.split()).lower()
