"""The fidelity checker on real official translations: UN documents in zh, ru and en (issue 19).

    .venv/bin/python -m bench.fidelity --real [--data DIR] [--seed 19] [--pairs zh-en,ru-en,zh-ru]
                                             [--show-alarms] [--show-missed] [--fail-on-miss]

The data (../shared/data/un-parallel-dev/, see its PROVENANCE.md) holds paragraphs of UN documents of 2015
in the three languages, aligned line by line. A *pair* is one document in two languages: its paragraphs in
their order in the document, one paragraph a block. Every document gives one clean pair for each of
zh–en, ru–en and zh–ru, checked as published.

Planted errors: for each clean pair and each kind of error, the planting script (seeded; it reads the
texts with its own patterns, not the checker's) looks for a slot that both versions fill in the same
paragraph (a figure written in both, a month named in both, "Chapter V" against 第五章, a country named
in both...), changes it in one version, chosen at random, and records the changed span and the span of
the same slot in the other version. A planted error is *found* when a finding of severity "error"
points at either span. Kinds: number, percent, amount, year, date-day, date-month, code, roman,
ordinal-word, number-word, fraction, name (countries, UN organs).

False alarms: a clean pair is flagged when the checker reports any error on it. Each flagged pair was
read in both versions: where the published translation itself differs (the Russian says 10 000 where
the English says 100,000), it is listed as a true difference (bench/fidelity_real_judged.tsv) and not
counted as a false alarm; the output says which.

pofilter: translate-toolkit's numbers check, English (or the first version) as the source and each
paragraph one unit, as a PO file would hold them; lenient (any failure on a planted pair counts as
found) and strict (only when the pair with the error undone passes).

Goal (issue 19): false alarms on <= 1 % of clean pairs and recall >= 99 % for each language pair.
Results go to bench/results/<YYYY-MM-DD>-fidelity-real.json (a second run on the same day overwrites).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import BENCH_DIR, machine

ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_DATA = ROOT.parent.parent / "shared" / "data" / "un-parallel-dev"
JUDGED = BENCH_DIR / "fidelity_real_judged.tsv"
PAIRS = (("zh", "en"), ("ru", "en"), ("zh", "ru"))
GOAL_RECALL, GOAL_FALSE_ALARMS = 0.99, 0.01
KINDS = (
    "number",
    "percent",
    "amount",
    "year",
    "date-day",
    "date-month",
    "code",
    "roman",
    "ordinal-word",
    "number-word",
    "fraction",
    "name",
)


# --- data ------------------------------------------------------------------------------------------


@dataclass
class Document:
    symbol: str
    paragraphs: dict[str, list[str]]  # lang -> paragraphs in document order


def find_data(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    for candidate in (
        DEFAULT_DATA,
        ROOT.parent / "shared" / "data" / "un-parallel-dev",
        Path("/work/shared/data/un-parallel-dev"),
    ):
        if (candidate / "UNv1.0.devset-half.ids").exists():
            return candidate
    return DEFAULT_DATA


def load_documents(data: Path) -> list[Document]:
    """The documents of the development set, each with its paragraphs in the order of the English original."""
    ids = (data / "UNv1.0.devset-half.ids").read_text(encoding="utf-8").splitlines()
    texts = {
        lang: (data / f"UNv1.0.devset-half.{lang}").read_text(encoding="utf-8").splitlines()
        for lang in ("zh", "ru", "en")
    }
    by_doc: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for n, line in enumerate(ids):
        symbol, *where = line.split()
        order = next((int(w.split(":")[1]) for w in where if w.startswith("en:")), n)
        by_doc[symbol].append((order, n))
    docs = []
    for symbol in sorted(by_doc):
        lines = [n for _, n in sorted(by_doc[symbol])]
        docs.append(Document(symbol, {lang: [texts[lang][n].strip() for n in lines] for lang in texts}))
    return docs


def join(paragraphs: list[str]) -> tuple[str, list[int]]:
    """The paragraphs as one text, a blank line between them; and each paragraph's start offset."""
    starts, pos = [], 0
    for p in paragraphs:
        starts.append(pos)
        pos += len(p) + 2
    return "\n\n".join(paragraphs), starts


# --- planting --------------------------------------------------------------------------------------

