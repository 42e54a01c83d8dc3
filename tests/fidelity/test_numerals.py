"""Number parsers: Chinese numerals, English and Russian number words, digits with separators."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accord.fidelity.numerals import normal, parse_decimal, parse_en_words, parse_ru_words, parse_zh_numeral


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一百二十二", 122),
        ("一百一十二", 112),
        ("两", 2),
        ("两千", 2000),
        ("十七", 17),
        ("十", 10),
        ("二十四", 24),
        ("廿四", 24),
        ("廿", 20),
        ("卅一", 31),
        ("一九五八", 1958),
        ("二〇二〇", 2020),
        ("一百零五", 105),
        ("一千零一十", 1010),
        ("三万五千", 35000),
        ("一百二十万", 1_200_000),
        ("两万五", 25000),
        ("一百二", 120),
        ("一亿二千万", 120_000_000),
        ("壹佰贰拾贰", 122),
    ],
)
def test_chinese_numerals(text: str, value: int) -> None:
    assert parse_zh_numeral(text) == value


@pytest.mark.parametrize("text", ["", "十十", "百千", "abc", "一二三a"])
def test_chinese_numerals_refuse_what_is_not_one(text: str) -> None:
    assert parse_zh_numeral(text) is None


def test_english_number_words() -> None:
    assert parse_en_words(["one", "hundred", "and", "twenty", "two"]) == [(122, 0, 5, False)]
    assert parse_en_words(["a", "hundred"]) == [(100, 0, 2, False)]
    assert parse_en_words(["one", "million", "two", "hundred", "thousand"]) == [(1_200_000, 0, 5, False)]
    assert parse_en_words(["twenty", "fourth"]) == [(24, 0, 2, True)]
    # two numbers side by side stay two numbers
    assert parse_en_words(["two", "and", "three"]) == [(2, 0, 1, False), (3, 2, 3, False)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("сто двадцать два", 122),
        ("ста двадцати двух", 122),  # genitive
        ("двумя", 2),
        ("сорока", 40),
        ("двух тысяч пятисот", 2500),
        ("три миллиона", 3_000_000),
        ("одиннадцать", 11),
    ],
)
def test_russian_number_words_in_any_case(text: str, value: int) -> None:
    assert parse_ru_words(text.split()) == [(value, 0, len(text.split()))]


def test_russian_words_that_do_not_continue_are_separate_numbers() -> None:
    assert parse_ru_words(["два", "три"]) == [(2, 0, 1), (3, 1, 2)]


@pytest.mark.parametrize(
    ("text", "comma", "value"),
    [
        ("1,200", False, "1200"),
        ("1,200,000.5", False, "1200000.5"),
        ("1.5", False, "1.5"),
        ("1 200 000", True, "1200000"),
        ("1\u00a0200,5", True, "1200.5"),
        ("1,2", True, "1.2"),
        ("1,200,000", True, "1200000"),
    ],
)
def test_digits_with_separators(text: str, comma: bool, value: str) -> None:
    assert parse_decimal(text, decimal_comma=comma) == Decimal(value)


def test_normal_form_compares_equal_values_alike() -> None:
    assert normal(Decimal("1.50")) == normal(Decimal("1.5"))
    assert str(normal(Decimal("1.2E+6"))) == "1200000"
