"""Which language a text is in, told by its script: Han → zh, Cyrillic → ru, Latin → en.

That is all the checker needs: the number and date forms it reads are tied to scripts, and the digits'
conventions (decimal comma in Russian) to the language. A Latin text with no English function words is
reported as of an unknown language rather than read as English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SUPPORTED = ("zh", "ru", "en")
SCRIPT_OF = {"zh": "Han", "ru": "Cyrillic", "en": "Latin"}
LANGUAGE_OF_SCRIPT = {script: lang for lang, script in SCRIPT_OF.items()}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_EN_FUNCTION_WORDS = _words(
    "the of and to in on for by with that was were is are be has have this from at as an it its which"
)
_OTHER_FUNCTION_WORDS = {
    "de": _words("der die das und ist nicht mit von zu den dem des ein eine im auf für wurde werden"),
    "fr": _words("le la les des et est une dans pour du au aux sur qui que pas été"),
    "es": _words("el los las y es del por con una para que se fue como"),
    "it": _words("il gli lo della delle e è di per con una che sono stato"),
    "pt": _words("os as e é do da dos das por com uma para que foi"),
}


def script_of(ch: str) -> str | None:
    o = ord(ch)
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or ch == "〇":
        return "Han"
    if 0x3040 <= o <= 0x30FF:
        return "Kana"
    if 0xAC00 <= o <= 0xD7AF:
        return "Hangul"
    if 0x0400 <= o <= 0x04FF:
        return "Cyrillic"
    if (ch.isascii() and ch.isalpha()) or 0x00C0 <= o <= 0x024F:
        return "Latin"
    if ch.isalpha():
        return "Other"
    return None


@dataclass(frozen=True)
class ScriptProfile:
    """How many letters of each script a text has."""

    counts: dict[str, int]

    @property
    def letters(self) -> int:
        return sum(self.counts.values())

    def share(self, script: str) -> float:
        return self.counts.get(script, 0) / self.letters if self.letters else 0.0

    @property
    def dominant(self) -> str | None:
        if not self.counts:
            return None
        # A Han character carries about as much as a short word: weigh it against letters of alphabets.
        weighted = {s: n * (3 if s == "Han" else 1) for s, n in self.counts.items()}
        return max(weighted, key=lambda s: (weighted[s], s))


_SCRIPT_PATTERNS = {
    "Han": re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff〇]"),
    "Kana": re.compile(r"[\u3040-\u30ff]"),
    "Hangul": re.compile(r"[\uac00-\ud7af]"),
    "Cyrillic": re.compile(r"[\u0400-\u04ff]"),
    "Latin": re.compile(r"[A-Za-z\u00c0-\u024f]"),
}


def profile(text: str) -> ScriptProfile:
    """Letters per script (regular expressions count in C: a 1,000-item plan takes milliseconds)."""
    counts = {}
    for script, pattern in _SCRIPT_PATTERNS.items():
        n = len(pattern.findall(text))
        if n:
            counts[script] = n
    return ScriptProfile(counts)


def primary(tag: str) -> str:
    """'zh-Hans' → 'zh', 'RU' → 'ru'."""
    return tag.split("-", 1)[0].split("_", 1)[0].lower()


def detect(text: str, prof: ScriptProfile | None = None) -> str | None:
    """The language of `text` by its script: 'zh', 'ru', 'en', 'und' for another language, None if no letters."""
    prof = prof or profile(text)
    dominant = prof.dominant
    if dominant is None:
        return None
    if dominant == "Latin":
        words = re.findall(r"[^\W\d_]+", text.lower())
        # Another Latin-script language shows in its own little words (a list of English plan items may
        # have none of "the", "of", "and", but it has no "und", "der", "les" either).
        english = sum(w in _EN_FUNCTION_WORDS for w in words)
        other = max(sum(w in little for w in words) for little in _OTHER_FUNCTION_WORDS.values())
        if other >= 3 and other > english:
            return "und"
        return "en"
    return LANGUAGE_OF_SCRIPT.get(dominant, "und")