_NUM = {
    "en": re.compile(r"(?<![\w.,/-])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w/]|[.,]\d)"),
    "ru": re.compile(r"(?<![\w.,/-])(?:\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:,\d+)?(?![\w/]|[.,]\d)"),
    "zh": re.compile(r"(?<![\d.,/A-Za-z-])(?:\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:\.\d+)?(?![\d/A-Za-z]|[.,]\d)"),
}
_PERCENT = re.compile(r"\s?(?:%|per\s?cent|процент)", re.IGNORECASE)
_CURRENCY = re.compile(r"(?:\$|dollars|долл|美元|euros?|евро|欧元|francs|франк|法郎)", re.IGNORECASE)
_EN_MONTHS = "January February March April May June July August September October November December".split()  # noqa: SIM905
_RU_MONTHS_GEN = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()  # noqa: SIM905
_RU_MONTH_STEM = re.compile(r"(январ|феврал|март|апрел|ма[йяе]|июн|июл|август|сентябр|октябр|ноябр|декабр)", re.I)
_RU_STEMS = ["январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр", "октябр", "ноябр", "декабр"]
_ROMAN = re.compile(r"(?<![A-Za-z])(?:X{0,3})(?:IX|IV|V?I{0,3})(?![A-Za-z])")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
_ZH_DIGITS = "零一二三四五六七八九"
_EN_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
_RU_ORDINAL_SWAP = {"пят": "девят", "девят": "пят", "седьм": "восьм", "восьм": "седьм", "десят": "пят"}
_EN_NUMBER_WORDS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
_RU_NUMBER_SWAP = {
    "двух": "трех",
    "трех": "двух",
    "пяти": "шести",
    "шести": "пяти",
    "два": "три",
    "три": "два",
    "пять": "шесть",
    "шесть": "пять",
}
# Countries and bodies in the three languages, for planting only (the checker has its own gazetteer).
_NAMES = [
    ("France", "法国", "Франц"),
    ("Germany", "德国", "Германи"),
    ("China", "中国", "Кита"),
    ("Japan", "日本", "Япони"),
    ("India", "印度", "Инди"),
    ("Brazil", "巴西", "Бразили"),
    ("Mexico", "墨西哥", "Мексик"),
    ("Canada", "加拿大", "Канад"),
    ("Australia", "澳大利亚", "Австрали"),
    ("Egypt", "埃及", "Египт"),
    ("Nigeria", "尼日利亚", "Нигери"),
    ("Kenya", "肯尼亚", "Кени"),
    ("Pakistan", "巴基斯坦", "Пакистан"),
    ("Afghanistan", "阿富汗", "Афганистан"),
    ("Iraq", "伊拉克", "Ирак"),
    ("Syria", "叙利亚", "Сири"),
    ("Lebanon", "黎巴嫩", "Ливан"),
    ("Israel", "以色列", "Израил"),
    ("Ukraine", "乌克兰", "Украин"),
    ("Somalia", "索马里", "Сомали"),
    ("Sudan", "苏丹", "Судан"),
    ("Mali", "马里", "Мали"),
    ("Colombia", "哥伦比亚", "Колумби"),
    ("Guatemala", "危地马拉", "Гватемал"),
    ("Haiti", "海地", "Гаити"),
    ("Libya", "利比亚", "Ливи"),
    ("Yemen", "也门", "Йемен"),
    ("Iran", "伊朗", "Иран"),
    ("Turkey", "土耳其", "Турци"),
    ("Italy", "意大利", "Итали"),
    ("Spain", "西班牙", "Испани"),
    ("Argentina", "阿根廷", "Аргентин"),
    ("Security Council", "安全理事会", "Совет Безопасности"),
    ("General Assembly", "大会", r"Генеральн[а-яё]{2,3}\s+Ассамбле"),  # (a pattern: not Генеральный секретарь)
    ("Economic and Social Council", "经济及社会理事会", "Экономическ"),
    ("Human Rights Council", "人权理事会", "Совет по правам человека"),
]


def _ru_form(form: str) -> str:
    """A Russian form of _NAMES as a pattern (the General Assembly's is one already)."""
    return form if "\\" in form else re.escape(form)


@dataclass
class Planted:
    kind: str
    lang: str  # the version changed
    paragraph: int
    span: tuple[int, int]  # in the changed version's whole text
    text: str
    original: str
    counterpart_lang: str
    counterpart_spans: list[tuple[int, int]]  # in the other version's whole text


@dataclass
class Slot:
    kind: str
    start: int  # in the paragraph
    end: int
    new: str
    counterparts: list[tuple[int, int]]  # in the other version's paragraph


def _value(text: str, lang: str) -> str:
    t = text.replace("\u00a0", "").replace(" ", "")
    if lang == "ru":
        return t.replace(",", ".")
    return t.replace(",", "")


def _numbers(p: str, lang: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), _value(m.group(0), lang)) for m in _NUM[lang].finditer(p)]


