"""What a text says that must not differ between its language versions: numbers, dates, names, codes.

`extract(text, lang)` returns the text's facts, each with its span and a comparison key. Rules run in a
fixed order and each claims its characters, so a date's digits are not read again as numbers: names from
the directory, dates, reference codes, then numbers (digits, Chinese numerals, Russian and English number
words) with what stands around them (magnitude, percent, currency, ordinal marks, Chinese classifiers).

Rules for every script run on every text, so a Russian quotation inside a Chinese text is still read;
the language only chooses the conventions of digits (a decimal comma in Russian, month/day order in
English).

Hard and soft facts: a fact is *soft* when the language often says it without meaning a figure (Chinese
一 in 进一步, 两国 "the two countries", English "one" or "first", Russian "два"). A soft fact may answer a
hard one in another version but is never reported missing by itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from accord.fidelity import numerals
from accord.fidelity.numerals import (
    EN_WORDS,
    RU_WORD,
    ZH_NUMERAL_CHARS,
    normal,
    parse_decimal,
    parse_en_words,
    parse_ru_words,
    parse_zh_numeral,
    trie_pattern,
)


class _LazyPattern:
    """A pattern compiled when first used: importing the checker compiles nothing, and a zh–en check never
    compiles the Russian patterns (start-up of `accord check-texts`, issue 19)."""

    __slots__ = ("_args", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(*self._args)
        return getattr(compiled, name)


def lazy_pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return cast("re.Pattern[str]", _LazyPattern(pattern, flags))


if TYPE_CHECKING:
    from accord.fidelity.names import Directory

Key = tuple  # ("number", Decimal) | ("date", y, m, d) | ("percent", Decimal) | ("amount", Decimal, cur) | ...


@dataclass(frozen=True, slots=True)
class Fact:
    """One thing a version says: its kind, comparison key, span in the version's text and surface form.

    `keys` holds every key this fact can stand for: a full date also answers "the 24th" and "24 February";
    an amount also answers its bare number; "the 24th" is a day or an ordinal. Two facts agree when either's
    key is among the other's keys."""

    kind: str  # number, percent, amount, date, code, name
    key: Key
    keys: frozenset[Key]
    start: int
    end: int
    text: str
    hard: bool = True
    label: str = ""  # canonical value for messages: "122", "1958-01-18", "Wu Heng"
    relative: bool = False  # a day of the month read against the document's date ("24日", "the 24th")
    ordinal: bool = False  # said as an ordinal (第二, second, второй): two differing ordinals are reported

    def agrees(self, other: Fact) -> bool:
        return self.key in other.keys or other.key in self.keys


# --- fact constructors -------------------------------------------------------------------------------


def _fmt(value: Decimal) -> str:
    return format(value, "f")


def number_fact(value: Decimal | int, start: int, end: int, text: str, *, hard: bool = True) -> Fact:
    v = normal(value)
    key = ("number", v)
    return Fact("number", key, frozenset([key]), start, end, text, hard, _fmt(v))


def percent_fact(value: Decimal | int, start: int, end: int, text: str, *, hard: bool = True) -> Fact:
    v = normal(value)
    key = ("percent", v)
    return Fact("percent", key, frozenset([key]), start, end, text, hard, f"{_fmt(v)}%")


def amount_fact(value: Decimal | int, currency: str, start: int, end: int, text: str, *, hard: bool = True) -> Fact:
    v = normal(value)
    key = ("amount", v, currency)
    # A version that leaves the currency out still gives the same figure.
    return Fact("amount", key, frozenset([key, ("number", v)]), start, end, text, hard, f"{_fmt(v)} {currency}")


def date_keys(y: int | None, m: int | None, d: int | None) -> frozenset[Key]:
    """The date's own key and every partial form that it also answers (not the bare year: a year alone is
    a number, and "1958" elsewhere in the text is not the year of this date)."""
    keys = {("date", y, m, d)}
    if d is not None and m is not None:
        keys.add(("date", None, m, d))
    if d is not None:
        keys.add(("date", None, None, d))
    if m is not None and y is not None:
        keys.add(("date", y, m, None))
    if m is not None:
        keys.add(("date", None, m, None))
    return frozenset(keys)


def date_label(y: int | None, m: int | None, d: int | None) -> str:
    return "-".join("?" * n if v is None else f"{v:0{n}d}" for v, n in ((y, 4), (m, 2), (d, 2)))


def date_fact(
    y: int | None, m: int | None, d: int | None, start: int, end: int, text: str, *, ordinal: bool = False
) -> Fact | None:
    if m is not None and not 1 <= m <= 12:
        return None
    if d is not None and not 1 <= d <= 31:
        return None
    if y is not None and m is not None and d is not None:
        try:
            dt.date(y, m, d)
        except ValueError:
            return None
    keys = set(date_keys(y, m, d))
    if ordinal and d is not None and y is None and m is None:
        keys.add(("number", normal(d)))  # "the 24th" may be an ordinal as well as a day
    relative = y is None and m is None and d is not None
    return Fact("date", ("date", y, m, d), frozenset(keys), start, end, text, True, date_label(y, m, d), relative)


def resolve_relative(fact: Fact, context: dt.date) -> Fact:
    """A day of the month alone ("24日", "the 24th") read against the document's date: the latest such day
    on or before it (a report dated the 26th speaks of the 24th of the same month, one dated 2 March of
    the 28th of February)."""
    if not fact.relative:
        return fact
    d = fact.key[3]
    y, m = context.year, context.month
    if d > context.day:
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    try:
        dt.date(y, m, d)
    except ValueError:
        return fact
    keys = set(date_keys(y, m, d)) | {k for k in fact.keys if k[0] == "number"}
    return replace(fact, key=("date", y, m, d), keys=frozenset(keys), label=f"{date_label(y, m, d)} (day {d})")


_CYRILLIC_LETTER = lazy_pattern(r"[А-ЯЁа-яё]")


def code_fact(code: str, start: int, end: int) -> Fact:
    """A reference code. Its letters are compared as written, except across scripts: the Russian version of
    a code has letters of its own (С-4 for the grade P-4, ГЭП-5 for GEO-5), so a code with Cyrillic letters
    is compared on its figures alone."""
    norm = re.sub(r"[\s‐-―−]", "-", code.upper())
    figures = ("code-figures", "-".join(re.findall(r"\d+", norm)))
    keys: set[Key] = {figures}
    if _CYRILLIC_LETTER.search(norm):
        if re.fullmatch(r"[А-ЯЁ]{2,}-\d{1,3}", norm):
            keys.add(("number", normal(int(norm.rsplit("-", 1)[1]))))  # ГЭП-5 = 全球环境展望-5
        return Fact("code", figures, frozenset(keys), start, end, code, not _LABEL.fullmatch(norm), norm)
    label = _LABEL.fullmatch(norm)
    key = ("code", norm.replace("-", "") if label else norm)  # U-235 = U235
    keys.add(key)
    if re.fullmatch(r"[A-Z]+-?\d{1,3}", norm):
        keys.add(("number", normal(int(re.sub(r"^[A-Z]+-?", "", norm)))))  # GEO-5 = 全球环境展望-5, U-235 = 铀-235
    return Fact("code", key, frozenset(keys), start, end, code, not label, norm)


# A short label of letters and a figure (P3 "the three permanent members", UF6, U-235, EC3, G77): translations
# spell it out as often as they keep it, so it is soft; two labels that differ are still reported.
_LABEL = lazy_pattern(r"[A-ZА-ЯЁ]{1,3}-?\d{1,3}")


# --- patterns ----------------------------------------------------------------------------------------

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
# ㈠–㈩, the numbers of a Chinese law's paragraphs (第七条第㈡款): the numeral itself
_FULLWIDTH.update({0x3220 + i: ord(ch) for i, ch in enumerate("一二三四五六七八九十")})


_LOOKALIKES = str.maketrans("aceopxyACEHKMOPTXB", "асеорхуАСЕНКМОРТХВ")
_LATIN_IN_CYRILLIC = lazy_pattern(r"(?<=[А-Яа-яЁё])[aceopxyACEHKMOPTXB]+|[aceopxyACEHKMOPTXB]+(?=[а-яё])")


def normalise(text: str) -> str:
    """Fullwidth digits, letters and signs to ASCII, ㈡ to 二, and Latin letters typed inside a Russian word (в cреду,
    with a Latin c) to the Cyrillic ones they look like: one character for one, so spans stay put."""
    text = text.translate(_FULLWIDTH)
    if _LATIN_IN_CYRILLIC.search(text):
        text = _LATIN_IN_CYRILLIC.sub(lambda m: m.group(0).translate(_LOOKALIKES), text)
    return text


