"""Facts read from texts: dates in three languages and numeric forms, days read against the document's date,
numbers with their units, codes, and which facts are soft."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accord.fidelity.extract import Fact, extract, resolve_relative


def facts(text: str, lang: str, kind: str | None = None) -> list[Fact]:
    return [f for f in extract(text, lang) if kind is None or f.kind == kind]


def keys(text: str, lang: str, kind: str | None = None) -> list[tuple]:
    return [f.key for f in facts(text, lang, kind)]


def date(y: int | None, m: int | None, d: int | None) -> tuple:
    return ("date", y, m, d)


def num(v: str | int) -> tuple:
    return ("number", Decimal(v))


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("签订于1958年1月18日。", "zh", date(1958, 1, 18)),
        ("签订于一九五八年一月十八日。", "zh", date(1958, 1, 18)),
        ("18 января 1958 г.", "ru", date(1958, 1, 18)),
        ("от 18 января 1958 года", "ru", date(1958, 1, 18)),
        ("18.01.1958 г.", "ru", date(1958, 1, 18)),
        ("on January 18, 1958", "en", date(1958, 1, 18)),
        ("on 18 January 1958", "en", date(1958, 1, 18)),
        ("on the 18th of January 1958", "en", date(1958, 1, 18)),
        ("Date: 1960-02-26", "en", date(1960, 2, 26)),
        ("в январе 1958 года", "ru", date(1958, 1, None)),
        ("in January 1958", "en", date(1958, 1, None)),
        ("1958年1月", "zh", date(1958, 1, None)),
        ("2月24日", "zh", date(None, 2, 24)),
        ("24 февраля", "ru", date(None, 2, 24)),
        ("February 24", "en", date(None, 2, 24)),
        ("在九月", "zh", date(None, 9, None)),
        ("в сентябре", "ru", date(None, 9, None)),
    ],
)
def test_dates(text: str, lang: str, expected: tuple) -> None:
    assert keys(text, lang, "date") == [expected]


def test_day_ranges_give_both_days() -> None:
    assert keys("1960年2月24日至26日", "zh", "date") == [date(1960, 2, 24), date(1960, 2, 26)]
    assert keys("24–26 февраля 1960 г.", "ru", "date") == [date(1960, 2, 24), date(1960, 2, 26)]
    assert keys("с 1 по 15 марта 1961 г.", "ru", "date") == [date(1961, 3, 1), date(1961, 3, 15)]
    assert keys("from 10 to 15 March 1961", "en", "date") == [date(1961, 3, 10), date(1961, 3, 15)]
    assert keys("February 24–26, 1960", "en", "date") == [date(1960, 2, 24), date(1960, 2, 26)]


@pytest.mark.parametrize(
    ("text", "lang"),
    [("于24日在莫斯科结束", "zh"), ("concluded on the 24th", "en"), ("завершилось 24-го", "ru"), ("廿四日", "zh")],
)
def test_day_alone_is_read_against_the_document_date(text: str, lang: str) -> None:
    (fact,) = facts(text, lang, "date")
    assert fact.relative and fact.key == date(None, None, 24)
    resolved = resolve_relative(fact, dt.date(1960, 2, 26))
    assert resolved.key == date(1960, 2, 24)
    # ...and so it answers "24 February 1960" and "2月24日" in another version
    assert date(None, 2, 24) in resolved.keys
    # a day after the document's day is in the month before
    assert resolve_relative(fact, dt.date(1960, 3, 2)).key == date(1960, 2, 24)


def test_dateline_day() -> None:
    assert keys("Xinhua News Agency, Moscow, 25th: The meeting", "en", "date") == [date(None, None, 25)]
    assert keys("新华社莫斯科25日电", "zh", "date") == [date(None, None, 25)]


def test_years_are_numbers() -> None:
    assert keys("1959年合作计划", "zh") == [num(1959)]
    assert keys("план на 1959 год", "ru") == [num(1959)]
    assert keys("the 1959 cooperation plan", "en") == [num(1959)]
    assert keys("一九五九年", "zh") == [num(1959)]
    assert keys("1958–1960 гг.", "ru") == [num(1958), num(1960)]


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [
        ("共同解决一百二十二项重大科学技术项目", "zh", 122),
        ("122 major projects", "en", 122),
        ("one hundred and twenty-two projects", "en", 122),
        ("сто двадцать два проекта", "ru", 122),
        ("ста двадцати двух проектов", "ru", 122),
        ("第十七次会议", "zh", 17),
        ("the 117th session", "en", 117),
        ("project No. 17", "en", 17),
        ("проект № 17", "ru", 17),
        ("第5版", "zh", 5),
        ("在过去两年中", "zh", 2),
        ("1 200 000", "ru", 1_200_000),
        ("1,200,000", "en", 1_200_000),
    ],
)
def test_counts(text: str, lang: str, value: int) -> None:
    assert keys(text, lang) == [num(value)]


@pytest.mark.parametrize(
    ("text", "lang"),
    [("45%", "en"), ("45 per cent", "en"), ("45 percent", "en"), ("百分之四十五", "zh"), ("45 процентов", "ru")],
)
def test_percentages(text: str, lang: str) -> None:
    assert keys(text, lang) == [("percent", Decimal(45))]


@pytest.mark.parametrize(
    ("text", "lang", "value", "currency"),
    [
        ("1.2 million roubles", "en", 1_200_000, "RUB"),
        ("RUB 1.2 million", "en", 1_200_000, "RUB"),
        ("1,200,000 roubles", "en", 1_200_000, "RUB"),
        ("120万卢布", "zh", 1_200_000, "RUB"),
        ("一百二十万卢布", "zh", 1_200_000, "RUB"),
        ("1,2 млн рублей", "ru", 1_200_000, "RUB"),
        ("1 200 000 рублей", "ru", 1_200_000, "RUB"),
        ("350万元", "zh", 3_500_000, "CNY"),
        ("人民币120万元", "zh", 1_200_000, "CNY"),
        ("$3 million", "en", 3_000_000, "USD"),
        ("3 млн долларов США", "ru", 3_000_000, "USD"),
        ("300万美元", "zh", 3_000_000, "USD"),
    ],
)
def test_amounts_with_currencies(text: str, lang: str, value: int, currency: str) -> None:
    (fact,) = facts(text, lang)
    assert fact.key == ("amount", Decimal(value), currency)
    assert num(value) in fact.keys  # a version that leaves the currency out gives the same figure


def test_codes_are_compared_as_written() -> None:
    assert keys("under reference GNTK-59/117", "en") == [("code", "GNTK-59/117")]
    assert keys("按编号GNTK-59/117寄送", "zh") == [("code", "GNTK-59/117")]


def test_idioms_and_words_with_numerals_are_soft_or_ignored() -> None:
    soft = [f for f in extract("进一步巩固和发展两国科技合作", "zh")]
    assert soft and not any(f.hard for f in soft)
    assert extract("这十分重要", "zh") == []
    assert not any(f.hard for f in extract("one of the first two sides", "en"))
    assert not any(f.hard for f in extract("два раза", "ru"))
    # an estimate ("three or four") is not a figure
    assert extract("三四个人", "zh") == []


def test_classifier_makes_a_chinese_numeral_hard() -> None:
    (f,) = extract("三年", "zh")
    assert f.hard and f.key == num(3)
    (g,) = extract("两国", "zh")
    assert not g.hard
    # two, as in English ("two") and Russian ("две"), is soft even with a classifier: 两个委员会 is as often
    # "the committees" in the other version
    (h,) = extract("两个委员会", "zh")
    assert not h.hard and h.key == num(2)


def test_spans_point_at_the_text() -> None:
    text = "签订于1958年1月18日，共一百二十二项。"
    for f in extract(text, "zh"):
        assert text[f.start : f.end] == f.text
    assert [f.text for f in extract(text, "zh")] == ["1958年1月18日", "一百二十二"]


def test_fullwidth_digits_are_read() -> None:
    assert keys("１２２项", "zh") == [num(122)]
