"""Numbers written out in words or characters: Chinese numerals, Russian and English number words.

Each parser takes the matched text and returns its value (or None when the text is not a number after all).
They are written for what official texts use: "一百二十二", "两千", "廿四", "一九五八", "1.5万", "сто двадцать
два" in any case, "ста двадцати двух", "one hundred and twenty-two", "twenty-fourth".
"""

from __future__ import annotations

import re
from decimal import Context, Decimal, InvalidOperation
from functools import cache

# --- Chinese -----------------------------------------------------------------------------------------

ZH_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "贰": 2,
    "貳": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "叁": 3,
    "參": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "陸": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
ZH_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
ZH_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
ZH_TENS = {"廿": 20, "卅": 30, "卌": 40}
ZH_NUMERAL_CHARS = "".join([*ZH_DIGITS, *ZH_SMALL_UNITS, *ZH_BIG_UNITS, *ZH_TENS])


def parse_zh_numeral(text: str) -> int | None:
    """The value of a Chinese numeral: 一百二十二 → 122, 两千 → 2000, 十七 → 17, 廿四 → 24, 一九五八 → 1958,
    一百零五 → 105, 三万五千 → 35000, 一亿二千万 → 120000000, 一百二 → 120 (the colloquial elided unit).
    None for an empty or malformed string."""
    if not text or any(ch not in ZH_NUMERAL_CHARS for ch in text):
        return None
    if all(ch in ZH_DIGITS for ch in text):
        # Digit by digit, as years are written (一九五八); a single character is its own value.
        value = 0
        for ch in text:
            value = value * 10 + ZH_DIGITS[ch]
        return value
    total = 0  # completed 亿 and 万 groups
    section = 0  # the current group below 万
    digit: int | None = None
    last_unit = 0  # the unit just seen, for 一百二 (= 120)
    last_big = 0  # the 万/亿 just seen, for 两万五 (= 25000)
    zero_seen = False
    for ch in text:
        if ch in ZH_DIGITS:
            if digit is not None and digit != 0 and ZH_DIGITS[ch] != 0:
                return None  # two digits in a row inside a composed numeral: not a number we read
            digit = ZH_DIGITS[ch]
            if digit == 0:
                zero_seen = True
        elif ch in ZH_TENS:
            if digit is not None and digit != 0:
                return None
            section += ZH_TENS[ch]
            digit, last_unit = None, 10
        elif ch in ZH_SMALL_UNITS:
            unit = ZH_SMALL_UNITS[ch]
            if last_unit and unit >= last_unit and digit is None:
                return None  # 十十, 百千
            section += (digit if digit is not None else 1) * unit
            digit, last_unit, last_big, zero_seen = None, unit, 0, False
        else:
            unit = ZH_BIG_UNITS[ch]
            group = section + (digit or 0)
            if unit == 100_000_000:
                total = (total + group) * unit
            else:
                total += (group or (1 if total == 0 else 0)) * unit
            section, digit, last_unit, last_big, zero_seen = 0, None, 0, unit, False
    if digit is not None:
        if last_unit >= 100 and not zero_seen and digit:
            section += digit * (last_unit // 10)  # 一百二 = 120, 三千五 = 3500
        elif last_big and not last_unit and section == 0 and not zero_seen and digit:
            section += digit * (last_big // 10)  # 两万五 = 25000
        else:
            section += digit
    elif last_unit == 0 and section == 0 and total == 0:
        return None
    return total + section


# --- English -----------------------------------------------------------------------------------------

EN_SMALL = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
EN_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
EN_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "sixtieth": 60,
    "seventieth": 70,
    "eightieth": 80,
    "ninetieth": 90,
    "hundredth": 100,
    "thousandth": 1000,
}
EN_WORDS = [*EN_SMALL, *EN_TENS, *EN_SCALES, *EN_ORDINALS]


def parse_en_words(words: list[str]) -> list[tuple[int, int, int, bool]]:
    """Read a run of English number words ("one hundred and twenty-two") into numbers.

    Returns (value, first word index, last word index + 1, is ordinal) for each number in the run: "two and
    three" is two numbers, "twenty-two" one. Words must be lower case; "and" and "a" are allowed where
    English puts them ("a hundred", "one hundred and five")."""
    out: list[tuple[int, int, int, bool]] = []
    total = current = 0
    start: int | None = None
    last = ""  # kind of the last word: small, tens, scale, and
    ordinal = False

    def flush(end: int) -> None:
        nonlocal total, current, start, last, ordinal
        if start is not None and last not in ("", "and", "a"):
            out.append((total + current, start, end, ordinal))
        total = current = 0
        start, last, ordinal = None, "", False

    i = 0
    while i < len(words):
        w = words[i]
        if ordinal and start is not None:
            flush(i)
        if w == "a":
            flush(i)
            start, last = i, "a"
        elif w == "and":
            if last != "scale":
                flush(i)
            else:
                last = "and"
        elif w in EN_SMALL or (w in EN_ORDINALS and EN_ORDINALS[w] < 20):
            value = EN_SMALL.get(w, EN_ORDINALS.get(w, 0))
            if last in ("small", "a") or (last == "tens" and current % 10) or (last == "tens" and value >= 10):
                flush(i)
            if start is None:
                start = i
            current += value
            last = "small"
            ordinal = w in EN_ORDINALS
        elif w in EN_TENS or (w in EN_ORDINALS and 20 <= EN_ORDINALS[w] < 100):
            value = EN_TENS.get(w, EN_ORDINALS.get(w, 0))
            if last in ("small", "tens", "a"):
                flush(i)
            if start is None:
                start = i
            current += value
            last = "tens"
            ordinal = w in EN_ORDINALS
        elif w in EN_SCALES or w in ("hundredth", "thousandth"):
            scale = EN_SCALES.get(w) or EN_ORDINALS[w]
            if last == "a":
                current = 1
            elif last not in ("small", "tens", "scale"):
                flush(i)
                i += 1
                continue
            if scale == 100:
                if current % 100 == 0 and current:
                    flush(i)
                    i += 1
                    continue
                current = (current or 1) * 100
            else:
                total += (current or 1) * scale
                current = 0
            last = "scale"
            ordinal = w in EN_ORDINALS
        else:
            flush(i)
        i += 1
    flush(len(words))
    return out


# --- Russian -----------------------------------------------------------------------------------------

# Each value with the stems of its case forms; the ending group covers the cases official texts use.
_RU_FORMS: list[tuple[int, str]] = [
    (1, r"од(?:ин|на|но|ни|ного|ной|ному|ним|ном|ну|ною|них|ними|ним)"),
    (2, r"дв(?:а|е|ух|ум|умя)"),
    (3, r"тр(?:и|[её]х|[её]м|емя)"),
    (4, r"четыр(?:е|[её]х|[её]м|ьмя)"),
    (5, r"пят(?:ь|и|ью)"),
    (6, r"шест(?:ь|и|ью)"),
    (7, r"сем(?:ь|и|ью)"),
    (8, r"(?:восем(?:ь|ью)|восьм(?:и|ью))"),
    (9, r"девят(?:ь|и|ью)"),
    (10, r"десят(?:ь|и|ью)"),
    (11, r"одиннадцат(?:ь|и|ью)"),
    (12, r"двенадцат(?:ь|и|ью)"),
    (13, r"тринадцат(?:ь|и|ью)"),
    (14, r"четырнадцат(?:ь|и|ью)"),
    (15, r"пятнадцат(?:ь|и|ью)"),
    (16, r"шестнадцат(?:ь|и|ью)"),
    (17, r"семнадцат(?:ь|и|ью)"),
    (18, r"восемнадцат(?:ь|и|ью)"),
    (19, r"девятнадцат(?:ь|и|ью)"),
    (20, r"двадцат(?:ь|и|ью)"),
    (30, r"тридцат(?:ь|и|ью)"),
    (40, r"сорок(?:а)?"),
    (50, r"(?:пятьдесят|пятидесят(?:и|ью))"),
    (60, r"(?:шестьдесят|шестидесят(?:и|ью))"),
    (70, r"(?:семьдесят|семидесят(?:и|ью))"),
    (80, r"(?:восемьдесят|восьмидесят(?:и|ью))"),
    (90, r"девяност(?:о|а)"),
    (100, r"ст(?:о|а)"),
    (200, r"(?:двести|двухсот|двумст(?:ам|ами|ах)|двухстах)"),
    (300, r"(?:триста|тр[её]хсот|тр[её]мст(?:ам|ами)|тр[её]хстах)"),
    (400, r"(?:четыреста|четыр[её]хсот|четыр[её]мст(?:ам|ами)|четыр[её]хстах)"),
    (500, r"(?:пятьсот|пятисот|пятист(?:ам|ах)|пятьюстами)"),
    (600, r"(?:шестьсот|шестисот|шестист(?:ам|ах)|шестьюстами)"),
    (700, r"(?:семьсот|семисот|семист(?:ам|ах)|семьюстами)"),
    (800, r"(?:восемьсот|восьмисот|восьмист(?:ам|ах)|восемьюстами)"),
    (900, r"(?:девятьсот|девятисот|девятист(?:ам|ах)|девятьюстами)"),
    (1000, r"тысяч(?:а|и|у|ей|ью|ам|ами|ах)?"),
    (1_000_000, r"миллион(?:а|у|ом|е|ов|ам|ами|ах)?"),
    (1_000_000_000, r"миллиард(?:а|у|ом|е|ов|ам|ами|ах)?"),
]
RU_WORD = "|".join(f"(?:{form})" for _, form in _RU_FORMS)


@cache
def _ru_compiled() -> list[tuple[int, re.Pattern[str]]]:
    return [(value, re.compile(f"(?:{form})", re.IGNORECASE)) for value, form in _RU_FORMS]


def ru_word_value(word: str) -> int | None:
    for value, pattern in _ru_compiled():
        if pattern.fullmatch(word):
            return value
    return None


def parse_ru_words(words: list[str]) -> list[tuple[int, int, int]]:
    """Read a run of Russian number words (any case) into numbers: (value, first index, last index + 1)."""
    out: list[tuple[int, int, int]] = []
    total = current = 0
    start: int | None = None
    last_value = 0  # the last word's value, to see where one number ends and the next begins

    def flush(end: int) -> None:
        nonlocal total, current, start, last_value
        if start is not None:
            out.append((total + current, start, end))
        total = current = 0
        start, last_value = None, 0

    for i, word in enumerate(words):
        value = ru_word_value(word)
        if value is None:
            flush(i)
            continue
        if value >= 1000:
            if start is None:
                start = i
            total += (current or 1) * value
            current = 0
            last_value = value
            continue
        # Within a group, words go from larger to smaller places: сто двадцать два.
        if start is not None and last_value and last_value < 1000 and not _ru_continues(last_value, value):
            flush(i)
        if start is None:
            start = i
        current += value
        last_value = value
    flush(len(words))
    return out


# Ordinals: the stem of each value; the adjective endings follow (пятый, пятого, пятой, пятую, ...).
_RU_ORDINAL_FORMS: list[tuple[int, str]] = [
    (1, "перв"),
    (2, "втор"),
    (3, "трет"),
    (4, "четв[её]рт"),
    (5, "пят"),
    (6, "шест"),
    (7, "седьм"),
    (8, "восьм"),
    (9, "девят"),
    (10, "десят"),
    (11, "одиннадцат"),
    (12, "двенадцат"),
    (13, "тринадцат"),
    (14, "четырнадцат"),
    (15, "пятнадцат"),
    (16, "шестнадцат"),
    (17, "семнадцат"),
    (18, "восемнадцат"),
    (19, "девятнадцат"),
    (20, "двадцат"),
    (30, "тридцат"),
    (40, "сороков"),
    (50, "пятидесят"),
    (60, "шестидесят"),
    (70, "семидесят"),
    (80, "восьмидесят"),
    (90, "девяност"),
    (100, "сот"),
    (200, "двухсот"),
    (300, "тр[её]хсот"),
    (400, "четыр[её]хсот"),
    (500, "пятисот"),
    (600, "шестисот"),
    (700, "семисот"),
    (800, "восьмисот"),
    (900, "девятисот"),
    (1000, "тысячн"),
    (2000, "двухтысячн"),
]
_RU_ORDINAL_ENDING = r"(?:ый|ой|ий|ая|ое|ые|ого|ому|ым|ом|ую|ых|ыми|ьего|ьему|ьим|ьем|ьей|ья|ье|ьи|ью|ьих|ьими)"
RU_ORDINAL_WORD = (
    "(?:"
    + "|".join(f"(?:{stem})" for _, stem in sorted(_RU_ORDINAL_FORMS, key=lambda f: -len(f[1])))
    + ")"
    + _RU_ORDINAL_ENDING
)


@cache
def _ru_ordinal_compiled() -> list[tuple[int, re.Pattern[str]]]:
    return [(value, re.compile(f"(?:{stem}){_RU_ORDINAL_ENDING}", re.IGNORECASE)) for value, stem in _RU_ORDINAL_FORMS]


def ru_ordinal_value(word: str) -> int | None:
    """пятой → 5, шестьдесят девятой's last word → 9, тысячного → 1000; None for another word. The soft
    sign belongs to третий only (десятью is a cardinal)."""
    for value, pattern in _ru_ordinal_compiled():
        if pattern.fullmatch(word):
            ending = word[len(word.rstrip("аеёийоуыьюя")) :]
            if ending.startswith("ь") and value != 3:
                return None
            return value
    return None


def parse_ru_ordinal(words: list[str]) -> int | None:
    """A compound ordinal: cardinal words then an ordinal word (шестьдесят девятой → 69, тысяча девятьсот
    сорок пятого → 1945, две тысячи пятнадцатого → 2015). None when the words do not make one number."""
    if not words:
        return None
    last = ru_ordinal_value(words[-1])
    if last is None:
        return None
    if len(words) == 1:
        return last
    numbers = parse_ru_words(words[:-1])
    if len(numbers) != 1 or numbers[0][1] != 0 or numbers[0][2] != len(words) - 1:
        return None
    head = numbers[0][0]
    smallest = ru_word_value(words[-2]) or 0
    if smallest >= 1000:
        return head + last if last < 1000 or (last % 1000 == 0 and last < smallest) else None
    place = 100 if smallest >= 100 else 10 if smallest >= 20 and smallest % 10 == 0 else 1
    if place == 1 or last >= place:
        return None
    return head + last


def _ru_continues(previous: int, value: int) -> bool:
    if previous >= 100:
        return value < 100
    if previous >= 20 and previous % 10 == 0:
        return value < 10
    return False


# --- digits ------------------------------------------------------------------------------------------


def parse_decimal(text: str, *, decimal_comma: bool) -> Decimal | None:
    """Digits with group separators and a decimal mark: '1,200.5' (en), '1 200,5' (ru), '1.5'.

    decimal_comma: a comma is the decimal mark (Russian) unless followed by exactly three digits and more
    groups of three, in which case it groups thousands the English way."""
    t = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    if decimal_comma:
        if re.fullmatch(r"\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?", t):
            t = t.replace(",", "")
        else:
            t = t.replace(".", "") if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", t) else t
            t = t.replace(",", ".")
    else:
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", t) or re.fullmatch(r"\d+(?:,\d{3})+(?:\.\d+)?", t):
            t = t.replace(",", "")
        elif "," in t:
            t = t.replace(",", ".")  # '1,5' written the continental way in an English text
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def normal(value: Decimal | int) -> Decimal:
    """A canonical Decimal: 1.50 and 1.5 and 1.5E+1 compare and hash alike (15, not 1.5E+1)."""
    d = Decimal(value).normalize()
    if d == d.to_integral_value():
        # As many digits as the integer has: the default context's 28 would refuse a longer one (a string of
        # 29 digits in a text is bad input to flag, not a crash).
        return d.quantize(Decimal(1), context=Context(prec=max(28, d.adjusted() + 1)))
    return d


def trie_pattern(words: list[str], *, space: str = r"\s+") -> str:
    """One regular expression for a set of literal strings, as a trie (Python's engine tries the branches
    of a plain alternation one by one at every position; a trie shares their prefixes). A space in a
    word stands for `space`. Longer words win at the same position."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [(space if ch == " " else re.escape(ch)) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return emit(trie)
