"""Table-driven tests for gongjian.lib.codes."""

from __future__ import annotations

from django.test import SimpleTestCase

from gongjian.lib.codes import (
    is_valid_project_code,
    is_valid_region_code,
    is_valid_uscc,
    normalize_project_code,
    normalize_uscc,
    project_code_error,
    project_code_issued,
    region_code_error,
    region_level,
    uscc_error,
)

# Written independently of codes.py (different formulation of both checks), so a
# shared mistake would have to be made twice.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def complete_uscc(body16: str) -> str:
    """Append the GB 11714 check (position 17) and the GB 32100 check (position 18)."""
    org = body16[8:]
    values = [
        CHARSET.index(c) if c.isdigit() else 10 + "ABCDEFGHIJKLMNOPQRSTUVWXYZ".index(c) for c in org
    ]
    inner_remainder = (
        11 - sum(v * w for v, w in zip(values, [3, 7, 9, 10, 5, 8, 4, 2], strict=True)) % 11
    ) % 11
    inner = "0123456789X"[inner_remainder]
    first17 = body16 + inner
    weight, total = 1, 0
    for c in first17:
        total += CHARSET.index(c) * weight
        weight = weight * 3 % 31
    return first17 + CHARSET[-total % 31]


# Literal codes; each was checked by hand computation of both check characters.
LITERAL_VALID_USCC = [
    "91110000600037341L",  # well-known Beijing company code
    "914403001922038216",
    "91330100716105852F",
    "9144030071526726XG",  # inner check character 'X'
    "91310000MA1FL4B24G",  # letters in the organisation code
    "11100000000013127D",  # authority 1 (机构编制)
    "A1110000MB015523X8",  # authority A, inner 'X'
    "N2440300MC1234566R",  # authority N
    "Y1330100MD765432X8",  # authority Y
    "93310000MA2D000610",  # outer check '0': sum % 31 == 0, the 31 -> 0 case
    "524403005000004100",  # outer check '0' again, inner '0'
]


class UsccTestCase(SimpleTestCase):
    def test_it_accepts_literal_codes(self) -> None:
        for code in LITERAL_VALID_USCC:
            with self.subTest(code=code):
                self.assertIsNone(uscc_error(code))
                self.assertTrue(is_valid_uscc(code))
                self.assertEqual(complete_uscc(code[:16]), code)

    def test_it_accepts_every_registration_authority(self) -> None:
        for authority in "123456789ANY":
            code = complete_uscc(f"{authority}1110108MA00ABCD")
            with self.subTest(code=code):
                self.assertIsNone(uscc_error(code))

    def test_it_accepts_generated_codes(self) -> None:
        bodies = [
            "9111010856573880",
            "9132050030207746",
            "5244030050000041",
            "1210000040000086",
            "92440300MA5DC1TY",
            "Y1440300MA5ABCDE",
        ]
        for body in bodies:
            code = complete_uscc(body)
            with self.subTest(code=code):
                self.assertTrue(is_valid_uscc(code), uscc_error(code))

    def test_it_accepts_surrounding_whitespace(self) -> None:
        self.assertTrue(is_valid_uscc("  91110000600037341L\n"))

    def test_it_normalizes_spaces_case_and_full_width(self) -> None:
        self.assertEqual(normalize_uscc(" 9111 0000 6000 3734 1l "), "91110000600037341L")
        self.assertEqual(
            normalize_uscc("９１１１００００６０００３７３４１Ｌ"), "91110000600037341L"
        )
        self.assertEqual(normalize_uscc(""), "")

    def test_it_rejects_with_exact_messages(self) -> None:
        cases = [
            ("", "is empty"),
            ("91110000600037341l", "must be upper case"),
            ("91110000600037341", "must be 18 characters, got 17"),
            ("91110000600037341LL", "must be 18 characters, got 19"),
            (
                "9111I000600037341L",
                "character 'I' at position 5 is not allowed (I, O, S, V, Z are never used)",
            ),
            ("91110000600037341-", "character '-' at position 18 is not allowed"),
            ("B1110000600037341L", "registration authority 'B' is not one of 1-9, A, N, Y"),
            ("01110000600037341L", "registration authority '0' is not one of 1-9, A, N, Y"),
            (
                "911100A0600037341L",
                "positions 3-8 (region code) must be digits, got 'A' at position 7",
            ),
            ("91110000600037341M", "check character should be 'L', got 'M'"),
            (
                "91110000600037342L",
                "organisation code (positions 9-17) check character should be '1', "
                "got '2' (GB 11714)",
            ),
        ]
        for code, message in cases:
            with self.subTest(code=code):
                self.assertEqual(uscc_error(code), message)
                self.assertFalse(is_valid_uscc(code))

    def test_it_rejects_each_forbidden_letter(self) -> None:
        for letter in "IOSVZ":
            code = f"91110000MA{letter}1234567"
            with self.subTest(letter=letter):
                self.assertEqual(
                    uscc_error(code),
                    f"character '{letter}' at position 11 is not allowed "
                    "(I, O, S, V, Z are never used)",
                )

    def test_it_rejects_outer_check_passing_but_inner_failing(self) -> None:
        good = complete_uscc("9111010856573880")
        inner = good[16]
        wrong_inner = "5" if inner != "5" else "6"
        first17 = good[:16] + wrong_inner
        bad = first17 + _outer_only(first17)
        self.assertNotEqual(bad, good)
        self.assertEqual(
            uscc_error(bad),
            f"organisation code (positions 9-17) check character should be '{inner}', "
            f"got '{wrong_inner}' (GB 11714)",
        )

    def test_it_names_the_expected_outer_check(self) -> None:
        good = complete_uscc("N2440300MC123456")
        wrong = "0" if good[-1] != "0" else "1"
        self.assertEqual(
            uscc_error(good[:17] + wrong),
            f"check character should be '{good[-1]}', got '{wrong}'",
        )