def _mutate_digits(raw: str, rng: random.Random) -> str:
    digits = [i for i, ch in enumerate(raw) if ch.isdigit()]
    if len(digits) == 4 and raw.isdigit() and raw[:2] in ("19", "20"):
        return str(int(raw) + rng.choice((-1, 1)))  # a year: the next or the previous
    i = rng.choice(digits[-2:] if len(digits) > 1 else digits)
    choices = [d for d in "0123456789" if d != raw[i] and not (i == digits[0] and d == "0" and len(digits) > 1)]
    return raw[:i] + rng.choice(choices) + raw[i + 1 :]


def _digit_kind(p: str, s: int, e: int, raw: str, lang: str) -> str:
    after, before = p[e : e + 14], p[max(0, s - 3) : s]
    if _PERCENT.match(after):
        return "percent"
    if _CURRENCY.search(after[:10]) or "$" in before:
        return "amount"
    if re.search(r"(?:resolution|decision|No\.|резолюци\w*|решени\w*|№|决议|决定|第)\s*$", p[max(0, s - 14) : s], re.I):
        return "code"  # a resolution's or a document's number
    if re.fullmatch(r"(?:19|20)\d\d", raw):
        return "year"
    if raw.isdigit() and 1 <= int(raw) <= 31:
        near = p[max(0, s - 12) : e + 12]
        if lang == "zh" and after.startswith("日"):
            return "date-day"
        if lang == "en" and any(m in near for m in _EN_MONTHS):
            return "date-day"
        if lang == "ru" and re.match(r"\s*(?:-|–|−|по|и)?\s*\d*\s*" + _RU_MONTH_STEM.pattern, after, re.I):
            return "date-day"
    return "number"


def _roman_value(s: str) -> int:
    total = 0
    for a, b in zip(s, s[1:] + " ", strict=True):
        v = _ROMAN_VALUES[a]
        total += -v if b != " " and _ROMAN_VALUES[b] > v else v
    return total


def _to_roman(n: int) -> str:
    out = ""
    for v, s in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out, n = out + s, n - v
    return out


def _zh_small(n: int) -> str:
    if n < 10:
        return _ZH_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _ZH_DIGITS[tens]) + "十" + (_ZH_DIGITS[ones] if ones else "")


def _occurrences(p: str, needle: str, flags: int = 0, word: bool = False) -> list[tuple[int, int]]:
    pattern = re.escape(needle)
    if word:
        pattern = r"(?<![\w])" + pattern + r"(?![\w])"
    return [m.span() for m in re.finditer(pattern, p, flags)]


