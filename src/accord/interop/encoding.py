"""Which encoding a CSV file is in: a BOM, else strict UTF-8, else GB18030 or CP1251 (Chinese or Russian).

Legacy spreadsheets from the two sides come in their national code pages. Neither decoding fails reliably
on the other's bytes (CP1251 decodes almost anything; short Russian words of even length are valid GB18030),
so both decodings are scored: CP1251 text should be Russian letters with Russian capitalisation, GB18030
text should be common hanzi (GB2312 level 1) and CJK punctuation. The decoding with fewer oddities wins.
"""

from __future__ import annotations

import codecs

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

SAMPLE = 256 * 1024  # enough text to tell the two apart; a cut character costs one oddity
_CJK_PUNCT = set("、。，：；！？（）《》〈〉「」『』【】“”‘’·—…　％")


def detect_encoding(data: bytes) -> str:
    for bom, name in BOMS:
        if data.startswith(bom):
            return name
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    sample = data[:SAMPLE]
    return "gb18030" if _oddities_gb18030(sample) < _oddities_cp1251(sample) else "cp1251"


def _oddities_cp1251(data: bytes) -> float:
    text = data.decode("cp1251", errors="replace")
    odd = 0
    before = prev = ""
    for ch in text:
        if ord(ch) >= 128:
            if not _russian(ch):
                odd += 1
            elif ch.isupper() and _russian(prev) and prev.islower():
                odd += 1  # "ПетуХов": Russian does not capitalise inside a word
            elif ch.islower() and _russian(prev) and prev.isupper() and _russian(before) and before.isupper():
                odd += 1  # "АНалог": a word is Capitalised, lower case or ALL CAPS
        before, prev = prev, ch
    return odd / max(1, _high_bytes(data))


def _oddities_gb18030(data: bytes) -> float:
    text = data.decode("gb18030", errors="replace")
    odd = 0
    for ch in text:
        if ord(ch) < 128 or ch in _CJK_PUNCT:
            continue
        if ch == "\ufffd":
            odd += 2  # a decoding error counts for both its bytes
        elif not _common_hanzi(ch):
            odd += 2  # rare characters, private use, symbols: each stands for (at least) two bytes
    return odd / max(1, _high_bytes(data))


def _russian(ch: str) -> bool:
    return bool(ch) and ("\u0410" <= ch <= "\u044f" or ch in "Ёё")


def _common_hanzi(ch: str) -> bool:
    """A character of GB2312 level 1 (the 3,755 most used hanzi, lead bytes B0-D7)."""
    try:
        encoded = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and 0xB0 <= encoded[0] <= 0xD7


def _high_bytes(data: bytes) -> int:
    return sum(1 for b in data if b >= 128)
