"""Which encoding a text file is in, decided from the whole file, never by a guess that may change a character.

In order:

1. a BOM says it (UTF-8, UTF-16, UTF-32), or the user names the encoding: the file must then decode cleanly
   in it, or it is refused at its first bad byte;
2. UTF-16 without a BOM (every other byte NUL);
3. the whole file is valid UTF-8 (plain ASCII is): UTF-8;
4. otherwise each legacy code page the two sides and the EU's spreadsheets use (GB18030, CP1251, CP1252)
   decodes the whole file, and each reading is scored for oddities: CP1251 text should be Russian words
   with Russian capitalisation, never Cyrillic letters glued to Latin ones; GB18030 text common hanzi and CJK
   punctuation; CP1252 text Latin words with accents, not words made of accented letters only. The
   cleanest reading wins only when it is clean and clearly cleaner than the next one; otherwise the file
   is refused as ambiguous (or as text in no encoding Accord reads), asking the user to name the encoding.

A file that mixes UTF-8 lines with lines in a code page is refused as such: one decoding would silently
change the characters of the others.

Refusals carry the offset in the decoded text (or the byte offset) where the problem is, so the reader can
name the spreadsheet row and column.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# The code pages a file without a BOM that is not UTF-8 may be in, and how they are shown.
LEGACY = ("gb18030", "cp1251", "cp1252")
# What the page and the API offer (any codec name Python knows is accepted on the command line too).
CHOICES = ("utf-8", "utf-16", "gb18030", "cp1251", "cp1252", "koi8-r", "big5", "shift_jis", "latin-1")
LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (BOM)",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "utf-32": "UTF-32",
    "gb18030": "GB18030",
    "cp1251": "Windows-1251",
    "cp1252": "Windows-1252",
    "koi8-r": "KOI8-R",
    "big5": "Big5",
    "shift_jis": "Shift JIS",
    "latin-1": "ISO 8859-1",
    "iso8859-1": "ISO 8859-1",
}

_SCORED = 300_000  # in a larger file, a sample of its non-ASCII words (spread over all of it) is scored
CLEAN = 0.15  # at most this share of a reading's non-ASCII characters may look odd
MARGIN = 0.1  # and the next reading must be this much odder

_CJK_PUNCT = set("、。，：；！？（）《》〈〉「」『』【】“”‘’·—…　％～")
_LATIN_PUNCT = set("’‘“”–—…€•«»°·§¡¿ ©®™")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_HIGH = re.compile(rb"[\x80-\xff]")


class EncodingRefused(Exception):
    """The file cannot be decoded without changing a character. `offset` is where: a character offset in
    `text` (the file decoded as far as it goes, or the reading shown) or None for the whole file."""

    def __init__(self, reason: str, text: str = "", offset: int | None = None, *, line: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.text = text
        self.offset = offset
        # In UTF-16 or UTF-32 that does not decode, the text read so far is no guide: the line of the raw bytes.
        self.line = line


@dataclass
class Decoded:
    text: str
    encoding: str  # the codec's name
    how: str  # "named", "bom", "detected"

    @property
    def label(self) -> str:
        return label(self.encoding)


def label(encoding: str) -> str:
    return LABELS.get(encoding, encoding.upper())


def codec_name(name: str) -> str:
    """The codec a user's name stands for ("UTF8", "windows-1251", "GBK"), or EncodingRefused."""
    try:
        found = codecs.lookup(name.strip()).name
    except LookupError:
        raise EncodingRefused(
            _("“%(name)s” is not an encoding; one of: %(choices)s") % {"name": name, "choices": ", ".join(CHOICES)}
        ) from None
    return {"iso8859-1": "latin-1", "utf-8": "utf-8"}.get(found, found)


def decode(data: bytes, encoding: str | None = None) -> Decoded:
    """The whole file as text, and the encoding used; EncodingRefused rather than a changed character."""
    if encoding:
        name = codec_name(encoding)
        if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        return Decoded(_strict(data, name), name, "named")
    for bom, name in BOMS:
        if data.startswith(bom):
            return Decoded(_strict(data, name), name, "bom")
    utf16 = _utf16_without_bom(data)
    if utf16:
        return Decoded(_strict(data, utf16), utf16, "detected")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", "detected")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    return _legacy(data, first_bad)


def detect_encoding(data: bytes) -> str:
    """The encoding decode() would use (raises EncodingRefused when it would refuse)."""
    return decode(data).encoding


def _strict(data: bytes, name: str) -> str:
    try:
        text = data.decode(name)
    except UnicodeDecodeError as exc:
        start = exc.start
        if name == "utf-8-sig" and data.startswith(codecs.BOM_UTF8):
            start += len(codecs.BOM_UTF8)  # the codec counts from after the BOM
        reason = _("the file is not valid text in %(encoding)s (byte %(byte)s: %(bytes)s)") % {
            "encoding": name,
            "byte": start + 1,
            "bytes": repr(data[start : start + 4]),
        }
        if name.startswith(("utf-16", "utf-32")):
            raise EncodingRefused(reason, line=data[:start].count(b"\n") + 1) from None
        good = data[:start].decode(name, errors="replace")
        raise EncodingRefused(reason, good, len(good)) from None
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:65536]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