DASH = r"[-‐‑‒–—―−~〜～至到]"
EN_RANGE = r"(?:\s*[-‐‑‒–—―−]\s*|\s+(?:to|and|till|until|through)\s+)"  # 10–15 March, from 10 to 15 March
RU_RANGE = r"(?:\s*[-‐‑‒–—―−]\s*|\s+(?:по|до|и)\s+)"  # 24–26 февраля, с 1 по 15 марта
EN_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
_EN_ABBR = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10}
_EN_ABBR |= {"nov": 11, "dec": 12}
EN_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
)
EN_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"

RU_MONTH_STEMS = [
    ("январ", 1),
    ("феврал", 2),
    ("март", 3),
    ("апрел", 4),
    ("ма", 5),
    ("июн", 6),
    ("июл", 7),
    ("август", 8),
    ("сентябр", 9),
    ("октябр", 10),
    ("ноябр", 11),
    ("декабр", 12),
]
RU_MONTH = (
    r"(?:(?:январ|феврал|апрел|июн|июл|сентябр|октябр|ноябр|декабр)(?:ь|я|е|ю|ём|ем)|"
    r"(?:март|август)(?:а|е|у|ом)?|ма(?:й|я|е|ю|ем))(?![а-яё])"
)
ZH_NUM = rf"(?:\d{{1,4}}|[{ZH_NUMERAL_CHARS}]{{1,6}})"

_YEAR_RU = r"(?:\s*(?:г\.|года|году|год|гг\.))?"


_RU_DAY_FORM = r"(?:[12]\d|3[01]|0?[1-9])"


def _en_month(word: str) -> int:
    w = word.lower().rstrip(".")
    return EN_MONTHS.get(w) or _EN_ABBR[w]


def _ru_month(word: str) -> int:
    w = word.lower()
    for stem, value in sorted(RU_MONTH_STEMS, key=lambda sv: -len(sv[0])):
        if w.startswith(stem):
            return value
    raise ValueError(word)


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    text = re.sub(r"(?:st|nd|rd|th)$", "", text)
    if text.isdigit():
        return int(text)
    return parse_zh_numeral(text)


@dataclass
class _Rule:
    source: str
    flags: int
    make: Callable[[re.Match[str], str], list[Fact]]
    script: str | None = None  # skip the rule when the text has no letter of this script
    _compiled: re.Pattern[str] | None = None

    @property
    def pattern(self) -> re.Pattern[str]:
        # compiled when first needed: a command that checks a zh–en pair never compiles the Russian rules
        if self._compiled is None:
            self._compiled = re.compile(self.source, self.flags)
        return self._compiled


_rules: list[_Rule] = []


def rule(pattern: str, flags: int = 0, script: str | None = None) -> Callable:
    def register(fn: Callable[[re.Match[str], str], list[Fact]]) -> Callable:
        _rules.append(_Rule(pattern, flags, fn, script))
        return fn

    return register


def _dates_with_range(m: re.Match[str], y: int | None, mo: int | None) -> list[Fact]:
    d1, d2 = _int(m.group("d")), _int(m.groupdict().get("d2"))
    text = m.group(0)
    first = date_fact(y, mo, d1, m.start(), m.end(), text)
    out = [first] if first else []
    if d2 is not None:
        second = date_fact(y, mo, d2, m.start(), m.end(), text)
        if second:
            out.append(second)
    return out


# Two dates or months that share one year, said once: 2014年1月1日至12月31日, 2014年3月和4月,
# 1 January-31 December 2014, from 1 January to 31 December 2014, March and April 2014, с 1 января по
# 31 декабря 2014 года, в марте и апреле 2014 года. Both get the year.
def _two(m: re.Match[str], month: Callable[[str], int]) -> list[Fact]:
    y = _int(m.group("y"))
    g = m.groupdict()
    out = []
    for mon, d in ((g["m1"], g.get("d1")), (g["m2"], g.get("d2"))):
        f = date_fact(y, month(mon), _int(d) if d else None, m.start(), m.end(), m.group(0))
        if f:
            out.append(f)
    return out


_ZH_AND = r"(?:至|到|和|及|与|、|-|–|—|−|~)"


@rule(
    rf"(?P<y>{ZH_NUM})\s*年\s*(?P<m1>{ZH_NUM})\s*月\s*(?P<d1>{ZH_NUM})\s*[日号]\s*{_ZH_AND}\s*(?P<m2>{ZH_NUM})\s*月"
    rf"\s*(?P<d2>{ZH_NUM})\s*[日号]",
    script="Han",
)
def _zh_two_days(m: re.Match[str], lang: str) -> list[Fact]:
    return _two(m, lambda t: _int(t) or 0)


@rule(
    rf"(?P<y>{ZH_NUM})\s*年\s*(?P<m1>{ZH_NUM})\s*月(?:份)?\s*{_ZH_AND}\s*(?P<m2>{ZH_NUM})\s*月(?!\s*{ZH_NUM}\s*[日号])",
    script="Han",
)
def _zh_two_months(m: re.Match[str], lang: str) -> list[Fact]:
    return _two(m, lambda t: _int(t) or 0)


_EN_AND = r"(?:\s*[-–—−]\s*|\s+(?:to|through|until|till|and|or)\s+)"


@rule(
    rf"(?<![\d.])(?P<d1>{EN_DAY})\s+(?:of\s+)?(?P<m1>{EN_MONTH}){_EN_AND}(?:the\s+)?(?P<d2>{EN_DAY})\s+(?:of\s+)?"
    rf"(?P<m2>{EN_MONTH}),?\s+(?P<y>1\d{{3}}|20\d{{2}})(?!\d)",
    script="Latin",
)
def _en_two_days(m: re.Match[str], lang: str) -> list[Fact]:
    return _two(m, _en_month)


@rule(
    rf"\b(?P<m1>{EN_MONTH})\s+(?P<d1>{EN_DAY}){_EN_AND}(?P<m2>{EN_MONTH})\s+(?P<d2>{EN_DAY}),?\s+(?P<y>1\d{{3}}|20\d{{2}})(?!\d)",
    script="Latin",
)
def _en_two_days_us(m: re.Match[str], lang: str) -> list[Fact]:
    return _two(m, _en_month)


@rule(rf"\b(?P<m1>{EN_MONTH}){_EN_AND}(?P<m2>{EN_MONTH}),?\s+(?P<y>1\d{{3}}|20\d{{2}})(?!\d)", script="Latin")
def _en_two_months(m: re.Match[str], lang: str) -> list[Fact]:
    return _two(m, _en_month)


_RU_AND = r"(?:\s*[-–—−]\s*|\s+(?:по|до|и|или)\s+)"


@rule(
    rf"(?<![\d.,])(?P<d1>{_RU_DAY_FORM})\s+(?P<m1>{RU_MONTH}){_RU_AND}(?P<d2>{_RU_DAY_FORM})\s+(?P<m2>{RU_MONTH})\s+"
    rf"(?P<y>1\d{{3}}|20\d{{2}})(?!\d){_YEAR_RU}",
    re.IGNORECASE,
    script="Cyrillic",
)
def _ru_two_days(m: re.Match[str], lang: str) -> list[Fact]:
    return _two(m, _ru_month)


@rule(
    rf"(?<![а-яё])(?P<m1>{RU_MONTH}){_RU_AND}(?P<m2>{RU_MONTH})\s+(?P<y>1\d{{3}}|20\d{{2}})(?!\d){_YEAR_RU}",
    re.I,
    "Cyrillic",
)
def _ru_two_months(m: re.Match[str], lang: str) -> list[Fact]:
    return _two(m, _ru_month)


# Chinese: 1958年1月18日, 一九五八年一月十八日, 1960年2月24日至26日, 1958年1月, 2月24日, 24日, 廿四日
@rule(
    rf"(?P<y>{ZH_NUM})\s*年\s*(?P<m>{ZH_NUM})\s*月\s*(?P<d>{ZH_NUM})\s*[日号]?"
    rf"(?:\s*(?:{DASH}|和|及|、)\s*(?P<d2>{ZH_NUM})\s*)?[日号]",
    script="Han",
)
def _zh_ymd(m: re.Match[str], lang: str) -> list[Fact]:
    return _dates_with_range(m, _int(m.group("y")), _int(m.group("m")))


@rule(rf"(?P<y>{ZH_NUM})\s*年\s*(?P<m>{ZH_NUM})\s*月(?!份?\s*{ZH_NUM}\s*[日号])", script="Han")
def _zh_ym(m: re.Match[str], lang: str) -> list[Fact]:
    f = date_fact(_int(m.group("y")), _int(m.group("m")), None, m.start(), m.end(), m.group(0))
    return [f] if f else []


@rule(
    rf"(?<![个几多])(?P<m>{ZH_NUM})\s*月\s*(?P<d>{ZH_NUM})\s*[日号]?(?:\s*(?:{DASH}|和|及|、)\s*(?P<d2>{ZH_NUM})\s*)?[日号]",
    script="Han",
)
def _zh_md(m: re.Match[str], lang: str) -> list[Fact]:
    return _dates_with_range(m, None, _int(m.group("m")))