def slots(p: str, lang: str, q: str, other: str, rng: random.Random) -> Iterator[Slot]:
    """Every slot of paragraph p (in lang) that paragraph q (in other) fills alike, with a changed value."""
    theirs = defaultdict(list)
    for s, e, v in _numbers(q, other):
        theirs[v].append((s, e))
    their_values = set(theirs)
    for s, e, v in _numbers(p, lang):
        raw = p[s:e]
        if v not in theirs or len(raw) > 12:
            continue
        before = p[max(0, s - 1) : s]
        kind = "code" if before in "/" and before else _digit_kind(p, s, e, raw, lang)
        for _ in range(5):
            new = _mutate_digits(raw, rng)
            if _value(new, lang) not in their_values and _value(new, lang) not in {x[2] for x in _numbers(p, lang)}:
                yield Slot(kind, s, e, new, theirs[v])
                break
    # reference codes: A/69/L.1, S/RES/2178 (2014), E/CN.6/2015/1: a digit inside changes
    for m in re.finditer(r"(?<![\w/])[A-Z]{1,6}(?:/[A-Z0-9.]*\d[A-Z0-9.]*|/[A-Z.]+)+(?:/[A-Z0-9.]+)*", p):
        code = m.group(0)
        if not any(ch.isdigit() for ch in code):
            continue
        spans = _occurrences(q, code)
        if spans:
            digits = [i for i, ch in enumerate(code) if ch.isdigit()]
            i = rng.choice(digits)
            new = code[:i] + str((int(code[i]) + rng.randint(1, 8)) % 10) + code[i + 1 :]
            yield Slot("code", m.start(), m.end(), new, spans)
    # months
    month_of_q: dict[int, list[tuple[int, int]]] = defaultdict(list)
    if other == "en":
        for k, name in enumerate(_EN_MONTHS):
            month_of_q[k + 1] += _occurrences(q, name, word=True)
    elif other == "ru":
        for m in re.finditer(r"(?<![а-яё])" + _RU_MONTH_STEM.pattern + r"[а-яё]{0,3}(?![а-яё])", q, re.I):
            stem = m.group(1).lower()
            k = next(i for i, st in enumerate(_RU_STEMS) if stem.startswith(st))
            month_of_q[k + 1].append(m.span())
    else:
        for m in re.finditer(r"(?<![\d个])(\d{1,2})月", q):
            if 1 <= int(m.group(1)) <= 12:
                month_of_q[int(m.group(1))].append(m.span())
    if lang == "en":
        for k, name in enumerate(_EN_MONTHS):
            for s, e in _occurrences(p, name, word=True):
                if month_of_q.get(k + 1):
                    new = _EN_MONTHS[(k + rng.randint(1, 11)) % 12]
                    if not month_of_q.get(_EN_MONTHS.index(new) + 1):
                        yield Slot("date-month", s, e, new, month_of_q[k + 1])
    elif lang == "ru":
        for k, name in enumerate(_RU_MONTHS_GEN):
            for s, e in _occurrences(p, name, word=True):
                if month_of_q.get(k + 1):
                    j = (k + rng.randint(1, 11)) % 12
                    if not month_of_q.get(j + 1):
                        yield Slot("date-month", s, e, _RU_MONTHS_GEN[j], month_of_q[k + 1])
    else:
        for m in re.finditer(r"(?<![\d个])(\d{1,2})月", p):
            k = int(m.group(1))
            if 1 <= k <= 12 and month_of_q.get(k):
                j = (k - 1 + rng.randint(1, 11)) % 12 + 1
                if not month_of_q.get(j):
                    yield Slot("date-month", m.start(1), m.end(1), str(j), month_of_q[k])

    # Roman numerals (Chapter V, Глава V, 第五章; resolution 69/1 annex II)
    def roman_in(text: str, value: int, in_lang: str) -> list[tuple[int, int]]:
        found = [m.span() for m in _ROMAN.finditer(text) if m.group(0) and _roman_value(m.group(0)) == value]
        if in_lang == "zh":
            found += _occurrences(text, "第" + _zh_small(value))
        return found

    if lang in ("en", "ru"):
        for m in _ROMAN.finditer(p):
            r = m.group(0)
            if not r or len(r) < 1 or (r == "I" and lang == "en"):
                continue
            ctx = p[max(0, m.start() - 12) : m.start()].lower()
            if not re.search(
                r"(chapter|part|section|annex|title|article|глав|част|раздел|приложени|статья)\w*\s*$", ctx
            ):
                continue
            value = _roman_value(r)
            spans = roman_in(q, value, other)
            new_value = value + rng.choice((1, 2)) if value > 2 else value + 1
            if spans and not roman_in(q, new_value, other):
                yield Slot("roman", m.start(), m.end(), _to_roman(new_value), spans)
    elif lang == "zh":
        for m in re.finditer(r"第([一二三四五六七八九十]{1,3})(章|部分|节|编)", p):
            value = "零一二三四五六七八九".find(m.group(1)) if len(m.group(1)) == 1 else None
            if value is None or value < 1:
                continue
            spans = [x.span() for x in _ROMAN.finditer(q) if x.group(0) and _roman_value(x.group(0)) == value]
            if (
                spans
                and value < 9
                and not any(_roman_value(x.group(0)) == value + 1 for x in _ROMAN.finditer(q) if x.group(0))
            ):
                yield Slot("roman", m.start(1), m.end(1), _zh_small(value + 1), spans)
    # ordinal words (the second session, второй, 第二届)
    ordinal_of_q: dict[int, list[tuple[int, int]]] = defaultdict(list)
    if other == "en":
        for k, w in enumerate(_EN_ORDINALS):
            ordinal_of_q[k + 1] += _occurrences(q, w, re.I, word=True)
    elif other == "ru":
        for k, st in enumerate(["перв", "втор", "трет", "четв", "пят", "шест", "седьм", "восьм", "девят", "десят"]):
            ordinal_of_q[k + 1] += [
                x.span()
                for x in re.finditer(rf"(?<![а-яё]){st}[а-яё]{{1,4}}(?![а-яё])", q, re.I)
                if not re.fullmatch(
                    r"(пять|шесть|семь|восемь|девять|десять|пяти|шести|семи|восьми|девяти|десяти|пятью|шестью|семью|восемью|девятью|десятью|десятилет\w*|пятилет\w*)",
                    x.group(0),
                    re.I,
                )
            ]
    else:
        for k in range(1, 11):
            ordinal_of_q[k] += _occurrences(q, "第" + _zh_small(k))
    if lang == "en":
        for k, w in enumerate(_EN_ORDINALS[:9]):
            for s, e in _occurrences(p, w, word=True):
                if ordinal_of_q.get(k + 1) and not ordinal_of_q.get(k + 2):
                    yield Slot("ordinal-word", s, e, _EN_ORDINALS[k + 1], ordinal_of_q[k + 1])
    elif lang == "ru":
        for m in re.finditer(
            r"(?<![а-яё])(пят|девят|седьм|восьм|десят)(ый|ого|ому|ом|ая|ой|ую|ое|ые|ых)(?![а-яё])", p, re.I
        ):
            stem = m.group(1).lower()
            k = (
                ["пят", "шест", "седьм", "восьм", "девят", "десят"].index(stem)
                if stem in ("пят", "шест", "седьм", "восьм", "девят", "десят")
                else -1
            )
            value = {"пят": 5, "седьм": 7, "восьм": 8, "девят": 9, "десят": 10}[stem]
            new_stem = _RU_ORDINAL_SWAP[stem]
            new_value = {"пят": 5, "седьм": 7, "восьм": 8, "девят": 9, "десят": 10}[new_stem]
            if k >= -1 and ordinal_of_q.get(value) and not ordinal_of_q.get(new_value):
                yield Slot("ordinal-word", m.start(1), m.end(1), new_stem, ordinal_of_q[value])
    else:
        for m in re.finditer(r"第([一二三四五六七八九])(?![十百千万])", p):
            k = _ZH_DIGITS.index(m.group(1))
            if ordinal_of_q.get(k) and k < 9 and not ordinal_of_q.get(k + 1):
                yield Slot("ordinal-word", m.start(1), m.end(1), _ZH_DIGITS[k + 1], ordinal_of_q[k])
    # numbers in words (two, двух, 两/三 before a classifier)
    words_of_q: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for k, w in enumerate(_EN_NUMBER_WORDS):
        if other == "en":
            words_of_q[k + 2] += _occurrences(q, w, re.I, word=True)
    if other == "ru":
        for w, v in (
            ("два", 2),
            ("две", 2),
            ("двух", 2),
            ("три", 3),
            ("трех", 3),
            ("трёх", 3),
            ("четыре", 4),
            ("пять", 5),
            ("пяти", 5),
            ("шесть", 6),
            ("шести", 6),
        ):
            words_of_q[v] += _occurrences(q, w, re.I, word=True)
    if other == "zh":
        for v, ch in ((2, "两"), (2, "二"), (3, "三"), (4, "四"), (5, "五"), (6, "六")):
            words_of_q[v] += [
                x.span() for x in re.finditer(rf"(?<![第十一二三四五六七八九]){ch}(?=[个名项次年种国类届份])", q)
            ]
    for v in list(words_of_q):
        words_of_q[v] += [(s, e) for s, e, val in _numbers(q, other) if val == str(v)]
    if lang == "en":
        for k, w in enumerate(_EN_NUMBER_WORDS):
            for s, e in _occurrences(p, w, word=True):
                v = k + 2
                new_v = v + 1 if v < 10 else v - 1
                if words_of_q.get(v) and not words_of_q.get(new_v):
                    yield Slot("number-word", s, e, _EN_NUMBER_WORDS[new_v - 2], words_of_q[v])
    elif lang == "ru":
        for w, new in _RU_NUMBER_SWAP.items():
            v = {"двух": 2, "два": 2, "трех": 3, "три": 3, "пяти": 5, "пять": 5, "шести": 6, "шесть": 6}[w]
            new_v = {"двух": 2, "два": 2, "трех": 3, "три": 3, "пяти": 5, "пять": 5, "шести": 6, "шесть": 6}[new]
            for s, e in _occurrences(p, w, word=True):
                if words_of_q.get(v) and not words_of_q.get(new_v):
                    yield Slot("number-word", s, e, new, words_of_q[v])
    else:
        for m in re.finditer(r"(?<![第十一二三四五六七八九])([两三四五])(?=[个名项次年种国类届份])", p):
            v = {"两": 2, "三": 3, "四": 4, "五": 5}[m.group(1)]
            if words_of_q.get(v) and not words_of_q.get(v + 1):
                yield Slot("number-word", m.start(1), m.end(1), _ZH_DIGITS[v + 1], words_of_q[v])
    # fractions: two thirds, две трети, 三分之二
    frac_q = {
        "en": r"(?:one|two)[\s-](?:third|half|quarter)s?|three[\s-]quarters?|(?:one|a)[\s-]half",
        "ru": r"(?:две|одна)\s+трет(?:и|ь|ей)|три\s+четверт(?:и|ей)|половин\w+",
        "zh": r"[二三四]分之[一二三]|一半",
    }[other]
    fspans = [x.span() for x in re.finditer(frac_q, q, re.I)]
    if fspans:
        swaps = {
            "en": [
                ("two-thirds", "three-quarters"),
                ("two thirds", "three quarters"),
                ("one third", "one quarter"),
                ("one-third", "one-quarter"),
                ("three quarters", "two thirds"),
                ("three-quarters", "two-thirds"),
            ],
            "ru": [
                ("две трети", "три четверти"),
                ("одну треть", "одну четверть"),
                ("треть", "четверть"),
                ("три четверти", "две трети"),
            ],
            "zh": [
                ("三分之二", "四分之三"),
                ("三分之一", "四分之一"),
                ("四分之三", "三分之二"),
                ("二分之一", "三分之一"),
            ],
        }[lang]
        for old, new in swaps:
            for s, e in _occurrences(p, old, re.I, word=lang != "zh"):
                yield Slot("fraction", s, e, new, fspans)
                break
    # names: a country or an organ named in both becomes another
    idx = {"en": 0, "zh": 1, "ru": 2}
    for k, forms in enumerate(_NAMES):
        mine, theirs_form = forms[idx[lang]], forms[idx[other]]
        if lang == "ru":
            continue  # Russian names decline; the name is changed in the other version
        found_q = (
            # the name itself, with a capital and a case ending (ливийские власти, Ливанской армии are adjectives,
            # not the name of Libya or Lebanon; Генерального секретаря is not the General Assembly)
            [
                x.span()
                for x in re.finditer(
                    r"(?<![а-яёА-ЯЁ])" + _ru_form(theirs_form) + r"[а-яё]{0,3}(?![а-яё])",
                    q,
                )
            ]
            if other == "ru"
            else _occurrences(q, theirs_form, word=other == "en")
        )
        if not found_q:
            continue
        for s, e in _occurrences(p, mine, word=lang == "en"):
            if lang == "zh" and mine == "大会" and p[max(0, s - 2) : s] in ("联合", "首脑"):
                continue
            if lang == "zh" and mine == "中国" and p[s : s + 3] == "中国际":
                continue
            choices = [f for j, f in enumerate(_NAMES) if j != k and (j < 32) == (k < 32)]
            new = rng.choice(choices)
            new_theirs = new[idx[other]]
            clash = re.search(r"(?<![а-яё])" + _ru_form(new_theirs), q, re.I) if other == "ru" else new_theirs in q
            if not clash and new[idx[lang]] not in p:
                yield Slot("name", s, e, new[idx[lang]], found_q)
            break


