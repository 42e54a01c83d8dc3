"""Generate the fidelity corpus: clean bilingual pairs, clean paraphrases, and pairs with one planted error.

    .venv/bin/python tests/fidelity/corpus/generate.py      # rewrites pairs.jsonl and manifest.tsv here

Deterministic (fixed seeds): running it again gives the same files, which are committed.

Sources:
- the seed pair (src/accord/demo/data/people-daily-1960-02-26.{en,zh}.txt), turned into a template by
  marking its figures, dates and names as slots (its own wording is kept, so the exact seed pair is one
  of the clean records and the template with the seed's forms renders it back unchanged);
- three hand-written documents in zh, ru and en (a plan with numbered items, a communiqué, a record of
  exchanges), giving the pairs zh–en, ru–en and zh–ru.

Each slot is rendered in one of several equivalent forms per language (122 / 一百二十二 / сто двадцать два;
24 February 1960 / 1960年2月24日 / 24.02.1960; the 24th / 24日 / 24-го against the document's date); clean
paraphrases also reorder sentences inside paragraphs. A planted error gives one occurrence of one slot a
different value in one version only. The planted span and the span of the same slot in the other version
are recorded, so a finding can be checked to point at the right place.

This file is independent of accord.fidelity: it formats numbers and dates itself.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SEED_DATA = ROOT / "src" / "accord" / "demo" / "data"

# --- formatting numbers and dates, written for this generator -----------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


_ZH_DIGITS = "零一二三四五六七八九"


def zh_numeral(n: int, *, liang: bool = False) -> str:
    if n == 0:
        return "零"
    if liang and n == 2:
        return "两"

    def group(x: int, leading: bool) -> str:
        parts: list[str] = []
        pending_zero = False
        for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = x // value % 10
            if d == 0:
                if parts:
                    pending_zero = True
                continue
            if pending_zero:
                parts.append("零")
                pending_zero = False
            if unit == "十" and d == 1 and not parts and leading:
                parts.append("十")
            else:
                parts.append(_ZH_DIGITS[d] + unit)
        return "".join(parts)

    yi, rest = divmod(n, 10**8)
    wan, low = divmod(rest, 10**4)
    out = ""
    if yi:
        out += group(yi, True) + "亿"
    if wan:
        out += ("零" if yi and wan < 1000 else "") + group(wan, not yi) + "万"
    if low:
        out += ("零" if (yi or wan) and low < 1000 else "") + group(low, not (yi or wan))
    return out


def zh_digit_by_digit(n: int) -> str:
    return "".join("〇一二三四五六七八九"[int(c)] for c in str(n))


_EN_ONES = _words("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen")
_EN_ONES += _words("sixteen seventeen eighteen nineteen")
_EN_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def en_words(n: int) -> str:
    if n < 20:
        return _EN_ONES[n]
    if n < 100:
        t, u = divmod(n, 10)
        return _EN_TENS[t] + (f"-{_EN_ONES[u]}" if u else "")
    if n < 1000:
        h, r = divmod(n, 100)
        return f"{_EN_ONES[h]} hundred" + (f" and {en_words(r)}" if r else "")
    th, r = divmod(n, 1000)
    return f"{en_words(th)} thousand" + ((" and " if r < 100 else " ") + en_words(r) if r else "")


_RU_ONES = _words("ноль один два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать тринадцать")
_RU_ONES += _words("четырнадцать пятнадцать шестнадцать семнадцать восемнадцать девятнадцать")
_RU_TENS = _words("_ _ двадцать тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят девяносто")
_RU_HUNDREDS = ["_", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот", "восемьсот", "девятьсот"]


def ru_words(n: int) -> str:
    """Cardinal in the nominative (masculine), up to 999 999."""
    if n == 0:
        return "ноль"
    parts: list[str] = []
    th, r = divmod(n, 1000)
    if th:
        words = ru_words(th).split()
        if words[-1] == "один":
            words[-1] = "одна"
        elif words[-1] == "два":
            words[-1] = "две"
        parts += [*words, ru_plural(th, ("тысяча", "тысячи", "тысяч"))]
    h, r = divmod(r, 100)
    if h:
        parts.append(_RU_HUNDREDS[h])
    if r >= 20:
        t, u = divmod(r, 10)
        parts.append(_RU_TENS[t])
        if u:
            parts.append(_RU_ONES[u])
    elif r:
        parts.append(_RU_ONES[r])
    return " ".join(parts)


def ru_plural(n: int, forms: tuple[str, str, str]) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return forms[1]
    return forms[2]


EN_MONTHS = _words("January February March April May June July August September October November December")
RU_MONTHS_GEN = _words("января февраля марта апреля мая июня июля августа сентября октября ноября декабря")
RU_MONTHS_PREP = _words("январе феврале марте апреле мае июне июле августе сентябре октябре ноябре декабре")


def en_ordinal(d: int) -> str:
    suffix = "th" if 10 <= d % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")
    return f"{d}{suffix}"


def en_grouped(n: int) -> str:
    return f"{n:,}"


def ru_grouped(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0") if n >= 10000 else str(n)


def decimal_str(x: float, comma: bool = False) -> str:
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return s.replace(".", ",") if comma else s


# --- names ---------------------------------------------------------------------------------------------

# Russian forms by case where a name declines; the corpus directory (directory.json) has the base forms.
NAMES: dict[str, dict[str, Any]] = {
    "wu": {"kind": "person", "en": "Wu Heng", "zh": "武衡", "ru": "У Хэн"},
    "aleksenko": {"kind": "person", "en": "Aleksenko", "zh": "阿列克先科", "ru": "Алексенко"},
    "liu": {"kind": "person", "en": "Liu Xiao", "zh": "刘晓", "ru": "Лю Сяо"},
    "petukhov": {
        "kind": "person",
        "en": "Petukhov",
        "zh": "佩图霍夫",
        "ru": {"nom": "Петухов", "gen": "Петухова", "instr": "Петуховым", "dat": "Петухову"},
    },
    "cas": {
        "kind": "org",
        "en": "Chinese Academy of Sciences",
        "zh": "中国科学院",
        "ru": {"nom": "Академия наук Китая", "gen": "Академии наук Китая", "instr": "Академией наук Китая"},
    },
    "ussr_academy": {
        "kind": "org",
        "en": "Academy of Sciences of the USSR",
        "zh": "苏联科学院",
        "ru": {"nom": "Академия наук СССР", "gen": "Академии наук СССР", "instr": "Академией наук СССР"},
    },
    "tsinghua": {
        "kind": "org",
        "en": "Tsinghua University",
        "zh": "清华大学",
        "ru": {"nom": "Университет Цинхуа", "gen": "Университета Цинхуа", "instr": "Университетом Цинхуа"},
    },
    "msu": {
        "kind": "org",
        "en": "Moscow State University",
        "zh": "莫斯科国立大学",
        "ru": {
            "nom": "Московский государственный университет",
            "gen": "Московского государственного университета",
            "instr": "Московским государственным университетом",
        },
    },
    "cn_stc": {
        "kind": "org",
        "en": "Scientific and Technological Commission",
        "zh": "科学技术委员会",
        "ru": {
            "nom": "Научно-техническая комиссия",
            "gen": "Научно-технической комиссии",
            "instr": "Научно-технической комиссией",
        },
    },
    "su_gntk": {
        "kind": "org",
        "en": "State Scientific and Technological Committee of the USSR Council of Ministers",
        "zh": "苏联部长会议国家科学技术委员会",
        "ru": {
            "nom": "Государственный научно-технический комитет Совета Министров СССР",
            "gen": "Государственного научно-технического комитета Совета Министров СССР",
            "instr": "Государственным научно-техническим комитетом Совета Министров СССР",
        },
    },
    "moscow": {
        "kind": "place",
        "en": "Moscow",
        "zh": "莫斯科",
        "ru": {"nom": "Москва", "prep": "Москве", "gen": "Москвы"},
    },
    "beijing": {
        "kind": "place",
        "en": "Beijing",
        "zh": "北京",
        "ru": {"nom": "Пекин", "prep": "Пекине", "gen": "Пекина"},
    },
    "shanghai": {
        "kind": "place",
        "en": "Shanghai",
        "zh": "上海",
        "ru": {"nom": "Шанхай", "prep": "Шанхае", "gen": "Шанхая"},
    },
    "novosibirsk": {
        "kind": "place",
        "en": "Novosibirsk",
        "zh": "新西伯利亚",
        "ru": {"nom": "Новосибирск", "prep": "Новосибирске", "gen": "Новосибирска"},
    },
    "leningrad": {
        "kind": "place",
        "en": "Leningrad",
        "zh": "列宁格勒",
        "ru": {"nom": "Ленинград", "prep": "Ленинграде", "gen": "Ленинграда"},
    },
}
SEED_NAMES = {"wu", "aleksenko", "liu", "petukhov", "cas", "ussr_academy", "tsinghua", "msu", "cn_stc", "su_gntk"}

CURRENCY = {
    "RUB": {"en": "roubles", "zh": "卢布", "ru": "рублей", "code": "RUB"},
    "CNY": {"en": "yuan", "zh": "元", "ru": "юаней", "code": "CNY"},
    "USD": {"en": "US dollars", "zh": "美元", "ru": "долларов США", "code": "USD"},
}

# --- slots and rendering -------------------------------------------------------------------------------


@dataclass
class Slot:
    """A value a document states, and how to write it: kind, value and per-kind options."""

    kind: str  # count, year, date, day, percent, amount, projno, code, name, period
    value: Any
    opts: dict[str, Any] = field(default_factory=dict)


def render(slot: Slot, value: Any, lang: str, hint: str, rng: random.Random, context: dt.date, seed: bool) -> str:
    """`value` written in `lang`, in a form chosen by `rng` (the seed's own form when `seed`)."""
    k = slot.kind
    pick = (lambda forms: forms[0]) if seed else rng.choice
    if k == "count":
        n = value
        if lang == "en":
            form = pick(["digits", "words"] if n < 1000 else ["digits"])
            if slot.opts.get("en_words_first") and seed:
                form = "words"
            return en_grouped(n) if form == "digits" else en_words(n)
        if lang == "zh":
            cls = slot.opts.get("zh_cls", "")
            forms = ["numeral", "digits"] if slot.opts.get("zh_words_first") else ["digits", "numeral"]
            form = pick(forms)
            num = str(n) if form == "digits" else zh_numeral(n, liang=bool(cls))
            return num + cls
        form = pick(["digits", "words"] if n < 1000 else ["digits"])
        return ru_grouped(n) if form == "digits" else ru_words(n)
    if k == "year":
        y = value
        if lang == "en":
            return str(y)
        if lang == "zh":
            return pick([f"{y}年", f"{zh_digit_by_digit(y)}年"])
        word = {"nom": "год", "acc": "год", "gen": "года", "prep": "году"}[hint or "acc"]
        return pick([f"{y} {word}", f"{y} г."])
    if k == "date":
        y, m, d = value
        if lang == "en":
            return pick(
                [f"{EN_MONTHS[m - 1]} {d}, {y}", f"{d} {EN_MONTHS[m - 1]} {y}", f"{y}-{m:02d}-{d:02d}"]
                if not slot.opts.get("iso_first")
                else [f"{y}-{m:02d}-{d:02d}", f"{d} {EN_MONTHS[m - 1]} {y}", f"{EN_MONTHS[m - 1]} {d}, {y}"]
            )
        if lang == "zh":
            forms = [f"{y}年{m}月{d}日", f"{zh_digit_by_digit(y)}年{zh_numeral(m)}月{zh_numeral(d)}日"]
            if slot.opts.get("iso_first"):
                forms = [f"{y}-{m:02d}-{d:02d}", f"{y}年{m}月{d}日"]
            return pick(forms)
        forms = [f"{d} {RU_MONTHS_GEN[m - 1]} {y} г.", f"{d} {RU_MONTHS_GEN[m - 1]} {y} года", f"{d:02d}.{m:02d}.{y}"]
        if slot.opts.get("iso_first"):
            forms = [f"{d:02d}.{m:02d}.{y}", f"{d} {RU_MONTHS_GEN[m - 1]} {y} г."]
        return pick(forms)
    if k == "day":
        d = value
        y, m = context.year, context.month
        if lang == "en":
            if hint == "dateline":
                return pick([en_ordinal(d), f"{d} {EN_MONTHS[m - 1]}", f"{EN_MONTHS[m - 1]} {d}"])
            return pick([f"the {en_ordinal(d)}", f"{d} {EN_MONTHS[m - 1]}", f"{d} {EN_MONTHS[m - 1]} {y}"])
        if lang == "zh":
            forms = [f"{d}日", f"{m}月{d}日", f"{zh_numeral(d)}日"]
            if 21 <= d <= 29:
                forms.append(f"廿{zh_numeral(d - 20)}日")
            return pick(forms)
        return pick([f"{d}-го", f"{d} {RU_MONTHS_GEN[m - 1]}", f"{d} {RU_MONTHS_GEN[m - 1]} {y} г."])
    if k == "percent":
        p = value
        if lang == "en":
            return pick([f"{p}%", f"{p} per cent", f"{p} percent"])
        if lang == "zh":
            return pick([f"{p}%", f"百分之{zh_numeral(p)}"])
        return pick([f"{p}%", f"{p} {ru_plural(p, ('процент', 'процента', 'процентов'))}"])
    if k == "amount":
        amount, cur = value
        c = CURRENCY[cur]
        millions = amount / 1_000_000
        if lang == "en":
            return pick(
                [
                    f"{decimal_str(millions)} million {c['en']}",
                    f"{en_grouped(amount)} {c['en']}",
                    f"{c['code']} {decimal_str(millions)} million",
                ]
            )
        if lang == "zh":
            wan = amount // 10_000
            return pick([f"{wan}万{c['zh']}", f"{zh_numeral(amount)}{c['zh']}", f"{en_grouped(amount)}{c['zh']}"])
        return pick([f"{decimal_str(millions, comma=True)} млн {c['ru']}", f"{ru_grouped(amount)} {c['ru']}"])
    if k == "projno":
        n = value
        if lang == "en":
            return pick([f"No. {n}", f"{n}"])
        if lang == "zh":
            return pick([f"第{n}号", f"第{zh_numeral(n)}号", f"{n}号"])
        return pick([f"№ {n}", f"{n}"])
    if k == "code":
        return value
    if k == "name":
        form = NAMES[value][lang]
        if isinstance(form, dict):
            return form.get(hint or "nom") or form["nom"]
        return form
    if k == "period":
        a, b = value
        if lang == "en":
            return pick([f"{a}–{b}", f"from {a} to {b}"])
        if lang == "zh":
            return pick([f"{a}—{b}年", f"{a}年至{b}年"])
        return pick([f"{a}–{b} гг.", f"с {a} по {b} год"])
    raise ValueError(k)


def mutate(slot: Slot, rng: random.Random, context: dt.date) -> tuple[Any, str]:
    """A different value for the slot, and what kind of error that is."""
    k, v = slot.kind, slot.value
    if k == "count":
        choices = [v + 10, v + 1, v * 10 if v < 100 else v - 10, _swap_digits(v)]
        new = rng.choice([c for c in choices if c != v and c > 2])
        return new, "count"
    if k == "year":
        return rng.choice([v + 1, v - 1, v + 10]), "year"
    if k == "date":
        y, m, d = v
        which = rng.choice(["day", "month", "year"])
        if which == "day":
            return (y, m, d + 1 if d < 28 else d - 1), "date-day"
        if which == "month":
            return (y, m + 1 if m < 12 else m - 1, min(d, 28)), "date-month"
        return (y + 1, m, d), "date-year"
    if k == "day":
        return (v - 1 if v > 1 else v + 1), "relative-day"
    if k == "percent":
        return rng.choice([c for c in (v + 5, v - 5, _swap_digits(v)) if c != v and 0 < c < 100]), "percent"
    if k == "amount":
        amount, cur = v
        which = rng.choice(["value", "scale", "currency"])
        if which == "value":
            return (amount + 100_000, cur), "amount"
        if which == "scale":
            return (amount * 10, cur), "amount-scale"
        return (amount, rng.choice([c for c in CURRENCY if c != cur])), "currency"
    if k == "projno":
        new = rng.choice([c for c in (v + 1, _swap_digits(v), v + 10) if c != v])
        return new, "project-number"
    if k == "code":
        digits = [i for i, ch in enumerate(v) if ch.isdigit()]
        i = rng.choice(digits)
        return v[:i] + str((int(v[i]) + 1) % 10) + v[i + 1 :], "code"
    if k == "name":
        kind = NAMES[v]["kind"]
        others = [
            n for n, spec in NAMES.items() if spec["kind"] == kind and n != v and n not in slot.opts.get("avoid", ())
        ]
        return rng.choice(others), f"name-{kind}"
    if k == "period":
        a, b = v
        return ((a, b + 1) if rng.random() < 0.5 else (a - 1, b)), "period"
    raise ValueError(k)


def _swap_digits(n: int) -> int:
    s = str(n)
    if len(s) < 2 or s[0] == s[1]:
        return n + 11
    return int(s[1] + s[0] + s[2:])


# --- documents -----------------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{(\w+)(?::(\w+))?\}")


@dataclass
class Document:
    """A text in several languages with its slots: paragraphs are lists of sentence templates per language;
    sentences after the first `fixed` of a paragraph may be reordered in a paraphrase."""

    id: str
    context: dt.date
    slots: dict[str, Slot]
    paragraphs: list[dict[str, list[str]]]
    joiner: dict[str, str]
    fixed: int = 1
    seed: bool = False  # the seed pair: render the seed's own forms for an exact copy

    @property
    def languages(self) -> list[str]:
        return sorted({lang for p in self.paragraphs for lang in p})


@dataclass
class Rendered:
    text: str
    spans: dict[tuple[str, int], tuple[int, int, str]]  # (slot, occurrence) -> (start, end, surface)
    original: str = ""  # where a value was changed: what the same form of the true value reads


def render_document(
    doc: Document,
    lang: str,
    rng: random.Random,
    *,
    seed_forms: bool = False,
    mutation: tuple[str, int, Any] | None = None,
    reorder: set[int] | None = None,
) -> Rendered:
    out: list[str] = []
    pos = 0
    spans: dict[tuple[str, int], tuple[int, int, str]] = {}
    occurrences: Counter[str] = Counter()
    original = ""
    for pi, para in enumerate(doc.paragraphs):
        if pi:
            out.append("\n\n")
            pos += 2
        sentences = list(para.get(lang, []))
        if reorder and pi in reorder and len(sentences) > doc.fixed + 1:
            head, tail = sentences[: doc.fixed], sentences[doc.fixed :]
            sentences = head + tail[::-1]
        for si, sentence in enumerate(sentences):
            if si:
                out.append(doc.joiner[lang])
                pos += len(doc.joiner[lang])
            last = 0
            for m in PLACEHOLDER.finditer(sentence):
                literal = sentence[last : m.start()]
                out.append(literal)
                pos += len(literal)
                name, hint = m.group(1), m.group(2) or ""
                slot = doc.slots[name]
                occ = occurrences[name]
                occurrences[name] += 1
                value = slot.value
                if mutation and mutation[0] == name and mutation[1] == occ:
                    value = mutation[2]
                    twin = random.Random()
                    twin.setstate(rng.getstate())
                    original = render(slot, slot.value, lang, hint, twin, doc.context, seed_forms)
                surface = render(slot, value, lang, hint, rng, doc.context, seed_forms)
                spans[(name, occ)] = (pos, pos + len(surface), surface)
                out.append(surface)
                pos += len(surface)
                last = m.end()
            tail_text = sentence[last:]
            out.append(tail_text)
            pos += len(tail_text)
    return Rendered("".join(out), spans, original)


def seed_document() -> tuple[Document, dict[str, str]]:
    """The seed pair as a template: its figures, dates and names become slots; the wording stays."""
    en = (SEED_DATA / "people-daily-1960-02-26.en.txt").read_text(encoding="utf-8")
    zh = (SEED_DATA / "people-daily-1960-02-26.zh.txt").read_text(encoding="utf-8")
    en_marks = [
        ("Date: 1960-02-26", "Date: {doc_date}"),
        ("Page: 5", "Page: {page}"),
        ("Moscow, 25th:", "{moscow}, {dateline:dateline}:"),
        ("concluded in Moscow on the 24th", "concluded in {moscow} on {end_day}"),
        ("the 1959 cooperation plan", "the {plan_year} cooperation plan"),
        ("January 18, 1958", "{protocol_date}"),
        ("plan for 1960", "plan for {next_year}"),
        ("The 1960 annual", "The {next_year} annual"),
        ("signed by Wu Heng", "signed by {wu}"),
        ("Vice Chairman of the Scientific and Technological Commission", "Vice Chairman of the {cn_stc}"),
        ("by Aleksenko", "by {aleksenko}"),
        ("Liu Xiao, the Chinese", "{liu}, the Chinese"),
        ("and Petukhov, Chairman", "and {petukhov}, Chairman"),
        ("past two years", "past {two_years} years"),
        ("of 122 major", "of {projects} major"),
    ]
    zh_marks = [
        ("\n1960-02-26\n", "\n{doc_date}\n"),
        ("第5版", "第{page}版"),
        ("新华社莫斯科25日电", "新华社{moscow}{dateline}电"),
        ("于24日在莫斯科结束", "于{end_day}在{moscow}结束"),
        ("的1959年合作计划", "的{plan_year}合作计划"),
        ("1958年1月18日", "{protocol_date}"),
        ("签订了1960年年度", "签订了{next_year}年度"),
        ("在1960年年度", "在{next_year}年度"),
        ("是科学技术委员会副主任武衡", "是{cn_stc}副主任{wu}"),
        ("副主席阿列克先科", "副主席{aleksenko}"),
        ("大使刘晓", "大使{liu}"),
        ("主席佩图霍夫", "主席{petukhov}"),
        ("过去两年中", "过去{two_years}中"),
        ("共同解决一百二十二项", "共同解决{projects}"),
    ]

    def mark(text: str, marks: list[tuple[str, str]]) -> str:
        text = text.replace("{", "{{").replace("}", "}}") if "{" in text else text
        for old, new in marks:
            if text.count(old) != 1:
                raise SystemExit(f"seed template: {old!r} occurs {text.count(old)} times")
            text = text.replace(old, new)
        return text

    slots = {
        "doc_date": Slot("date", (1960, 2, 26), {"iso_first": True}),
        "page": Slot("count", 5),
        "moscow": Slot("name", "moscow"),
        "dateline": Slot("day", 25),
        "end_day": Slot("day", 24),
        "plan_year": Slot("year", 1959),
        "protocol_date": Slot("date", (1958, 1, 18)),
        "next_year": Slot("year", 1960),
        "wu": Slot("name", "wu"),
        "cn_stc": Slot("name", "cn_stc", {"avoid": ("su_gntk",)}),
        "aleksenko": Slot("name", "aleksenko"),
        "liu": Slot("name", "liu"),
        "petukhov": Slot("name", "petukhov"),
        "two_years": Slot("count", 2, {"zh_cls": "年", "en_words_first": True, "zh_words_first": True}),
        "projects": Slot("count", 122, {"zh_cls": "项", "zh_words_first": True}),
    }
    # The seed texts are single paragraphs per line (zh) or per block (en): one "paragraph" of one sentence.
    doc = Document(
        "seed-1960-02-26",
        dt.date(1960, 2, 26),
        slots,
        [{"en": [mark(en, en_marks)], "zh": [mark(zh, zh_marks)]}],
        {"en": " ", "zh": ""},
        seed=True,
    )
    return doc, {"en": en, "zh": zh}


def plan_document() -> Document:
    """A 1961 plan: a header and eight numbered items, in zh, ru and en."""
    s = {
        "year_plan": Slot("year", 1961),
        "doc_date": Slot("date", (1961, 3, 10)),
        "p1": Slot("projno", 17),
        "n1": Slot("count", 12, {"zh_cls": "次"}),
        "year1": Slot("year", 1961),
        "due1": Slot("date", (1961, 12, 20)),
        "p2": Slot("projno", 23),
        "n2": Slot("count", 25, {"zh_cls": "名"}),
        "start2": Slot("date", (1961, 9, 1)),
        "end2": Slot("date", (1962, 6, 30)),
        "amt2": Slot("amount", (1_200_000, "RUB")),
        "p3": Slot("projno", 31),
        "pct3": Slot("percent", 45),
        "n3": Slot("count", 340, {"zh_cls": "份"}),
        "code3": Slot("code", "GNTK-59/117"),
        "p4": Slot("projno", 46),
        "place4": Slot("name", "novosibirsk"),
        "n4": Slot("count", 8, {"zh_cls": "名"}),
        "days4": Slot("count", 45, {"zh_cls": "天"}),
        "p5": Slot("projno", 58),
        "period5": Slot("period", (1961, 1963)),
        "amt5": Slot("amount", (3_500_000, "CNY")),
        "p6": Slot("projno", 72),
        "n6": Slot("count", 56, {"zh_cls": "件"}),
        "code6": Slot("code", "AN-61/882"),
        "p7": Slot("projno", 89),
        "pct7": Slot("percent", 80),
        "n7": Slot("count", 3, {"zh_cls": "篇"}),
        "p8": Slot("projno", 104),
        "place8": Slot("name", "leningrad"),
        "due8": Slot("date", (1961, 11, 15)),
    }
    paragraphs = [
        {
            "en": ["Annual plan of scientific and technological cooperation for {year_plan}"],
            "zh": ["{year_plan}年度科学技术合作计划"],
            "ru": ["Годовой план научно-технического сотрудничества на {year_plan:acc}"],
        },
        {"en": ["Date: {doc_date}"], "zh": ["日期：{doc_date}"], "ru": ["Дата: {doc_date}"]},
        {
            "en": [
                "1. Project {p1}: geological survey of mineral resources.",
                "The {cas} and the {ussr_academy} will carry out {n1} joint expeditions in {year1}.",
                "The report is due by {due1}.",
            ],
            "zh": [
                "1. {p1}项目：矿产资源地质调查。",
                "{cas}和{ussr_academy}于{year1}联合组织考察{n1}。",
                "报告应于{due1}前提交。",
            ],
            "ru": [
                "1. Проект {p1}: геологическое изучение минеральных ресурсов.",
                "{cas} и {ussr_academy} проводят в {year1:prep} совместные экспедиции, число экспедиций — {n1}.",
                "Отчёт представляется до {due1}.",
            ],
        },
        {
            "en": [
                "2. Project {p2}: semiconductor materials and devices.",
                "{n2} Chinese trainees will work at {msu} from {start2} to {end2}.",
                "The cost of the training is {amt2}.",
            ],
            "zh": [
                "2. {p2}项目：半导体材料和器件。",
                "中国实习生{n2}自{start2}至{end2}在{msu}进修。",
                "培训费用为{amt2}。",
            ],
            "ru": [
                "2. Проект {p2}: полупроводниковые материалы и приборы.",
                "Китайские стажёры (число стажёров — {n2}) работают в {msu:prep} с {start2} по {end2}.",
                "Стоимость стажировки составляет {amt2}.",
            ],
        },
        {
            "en": [
                "3. Project {p3}: computing machines and numerical mathematics.",
                "By the end of the year the work was {pct3} complete.",
                "The Soviet side will transfer {n3} documents under reference {code3}.",
            ],
            "zh": [
                "3. {p3}项目：计算机与计算数学。",
                "截至年底，工作已完成{pct3}。",
                "苏方将按编号{code3}移交技术资料{n3}。",
            ],
            "ru": [
                "3. Проект {p3}: вычислительные машины и вычислительная математика.",
                "К концу года работа выполнена на {pct3}.",
                "Советская сторона передаёт документацию по ссылке {code3}, число документов — {n3}.",
            ],
        },
        {
            "en": [
                "4. Project {p4}: seismology and earthquake-resistant construction.",
                "A delegation of {n4} specialists will visit {place4} for {days4} days.",
            ],
            "zh": ["4. {p4}项目：地震学与抗震建筑。", "专家代表团一行{n4}赴{place4}考察{days4}。"],
            "ru": [
                "4. Проект {p4}: сейсмология и сейсмостойкое строительство.",
                "Делегация специалистов (численность — {n4}) посещает {place4:nom}, "
                "продолжительность поездки в днях — {days4}.",
            ],
        },
        {
            "en": [
                "5. Project {p5}: hydraulic engineering of large rivers.",
                "The joint research runs for the period {period5}.",
                "Its budget is {amt5}.",
            ],
            "zh": ["5. {p5}项目：大江大河水利工程。", "联合研究的期限为{period5}。", "经费预算为{amt5}。"],
            "ru": [
                "5. Проект {p5}: гидротехника крупных рек.",
                "Совместные исследования ведутся на период {period5}.",
                "Бюджет составляет {amt5}.",
            ],
        },
        {
            "en": [
                "6. Project {p6}: synthetic polymers.",
                "The {ussr_academy} will ship {n6} samples under reference {code6}.",
            ],
            "zh": ["6. {p6}项目：高分子合成材料。", "{ussr_academy}将按编号{code6}发运样品{n6}。"],
            "ru": [
                "6. Проект {p6}: синтетические полимеры.",
                "{ussr_academy} отправляет образцы по ссылке {code6}, число образцов — {n6}.",
            ],
        },
        {
            "en": [
                "7. Project {p7}: production of antibiotics.",
                "The work of the previous plan was {pct7} done.",
                "The results will be set out in {n7} joint papers.",
            ],
            "zh": ["7. {p7}项目：抗生素生产。", "上一计划的工作已完成{pct7}。", "研究成果将写成联合论文{n7}。"],
            "ru": [
                "7. Проект {p7}: производство антибиотиков.",
                "Работа по предыдущему плану выполнена на {pct7}.",
                "Результаты излагаются в совместных статьях, число статей — {n7}.",
            ],
        },
        {
            "en": [
                "8. Project {p8}: machine tools and precision instruments.",
                "The {tsinghua} will present the prototype in {place8} by {due8}.",
            ],
            "zh": ["8. {p8}项目：机床与精密仪器。", "{tsinghua}应于{due8}前在{place8}展示样机。"],
            "ru": [
                "8. Проект {p8}: станки и точные приборы.",
                "{tsinghua} представляет опытный образец в {place8:prep} до {due8}.",
            ],
        },
    ]
    for name in ("cas", "ussr_academy", "msu", "tsinghua"):
        s[name] = Slot("name", name)
    return Document("plan-1961", dt.date(1961, 3, 10), s, paragraphs, {"en": " ", "zh": "", "ru": " "})


def communique_document() -> Document:
    """A communiqué of a meeting that ended on the 14th of the month, dated the 16th."""
    s = {
        "doc_date": Slot("date", (1961, 4, 16)),
        "place": Slot("name", "beijing"),
        "start_day": Slot("day", 3),
        "end_day": Slot("day", 14),
        "session": Slot("projno", 7),
        "head_cn": Slot("name", "wu"),
        "head_su": Slot("name", "petukhov"),
        "cn_stc": Slot("name", "cn_stc"),
        "su_gntk": Slot("name", "su_gntk"),
        "year_rev": Slot("year", 1960),
        "projects": Slot("count", 122, {"zh_cls": "项"}),
        "done": Slot("count", 87, {"zh_cls": "项"}),
        "pct": Slot("percent", 71),
        "specialists": Slot("count", 430, {"zh_cls": "名"}),
        "docs": Slot("count", 1250, {"zh_cls": "份"}),
        "amount": Slot("amount", (2_400_000, "RUB")),
        "next_year": Slot("year", 1961),
        "signed_on": Slot("date", (1961, 4, 14)),
        "next_place": Slot("name", "moscow"),
        "next_session": Slot("date", (1962, 2, 20)),
        "attendee": Slot("name", "liu"),
    }
    paragraphs = [
        {"en": ["Communiqué"], "zh": ["公报"], "ru": ["Коммюнике"]},
        {"en": ["Date: {doc_date}"], "zh": ["日期：{doc_date}"], "ru": ["Дата: {doc_date}"]},
        {
            "en": [
                "The {session} session of the joint commission was held in {place} from {start_day} to {end_day}.",
                "The Chinese delegation was headed by {head_cn} and the Soviet delegation by {head_su}.",
            ],
            "zh": [
                "联合委员会{session}会议于{start_day}至{end_day}在{place}举行。",
                "中国代表团团长为{head_cn}，苏联代表团团长为{head_su}。",
            ],
            "ru": [
                "Сессия {session} совместной комиссии проходила в {place:prep} с {start_day} по {end_day}.",
                "Китайскую делегацию возглавлял {head_cn}, советскую делегацию — {head_su:nom}.",
            ],
        },
        {
            "en": [
                "The delegations of the {cn_stc} and the {su_gntk} reviewed the results of {year_rev}.",
                "Of the {projects} projects of the programme, {done} were completed, that is {pct} of the total.",
            ],
            "zh": [
                "{cn_stc}和{su_gntk}代表团审查了{year_rev}的执行结果。",
                "在计划的{projects}中，已完成{done}，占总数的{pct}。",
            ],
            "ru": [
                "Делегации {cn_stc:gen} и {su_gntk:gen} рассмотрели итоги за {year_rev:acc}.",
                "Всего проектов программы — {projects}, выполнено — {done}, что составляет {pct} от общего числа.",
            ],
        },
        {
            "en": [
                "In the course of the cooperation the parties exchanged {specialists} specialists.",
                "They also exchanged {docs} sets of documentation.",
                "Joint expenditure reached {amount}.",
            ],
            "zh": [
                "在合作过程中，双方互派专家{specialists}。",
                "双方还交换了技术资料{docs}。",
                "共同支出达{amount}。",
            ],
            "ru": [
                "В ходе сотрудничества стороны обменялись специалистами, их число — {specialists}.",
                "Стороны также передали друг другу комплекты документации, их число — {docs}.",
                "Совместные расходы составили {amount}.",
            ],
        },
        {
            "en": [
                "The plan for {next_year} was signed on {signed_on}.",
                "{attendee} attended the signing.",
            ],
            "zh": ["{next_year}计划于{signed_on}签订。", "{attendee}出席了签字仪式。"],
            "ru": ["План на {next_year:acc} подписан {signed_on}.", "На подписании присутствовал {attendee}."],
        },
        {
            "en": ["The next session will be held in {next_place} on {next_session}."],
            "zh": ["下一次会议将于{next_session}在{next_place}举行。"],
            "ru": ["Следующая сессия состоится в {next_place:prep} {next_session}."],
        },
    ]
    return Document("communique-1961", dt.date(1961, 4, 16), s, paragraphs, {"en": " ", "zh": "", "ru": " "})


def exchanges_document() -> Document:
    """A record of exchanges of 1959 (illustrative, as in the seed programme's demo data)."""
    s = {
        "year": Slot("year", 1959),
        "doc_date": Slot("date", (1960, 1, 20)),
        "experts": Slot("count", 12, {"zh_cls": "名"}),
        "from1": Slot("date", (1959, 3, 1)),
        "to1": Slot("date", (1959, 12, 20)),
        "ussr_academy": Slot("name", "ussr_academy"),
        "cas": Slot("name", "cas"),
        "trainees": Slot("count", 25, {"zh_cls": "名"}),
        "tsinghua": Slot("name", "tsinghua"),
        "msu": Slot("name", "msu"),
        "sent3": Slot("date", (1959, 5, 12)),
        "docs3": Slot("count", 340, {"zh_cls": "份"}),
        "code3": Slot("code", "GNTK-59/117"),
        "received3": Slot("date", (1959, 6, 2)),
        "samples4": Slot("count", 56, {"zh_cls": "件"}),
        "code4": Slot("code", "AN-59/882"),
        "sent4": Slot("date", (1959, 10, 5)),
        "place4": Slot("name", "shanghai"),
        "share": Slot("percent", 64),
        "amount": Slot("amount", (850_000 * 2, "USD")),
    }
    paragraphs = [
        {
            "en": ["Exchanges under the programme in {year}"],
            "zh": ["{year}计划项下的交流情况"],
            "ru": ["Обмены по программе в {year:prep}"],
        },
        {"en": ["Date: {doc_date}"], "zh": ["日期：{doc_date}"], "ru": ["Дата: {doc_date}"]},
        {
            "en": [
                "The {ussr_academy} seconded {experts} experts to the {cas} from {from1} to {to1}.",
                "They helped with research in three laboratories.",
            ],
            "zh": ["{ussr_academy}自{from1}至{to1}向{cas}派遣专家{experts}。", "他们在三个实验室协助开展研究。"],
            "ru": [
                "{ussr_academy} командировала специалистов в {cas:gen} с {from1} по {to1}, "
                "число специалистов — {experts}.",
                "Они помогали в исследованиях в трёх лабораториях.",
            ],
        },
        {
            "en": ["{trainees} trainees of {tsinghua} studied at {msu}."],
            "zh": ["{tsinghua}实习生{trainees}在{msu}进修。"],
            "ru": ["Стажёры {tsinghua:gen} обучались в {msu:prep}, число стажёров — {trainees}."],
        },
        {
            "en": [
                "On {sent3} the State Committee sent {docs3} documents under reference {code3}.",
                "Receipt was confirmed on {received3}.",
            ],
            "zh": ["{sent3}，国家委员会按编号{code3}寄送资料{docs3}。", "{received3}确认收到。"],
            "ru": [
                "{sent3} Государственный комитет направил документы по ссылке {code3}, число документов — {docs3}.",
                "Получение подтверждено {received3}.",
            ],
        },
        {
            "en": [
                "{samples4} samples were shipped on {sent4} under reference {code4} and cleared customs in {place4}.",
            ],
            "zh": ["{sent4}按编号{code4}发运样品{samples4}，在{place4}办理了海关手续。"],
            "ru": [
                "Образцы отправлены {sent4} по ссылке {code4} и прошли таможню в {place4:prep}, "
                "число образцов — {samples4}.",
            ],
        },
        {
            "en": [
                "Transfers of data made up {share} of all exchanges.",
                "The cost of the shipments was {amount}.",
            ],
            "zh": ["资料移交占全部交流的{share}。", "运输费用为{amount}。"],
            "ru": ["Передачи данных составили {share} всех обменов.", "Стоимость отправок составила {amount}."],
        },
    ]
    return Document("exchanges-1959", dt.date(1960, 1, 20), s, paragraphs, {"en": " ", "zh": "", "ru": " "})


# --- the corpus ----------------------------------------------------------------------------------------

PAIRS = [("zh", "en"), ("ru", "en"), ("zh", "ru")]


def occurrences(doc: Document, lang: str) -> list[tuple[str, int]]:
    rendered = render_document(doc, lang, random.Random(0), seed_forms=True)
    return sorted(rendered.spans, key=lambda k: rendered.spans[k][0])


def record(
    rid: str, doc: Document, texts: dict[str, str], planted: dict[str, Any] | None, notes: list[str]
) -> dict[str, Any]:
    return {
        "id": rid,
        "doc": doc.id,
        "langs": list(texts),
        "context_date": doc.context.isoformat(),
        "clean": planted is None,
        "planted": planted,
        "paraphrase": notes,
        "texts": texts,
    }


def build() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    seed_doc, seed_texts = seed_document()
    # The template with the seed's own forms must give back the seed texts exactly.
    for lang in ("en", "zh"):
        again = render_document(seed_doc, lang, random.Random(0), seed_forms=True).text
        if again != seed_texts[lang]:
            raise SystemExit(f"the seed template does not render the {lang} seed text back")
    records.append(record("clean-seed", seed_doc, {"zh": seed_texts["zh"], "en": seed_texts["en"]}, None, ["seed"]))
    docs = [(seed_doc, [("zh", "en")]), (plan_document(), PAIRS), (communique_document(), PAIRS)]
    docs.append((exchanges_document(), PAIRS))

    # Clean pairs in the first form of everything, then paraphrases: every slot in a randomly chosen
    # equivalent form, some sentences reordered.
    n_clean = 0
    for doc, pairs in docs[1:]:
        for a, b in pairs:
            n_clean += 1
            texts = {lang: render_document(doc, lang, random.Random(0), seed_forms=True).text for lang in (a, b)}
            records.append(record(f"clean-{n_clean:04d}", doc, texts, None, ["canonical"]))
    for doc, pairs in docs:
        per_pair = 16 if doc.seed else 12
        for a, b in pairs:
            for k in range(per_pair):
                rng = random.Random(f"clean:{doc.id}:{a}-{b}:{k}")
                reorder = {i for i in range(len(doc.paragraphs)) if rng.random() < 0.4}
                which = rng.choice([a, b])
                texts = {}
                for lang in (a, b):
                    texts[lang] = render_document(doc, lang, rng, reorder=reorder if lang == which else None).text
                n_clean += 1
                notes = ["forms"] + (["reordered"] if reorder and not doc.seed else [])
                records.append(record(f"clean-{n_clean:04d}", doc, texts, None, notes))

    # Planted errors: each occurrence of each slot, in one version of each pair (alternating).
    n_planted = 0
    for doc, pairs in docs:
        for pi, (a, b) in enumerate(pairs):
            occ_a = occurrences(doc, a)
            for oi, (slot_name, occ) in enumerate(occ_a):
                rng = random.Random(f"planted:{doc.id}:{a}-{b}:{slot_name}:{occ}")
                target = a if (oi + pi) % 2 == 0 else b
                other = b if target == a else a
                # the same occurrence in the other version (slots occur in the same number in every version)
                new_value, kind = mutate(doc.slots[slot_name], rng, doc.context)
                style_seed = f"style:{doc.id}:{a}-{b}:{slot_name}:{occ}"
                # every other pair in the first form of everything (digits, "18 января 1958 г."), as many
                # plans are written; the rest in mixed equivalent forms
                canonical = oi % 2 == 1
                texts, spans, original = {}, {}, ""
                for lang in (a, b):
                    r = render_document(
                        doc,
                        lang,
                        random.Random(f"{style_seed}:{lang}"),
                        seed_forms=canonical,
                        mutation=(slot_name, occ, new_value) if lang == target else None,
                    )
                    texts[lang] = r.text
                    spans[lang] = r.spans.get((slot_name, occ))
                    original = original or r.original
                if spans[target] is None or spans[other] is None:
                    continue  # the slot occurs in this version only (none do today)
                n_planted += 1
                slot = doc.slots[slot_name]
                records.append(
                    record(
                        f"planted-{n_planted:04d}",
                        doc,
                        texts,
                        {
                            "kind": kind,
                            "slot": slot_name,
                            "occurrence": occ,
                            "lang": target,
                            "original": _show(slot.value),
                            "planted": _show(new_value),
                            "span": list(spans[target][:2]),
                            "text": spans[target][2],
                            "original_text": original,
                            "counterpart": {"lang": other, "span": list(spans[other][:2]), "text": spans[other][2]},
                        },
                        ["canonical" if canonical else "forms"],
                    )
                )
    return records


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return "/".join(str(v) for v in value)
    return str(value)


def main() -> None:
    records = build()
    with (HERE / "pairs.jsonl").open("w", encoding="utf-8") as out:
        for r in records:
            out.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
    lines = ["id\tdoc\tlangs\tclean\tkind\tslot\tlang\toriginal\tplanted\tspan\ttext\tcounterpart"]
    for r in records:
        p = r["planted"] or {}
        cp = p.get("counterpart", {})
        lines.append(
            "\t".join(
                [
                    r["id"],
                    r["doc"],
                    "-".join(r["langs"]),
                    "yes" if r["clean"] else "no",
                    p.get("kind", ""),
                    p.get("slot", ""),
                    p.get("lang", ""),
                    p.get("original", ""),
                    p.get("planted", ""),
                    "-".join(map(str, p.get("span", []))),
                    p.get("text", ""),
                    f"{cp.get('lang', '')}:{cp.get('text', '')}" if cp else "",
                ]
            )
        )
    (HERE / "manifest.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    kinds = Counter((r["planted"] or {}).get("kind", "clean") for r in records)
    clean = sum(r["clean"] for r in records)
    print(f"{len(records)} records: {clean} clean, {len(records) - clean} with one planted error")
    for kind, n in sorted(kinds.items()):
        print(f"  {kind:<16} {n}")


if __name__ == "__main__":
    main()