@rule(rf"(?<![第个几多每])(?P<d>{ZH_NUM})\s*日(?![元本])", script="Han")
def _zh_day(m: re.Match[str], lang: str) -> list[Fact]:
    raw = m.group("d")
    d = _int(raw)
    # 三日 may be "three days" as well as "the 3rd": one character is ambiguous, 24日 and 二十四日 are days.
    f = date_fact(None, None, d, m.start(), m.end(), m.group(0), ordinal=len(raw) == 1 and not raw.isdigit())
    return [f] if f else []


@rule(rf"(?<![个几多每\d])(?P<m>{ZH_NUM})\s*月(?!\s*{ZH_NUM})", script="Han")
def _zh_month(m: re.Match[str], lang: str) -> list[Fact]:
    f = date_fact(None, _int(m.group("m")), None, m.start(), m.end(), m.group(0))
    return [f] if f else []


# Numeric dates, any script: 1960-02-26, 24.02.1960 (г.), 1960.2.26, 2/24/1960 (en) or 24/2/1960
@rule(r"(?<![\d.\-/])(?P<y>1\d{3}|20\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\d\-])")
def _iso(m: re.Match[str], lang: str) -> list[Fact]:
    f = date_fact(int(m.group("y")), int(m.group("m")), int(m.group("d")), m.start(), m.end(), m.group(0))
    return [f] if f else []


@rule(r"(?<![\d.])(?P<y>1\d{3}|20\d{2})\.(?P<m>\d{1,2})\.(?P<d>\d{1,2})(?![\d.]\d)")
def _ymd_dotted(m: re.Match[str], lang: str) -> list[Fact]:
    return _iso(m, lang)


@rule(r"(?<![\d.,])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>1\d{3}|20\d{2})(?!\d)" + _YEAR_RU)
def _dmy_dotted(m: re.Match[str], lang: str) -> list[Fact]:
    return _iso(m, lang)


@rule(r"(?<![\d/])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>1\d{3}|20\d{2})(?![\d/])")
def _slashed(m: re.Match[str], lang: str) -> list[Fact]:
    a, b, y = int(m.group("a")), int(m.group("b")), int(m.group("y"))
    month_first = (lang == "en" and a <= 12) or b > 12
    mo, d = (a, b) if month_first else (b, a)
    f = date_fact(y, mo, d, m.start(), m.end(), m.group(0))
    return [f] if f else []


# English: January 18, 1958; February 24–26, 1960; 18 January 1958; the 18th of January 1958
@rule(
    rf"\b(?P<mon>{EN_MONTH})\s+(?P<d>{EN_DAY})(?:{EN_RANGE}(?P<d2>{EN_DAY}))?,?\s+(?P<y>1\d{{3}}|20\d{{2}})(?!\d)",
    script="Latin",
)
def _en_mdy(m: re.Match[str], lang: str) -> list[Fact]:
    return _dates_with_range(m, int(m.group("y")), _en_month(m.group("mon")))


@rule(
    rf"(?<![\d.])(?:(?<=\d\d\d\d[\-–])|(?<!\d[\-–]))(?:the\s+)?(?P<d>{EN_DAY})(?:{EN_RANGE}(?P<d2>{EN_DAY}))?\s+(?:of\s+)?(?P<mon>{EN_MONTH}),?\s+"
    rf"(?P<y>1\d{{3}}|20\d{{2}})(?!\d)",
    script="Latin",
)
def _en_dmy(m: re.Match[str], lang: str) -> list[Fact]:
    return _en_mdy(m, lang)


@rule(rf"\b(?P<mon>{EN_MONTH}),?\s+(?P<y>1\d{{3}}|20\d{{2}})(?!\d)", script="Latin")
def _en_my(m: re.Match[str], lang: str) -> list[Fact]:
    f = date_fact(int(m.group("y")), _en_month(m.group("mon")), None, m.start(), m.end(), m.group(0))
    return [f] if f else []


@rule(rf"\b(?P<mon>{EN_MONTH})\s+(?P<d>{EN_DAY})(?:{EN_RANGE}(?P<d2>{EN_DAY}))?(?![\d,]*\d)", script="Latin")
def _en_md(m: re.Match[str], lang: str) -> list[Fact]:
    return _dates_with_range(m, None, _en_month(m.group("mon")))


@rule(
    rf"(?<![\d.])(?<!\d[\-–])(?:the\s+)?(?P<d>{EN_DAY})(?:{EN_RANGE}(?P<d2>{EN_DAY}))?\s+(?:of\s+)?(?P<mon>{EN_MONTH})\b",
    script="Latin",
)
def _en_dm(m: re.Match[str], lang: str) -> list[Fact]:
    return _en_md(m, lang)


@rule(
    r"\b(?P<mon>January|February|March|April|June|July|August|September|October|November|December)\b",
    script="Latin",
)
def _en_month_alone(m: re.Match[str], lang: str) -> list[Fact]:
    f = date_fact(None, _en_month(m.group("mon")), None, m.start(), m.end(), m.group(0))
    return [f] if f else []


# Russian: 18 января 1958 г.; 24–26 февраля 1960 года; в январе 1958 года; 24 февраля; 24-го; в сентябре
_RU_DAY = r"(?:[12]\d|3[01]|0?[1-9])"


@rule(
    rf"(?<![\d.,])(?P<d>{_RU_DAY})(?:-?го)?(?:{RU_RANGE}(?P<d2>{_RU_DAY})(?:-?го)?)?\s+(?P<mon>{RU_MONTH})\s+"
    rf"(?P<y>1\d{{3}}|20\d{{2}})(?!\d){_YEAR_RU}",
    re.IGNORECASE,
    script="Cyrillic",
)
def _ru_dmy(m: re.Match[str], lang: str) -> list[Fact]:
    return _dates_with_range(m, int(m.group("y")), _ru_month(m.group("mon")))


# (в течение января месяца 2015 года: "the month of January 2015")
@rule(
    rf"(?<![а-яё])(?P<mon>{RU_MONTH})(?:\s+месяц[аеу]?)?\s+(?P<y>1\d{{3}}|20\d{{2}})(?!\d){_YEAR_RU}",
    re.IGNORECASE,
    "Cyrillic",
)
def _ru_my(m: re.Match[str], lang: str) -> list[Fact]:
    f = date_fact(int(m.group("y")), _ru_month(m.group("mon")), None, m.start(), m.end(), m.group(0))
    return [f] if f else []


@rule(
    rf"(?<![\d.,])(?P<d>{_RU_DAY})(?:-?го)?(?:{RU_RANGE}(?P<d2>{_RU_DAY})(?:-?го)?)?\s+(?P<mon>{RU_MONTH})",
    re.IGNORECASE,
    script="Cyrillic",
)
def _ru_dm(m: re.Match[str], lang: str) -> list[Fact]:
    return _dates_with_range(m, None, _ru_month(m.group("mon")))


@rule(r"(?<![\d.,])(?P<d>[12]\d|3[01]|0?[1-9])(?:-го(?:\s+числа)?|\s+числа)(?![а-яё])", re.IGNORECASE, "Cyrillic")
def _ru_day(m: re.Match[str], lang: str) -> list[Fact]:
    f = date_fact(None, None, int(m.group("d")), m.start(), m.end(), m.group(0), ordinal=True)
    return [f] if f else []


@rule(rf"(?<![а-яё])(?P<mon>{RU_MONTH})", re.IGNORECASE, "Cyrillic")
def _ru_month_alone(m: re.Match[str], lang: str) -> list[Fact]:
    word = m.group("mon").lower()
    if word.startswith("ма") and word not in ("мае", "мая", "май"):
        return []  # "маю", "маем" are rarer as the month than as other words
    if word in ("мая",) and m.start() > 0 and not m.string[m.start() - 1].isspace():
        return []
    f = date_fact(None, _ru_month(word), None, m.start(), m.end(), m.group(0))
    return [f] if f else []


@rule(
    r"(?<![а-яё])(?P<mon>(?:январ|феврал|мартов|апрел|майск|июн|июл|августов|сентябр|октябр|ноябр|декабр)"
    r"ьск(?:ий|ого|ому|им|ом|ая|ой|ую|ое|ие|их|им|ими)|(?:мартовск|майск|августовск)(?:ий|ого|ому|им|ом|ая|ой|ую|ое|ие|их|ими))"
    r"(?![а-яё])",
    re.IGNORECASE,
    "Cyrillic",
)
def _ru_month_adjective(m: re.Match[str], lang: str) -> list[Fact]:
    """октябрьские события = the October events: the month, said as an adjective."""
    f = date_fact(None, _ru_month(m.group("mon")), None, m.start(), m.end(), m.group(0))
    return [f] if f else []


