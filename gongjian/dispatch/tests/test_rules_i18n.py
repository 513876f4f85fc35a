"""The rules' remembered translations follow the active language."""

from __future__ import annotations

from django.test import SimpleTestCase
from django.utils import translation

from gongjian.dispatch.rules.i18n import gettext, ngettext


class RememberedTranslationTests(SimpleTestCase):
    def test_each_language_gets_its_own_text(self):
        for language, red, missing_one, missing_two in (
            ("zh-hans", "红灯", "尽快补报", "尽快补报"),
            ("en", "Red", "file the missing report", "file the missing reports"),
            ("zh-hans", "红灯", "尽快补报", "尽快补报"),  # again, from memory
        ):
            with self.subTest(language), translation.override(language):
                self.assertEqual(gettext("Red"), red)
                args = ("file the missing report", "file the missing reports")
                self.assertEqual(ngettext(*args, 1), missing_one)
                self.assertEqual(ngettext(*args, 2), missing_two)