def plant(doc: Document, a: str, b: str, seed: int) -> list[tuple[dict[str, str], Planted]]:
    """One planted variant of the pair (a, b) per kind of error the document gives a slot for."""
    key = f"{seed}:{doc.symbol}:{a}-{b}".encode()
    rng = random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))
    texts = {lang: join(doc.paragraphs[lang]) for lang in (a, b)}
    candidates: dict[str, list[tuple[str, int, Slot]]] = defaultdict(list)
    for lang, other in ((a, b), (b, a)):
        for n, (p, q) in enumerate(zip(doc.paragraphs[lang], doc.paragraphs[other], strict=True)):
            for slot in slots(p, lang, q, other, rng):
                candidates[slot.kind].append((lang, n, slot))
    out = []
    for kind in KINDS:
        options = candidates.get(kind)
        if not options:
            continue
        # the language changed is chosen at random, then a slot in it
        langs = sorted({lang for lang, _, _ in options})
        lang = rng.choice(langs)
        lang, n, slot = rng.choice([o for o in options if o[0] == lang])
        other = b if lang == a else a
        text, starts = texts[lang]
        _other_text, other_starts = texts[other]
        s, e = starts[n] + slot.start, starts[n] + slot.end
        changed = dict((x, texts[x][0]) for x in (a, b))
        changed[lang] = text[:s] + slot.new + text[e:]
        out.append(
            (
                changed,
                Planted(
                    kind,
                    lang,
                    n + 1,
                    (s, s + len(slot.new)),
                    slot.new,
                    text[s:e],
                    other,
                    [(other_starts[n] + cs, other_starts[n] + ce) for cs, ce in slot.counterparts],
                ),
            )
        )
    return out