@dataclass
class _Reading:
    encoding: str
    text: str
    odd: int
    first_odd: int | None
    ratio: float


def _legacy(data: bytes, first_bad_utf8: int) -> Decoded:
    readings: list[_Reading] = []
    failures: dict[str, tuple[str, int]] = {}
    high = max(1, len(data) - len(_HIGH.sub(b"", data)))  # oddities count per byte (a hanzi's count 2)
    for name in LEGACY:
        try:
            text = data.decode(name)
        except UnicodeDecodeError as exc:
            good = data[: exc.start].decode(name, errors="replace")
            failures[name] = (good, len(good))
            continue
        odd, first = _oddities(text, name, max(1, high // _SCORED))
        readings.append(_Reading(name, text, odd, first, odd / high))
    _refuse_mixed(data, first_bad_utf8, readings)
    readings.sort(key=lambda r: r.ratio)
    if not readings or readings[0].ratio > CLEAN:
        where = readings[0] if readings else None
        tried = ", ".join(label(n) for n in ("utf-8", *LEGACY))
        if where is not None:
            raise EncodingRefused(
                _(
                    "the file is not valid text in any encoding Accord recognises (%(tried)s): read as "
                    "%(encoding)s it holds characters that make no sense here; name its encoding"
                )
                % {"tried": tried, "encoding": label(where.encoding)},
                where.text,
                where.first_odd,
            )
        good, offset = failures.get("cp1252") or failures[LEGACY[0]]
        raise EncodingRefused(
            _("the file is not valid text in any encoding Accord recognises (%(tried)s); name its encoding")
            % {"tried": tried},
            good,
            offset,
        )
    best = readings[0]
    if len(readings) > 1 and readings[1].ratio - best.ratio < MARGIN:
        other = readings[1]
        raise EncodingRefused(
            _(
                "the encoding is ambiguous: the file reads as %(first)s or as %(second)s; name its encoding "
                "(the preview of a dry run shows how the one named reads)"
            )
            % {"first": label(best.encoding), "second": label(other.encoding)},
            best.text,
            best.first_odd if best.first_odd is not None else _first_non_ascii(best.text),
        )
    return Decoded(best.text, best.encoding, "detected")


def _first_non_ascii(text: str) -> int | None:
    match = _NON_ASCII.search(text)
    return match.start() if match else None


# --- mixed files -------------------------------------------------------------------------------------


def _refuse_mixed(data: bytes, first_bad: int, readings: list[_Reading]) -> None:
    """Lines that are (plausible) UTF-8 beside lines that are not: refused, naming the first bad one."""
    if not readings:
        return
    offset = 0
    utf8_line: str | None = None
    for line in data.split(b"\n"):
        if _HIGH.search(line):
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                # A line of GB18030 or CP1251 may happen to be valid UTF-8; it then decodes to odd characters.
                as_utf8 = _oddities(text, "utf-8")[0]
                as_legacy = min(_oddities(line.decode(r.encoding, errors="replace"), r.encoding)[0] for r in readings)
                if as_utf8 == 0 and as_legacy > 0:
                    utf8_line = text.strip()
                    break
        offset += len(line) + 1
    if utf8_line is None:
        return
    good = data[:first_bad].decode("utf-8", errors="replace")
    raise EncodingRefused(
        _(
            "the file mixes encodings: this cell is not UTF-8, but other rows are UTF-8 text (“%(text)s”); "
            "save the whole file again in one encoding"
        )
        % {"text": utf8_line[:60]},
        good,
        len(good),
    )


# --- oddities ----------------------------------------------------------------------------------------


_WORD = re.compile(r"[A-Za-z]*[^\x00-\x7f]+[A-Za-z]*")


def _oddities(text: str, name: str, stride: int = 1) -> tuple[int, int | None]:
    """How many characters of a reading look wrong, and where the first one is. With a `stride` above 1 (a
    large file) every stride-th word with non-ASCII characters is scored, spread over the whole file, and
    the count scaled back; every word is looked at until the first odd one is found."""
    odd = 0
    first: int | None = None
    for index, match in enumerate(_WORD.finditer(text)):
        if first is not None and index % stride:
            continue
        count = _odd_in(match.group(), name)
        if count and first is None:
            first = match.start()
            odd += count * stride if index % stride == 0 else 0
        else:
            odd += count * stride
    return odd, first


def _odd_in(word: str, name: str) -> int:
    if name == "gb18030":
        return _odd_gb(word)
    if name == "cp1251":
        return _odd_cyrillic(word)
    if name == "cp1252":
        return _odd_latin(word)
    # UTF-8 (or anything else): whichever script the run is in.
    return min(_odd_gb(word), _odd_cyrillic(word), _odd_latin(word))


def _odd_gb(word: str) -> int:
    odd = 0
    for ch in word:
        if ord(ch) < 128 or ch in _CJK_PUNCT or "\uff01" <= ch <= "\uff5e":
            continue
        if ch == "\ufffd" or not _common_hanzi(ch):
            odd += 2  # rare characters, private use, symbols: each stands for (at least) two bytes
    return odd


def _odd_cyrillic(word: str) -> int:
    odd = 0
    latin = any("a" <= c.lower() <= "z" for c in word)
    before = prev = ""
    for ch in word:
        if ord(ch) >= 128:
            if ch in _LATIN_PUNCT or ch in "№":
                pass
            elif not _russian(ch) or latin:
                odd += 1  # not a Russian letter, or one glued to Latin letters ("BRETAСA")
            elif ch.isupper() and _russian(prev) and prev.islower():
                odd += 1  # "ПетуХов": Russian does not capitalise inside a word
            elif ch.islower() and _russian(prev) and prev.isupper() and _russian(before) and before.isupper():
                odd += 1  # "АНалог": a word is Capitalised, lower case or ALL CAPS
        before, prev = prev, ch
    return odd


def _odd_latin(word: str) -> int:
    letters = [c for c in word if c.isalpha()]
    ascii_letters = sum(1 for c in letters if ord(c) < 128)
    odd = 0
    prev = ""
    accented = 0
    for ch in word:
        if ord(ch) >= 128:
            if ch in _LATIN_PUNCT:
                pass
            elif not _latin_letter(ch):
                odd += 1
            else:
                accented += 1
                if ch.isupper() and prev.isalpha() and prev.islower():
                    odd += 1  # "caFÉ"
        prev = ch
    if accented >= 3 and ascii_letters == 0:
        odd += accented  # "Àêàäåìèÿ": a word of accented letters only is another script read as Latin
    elif accented > ascii_letters + 1:
        odd += accented - ascii_letters
    return odd


def _latin_letter(ch: str) -> bool:
    return ch.isalpha() and ("\u00c0" <= ch <= "\u024f") and ch not in "×÷"


def _russian(ch: str) -> bool:
    return bool(ch) and ("\u0410" <= ch <= "\u044f" or ch in "Ёё")


def _common_hanzi(ch: str) -> bool:
    """A character of GB2312 level 1 (the 3,755 most used hanzi, lead bytes B0-D7)."""
    try:
        encoded = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and 0xB0 <= encoded[0] <= 0xD7


# --- large files, read as they stream -----------------------------------------------------------------

CHUNK = 1 << 20


class StreamRefused(EncodingRefused):
    """A streamed file that cannot be decoded: `byte` is the offset of the first bad byte from the file's start."""

    def __init__(self, reason: str, byte: int, codec: str):
        super().__init__(reason)
        self.byte = byte
        self.codec = codec


def decide_streamed(fh: IO[bytes], encoding: str | None = None) -> tuple[str, str]:
    """(codec, how) of a file too large to hold whole, read from its current position in chunks (memory bounded by
    a chunk). As `decode`: a named encoding or a BOM must decode the whole file cleanly; else UTF-16 without a BOM,
    else UTF-8. The code-page readings need the whole text at once, so a large file in a code page must have its
    encoding named: it is refused naming its first byte that is not UTF-8, never guessed."""
    start = fh.tell()
    sample = fh.read(65536)
    fh.seek(start)
    if encoding:
        name = codec_name(encoding)
        if name == "utf-8" and sample.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        _check_streamed(fh, name)
        return name, "named"
    for bom, name in BOMS:
        if sample.startswith(bom):
            _check_streamed(fh, name)
            return name, "bom"
    utf16 = _utf16_without_bom(sample)
    if utf16:
        _check_streamed(fh, utf16)
        return utf16, "detected"
    try:
        _check_streamed(fh, "utf-8")
    except StreamRefused as exc:
        raise StreamRefused(
            _(
                "the file is not UTF-8 (byte %(byte)s) and too large to decide its encoding from its whole text; "
                "name its encoding (GB18030, Windows-1251, Windows-1252, …)"
            )
            % {"byte": exc.byte + 1},
            exc.byte,
            "utf-8",
        ) from None
    return "utf-8", "detected"


def _check_streamed(fh: IO[bytes], name: str) -> None:
    """Decode the rest of the file in chunks, keeping nothing; StreamRefused at the first bad byte."""
    start = fh.tell()
    decoder = codecs.getincrementaldecoder(name)("strict")
    consumed = 0
    try:
        while True:
            chunk = fh.read(CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                # The decoder decodes what it kept of the last chunk followed by this one.
                at = consumed + len(chunk) - len(exc.object) + exc.start
                shown = bytes(exc.object[exc.start : exc.start + 4])
                raise StreamRefused(
                    _("the file is not valid text in %(encoding)s (byte %(byte)s: %(bytes)s)")
                    % {"encoding": name, "byte": at + 1, "bytes": repr(shown)},
                    at,
                    name,
                ) from None
            if not chunk:
                return
            consumed += len(chunk)
    finally:
        fh.seek(start)