# Reference codes: GNTK-59/117, CAS-60/003, 59/117; the same characters in every language.
@rule(r"(?<![0-9A-Za-zА-Яа-яЁё\-/])(?:[A-ZА-ЯЁ]{1,10}-?\d+(?:[-/.]\d+)*|\d+(?:/\d+)+)(?![0-9A-Za-z/])")
def _code(m: re.Match[str], lang: str) -> list[Fact]:
    f = code_fact(m.group(0), m.start(), m.end())
    small = re.fullmatch(r"(\d)/(\d{1,2})", m.group(0))
    if small and 0 < int(small.group(1)) < int(small.group(2)):
        # 1/3 (只有1/3的发达国家) is also a fraction: it answers "one third"
        f = replace(f, keys=f.keys | {("fraction", int(small.group(1)), int(small.group(2)))})
    return [f]


# --- numbers -----------------------------------------------------------------------------------------

CURRENCIES: list[tuple[str, str]] = [
    # (pattern, ISO code); longer forms first where one is a prefix of another
    (r"US\s?\$|\$|US\s+dollars?|dollars?|USD|美元|доллар(?:ов|а|ам|ами|ах)?(?:\s+США)?|долл\.(?:\s*США)?", "USD"),
    (r"roubles?|rubles?|RUB|SUR|卢布|руб(?:л(?:ей|я|ь|ю|ем|ям|ями|ях))?\.?", "RUB"),
    (r"yuan|renminbi|RMB|CNY|人民币(?:元)?|元|¥|юан(?:ей|я|ь|ям|ями|ях)", "CNY"),
    (r"pounds?\s+sterling|GBP|£|英镑|фунт(?:ов|а)?\s+стерлингов", "GBP"),
    (r"euros?|EUR|€|欧元|евро", "EUR"),
]
_CURRENCY_AFTER = lazy_pattern(
    r"\s?(?:" + "|".join(f"(?P<c{i}>{p})" for i, (p, _) in enumerate(CURRENCIES)) + r")(?![A-Za-zА-Яа-яЁё])",
    re.IGNORECASE,
)
_CURRENCY_BEFORE = lazy_pattern(
    r"(?:(?P<c0>US\$|\$|USD)|(?P<c1>RUB|SUR)|(?P<c2>RMB|CNY|¥|人民币)|(?P<c3>GBP|£)|(?P<c4>EUR|€|Euro))\s?$"
)
_MAGNITUDE = lazy_pattern(
    r"\)?\s?(?:(?P<k>thousand\b|тыс\.|тысяч[аиу]?(?![а-яё])|千(?!克|米|瓦))|(?P<m>million\b|mln\b|млн\.?|миллион(?:а|ов)?"
    r"(?![а-яё])|百万)|(?P<b>billion\b|bn\b|млрд\.?|миллиард(?:а|ов)?(?![а-яё]))|(?P<w>[多余]?万)|(?P<y>[多余]?亿))",
    re.IGNORECASE,
)
_PERCENT_AFTER = lazy_pattern(
    r"\s?(?:%|‰|per\s?cent\b|percent\b|pct\b|процент(?:а|ов|ам|ами|ах|ы)?(?![а-яё])|-?процентн[а-яё]*|проц\.)",
    re.IGNORECASE,
)
_EN_ORDINAL_SUFFIX = lazy_pattern(r"(?:st|nd|rd|th)\b")
_RU_ORDINAL_SUFFIX = lazy_pattern(r"-(?:й|го|м|я|е|х|ый|ой|ий|ая|ое|ого|ому|ом|ым|ых)(?![а-яё])", re.IGNORECASE)
ZH_CLASSIFIERS = (
    "项个名人位次件份台套批种所家篇部册本张条届期年月天周岁倍吨克米亩株头架艘辆座处门类组队团届节章点场轮"
    "元卢镑公千平立万亿小分秒度"
)
_ZH_CLASSIFIER_AFTER = lazy_pattern(rf"[{ZH_CLASSIFIERS}]|美元|欧元|英镑")
_ZH_YEAR_AFTER = lazy_pattern(r"\s*年(?!代)")
_ZH_IDIOMS = {("十", "分"), ("万", "分"), ("万", "一"), ("千", "万"), ("一", "一"), ("万", "岁")}

_DIGITS = {
    "en": lazy_pattern(
        r"(?:(?<=Euro)|(?<=\bs\.)|(?<=\bp\.)|(?<=\bpp\.)|(?<![0-9A-Za-z.]))(?<!\d,)(?<![A-Za-z][,;:])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![0-9]|[.,]\d)"
    ),
    # the UN's Chinese texts group thousands with a space (151 680美元) or a comma
    "zh": lazy_pattern(
        r"(?<![0-9A-Za-z.])(?<!\d,)"
        r"(?:\d{1,3}(?:[\u00a0\u202f ]\d{3})+(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
        r"(?![0-9]|[.,]\d)"
    ),
    "ru": lazy_pattern(
        # (a year glued to the word before: "стратегии2020", the Europe 2020 strategy)
        r"(?:(?<![0-9A-Za-zА-Яа-яЁё.])|(?<=[а-яё])(?=(?:19|20)\d\d(?!\d)))(?<!\d,)(?<![A-Za-zА-Яа-яЁё][,;:])"
        r"(?:\d{1,3}(?:[\u00a0\u202f ]\d{3})+(?:,\d+|\.\d{1,2}(?!\d))?|\d+(?:[.,]\d+)?)(?![0-9]|[.,]\d)"
    ),
}
_ZH_KILO = lazy_pattern(r"克|米|瓦|卡|帕|字节|伏")
_ZH_CHEMICAL = lazy_pattern(r"[氟氯氧硫溴碘氮氢碳]化")
_ZH_RUN = lazy_pattern(rf"[{ZH_NUMERAL_CHARS}]+")
_EN_WORD = trie_pattern(EN_WORDS)
_EN_RUN = lazy_pattern(
    rf"\b(?:a\s+(?=(?:hundred|thousand|million|billion)\b))?{_EN_WORD}(?:(?:[\s-]+(?:and\s+)?){_EN_WORD})*\b",
    re.IGNORECASE,
)
_RU_RUN = lazy_pattern(rf"(?<![а-яё])(?:{RU_WORD})(?:\s+(?:{RU_WORD}))*(?![а-яё])", re.IGNORECASE)
_RU_ORDINAL_WORD = lazy_pattern(rf"(?<![а-яё])(?=[а-яё]){numerals.RU_ORDINAL_WORD}(?![а-яё])", re.IGNORECASE)
_RU_WORDS_BEFORE = lazy_pattern(rf"(?<![а-яё])(?:(?:{RU_WORD})\s+)+$", re.IGNORECASE)


@dataclass
class _Scan:
    """The text being read, the characters already claimed, and the facts found so far."""

    text: str
    lang: str
    claimed: bytearray = field(init=False)
    facts: list[Fact] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.claimed = bytearray(len(self.text))

    def free(self, start: int, end: int) -> bool:
        return not any(self.claimed[start:end])

    def claim(self, start: int, end: int) -> None:
        self.claimed[start:end] = b"\x01" * (end - start)

    def add(self, fact: Fact) -> None:
        self.facts.append(fact)
        self.claim(fact.start, fact.end)


def _with_units(scan: _Scan, value: Decimal, start: int, end: int, *, hard: bool, digits: bool) -> Fact:
    """Read what stands around a number: a magnitude (1.2 million, 120万), then percent or currency."""
    text = scan.text
    if digits:
        mag = _MAGNITUDE.match(text, end)
        if mag and mag.group(0).startswith(")") and not text.startswith("(", start - 1):
            mag = None  # "(80) million": only a figure in brackets of its own
        if mag and scan.free(mag.start(), mag.end()):
            factor = {"k": 1000, "m": 1_000_000, "b": 1_000_000_000, "w": 10_000, "y": 100_000_000}[
                mag.lastgroup or "k"
            ]
            value, end = value * factor, mag.end()
    pct = _PERCENT_AFTER.match(text, end)
    if pct and scan.free(pct.start(), pct.end()):
        if pct.group(0).strip() == "‰":
            value = value / 10
        return percent_fact(value, start, pct.end(), text[start : pct.end()], hard=True)
    if start >= 3 and text[start - 3 : start] == "百分之":
        return percent_fact(value, start - 3, end, text[start - 3 : end], hard=True)
    cur = _CURRENCY_AFTER.match(text, end)
    if cur and scan.free(cur.start(), cur.end()) and cur.lastgroup:
        code = CURRENCIES[int(cur.lastgroup[1:])][1]
        # "сотни миллионов долларов": a word that says no figure stays soft with its currency
        return amount_fact(value, code, start, cur.end(), text[start : cur.end()], hard=hard)
    before = _CURRENCY_BEFORE.search(text, max(0, start - 8), start)
    if before and before.lastgroup and scan.free(before.start(), before.end()):
        code = CURRENCIES[int(before.lastgroup[1:])][1]
        return amount_fact(value, code, before.start(), end, text[before.start() : end], hard=hard)
    return number_fact(value, start, end, text[start:end], hard=hard)