def _outer_only(first17: str) -> str:
    """Only the GB 32100 check character, for building codes with a bad inner check."""
    total = sum(CHARSET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return CHARSET[-total % 31]


class ProjectCodeTestCase(SimpleTestCase):
    def test_it_accepts_both_generations(self) -> None:
        cases = [
            ("2020-330327-48-01-167360", (2020, None)),
            ("2016-110105-70-03-000123", (2016, None)),
            ("2017-440300-47-01-012345", (2017, None)),
            ("2014-650102-44-01-000001", (2014, None)),
            ("2411-130202-89-01-637015", (2024, 11)),
            ("2011-320500-78-02-000456", (2020, 11)),
            ("2012-810000-70-01-000001", (2020, 12)),
            ("2603-141124-89-05-346948", (2026, 3)),
            ("2101-710000-01-01-000001", (2021, 1)),
            ("9912-820000-01-01-000001", (2099, 12)),
        ]
        for code, issued in cases:
            with self.subTest(code=code):
                self.assertIsNone(project_code_error(code))
                self.assertTrue(is_valid_project_code(code))
                self.assertEqual(project_code_issued(code), issued)

    def test_it_accepts_unknown_county_in_known_province(self) -> None:
        self.assertTrue(is_valid_project_code("2411-139999-89-01-637015"))

    def test_it_normalizes_full_width_input(self) -> None:
        cases = [
            ("２４１１－１３０２０２－８９－０１－６３７０１５", "2411-130202-89-01-637015"),
            (" 2411—130202–89‐01－637015 ", "2411-130202-89-01-637015"),
            ("2020 - 330327 - 48 - 01 - 167360", "2020-330327-48-01-167360"),
        ]
        for raw, clean in cases:
            with self.subTest(raw=raw):
                self.assertEqual(normalize_project_code(raw), clean)
                self.assertTrue(is_valid_project_code(normalize_project_code(raw)))
                self.assertFalse(is_valid_project_code(raw))
        self.assertEqual(
            project_code_issued("２４１１－１３０２０２－８９－０１－６３７０１５"), (2024, 11)
        )

    def test_it_rejects_wrong_shapes(self) -> None:
        shape = (
            "must look like 2411-130202-89-01-637015 (24 characters: 4-6-2-2-6 digits with hyphens)"
        )
        cases = [
            ("", "is empty"),
            ("241113020289016370150", shape),
            ("2411-130202-89-01", shape),
            ("24111-30202-89-01-637015", f"first segment '24111' must be 4 digits; {shape}"),
            ("2411-13020-89-01-637015", f"second segment '13020' must be 6 digits; {shape}"),
            ("2411-130202-8-01-637015", f"third segment '8' must be 2 digits; {shape}"),
            ("2411-130202-89-1-637015", f"fourth segment '1' must be 2 digits; {shape}"),
            ("2411-130202-89-01-63701A", f"fifth segment '63701A' must be 6 digits; {shape}"),
        ]
        for code, message in cases:
            with self.subTest(code=code):
                self.assertEqual(project_code_error(code), message)
                self.assertFalse(is_valid_project_code(code))

    def test_it_rejects_impossible_first_segments(self) -> None:
        cases = [
            ("2413", "month 13"),
            ("2400", "month 00"),
            ("2013", "month 13"),
            ("1999", "YY 19 is before 20"),
            ("0000", "YY 00 is before 20"),
        ]
        for first, reason in cases:
            code = f"{first}-130202-89-01-637015"
            with self.subTest(code=code):
                self.assertEqual(
                    project_code_error(code),
                    f"first segment '{first}' is neither a year 2014-2020 "
                    f"nor a valid YYMM ({reason})",
                )
                with self.assertRaises(ValueError):
                    project_code_issued(code)

    def test_it_rejects_unknown_province_in_second_segment(self) -> None:
        self.assertEqual(
            project_code_error("2411-990000-89-01-637015"),
            "second segment '990000' is not a region code (no province '99')",
        )


class RegionCodeTestCase(SimpleTestCase):
    def test_it_accepts_each_level(self) -> None:
        cases = [
            ("110000", "province"),
            ("130200", "city"),
            ("130202", "county"),
            ("429004", "county"),  # 仙桃: county-level city directly under the province
            ("710000", "province"),
            ("820000", "province"),
            ("650100", "city"),
        ]
        for code, level in cases:
            with self.subTest(code=code):
                self.assertIsNone(region_code_error(code))
                self.assertTrue(is_valid_region_code(code))
                self.assertEqual(region_level(code), level)

    def test_it_accepts_every_province_prefix(self) -> None:
        prefixes = (
            "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
            "50 51 52 53 54 61 62 63 64 65 71 81 82"
        ).split()
        for prefix in prefixes:
            with self.subTest(prefix=prefix):
                self.assertTrue(is_valid_region_code(f"{prefix}0000"))

    def test_it_rejects_with_exact_messages(self) -> None:
        cases = [
            ("", "is empty"),
            ("12345", "must be 6 digits, got 5 characters"),
            ("1300000", "must be 6 digits, got 7 characters"),
            ("11000a", "character 'a' at position 6 is not a digit"),
            ("1１0000", "character '１' at position 2 is not a digit"),
            ("990000", "province prefix '99' does not exist"),
            ("160000", "province prefix '16' does not exist"),
            ("000000", "province prefix '00' does not exist"),
        ]
        for code, message in cases:
            with self.subTest(code=code):
                self.assertEqual(region_code_error(code), message)
                self.assertFalse(is_valid_region_code(code))
                with self.assertRaises(ValueError):
                    region_level(code)
