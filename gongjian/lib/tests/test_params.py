"""Table-driven tests for gongjian.lib.params, gongjian.lib.converters and gongjian.lib.urls."""

from __future__ import annotations

import datetime

from django.http import QueryDict
from django.test import RequestFactory, SimpleTestCase
from django.utils import translation

from gongjian.lib import params
from gongjian.lib.converters import IdConverter, YearConverter
from gongjian.lib.params import MAX_ID, BadParameter
from gongjian.lib.urls import safe_next_url

# Values no parameter of ours accepts as a number: digits that str.isdigit() passes but int()
# refuses ('²', '①'), or that int() would accept though no form sends them (full-width,
# Arabic-Indic), signs, spaces, exponents, decimals and numbers past 64 bits.
NOT_NUMBERS = [
    "²",
    "①",
    "１２",
    "١٢",
    " 12",
    "12 ",
    "+12",
    "-1",
    "1e3",
    "1.0",
    "0x1f",
    "1_000",
    str(10**30),
    "9" * 5000,
    "abc",
    "{}",
    "12\x00",
]


def query(**values) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in values.items():
        data[name] = value
    return data


class AsciiIntTestCase(SimpleTestCase):
    def test_it_reads_ascii_digits_only(self):
        table = [
            ("0", 0),
            ("7", 7),
            ("007", 7),
            ("2026", 2026),
            (str(MAX_ID), MAX_ID),
            ("9" * 19, 10**19 - 1),
            ("9" * 20, None),
            ("", None),
            *[(text, None) for text in NOT_NUMBERS],
        ]
        for text, expected in table:
            with self.subTest(text=text[:30]):
                self.assertEqual(params.ascii_int(text), expected)


class IntegerParamsTestCase(SimpleTestCase):
    def test_ids_run_from_1_to_2_63_minus_1(self):
        table = [("1", 1), ("42", 42), (str(MAX_ID), MAX_ID)]
        for text, expected in table:
            with self.subTest(text=text):
                self.assertEqual(params.id_param(query(pk=text), "pk"), expected)
        for text in ["0", str(MAX_ID + 1), *NOT_NUMBERS]:
            with self.subTest(text=text[:30]), self.assertRaises(BadParameter) as raised:
                params.id_param(query(pk=text), "pk")
            self.assertEqual(raised.exception.name, "pk")

    def test_absent_or_empty_gives_the_default(self):
        for data in (query(), query(pk="")):
            with self.subTest(data=data):
                self.assertIsNone(params.id_param(data, "pk"))
                self.assertEqual(params.id_param(data, "pk", default=5), 5)
                self.assertEqual(params.year_param(data, "pk", default=2026), 2026)
                self.assertEqual(params.month_param(data, "pk", default=3), 3)
                self.assertEqual(params.page_param(data, "pk"), 1)
                self.assertEqual(params.int_param(data, "pk", default=9), 9)

    def test_a_required_parameter_may_not_be_missing(self):
        for data in (query(), query(scheme="")):
            with self.subTest(data=data), self.assertRaises(BadParameter):
                params.id_param(data, "scheme", required=True)
        with self.assertRaises(BadParameter):
            params.int_param(query(), "n", required=True)

    def test_years_are_2000_to_2100(self):
        good = [("2000", 2000), ("2026", 2026), ("2100", 2100)]
        for text, expected in good:
            with self.subTest(text=text):
                self.assertEqual(params.year_param(query(year=text)), expected)
        for text in ["1999", "2101", "99999", "0", "0000", "26", *NOT_NUMBERS]:
            with self.subTest(text=text[:30]), self.assertRaises(BadParameter):
                params.year_param(query(year=text))

    def test_months_are_1_to_12(self):
        for text, expected in [("1", 1), ("01", 1), ("12", 12)]:
            with self.subTest(text=text):
                self.assertEqual(params.month_param(query(month=text)), expected)
        for text in ["0", "13", "00", *NOT_NUMBERS]:
            with self.subTest(text=text[:30]), self.assertRaises(BadParameter):
                params.month_param(query(month=text))

    def test_pages_start_at_1(self):
        for text, expected in [("1", 1), ("250", 250), (str(params.MAX_PAGE), params.MAX_PAGE)]:
            with self.subTest(text=text):
                self.assertEqual(params.page_param(query(page=text)), expected)
        for text in ["0", str(params.MAX_PAGE + 1), *NOT_NUMBERS]:
            with self.subTest(text=text[:30]), self.assertRaises(BadParameter):
                params.page_param(query(page=text))

    def test_int_param_keeps_to_its_range(self):
        self.assertEqual(params.int_param(query(n="0"), "n", low=0, high=4), 0)
        self.assertEqual(params.int_param(query(n="4"), "n", low=0, high=4), 4)
        for text in ["5", *NOT_NUMBERS]:
            with self.subTest(text=text[:30]), self.assertRaises(BadParameter):
                params.int_param(query(n=text), "n", low=0, high=4)

    def test_the_last_of_repeated_values_counts_as_for_any_query(self):
        data = QueryDict("year=abc&year=2026")
        self.assertEqual(params.year_param(data), 2026)