_ROMAN_CONTEXT = (
    r"(?:chapters?|parts?|sections?|annex(?:es)?|titles?|articles?|volumes?|phases?|tiers?|categor(?:y|ies)|"
    r"protocols?|books?|stages?|goals?|"
    r"глав[аеыуой]*|стать[яиеюйё]*|част[иьей]*|раздел[аеуыом]*|приложени[еяюий]*|том[аеу]?|этап[аеу]?|категори[яиюей]*|"
    r"протокол[аеу]?|книг[аеиуой]*|стади[яиюей]*)"
)
# (also glued to a Russian word, as Russian texts write Habitat III: ХабитатIII, Хабитат-II)
_ROMAN = lazy_pattern(
    r"(?:(?<![A-Za-zА-Яа-яЁё\d\-/.'])|(?<=[а-яё])|(?<=[а-яё]-))(?=[IVXL])L?X{0,3}(?:IX|IV|V?I{0,3})"
    r"(?![A-Za-zА-Яа-яЁё\d\-'’])"
)
_ROMAN_BEFORE = lazy_pattern(r"(?<![A-Za-zА-Яа-яЁё])" + _ROMAN_CONTEXT + r"\s+$", re.IGNORECASE)
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}


def roman_value(numeral: str) -> int:
    total = 0
    for ch, nxt in zip(numeral, [*numeral[1:], ""], strict=True):
        v = _ROMAN_VALUES[ch]
        total += -v if nxt and _ROMAN_VALUES[nxt] > v else v
    return total


_ITEM_LETTER = lazy_pattern(r"(?:(?<=[\d)])|(?<=[\d)] ))\(([a-z])\)")  # 7(2)(a), action 5 (g)


def _item_letters(scan: _Scan) -> None:
    """The lettered item of a reference, article 7(2)(a): the first item, which Chinese numbers 第1项; soft and
    reported only against another item that differs, like an ordinal."""
    for m in _ITEM_LETTER.finditer(scan.text):
        if scan.free(*m.span(1)):
            value = ord(m.group(1)) - ord("a") + 1
            scan.add(replace(number_fact(value, m.start(1), m.end(1), m.group(1), hard=False), ordinal=True))


def _romans(scan: _Scan) -> None:
    """Roman numerals (Chapter VII = 第七章 = глава VII; the XXI century). Upper case only; a lone I, V, X
    or L only after a word that numbers with them (Chapter V, annex I), as "I" is a pronoun in English."""
    text = scan.text
    for m in _ROMAN.finditer(text):
        numeral = m.group(0)
        start, end = m.span()
        if not numeral or not scan.free(start, end):
            continue
        if len(numeral) == 1 and not _ROMAN_BEFORE.search(text, max(0, start - 20), start):
            continue
        scan.add(replace(number_fact(roman_value(numeral), start, end, numeral), ordinal=True))


def time_fact(hour: int, minute: int, start: int, end: int, text: str) -> Fact | None:
    """A time of day. Compared on a 12-hour dial: a version may say 3时 where the other says 3 p.m."""
    if not (0 <= hour <= 24 and 0 <= minute <= 59):
        return None
    key = ("time", hour % 12, minute)
    return Fact("time", key, frozenset([key]), start, end, text, True, f"{hour:02d}:{minute:02d}")


_TIMES = [
    # 10 ч. 00 м., 10 час. 30 мин., 10 ч.
    lazy_pattern(
        r"(?=\d)"
        r"(?<![\d.,])(?P<h>[01]?\d|2[0-4])\s*ч(?:ас(?:ов|а)?)?\.?\s*(?:(?P<m>[0-5]?\d)\s*м(?:ин(?:ут[ы]?)?)?\.?)?(?![а-яё])",
        re.IGNORECASE,
    ),
    # с 10.00 до 13.00 (Russian texts write the time with a full stop)
    lazy_pattern(r"(?=\d)(?:(?<=[сво] )|(?<=до ))(?P<h>[01]?\d|2[0-3])\.(?P<m>[0-5]\d)(?![\d.,]\d)"),
    # 22 часов, 10 часам
    lazy_pattern(r"(?=\d)(?<![\d.,])(?P<h>[01]?\d|2[0-4])\s+час(?:ов|а|ам)(?![а-яё])", re.IGNORECASE),
    # 10:30, 10.30 a.m., 10 a.m., 3 p.m.
    lazy_pattern(
        r"(?=\d)(?<![\d.,:])(?P<h>[01]?\d|2[0-4])(?::(?P<m>[0-5]\d)|\.(?P<m2>[0-5]\d)(?=\s*[ap]\.?m\b))"
        r"(?:\s*(?P<ap>[ap])\.?m\.?)?(?![\d:])",
        re.IGNORECASE,
    ),
    lazy_pattern(r"(?=\d)(?<![\d.,:])(?P<h>1[0-2]|0?[1-9])\s*(?P<ap>[ap])\.?m\b\.?", re.IGNORECASE),
    # at 0300, 1310 hours
    lazy_pattern(r"(?=\d)(?:(?<=\bat )|(?<=\bAt ))(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)(?:\s*hours\b)?(?!\d)"),
    lazy_pattern(r"(?=\d)(?<![\d.,])(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)\s*hours\b"),
    # between 1100 and 1200 hours, 0900-1700 hours: the first of two shares the second's "hours"
    lazy_pattern(
        r"(?=\d)(?<![\d.,])(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)(?=(?:\s*[-–—]\s*|\s+(?:and|to|until)\s+)"
        r"(?:[01]\d|2[0-3])[0-5]\d\s*hours\b)"
    ),
    # 凌晨3时, 下午3时30分, 13时10分, 上午10点半
    lazy_pattern(
        rf"(?=[\d{ZH_NUMERAL_CHARS}上下晚凌中早清夜傍])(?P<pre>上午|下午|晚上|凌晨|中午|早上|清晨|夜间|傍晚|晚)?(?P<h>\d{{1,2}}|[{ZH_NUMERAL_CHARS}]{{1,3}})\s*[时点](?!期|代|间|候|刻)"
        rf"(?:\s*(?P<m>\d{{1,2}}|[{ZH_NUMERAL_CHARS}]{{1,3}})\s*分|(?P<half>半))?"
    ),
]


_RU_AT_HOUR = lazy_pattern(r"(?<![а-яё])(?:в|к|до|с|по|после|около|позднее|позже)\s+$", re.IGNORECASE)


def _times(scan: _Scan) -> None:
    text = scan.text
    for pattern in _TIMES:
        for m in pattern.finditer(text):
            if not scan.free(*m.span()):
                continue
            groups = m.groupdict()
            hour = _int(groups["h"])
            raw_minute = groups.get("m") or groups.get("m2")
            minute = _int(raw_minute) if raw_minute else (30 if groups.get("half") else 0)
            if hour is None or minute is None:
                continue
            if (
                pattern is _TIMES[0]
                and raw_minute is None
                and not re.match(r"\s*ч(?:ас)?\.", text[m.start("h") + len(groups["h"]) :])
            ):
                continue  # "10 ч" without its full stop is not clearly a time
            if pattern is _TIMES[2] and not _RU_AT_HOUR.search(text, max(0, m.start() - 12), m.start()):
                continue  # "через 24 часа", "в течение 48 часов": hours counted, not a time of day
            ap = (groups.get("ap") or "").lower()
            pre = groups.get("pre") or ""
            # 这一点 ("this point"), 15点 (15 points), 一时 ("for a while"): a time only with digits and 时
            bare = pattern is _TIMES[-1] and not pre and raw_minute is None and not groups.get("half")
            if bare and (not groups["h"].isdigit() or "点" in m.group(0)):
                continue
            if (ap == "p" or pre in ("下午", "晚上", "傍晚", "晚")) and hour < 12:
                hour += 12
            f = time_fact(hour, minute, m.start(), m.end(), m.group(0))
            if f:
                scan.add(f)


_SIGN_BEFORE = lazy_pattern(r"(?:(?<![\w\d.,)\]])[-−]|\bminus\s+|(?<![а-яё])минус\s+|零下|负)$", re.IGNORECASE)


