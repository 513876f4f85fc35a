"""Light colours and the two colour schemes.

Places differ on the colour of a project that is fine: most use green (银川, 宜昌), but the
亮屏 campaigns use red/yellow/blue with blue as the best colour (蓝牌激励, cn-platforms §1.7).
Red is always the worst and yellow the middle, so severity does not depend on the scheme.
"""

from __future__ import annotations

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy

from gongjian.dispatch.rules.i18n import gettext as _


class Colour(TextChoices):  # same values as dispatch.models.Light.Colour
    RED = "red", gettext_lazy("Red")
    YELLOW = "yellow", gettext_lazy("Yellow")
    BLUE = "blue", gettext_lazy("Blue")
    GREEN = "green", gettext_lazy("Green")


RED = Colour.RED
YELLOW = Colour.YELLOW
BLUE = Colour.BLUE
GREEN = Colour.GREEN


class Scheme(TextChoices):
    RED_YELLOW_BLUE = "red_yellow_blue", gettext_lazy("Red, yellow and blue (blue is best)")
    RED_YELLOW_GREEN = "red_yellow_green", gettext_lazy("Red, yellow and green")


SEVERITY = {RED: 2, YELLOW: 1, BLUE: 0, GREEN: 0}


def best_colour(scheme: str) -> Colour:
    return BLUE if scheme == Scheme.RED_YELLOW_BLUE else GREEN


def worst_colour(colours, best: Colour) -> Colour:
    """The most severe of `colours`; `best` when there are none."""
    return max(colours, key=SEVERITY.__getitem__, default=best)


def colour_name(colour: str) -> str:
    """The colour as a word inside a sentence ("to turn blue"), not as a label."""
    names = {RED: _("red"), YELLOW: _("yellow"), BLUE: _("blue"), GREEN: _("green")}
    return names[colour]