# --- scoring ---------------------------------------------------------------------------------------


def _overlaps(span: tuple[int, int], spans: Any) -> bool:
    s, e = span
    return any(x < e and s < y for x, y in spans)


def points_at(finding: Any, planted: Planted) -> bool:
    if finding.severity != "error":
        return False
    if _overlaps(planted.span, finding.spans.get(planted.lang, ())):
        return True
    return any(_overlaps(c, finding.spans.get(planted.counterpart_lang, ())) for c in planted.counterpart_spans)


@dataclass
class PairScore:
    clean: int = 0
    flagged: list[str] = field(default_factory=list)  # documents with errors reported, as published
    true_differences: list[str] = field(default_factory=list)  # of those, judged true differences
    planted: int = 0
    found: int = 0
    stray: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    missed: list[str] = field(default_factory=list)
    po_flagged: int = 0
    po_lenient: int = 0
    po_strict: int = 0
    po_by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    @property
    def false_alarms(self) -> int:
        return len(self.flagged) - len(self.true_differences)

    def rate(self) -> float:
        return self.false_alarms / self.clean if self.clean else 0.0

    def recall(self) -> float:
        return self.found / self.planted if self.planted else 1.0


def load_judged(path: Path = JUDGED) -> dict[tuple[str, str], str]:
    """(document symbol, language pair) -> why the published versions themselves differ (read by a person)."""
    judged: dict[tuple[str, str], str] = {}
    if not path.exists():
        return judged
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        symbol, pair, reason = line.split("\t", 2)
        judged[(symbol, pair)] = reason
    return judged