def _digits(scan: _Scan) -> None:
    pattern = _DIGITS[scan.lang if scan.lang in _DIGITS else "en"]
    text = scan.text
    for m in pattern.finditer(text):
        start, end = m.span()
        if not scan.free(start, end):
            continue
        value = parse_decimal(m.group(0), decimal_comma=scan.lang == "ru")
        if value is None:
            continue
        sign = _SIGN_BEFORE.search(text, max(0, start - 8), start)
        if sign and scan.free(sign.start(), start):
            value, start = -value, sign.start()  # -5, минус 5, minus 5, 零下5, 负5
        ordinal = _EN_ORDINAL_SUFFIX.match(text, end) or _RU_ORDINAL_SUFFIX.match(text, end)
        if ordinal and value == value.to_integral_value():
            # 24th / 24-го: a day of the month or an ordinal; 17-й, 117th: an ordinal number.
            is_day = 1 <= value <= 31 and ordinal.group(0).lower() in ("st", "nd", "rd", "th", "-го")
            f = (
                date_fact(None, None, int(value), start, ordinal.end(), text[start : ordinal.end()], ordinal=True)
                if is_day
                else None
            )
            f = f or number_fact(value, start, ordinal.end(), text[start : ordinal.end()])
            if ordinal.group(0).lower() in ("-х", "-е") and 1500 <= value <= 2090 and value % 10 == 0:
                f = replace(f, keys=frozenset([f.key, ("number", normal(value % 100))]))  # 1960-х = the sixties
            scan.add(f)
            continue
        year = _ZH_YEAR_AFTER.match(text, end)
        if year and len(m.group(0)) == 4 and scan.free(year.start(), year.end()):
            scan.add(number_fact(value, start, year.end(), text[start : year.end()]))
            continue
        fact = _with_units(scan, value, start, end, hard=True, digits=True)
        if fact.kind == "number" and _footnote_mark(text, start, end):
            # a footnote's mark ("position.[23]", "положением>>2."): one version keeps it, another may not; like
            # an ordinal, it is reported only against another mark that differs
            fact = replace(fact, hard=False, ordinal=True)
        if scan.lang == "ru" and fact.kind == "number" and re.fullmatch(r"\d{1,3}\.\d{3}", m.group(0)):
            # 10.103: a thousands point or a section number (раздел 10.103 = s.10.103): it answers both
            fact = replace(fact, keys=fact.keys | {("number", normal(Decimal(m.group(0))))})
        scan.add(fact)


def _footnote_mark(text: str, start: int, end: int) -> bool:
    """A short figure in brackets glued to the word before ("planning.[23]"), or glued to a closing quotation
    mark at the end of a sentence ("положением>>2.")."""
    if end - start > 3 or start < 2:
        return False
    if text[start - 1] == "[" and text.startswith("]", end) and not text[start - 2].isspace():
        return True
    return text[start - 1] in '>»”"' and (end == len(text) or text[end] in " .,;:\n")


def _zh_numerals(scan: _Scan) -> None:
    text = scan.text
    for m in _ZH_RUN.finditer(text):
        start, end = m.span()
        if not scan.free(start, end):
            continue
        run = m.group(0)
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if (run, after) in _ZH_IDIOMS or (before, run) in _ZH_IDIOMS or run in ("一一", "万一", "千百万", "千千万万"):
            continue
        if run in ("百", "千", "万") and after == "分":
            continue  # 百分比 (percentage), 百分点 (percentage point), 万分 (extremely)
        if text.startswith("分之", end):
            continue  # 百分之 (percent) and 三分之一 (a third): the denominator is not a figure of its own
        if run == "千" and _ZH_KILO.match(text, end):
            continue  # 千克, 千米, 千瓦: the unit's prefix (kilo-), not a thousand
        if _ZH_CHEMICAL.match(text, end):
            continue  # 六氟化铀 (uranium hexafluoride), 二氧化碳: part of a substance's name
        units = any(
            ch in numerals.ZH_SMALL_UNITS or ch in numerals.ZH_BIG_UNITS or ch in numerals.ZH_TENS for ch in run
        )
        if not units and len(run) == 2:
            continue  # 三四个: "three or four", an estimate
        value = parse_zh_numeral(run)
        if value is None:
            continue
        ordinal = before == "第"
        classifier = bool(_ZH_CLASSIFIER_AFTER.match(text, end))
        if ordinal:
            # 第一届, 第四委员会 are often "the session", "the Committee" in the other version, as "first" and
            # "fourth" are soft there: two ordinals that differ are still reported
            hard = value > 10
            start -= 1
        elif before in "数几" and before:
            hard = False  # 数百万 "millions", 几十 "dozens": an estimate, not a figure
        elif len(run) == 1 and after == "年" and run in "十百千万":
            hard = False  # 十年 a decade, 千年 the Millennium (千年发展目标): words as often as figures
        elif units:
            # 十, 百, 万 alone are words as often as numbers (百花, 万岁); with a classifier they count.
            hard = (len(run) > 1 or classifier) and value >= 10
        elif len(run) >= 3:
            hard = True  # 一九五八: a year, digit by digit
        else:
            # 三项, 五年; but 一项 is "an item" and 两个委员会, 两组织 are as often "the committees", "both
            # organisations" (soft, as "two" and "две" are)
            hard = classifier and value > 2
        year = _ZH_YEAR_AFTER.match(text, end)
        if year and not units and len(run) >= 3:
            end = year.end()
        fact = _with_units(scan, Decimal(value), start, end, hard=hard, digits=False)
        scan.add(replace(fact, ordinal=True) if ordinal and fact.kind == "number" else fact)


# number words that are also other words, soft when said alone
_NOT_ONLY_NUMBERS = frozenset({"семью"})


def _word_runs(
    scan: _Scan, pattern: re.Pattern[str], parse: Callable[[list[str]], list[tuple]], soft_upto: int
) -> None:
    text = scan.text
    for m in pattern.finditer(text):
        if not scan.free(*m.span()):
            continue
        words = [(w.start(), w.end(), w.group(0).lower()) for w in re.finditer(r"[A-Za-zА-Яа-яЁё]+", m.group(0))]
        for item in parse([w for _, _, w in words]):
            value, i, j = item[0], item[1], item[2]
            ordinal = len(item) > 3 and item[3]
            start, end = m.start() + words[i][0], m.start() + words[j - 1][1]
            if not scan.free(start, end):
                continue
            # "first", "second" are words as often as figures; "sixty-ninth" is a figure; "тысячи человек",
            # "миллионов жертв" (thousands, millions) alone say no figure
            hard = value > soft_upto and (not ordinal or value > 10) and not (j - i == 1 and value >= 1000)
            if j - i == 1 and words[i][2] in _NOT_ONLY_NUMBERS:
                hard = False  # семью: "(by) seven" or "family" (за свою семью)
            fact = _with_units(scan, Decimal(value), start, end, hard=hard, digits=False)
            scan.add(replace(fact, ordinal=bool(ordinal)) if ordinal and fact.kind == "number" else fact)


def _ru_ordinal_words(scan: _Scan) -> None:
    """Ordinals in words, compound ones whole (шестьдесят девятой сессии = 69th session, тысяча девятьсот
    сорок пятого года = 1945). Runs before the cardinal words, which would take шестьдесят alone. One to ten
    are soft (первый is also "the first step"), larger ones hard."""
    text = scan.text
    for m in _RU_ORDINAL_WORD.finditer(text):
        # the cardinal words just before it (шестьдесят in шестьдесят девятой)
        lead = max(0, m.start() - 120)
        before = _RU_WORDS_BEFORE.search(text, lead, m.start())
        base = before.start() if before else m.start()
        words = list(re.finditer(r"[А-Яа-яЁё]+", text[base : m.end()]))
        # the longest tail of cardinal words that makes one number with the ordinal
        for k in range(len(words)):
            value = numerals.parse_ru_ordinal([w.group(0).lower() for w in words[k:]])
            if value is not None:
                start, end = base + words[k].start(), m.end()
                if scan.free(start, end):
                    fact = number_fact(value, start, end, text[start:end], hard=value > 10)
                    scan.add(replace(fact, ordinal=True))
                break


_HAS = {
    "Han": lazy_pattern(r"[\u3400-\u9fff]"),
    "Cyrillic": lazy_pattern(r"[\u0400-\u04ff]"),
    "Latin": lazy_pattern(r"[A-Za-z]"),
}


_PARAGRAPH_BREAK = lazy_pattern(r"\n\s*\n")

# --- counts without digits, fractions, weekdays, decades ---------------------------------------------