class OtherParamsTestCase(SimpleTestCase):
    def test_choices_come_from_a_fixed_set(self):
        choices = {"unit", "department"}
        self.assertEqual(params.choice_param(query(by="unit"), "by", choices), "unit")
        self.assertEqual(
            params.choice_param(query(), "by", choices, default="department"), "department"
        )
        for text in ["Unit", "unit ", "units", "²", "{}"]:
            with self.subTest(text=text), self.assertRaises(BadParameter):
                params.choice_param(query(by=text), "by", choices)

    def test_booleans(self):
        table = [
            ("1", True),
            ("true", True),
            ("on", True),
            ("YES", True),
            ("0", False),
            ("false", False),
            ("off", False),
            ("no", False),
        ]
        for text, expected in table:
            with self.subTest(text=text):
                self.assertIs(params.bool_param(query(own=text), "own"), expected)
        self.assertIs(params.bool_param(query(), "own"), False)
        self.assertIs(params.bool_param(query(own=""), "own", default=True), True)
        for text in ["2", "①", "１", "y", "truth", "{}"]:
            with self.subTest(text=text), self.assertRaises(BadParameter):
                params.bool_param(query(own=text), "own")

    def test_dates_are_yyyy_mm_dd(self):
        self.assertEqual(
            params.date_param(query(day="2026-03-31"), "day"), datetime.date(2026, 3, 31)
        )
        self.assertEqual(
            params.date_param(query(day="2028-02-29"), "day"), datetime.date(2028, 2, 29)
        )
        self.assertIsNone(params.date_param(query(), "day"))
        bad = [
            "2026-02-30",
            "2026-13-01",
            "2026-3-1",
            "20260331",
            "２０２６-03-31",
            "2026-03-31T00:00",
            " 2026-03-31",
            "0001-01-01",
            "9999-12-31",
            "²",
        ]
        for text in bad:
            with self.subTest(text=text), self.assertRaises(BadParameter):
                params.date_param(query(day=text), "day")

    def test_periods_are_a_year_a_month_or_a_quarter(self):
        for text, expected in [
            ("2026", "2026"),
            ("2026-03", "2026-03"),
            ("2026-12", "2026-12"),
            ("2026-Q1", "2026-Q1"),
            ("2026-Q4", "2026-Q4"),
            (" 2026-Q2 ", "2026-Q2"),
        ]:
            with self.subTest(text=text):
                self.assertEqual(params.period_param(query(period=text)), expected)
        bad = [
            "2026-00",
            "2026-13",
            "2026-Q0",
            "2026-Q5",
            "2026-q1",
            "2026-3",
            "0000",
            "9999",
            "1999-12",
            "２０２６",
            "²",
            "2026-①",
            "{}",
        ]
        for text in bad:
            with self.subTest(text=text), self.assertRaises(BadParameter):
                params.period_param(query(period=text))
        with self.assertRaises(BadParameter):
            params.period_param(query(period="  "), required=True)

    def test_text_is_stripped_and_has_no_control_characters(self):
        self.assertEqual(
            params.text_param(query(reason="  数据有误\n请核对 "), "reason"), "数据有误\n请核对"
        )
        self.assertEqual(params.text_param(query(), "reason"), "")
        for text in ["a\x00b", "\x1b[31m", "x" * 11]:
            with self.subTest(text=text), self.assertRaises(BadParameter):
                params.text_param(query(reason=text), "reason", max_length=10)


class MessagesTestCase(SimpleTestCase):
    def test_the_message_names_the_parameter_in_chinese_by_default(self):
        with translation.override("zh-hans"), self.assertRaises(BadParameter) as raised:
            params.year_param(query(year="99999"))
        self.assertEqual(str(raised.exception), "参数“year”应为2000至2100之间的年份。")

    def test_a_label_replaces_the_name(self):
        with translation.override("en"), self.assertRaises(BadParameter) as raised:
            params.period_param(query(p="x"), "p", label="assessment period")
        self.assertIn("“assessment period”", str(raised.exception))

    def test_the_message_never_repeats_the_value(self):
        with self.assertRaises(BadParameter) as raised:
            params.id_param(query(pk="<script>"), "pk")
        self.assertNotIn("<script>", str(raised.exception))


class ConvertersTestCase(SimpleTestCase):
    def test_ids_in_the_path(self):
        converter = IdConverter()
        self.assertEqual(converter.to_python("1"), 1)
        self.assertEqual(converter.to_python(str(MAX_ID)), MAX_ID)
        self.assertEqual(converter.to_url(42), "42")
        for text in ["0", str(MAX_ID + 1), "9" * 19]:
            with self.subTest(text=text), self.assertRaises(ValueError):
                converter.to_python(text)

    def test_years_in_the_path(self):
        converter = YearConverter()
        self.assertEqual(converter.to_python("2026"), 2026)
        for text in ["1999", "2101", "0000"]:
            with self.subTest(text=text), self.assertRaises(ValueError):
                converter.to_python(text)


class SafeNextUrlTestCase(SimpleTestCase):
    def test_only_addresses_on_this_site_are_followed(self):
        factory = RequestFactory()
        table = [
            ("/dispatch/review/", "/dispatch/review/"),
            ("/projects/?q=a&page=2", "/projects/?q=a&page=2"),
            # Paths only: our pages send request.get_full_path(), and redirect() reads a bare
            # word as a view name.
            ("http://testserver/projects/", "/home/"),
            ("x", "/home/"),
            ("projects", "/home/"),
            ("²", "/home/"),
            ("", "/home/"),
            ("https://evil.example/", "/home/"),
            ("//evil.example", "/home/"),
            ("///evil.example", "/home/"),
            ("/\\evil.example", "/home/"),
            ("\\\\evil.example", "/home/"),
            ("javascript:alert(1)", "/home/"),
            ("JavaScript:alert(1)", "/home/"),
            ("data:text/html,<script>alert(1)</script>", "/home/"),
            ("https:evil.example", "/home/"),
            ("\x00/evil", "/home/"),
        ]
        for target, expected in table:
            with self.subTest(target=target):
                request = factory.post("/x/", {"next": target})
                self.assertEqual(safe_next_url(request, "/home/"), expected)
                request = factory.get("/x/", {"next": target})
                self.assertEqual(safe_next_url(request, "/home/"), expected)
