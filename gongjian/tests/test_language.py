"""Chinese by default whatever the browser asks for; English when the user picks it."""

from __future__ import annotations

from django.test import override_settings
from django.urls import reverse

from gongjian.test import BaseTestCase


@override_settings(LANGUAGE_CODE="zh-hans")
class LanguageTestCase(BaseTestCase):
    def test_chinese_by_default_even_for_an_english_browser(self):
        self.login(self.alice)
        response = self.client.get(reverse("projects:list"), headers={"accept-language": "en-US"})
        self.assertContains(response, "项目库")
        self.assertEqual(response["Content-Language"], "zh-hans")

    def test_english_once_chosen(self):
        self.login(self.alice)
        self.client.post(reverse("set_language"), {"language": "en", "next": "/projects/"})
        response = self.client.get(reverse("projects:list"))
        self.assertContains(response, "Project registry")