_EN_SMALL_VALUES = {w: v for v, w in enumerate("zero one two three four five six seven eight nine ten".split())}  # noqa: SIM905
_RU_SMALL_PREFIX = {
    "одно": 1, "дву": 2, "двух": 2, "тр[её]х": 3, "четыр[её]х": 4, "пяти": 5, "шести": 6, "семи": 7,
    "восьми": 8, "девяти": 9, "десяти": 10,
}  # fmt: skip
_COUNT_WORDS: list[tuple[str, re.Pattern[str], Callable[[re.Match[str]], int]]] = [
    # twice, thrice; biennium, biennial, triennial, quadrennial
    ("Latin", lazy_pattern(r"\b(?:twice|two\s+times)\b", re.I), lambda m: 2),
    ("Latin", lazy_pattern(r"\bthrice\b", re.I), lambda m: 3),
    ("Latin", lazy_pattern(r"\bbienni(?:ums?|a|al|ally)\b", re.I), lambda m: 2),
    ("Latin", lazy_pattern(r"\btrienni(?:ums?|a|al|ally)\b", re.I), lambda m: 3),
    ("Latin", lazy_pattern(r"\bquadrenni(?:um|a|al|ally)\b", re.I), lambda m: 4),
    # дважды, трижды; двухгодичный, трехлетний, пятилетний, двукратный (not двусторонний: "bilateral")
    ("Cyrillic", lazy_pattern(r"(?<![а-яё])дважды(?![а-яё])", re.I), lambda m: 2),
    ("Cyrillic", lazy_pattern(r"(?<![а-яё])трижды(?![а-яё])", re.I), lambda m: 3),
    (
        "Cyrillic",
        lazy_pattern(
            r"(?<![а-яё])(?P<p>одно|двух|дву|тр[её]х|четыр[её]х|пяти|шести|семи|восьми|девяти|десяти)"
            r"(?:годичн|летн|кратн|месячн|недельн|дневн|разов)[а-яё]*",
            re.I,
        ),
        lambda m: next(v for p, v in _RU_SMALL_PREFIX.items() if re.fullmatch(p, m.group("p"), re.I)),
    ),
    # collective numerals: двое, трое (3), четверо, пятеро ...
    (
        "Cyrillic",
        lazy_pattern(
            r"(?<![а-яё])(?P<c>дво|тро|четвер|пятер|шестер|семер|восьмер|девятер|десятер)(?:е|о|их|им|ими)(?![а-яё])",
            re.I,
        ),
        lambda m: {
            "дво": 2,
            "тро": 3,
            "четвер": 4,
            "пятер": 5,
            "шестер": 6,
            "семер": 7,
            "восьмер": 8,
            "девятер": 9,
            "десятер": 10,
        }[m.group("c").lower()],
    ),
    # a dozen, two dozen (not "dozens": no figure)
    (
        "Latin",
        lazy_pattern(r"\b(?P<n>a|one|two|three|half\s+a)\s+dozen\b(?!s)", re.I),
        lambda m: {"a": 12, "one": 12, "two": 24, "three": 36}.get(m.group("n").lower(), 6),
    ),
]
_EN_FRACTION = lazy_pattern(
    r"\b(?:(?P<n>one|a|two|three|four|five|six|seven|eight|nine)[\s-]+(?P<d>half|halves|thirds?|quarters?|fourths?|"
    r"fifths?|sixths?|sevenths?|eighths?|ninths?|tenths?)|(?P<n2>one|two|three)\s+(?:in|out\s+of)\s+(?P<d2>two|three|four|"
    r"five|six|seven|eight|nine|ten)|(?P<half>half))\b",
    re.I,
)
_EN_DENOMINATORS = {"half": 2, "halve": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6}
_EN_DENOMINATORS |= {"seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
_RU_FRACTION = lazy_pattern(
    r"(?<![а-яё])(?:(?P<n>одн[аунойе]{1,2}|две|двух|тр[иеё]х?|четыре)\s+)?(?P<d>трет(?:ь|и|ей|ям|ью)|четверт(?:ь|и|ей|ям|ью)|"
    r"половин(?:а|у|ы|ой|е))(?![а-яё])",
    re.I,
)
# одна из трех = one in three, три из пяти = three in five
_RU_OUT_OF = lazy_pattern(
    r"(?<![а-яё])(?P<n>одн[аоу]|один|два|две|три|четыре)\s+из\s+(?P<d>двух|тр[её]х|четыр[её]х|пяти|шести|семи|"
    r"восьми|девяти|десяти)(?![а-яё])",
    re.I,
)
_RU_OUT_OF_VALUES = {"одн": 1, "оди": 1, "два": 2, "две": 2, "три": 3, "чет": 4, "дву": 2, "тре": 3, "трё": 3}
_RU_OUT_OF_DENOMINATORS = {
    "дву": 2,
    "тре": 3,
    "трё": 3,
    "чет": 4,
    "пят": 5,
    "шес": 6,
    "сем": 7,
    "вос": 8,
    "дев": 9,
    "дес": 10,
}
_ZH_HALF = lazy_pattern(r"一半|半数")
_ZH_FRACTION = lazy_pattern(rf"(?P<d>[{ZH_NUMERAL_CHARS}]+|\d+)分之(?P<n>[{ZH_NUMERAL_CHARS}]+|\d+(?:\.\d+)?)")
_WEEKDAYS = [
    (lazy_pattern(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"), "Latin"),
    (lazy_pattern(r"(?:星期|礼拜|周)([一二三四五六日天])"), "Han"),
    (
        lazy_pattern(
            r"(?<![а-яё])(?=[ПпВвСсЧч])(понедельник|вторник|сред|четверг|пятниц|суббот|воскресень)([а-яё]{0,3})(?![а-яё])",
            re.I,
        ),
        "Cyrillic",
    ),
]
_EN_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_RU_WEEKDAYS = ["понедельник", "вторник", "сред", "четверг", "пятниц", "суббот", "воскресень"]
_DECADES = lazy_pattern(r"(?<![\d.,])(?P<y>1[5-9]\d0|20[0-9]0)(?:s\b|’s\b|'s\b)")
_RU_DECADES = lazy_pattern(
    r"(?<![а-яё])(?P<n>одно|два|две|двух|три|тр[её]х|четыре|четыр[её]х|пять|пяти)\s+десятилети[а-яё]*", re.IGNORECASE
)
_RU_DECADE_VALUES = {"одно": 1, "два": 2, "две": 2, "двух": 2, "три": 3, "трех": 3, "трёх": 3, "четыре": 4}
_RU_DECADE_VALUES |= {"четырех": 4, "четырёх": 4, "пять": 5, "пяти": 5}
_EN_DECADES = lazy_pattern(r"\b(?P<n>a|one|two|three|four|five|six|seven|eight|nine|ten)\s+decades?\b", re.I)


def fraction_fact(numerator: int, denominator: int, start: int, end: int, text: str, *, hard: bool) -> Fact | None:
    if not denominator or numerator < 0:
        return None
    key = ("fraction", numerator, denominator)
    return Fact("number", key, frozenset([key]), start, end, text, hard, f"{numerator}/{denominator}")


def weekday_fact(day: int, start: int, end: int, text: str, *, hard: bool = True) -> Fact:
    key = ("weekday", day)
    names = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()  # noqa: SIM905
    return Fact("date", key, frozenset([key]), start, end, text, hard, names[day])


def _counts(scan: _Scan, scripts: set[str]) -> None:
    """Counts said without a figure (twice, 两度, дважды; biennium, 两年期, двухгодичный; трое), fractions
    (two-thirds, две трети, 三分之二), weekdays (星期三, Wednesday, в среду) and decades (the 1960s, five
    decades). All soft except fractions with a numerator and weekdays: they answer figures in another
    version ("biennium" answers 两年), but are not missed when another version says them otherwise."""
    text = scan.text
    for script, pattern, value_of in _COUNT_WORDS:
        if script not in scripts:
            continue
        for m in pattern.finditer(text):
            if scan.free(*m.span()):
                value = value_of(m)
                collective = "c" in m.groupdict()
                scan.add(number_fact(value, m.start(), m.end(), m.group(0), hard=collective and value > 2))
    if "Latin" in scripts:
        for m in _EN_FRACTION.finditer(text):
            if not scan.free(*m.span()):
                continue
            if m.group("half"):
                f = fraction_fact(1, 2, m.start(), m.end(), m.group(0), hard=False)  # half: often no figure
                if f:
                    scan.add(f)
                continue
            if m.group("n2"):
                n2, d2 = _EN_SMALL_VALUES[m.group("n2").lower()], _EN_SMALL_VALUES[m.group("d2").lower()]
                f = fraction_fact(n2, d2, m.start(), m.end(), m.group(0), hard=True)  # one in three
                if f:
                    scan.add(f)
                continue
            n = m.group("n").lower()
            d = m.group("d").lower().rstrip("s")
            numerator = 1 if n == "a" else _EN_SMALL_VALUES.get(n)
            if numerator is None or (d.startswith("half") and n == "a"):
                continue
            f = fraction_fact(numerator, _EN_DENOMINATORS.get(d, 0), m.start(), m.end(), m.group(0), hard=n != "a")
            if f:
                scan.add(f)
        for m in _DECADES.finditer(text):
            if scan.free(*m.span()):
                y = int(m.group("y"))
                f = number_fact(y, m.start(), m.end(), m.group(0))
                scan.add(replace(f, keys=frozenset([f.key, ("number", normal(y % 100))])))
        for m in _EN_DECADES.finditer(text):
            if scan.free(*m.span()):
                n = m.group("n").lower()
                v = 1 if n == "a" else _EN_SMALL_VALUES[n]
                f = number_fact(v, m.start(), m.end(), m.group(0), hard=False)
                scan.add(replace(f, keys=frozenset([f.key, ("number", normal(v * 10))])))
    if "Cyrillic" in scripts:
        for m in _RU_OUT_OF.finditer(text):
            if scan.free(*m.span()):
                n = _RU_OUT_OF_VALUES[m.group("n").lower()[:3]]
                d = _RU_OUT_OF_DENOMINATORS[m.group("d").lower()[:3]]
                f = fraction_fact(n, d, m.start(), m.end(), m.group(0), hard=True)
                if f and n < d:
                    # (also "one of the three": the count answers "three" in another version)
                    scan.add(replace(f, keys=f.keys | {("number", normal(d))}))
        for m in _RU_DECADES.finditer(text):  # два десятилетия = twenty years
            if scan.free(*m.span()):
                v = _RU_DECADE_VALUES[m.group("n").lower()]
                f = number_fact(v, m.start(), m.end(), m.group(0), hard=False)
                scan.add(replace(f, keys=frozenset([f.key, ("number", normal(v * 10))])))
        for m in _RU_FRACTION.finditer(text):
            if not scan.free(*m.span()):
                continue
            n_word, d_word = (m.group("n") or "").lower(), m.group("d").lower()
            if d_word.endswith("ью") and not n_word:
                continue  # третью alone is "third" (третью сессию); одной третью is "by one third"
            d = 3 if d_word.startswith("трет") else 4 if d_word.startswith("четв") else 2
            n = 1
            if n_word:
                n = (
                    2
                    if n_word.startswith("дв")
                    else 3
                    if n_word.startswith("тр")
                    else 4
                    if n_word.startswith("чет")
                    else 1
                )
            f = fraction_fact(n, d, m.start(), m.end(), m.group(0), hard=bool(n_word))
            if f:
                scan.add(f)
    if "Han" in scripts:
        for m in _ZH_FRACTION.finditer(text):
            if not scan.free(*m.span()) or m.group("d") == "百" or text[m.start() - 1 : m.start()] in ("百", "千"):
                continue  # 百分之 is a percentage
            d, n = _int(m.group("d")), _int(m.group("n"))
            if d is None or n is None:
                continue
            f = fraction_fact(n, d, m.start(), m.end(), m.group(0), hard=True)
            if f:
                scan.add(f)
    if "Han" in scripts:
        for m in _ZH_HALF.finditer(text):
            if scan.free(*m.span()):
                f = fraction_fact(1, 2, m.start(), m.end(), m.group(0), hard=False)
                if f:
                    scan.add(f)
    for pattern, weekday_script in _WEEKDAYS:
        if weekday_script not in scripts:
            continue
        for m in pattern.finditer(text):
            if not scan.free(*m.span()):
                continue
            word = m.group(1)
            if word in _EN_WEEKDAYS or word.lower() in _EN_WEEKDAYS:
                day = _EN_WEEKDAYS.index(word.lower())
                hard = True
            elif word in "一二三四五六日天":
                day = "一二三四五六日".find(word) if word != "天" else 6
                hard = True
            else:
                day = _RU_WEEKDAYS.index(word.lower())
                # среда is also "environment": the day only in a form it takes as a day (в среду, среда, 4 марта)
                hard = day != 2 or m.group(2).lower() in ("у",)
                if day == 2 and m.group(2).lower() not in ("у", "а"):
                    continue
            scan.add(weekday_fact(day, m.start(), m.end(), m.group(0), hard=hard))


_DAY_OF = lazy_pattern(r"\s*(?:day\s+)?(?:of\s+)?$", re.IGNORECASE)
_OF_YEAR = lazy_pattern(r"^,?\s*(?:in\s+the\s+year\s+(?:of\s+)?)?$", re.IGNORECASE)


def _dates_in_words(text: str, facts: list[Fact]) -> list[Fact]:
    """A date written in words: a day (an ordinal), a month, a year in words or figures ("the twenty-sixth
    day of June, one thousand nine hundred and forty-five"; "двадцать шестого июня тысяча девятьсот сорок
    пятого года") becomes one date."""
    facts = sorted(facts, key=lambda f: f.start)
    out: list[Fact] = []
    i = 0
    while i < len(facts):
        f = facts[i]
        if i + 2 < len(facts) and f.kind == "number" and f.ordinal and 1 <= f.key[1] <= 31:
            month, year = facts[i + 1], facts[i + 2]
            if (
                month.kind == "date"
                and month.key[1] is None
                and month.key[3] is None
                and month.key[2] is not None
                and year.kind == "number"
                and year.key[0] == "number"
                and 1000 <= year.key[1] <= 2100
                and _DAY_OF.match(text[f.end : month.start])
                and _OF_YEAR.match(text[month.end : year.start])
            ):
                d = date_fact(
                    int(year.key[1]), month.key[2], int(f.key[1]), f.start, year.end, text[f.start : year.end]
                )
                if d:
                    out.append(d)
                    i += 3
                    continue
        if i + 1 < len(facts) and f.kind == "number" and f.ordinal and 1 <= f.key[1] <= 31 and not f.text.isdigit():
            month = facts[i + 1]
            if (
                month.kind == "date"
                and month.key[1] is None
                and month.key[3] is None
                and month.key[2] is not None
                and _DAY_OF.match(text[f.end : month.start])
            ):
                d = date_fact(None, month.key[2], int(f.key[1]), f.start, month.end, text[f.start : month.end])
                if d:
                    out.append(d)
                    i += 2
                    continue
        out.append(f)
        i += 1
    return out


_COORDINATED = lazy_pattern(r"\s*(?:,|and|or|to|-|–|—|−|и|или|до|по|和|或|至|到|、|及)\s*$", re.IGNORECASE)


def _share_units(text: str, facts: list[Fact]) -> list[Fact]:
    """ "45 and 46 per cent", "10, 20 or 30 million dollars", "5–10%": a bare number coordinated with a
    percentage or amount shares its unit."""
    facts = sorted(facts, key=lambda f: f.start)
    for i in range(len(facts) - 2, -1, -1):
        f, g = facts[i], facts[i + 1]
        if f.kind != "number" or g.kind not in ("percent", "amount") or f.ordinal:
            continue
        if re.fullmatch(r"(?:19|20)\d\d", f.text) and not re.match(r"(?:19|20)\d\d", g.text):
            continue  # "in 2012, 45 per cent": a year, not a percentage
        if not _COORDINATED.match(text[f.end : g.start]) or g.start - f.end > 8:
            continue
        value = f.key[1]
        if g.kind == "percent":
            facts[i] = percent_fact(value, f.start, f.end, f.text, hard=f.hard)
        else:
            facts[i] = amount_fact(value, g.key[2], f.start, f.end, f.text)
    return facts


def extract(text: str, lang: str, directory: Directory | None = None) -> list[Fact]:
    """Every fact of `text` (a version in language `lang`: 'zh', 'ru', 'en' or another tag), in text order."""
    text = normalise(text)
    scan = _Scan(text, lang)
    scripts = {name for name, pattern in _HAS.items() if pattern.search(text)}
    if directory is not None:
        for fact in directory.find(text, scripts):
            if scan.free(fact.start, fact.end):
                scan.add(fact)
    for r in _rules:
        if r.script and r.script not in scripts:
            continue
        pos = 0
        while (m := r.pattern.search(text, pos)) is not None:
            if scan.free(m.start(), m.end()) and not _PARAGRAPH_BREAK.search(m.group(0)):
                for fact in r.make(m, lang):
                    scan.add(fact)
                pos = max(m.end(), m.start() + 1)
            else:
                pos = m.start() + 1  # a shorter match may start here or just after the claimed part
    _times(scan)
    _counts(scan, scripts)
    if "Latin" in scripts:
        _romans(scan)
        _item_letters(scan)
    _digits(scan)
    if "Han" in scripts:
        _zh_numerals(scan)
    if "Cyrillic" in scripts:
        _ru_ordinal_words(scan)
        _word_runs(scan, _RU_RUN, parse_ru_words, 2)
    if "Latin" in scripts:
        _word_runs(scan, _EN_RUN, parse_en_words, 2)
    return sorted(_dates_in_words(text, _share_units(text, scan.facts)), key=lambda f: (f.start, f.end))


def iter_kinds(facts: list[Fact], kinds: set[str]) -> Iterator[Fact]:
    return (f for f in facts if f.kind in kinds)