def pofilter() -> Callable[[str, str], bool] | None:
    try:
        from bench.fidelity_evaluation import pofilter_numbers

        return pofilter_numbers()
    except ImportError:
        return None


def _po_fails(fails: Callable[[str, str], bool], texts: dict[str, str], a: str, b: str) -> bool:
    src, tgt = (b, a) if b == "en" else (a, b)
    ps, pt = texts[src].split("\n\n"), texts[tgt].split("\n\n")
    return any(fails(x, y) for x, y in zip(ps, pt, strict=False))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real", action="store_true", help="(this benchmark; accepted for bench.fidelity --real)")
    parser.add_argument("--data", help=f"the data folder (default {DEFAULT_DATA})")
    parser.add_argument("--seed", type=int, default=19, help="planting seed (default 19)")
    parser.add_argument("--pairs", default="zh-en,ru-en,zh-ru", help="language pairs (default zh-en,ru-en,zh-ru)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N documents (0: all)")
    parser.add_argument("--show-alarms", action="store_true", help="print every finding on a clean pair")
    parser.add_argument("--show-missed", action="store_true", help="print every planted error not found")
    parser.add_argument("--no-pofilter", action="store_true", help="skip translate-toolkit's pofilter")
    parser.add_argument("--no-names", action="store_true", help="no gazetteer (names are not compared)")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    parser.add_argument("--fail-on-miss", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)

    from accord.fidelity import check_versions
    from accord.fidelity.gazetteer import gazetteer

    # names as `accord check-texts` compares them without a database: the built-in gazetteer
    names = None if args.no_names else gazetteer()

    data = find_data(args.data)
    if not (data / "UNv1.0.devset-half.ids").exists():
        print(f"no data in {data} (pass --data DIR: the folder with UNv1.0.devset-half.*)", file=sys.stderr)
        return 2
    docs = load_documents(data)
    if args.limit:
        docs = docs[: args.limit]
    pairs = [tuple(p.split("-")) for p in args.pairs.split(",")]
    judged = load_judged()
    fails = None if args.no_pofilter else pofilter()
    scores: dict[str, PairScore] = {}
    alarms_out: list[str] = []
    missed_out: list[str] = []
    started = time.perf_counter()
    checked = 0
    for a, b in pairs:
        name = f"{a}-{b}"
        sc = scores[name] = PairScore()
        for doc in docs:
            texts = {a: join(doc.paragraphs[a])[0], b: join(doc.paragraphs[b])[0]}
            findings = [f for f in check_versions(texts, directory=names) if f.severity == "error"]
            checked += 1
            sc.clean += 1
            if findings:
                sc.flagged.append(doc.symbol)
                verdict = judged.get((doc.symbol, name))
                if verdict:
                    sc.true_differences.append(doc.symbol)
                if args.show_alarms:
                    tag = f"TRUE DIFFERENCE ({verdict})" if verdict else "FALSE ALARM"
                    alarms_out.append(f"[{name}] {doc.symbol}: {tag}")
                    alarms_out.extend(f"    {f.message}" for f in findings)
            po_clean = fails is not None and _po_fails(fails, texts, a, b)
            sc.po_flagged += po_clean
            for changed, p in plant(doc, a, b, args.seed):
                found = check_versions(changed, directory=names)
                checked += 1
                sc.planted += 1
                hit = any(points_at(f, p) for f in found)
                kind = sc.by_kind[p.kind]
                kind[1] += 1
                if hit:
                    sc.found += 1
                    kind[0] += 1
                else:
                    sc.missed.append(f"{doc.symbol} {p.kind}")
                    if args.show_missed:
                        missed_out.append(
                            f"[{name}] {doc.symbol} {p.kind}: {p.lang} ¶{p.paragraph} {p.original!r} -> {p.text!r}"
                            + "".join(f"\n    got: {f.message}" for f in found if f.severity == "error")
                        )
                if any(f.severity == "error" and not points_at(f, p) for f in found) and not findings:
                    sc.stray += 1
                if fails is not None:
                    flagged = _po_fails(fails, changed, a, b)
                    pk = sc.po_by_kind[p.kind]
                    pk[1] += 1
                    if flagged:
                        sc.po_lenient += 1
                        undone = dict(changed)
                        s, e = p.span
                        undone[p.lang] = changed[p.lang][:s] + p.original + changed[p.lang][e:]
                        if not _po_fails(fails, undone, a, b):
                            sc.po_strict += 1
                            pk[0] += 1
    seconds = time.perf_counter() - started

    print(f"Real UN translations: {len(docs)} documents from {data}; seed {args.seed}")
    print("names: " + ("not compared (--no-names)" if names is None else "the built-in gazetteer (as check-texts)"))
    print(f"{checked} checks in {seconds:.1f} s ({seconds / max(checked, 1) * 1000:.1f} ms per pair)\n")
    header = f"{'':<34}" + "".join(f"{n:>12}" for n in scores)
    print(header)

    def row(label: str, fn: Callable[[PairScore], str]) -> None:
        print(f"{label:<34}" + "".join(f"{fn(s):>12}" for s in scores.values()))

    row("clean pairs", lambda s: str(s.clean))
    row("  with errors reported", lambda s: str(len(s.flagged)))
    row("  of which true differences", lambda s: str(len(s.true_differences)))
    row("  false alarms", lambda s: f"{s.false_alarms} {s.rate() * 100:.1f}%")
    row("planted errors", lambda s: str(s.planted))
    row("  found (recall)", lambda s: f"{s.found} {s.recall() * 100:.1f}%")
    row("  pairs with other findings", lambda s: str(s.stray))
    if fails is not None:
        row("pofilter: clean pairs flagged", lambda s: f"{s.po_flagged} {s.po_flagged / max(s.clean, 1) * 100:.0f}%")
        row("pofilter: recall lenient", lambda s: f"{s.po_lenient / max(s.planted, 1) * 100:.1f}%")
        row("pofilter: recall strict", lambda s: f"{s.po_strict / max(s.planted, 1) * 100:.1f}%")
    elif args.no_pofilter:
        print("pofilter: not run (--no-pofilter)")
    else:
        print("pofilter: translate-toolkit is not installed (pip install translate-toolkit==3.20.4)")
    print("\nrecall by kind (found/planted; pofilter strict)")
    print(f"{'':<16}" + "".join(f"{n:>22}" for n in scores))
    for kind in KINDS:
        cells = []
        for s in scores.values():
            f, n = s.by_kind.get(kind, [0, 0])
            po = s.po_by_kind.get(kind, [0, 0])[0]
            cells.append(f"{f}/{n} ({po})" if n else "-")
        print(f"{kind:<16}" + "".join(f"{c:>22}" for c in cells))
    goals = {}
    for n, s in scores.items():
        goals[f"{n}: false alarms <= 1%"] = s.rate() <= GOAL_FALSE_ALARMS
        goals[f"{n}: recall >= 99%"] = s.recall() >= GOAL_RECALL
    print()
    for goal, ok in goals.items():
        print(f"  {'ok  ' if ok else 'MISS'} {goal}")
    if alarms_out:
        print("\nfindings on the clean pairs (as published):")
        print("\n".join(alarms_out))
    if missed_out:
        print("\nplanted errors not found:")
        print("\n".join(missed_out))
    if not args.no_save:
        RESULTS_DIR.mkdir(exist_ok=True)
        today = dt.date.today().isoformat()
        result = {
            "benchmark": "fidelity-real",
            "date": today,
            "started_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            **machine(),
            "documents": len(docs),
            "seed": args.seed,
            "seconds": round(seconds, 2),
            "pairs": {
                n: {
                    "clean": s.clean,
                    "flagged": s.flagged,
                    "true_differences": s.true_differences,
                    "false_alarms": s.false_alarms,
                    "false_alarm_rate": round(s.rate(), 4),
                    "planted": s.planted,
                    "found": s.found,
                    "recall": round(s.recall(), 4),
                    "by_kind": {k: {"found": v[0], "planted": v[1]} for k, v in sorted(s.by_kind.items())},
                    "missed": s.missed,
                    "pofilter": None
                    if fails is None
                    else {
                        "clean_flagged": s.po_flagged,
                        "recall_lenient": round(s.po_lenient / max(s.planted, 1), 4),
                        "recall_strict": round(s.po_strict / max(s.planted, 1), 4),
                    },
                }
                for n, s in scores.items()
            },
            "goals": goals,
        }
        out = RESULTS_DIR / f"{today}-fidelity-real.json"
        out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"\nwritten {out.relative_to(ROOT)}")
    return 1 if args.fail_on_miss and not all(goals.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
