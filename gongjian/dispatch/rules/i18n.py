"""gettext and ngettext for the rules, remembered per language.

recompute_lights runs the rules for every listed project, a dozen messages each: Django's
gettext looked the active translation up and walked the catalogues a million times a run, a
quarter of the rules' time. The texts of one language never change while the process runs.
"""

from __future__ import annotations

from django.utils import translation

_texts: dict[tuple, str] = {}


def gettext(message: str) -> str:
    key = (translation.get_language(), message)
    text = _texts.get(key)
    if text is None:
        text = _texts[key] = translation.gettext(message)
    return text


def ngettext(singular: str, plural: str, number: int) -> str:
    key = (translation.get_language(), singular, plural, number)
    text = _texts.get(key)
    if text is None:
        text = _texts[key] = translation.ngettext(singular, plural, number)
    return text
