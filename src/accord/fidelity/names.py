"""The directory of known names: people, organisations, parties and places in every language they are written in.

武衡 / Wu Heng / У Хэн are one entry, so a version that names Wu Heng where the other names 刘晓 is caught
even though no two strings are alike. The directory is plain data (`Directory.from_json`), built from
Accord's records by `directory_from_database()` or read from a JSON file for texts checked outside Accord.

How names are found in a text:
- Chinese: the exact characters; at each place the longest known name wins (苏联国家科学技术委员会 before
  科学技术委员会).
- English: word for word, any case, with a possessive or plural ending ("Commissions"). An organisation
  named "X of Y" with X of three words or more is also found as X ("State Scientific and Technological
  Committee" for "... of the USSR Council of Ministers"), as English texts shorten it so.
- Russian: each word by its stem with up to three letters of case ending (Москва, Москве; Петухов,
  Петуховым; Государственного научно-технического комитета).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accord.fidelity.extract import Fact
from accord.fidelity.lang import script_of
from accord.fidelity.numerals import trie_pattern
from accord.fidelity.places import place_sources

SOFT_KINDS = frozenset({"party", "country", "body"})
# the names' key of an entry's Russian adjective stems (сирийск: сирийского народа names Syria)
RU_ADJECTIVE = "ru-adj"
# a run of adjectives that ends with "language(s)"; a capitalised word next (a name this one is part of)
_RU_LANGUAGE_AFTER = re.compile(r"(?:\s*(?:,|и\s|или\s)?\s*[а-яё]+(?:ом|ий|ый|ого|ых|их|ой|ую|ое|ая|ым|им))*\s+язык")
_RU_PLACE_AFTER = re.compile(r"\s+(?:океан|мор[еяюи]|залив|полуостров)")
_RU_CAPITAL_AFTER = re.compile(r"\s+[А-ЯЁ][а-яё]")
_RU_ADJECTIVE_ENDINGS = "ий|ый|ой|ая|яя|ое|ее|ие|ые|ого|его|ому|ему|ым|им|ом|ем|ую|юю|ых|их|ыми|ими|ей"
# the people of the country, from the adjective's stem (сирийск -> сирийцы, суданск -> суданцев, аргентинск ->
# аргентинцами); not the nominative singular (сириец), which UN texts seldom say
_RU_PEOPLE = re.compile(r"(?:ийск|анск|инск)$")
_RU_PEOPLE_ENDINGS = "ы|ев|ам|ами|ах|а|у|ем"
_RU_ENDINGS_2 = ("ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые", "ие")


_SCRIPT_LETTER = re.compile(r"(?P<Han>[\u3400-\u9fff])|(?P<Cyrillic>[\u0400-\u04ff])|(?P<Latin>[A-Za-z\u00c0-\u024f])")


def _script(name: str) -> str | None:
    """The script most of the name's letters are in."""
    counts: dict[str, int] = {}
    for m in _SCRIPT_LETTER.finditer(name):
        script = m.lastgroup or ""
        counts[script] = counts.get(script, 0) + 1
    if not counts:
        return _script_other(name)
    return max(counts, key=lambda s: counts[s])


def _script_other(name: str) -> str | None:
    counts: dict[str, int] = {}
    for ch in name:
        s = script_of(ch)
        if s:
            counts[s] = counts.get(s, 0) + 1
    return max(counts, key=lambda s: counts[s]) if counts else None


_RU_CURRENCY_BEFORE = re.compile(r"долл(?:ар[а-яё]*|\.)\s*$", re.IGNORECASE)


def _ru_stem(word: str) -> str:
    w = word
    if len(w) >= 5 and w[-2:].lower() in _RU_ENDINGS_2:
        return w[:-2]
    if len(w) > 3 and w[-1].lower() in "аяоеуюыиьй":
        return w[:-1]
    return w


def _ru_piece(piece: str) -> str:
    if not piece.isalpha():
        return re.escape(piece)
    if piece.isupper() or (piece[-1].lower() in "оуиеюэ" and piece[-2:].lower() not in _RU_ENDINGS_2):
        return re.escape(piece)  # Перу, Того, Мали, Конго, ООН do not decline (but Соединенные does)
    if len(piece) > 3 and piece[-1].lower() == "а" and piece[-2].isalpha():
        # a noun in -а declines -а/-ы/-е/-у/-ой (Гана, Ганы, Гане): Гани is a man's name (Ashraf Ghani), not
        # Ghana; after г к х ж ш щ ч the genitive is -и (Африка, Африки)
        after = piece[-2].lower() in "гкхжшщч"
        return re.escape(piece[:-1]) + ("(?:а|и|е|у|ой|ою)" if after else "(?:а|ы|е|у|ой|ою)")
    return re.escape(_ru_stem(piece)) + "[а-яё]{0,3}"


def _ru_pattern(name: str) -> str:
    parts = []
    for word in re.split(r"\s+", name.strip()):
        parts.append("-".join(_ru_piece(p) for p in word.split("-")))
    return r"\s+".join(parts)


_WORD = re.compile(r"[a-z\u00df-\u024f]+")


def _first_word(form: str) -> str:
    """The letters a normalised English name starts with ("" when it starts with another sign)."""
    m = _WORD.match(form)
    return m.group(0) if m else ""


def _en_norm(text: str) -> str:
    t = re.sub(r"[\s\-]+", " ", text.strip().lower()).replace("’", "'")
    return re.sub(r"^the ", "", t)


@dataclass(frozen=True)
class Entry:
    """One person, organisation, party or place, with its names per language (several forms allowed)."""

    id: str
    kind: str
    names: Mapping[str, tuple[str, ...]]

    @property
    def label(self) -> str:
        for lang in ("en", "ru", "zh"):
            if self.names.get(lang):
                return self.names[lang][0]
        return next((forms[0] for forms in self.names.values() if forms), self.id)

    def label_in(self, lang: str) -> str:
        forms = self.names.get(lang)
        return forms[0] if forms else self.label


class Directory:
    """Known names, compiled for finding them in texts of any script."""

    def __init__(self, entries: Iterable[Entry], han_not_after: Mapping[str, str] | None = None):
        self.entries: dict[str, Entry] = {}
        # a Chinese form not taken after these characters (拉美国家 is not 美国)
        self.han_not_after: dict[str, str] = dict(han_not_after or {})
        han: dict[str, str] = {}
        latin: dict[str, str] = {}
        cyrillic: list[tuple[str, str]] = []  # (form, entry id): made patterns when a Russian text comes
        acronyms: set[str] = set()  # Latin forms in capitals (WHO), matched in capitals only
        ru_adjectives: dict[str, str] = {}  # stem of a Russian adjective of the entry (сирийск) -> entry id
        ru_people: dict[str, str] = {}  # stem of the entry's people (сирийц) -> entry id
        for entry in entries:
            self.entries.setdefault(entry.id, entry)
            for stem in entry.names.get(RU_ADJECTIVE, ()):
                ru_adjectives.setdefault(stem.lower(), entry.id)
                if _RU_PEOPLE.search(stem):
                    ru_people.setdefault(stem.lower()[:-2] + "ц", entry.id)
            for lang, forms in entry.names.items():
                if lang == RU_ADJECTIVE:
                    continue
                for form in forms:
                    form = form.strip()
                    if len(form) < 2:
                        continue
                    script = _script(form)
                    if script == "Han":
                        han.setdefault(form, entry.id)
                    elif script == "Cyrillic":
                        cyrillic.append((form, entry.id))
                    elif script == "Latin":
                        latin.setdefault(_en_norm(form), entry.id)
                        if form.replace("-", "").replace(" ", "").isupper():
                            acronyms.add(_en_norm(form))
                        core = self._core(entry.kind, form)
                        if core:
                            latin.setdefault(_en_norm(core), entry.id)
        self._han = han
        self._latin = latin
        self._cyrillic_forms = cyrillic
        self._cyrillic_patterns: list[tuple[str, str]] | None = None
        self._acronyms = acronyms
        self._ru_adjectives = ru_adjectives
        self._ru_people = ru_people
        self._ru_adjective_re: re.Pattern[str] | None = None
        self._compiled: dict[str, re.Pattern[str] | None] = {}
        self._han_by_first: dict[str, list[str]] | None = None
        self._latin_by_first: dict[str, list[str]] | None = None
        self._by_forms: dict[tuple[str, ...], re.Pattern[str]] = {}
        self._uses = {"Han": 0, "Latin": 0}
        # Russian names are matched in the lower-cased text (a case-insensitive pattern of a thousand stems
        # takes seconds to compile); the entry of a match is found by its first word's stem.
        self._by_head: dict[str, list[tuple[str, str]]] | None = None
        self._cyrillic_compiled: dict[str, re.Pattern[str]] = {}

    # Names are matched as one trie (one pass over a long text whatever the size of the directory). Compiling
    # the trie of every name in the gazetteer takes a tenth of a second, most of `accord check-texts`' start-up:
    # the first texts a process reads get a trie of only the names whose first character (Chinese) or first
    # word (English) they hold; from the third on, the whole trie is compiled once and kept.
    _FILTERED_TEXTS = 2

    def _han_re(self, text: str) -> re.Pattern[str] | None:
        if self._uses["Han"] >= self._FILTERED_TEXTS:
            return self._cached(("Han",), lambda: trie_pattern(list(self._han)))
        self._uses["Han"] += 1
        if self._han_by_first is None:
            self._han_by_first = {}
            for form in self._han:
                self._han_by_first.setdefault(form[0], []).append(form)
        chars = set(text)
        forms = sorted(f for ch in chars & self._han_by_first.keys() for f in self._han_by_first[ch])
        return self._cached(("Han", "", *forms), lambda: trie_pattern(forms)) if forms else None

    def _latin_re(self, lowered: str) -> re.Pattern[str] | None:
        if self._uses["Latin"] >= self._FILTERED_TEXTS:
            forms = list(self._latin)
            return self._cached(("Latin",), lambda: self._latin_pattern(forms))
        self._uses["Latin"] += 1
        if self._latin_by_first is None:
            self._latin_by_first = {}
            for form in self._latin:
                self._latin_by_first.setdefault(_first_word(form), []).append(form)
        words = set(_WORD.findall(lowered))
        words |= {w[:-1] for w in words if w.endswith("s")} | {""}  # Commissions: the name's plural
        forms = sorted(f for w in words & self._latin_by_first.keys() for f in self._latin_by_first[w])
        if not forms:
            return None
        return self._cached(("Latin", "", *forms), lambda: self._latin_pattern(forms))

    @staticmethod
    def _latin_pattern(forms: list[str]) -> str:
        # over the lower-cased text: a case-blind trie takes long to compile
        return r"(?<![A-Za-z])(?:the\s+)?" + trie_pattern(forms, space=r"[\s\-]+") + r"(?:'s|’s|s)?(?![A-Za-z])"

    def _cached(self, key: tuple[str, ...], pattern: Callable[[], str]) -> re.Pattern[str]:
        compiled = self._by_forms.get(key)
        if compiled is None:
            if len(self._by_forms) >= 512:
                self._by_forms.clear()
            compiled = self._by_forms[key] = re.compile(pattern())
        return compiled

    @property
    def _cyrillic(self) -> list[tuple[str, str]]:
        """(pattern, entry id) of every Russian form, made when first needed (a zh–en check never does)."""
        if self._cyrillic_patterns is None:
            self._cyrillic_patterns = [(_ru_pattern(form.lower()), eid) for form, eid in self._cyrillic_forms]
        return self._cyrillic_patterns

    @property
    def _cyrillic_by_head(self) -> dict[str, list[tuple[str, str]]]:
        if self._by_head is None:
            self._by_head = {}
            for pattern, eid in self._cyrillic:
                head = re.match(r"[^\[\\(]*", pattern)
                self._by_head.setdefault(head.group(0) if head else "", []).append((pattern, eid))
        return self._by_head

    @property
    def _cyrillic_re(self) -> re.Pattern[str] | None:
        if "Cyrillic" not in self._compiled:
            self._compiled["Cyrillic"] = self._alternation(
                sorted({p for p, _ in self._cyrillic}, key=len, reverse=True), r"(?<![а-яё])", r"(?![а-яё])"
            )
        return self._compiled["Cyrillic"]

    @staticmethod
    def _core(kind: str, form: str) -> str | None:
        if kind not in ("organisation", "organization"):
            return None
        head = re.split(r"\s+of\s+", form, maxsplit=1)[0]
        return head if head != form and len(head.split()) >= 3 else None

    @staticmethod
    def _alternation(forms: list[str], before: str, after: str, flags: int = 0) -> re.Pattern[str] | None:
        if not forms:
            return None
        return re.compile(before + "(?:" + "|".join(forms) + ")" + after, flags)

    def __len__(self) -> int:
        return len(self.entries)

    def __bool__(self) -> bool:
        return bool(self.entries)

    # --- finding names -----------------------------------------------------------------------------

    def find(self, text: str, scripts: set[str] | None = None) -> list[Fact]:
        """Every known name in `text` (longest first at each place), as facts of kind 'name'."""
        out: list[Fact] = []
        han = self._han_re(text) if (scripts is None or "Han" in scripts) and self._han else None
        if han is not None:  # compile only what is read
            for m in han.finditer(text):
                if m.start() and text[m.start() - 1] in self.han_not_after.get(m.group(0), ""):
                    continue
                out.append(self._fact(self._han[m.group(0)], m))
        latin = None
        if (scripts is None or "Latin" in scripts) and self._latin:  # compile only what is read
            lowered = text.lower()
            if len(lowered) != len(text):  # a character whose lower case is longer: keep offsets right
                lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
            latin = self._latin_re(lowered)
        if latin is not None:
            for m in latin.finditer(lowered):
                norm = _en_norm(m.group(0))
                eid = self._latin.get(norm) or self._latin.get(re.sub(r"(?:'s|s)$", "", norm))
                said = text[m.start() : m.end()]
                if eid and norm in self._acronyms and not re.sub(r"^the\s+", "", said, flags=re.I).isupper():
                    continue  # WHO, not "who"
                if eid:
                    out.append(self._fact(eid, m, said))
        if (scripts is None or "Cyrillic" in scripts) and self._cyrillic_re is not None:  # compile only what is read
            lowered = text.lower()
            if len(lowered) != len(text):  # a character whose lower case is longer: keep offsets right
                lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
            for m in self._cyrillic_re.finditer(lowered):
                if not text[m.start()].isupper():
                    continue  # names are written with a capital: того is a pronoun, not Togo
                eid = self._cyrillic_entry(m.group(0))
                if eid and _RU_CURRENCY_BEFORE.search(text, max(0, m.start() - 12), m.start()):
                    continue  # долларов США: the currency, not the country
                if eid:
                    out.append(self._fact(eid, m, text[m.start() : m.end()]))
            out.extend(self._ru_adjective_facts(text, lowered, out))
        return out

    def _ru_adjective_facts(self, text: str, lowered: str, found: list[Fact]) -> list[Fact]:
        """The countries Russian names by an adjective (сирийского народа), outside the names found (Сирийской
        Арабской Республики is one name)."""
        if not self._ru_adjectives:
            return []
        if self._ru_adjective_re is None:
            stems = sorted(self._ru_adjectives, key=len, reverse=True)
            people = sorted(self._ru_people, key=len, reverse=True)
            self._ru_adjective_re = re.compile(
                r"(?<![а-яё])(?:(?P<adj>" + "|".join(map(re.escape, stems)) + r")(?:" + _RU_ADJECTIVE_ENDINGS + r")"
                r"|(?P<people>" + "|".join(map(re.escape, people)) + r")(?:" + _RU_PEOPLE_ENDINGS + r"))(?![а-яё])"
            )
        taken = [(f.start, f.end) for f in found]
        out = []
        for m in self._ru_adjective_re.finditer(lowered.replace("ё", "е")):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            eid = self._ru_adjectives[m["adj"]] if m["adj"] else self._ru_people[m["people"]]
            if m["adj"] and _RU_LANGUAGE_AFTER.match(lowered, m.end()):
                continue  # на немецком, итальянском и шведском языках: languages, not countries
            if m["adj"] and _RU_PLACE_AFTER.match(lowered, m.end()):
                continue  # Индийского океана, Южно-Китайском море: a sea, not the country
            if text[m.start()].isupper() and _RU_CAPITAL_AFTER.match(text, m.end()):
                continue  # Британских Виргинских островов: part of another name
            out.append(self._fact(eid, m, text[m.start() : m.end()]))
        return out

    def _cyrillic_entry(self, matched: str) -> str | None:
        first = re.match(r"[а-яё]+", matched)
        word = first.group(0) if first else ""
        for cut in range(0, 4):
            stem = word[: len(word) - cut] if cut else word
            for pattern, eid in self._cyrillic_by_head.get(stem, ()):
                compiled = self._cyrillic_compiled.get(pattern)
                if compiled is None:
                    compiled = self._cyrillic_compiled[pattern] = re.compile(pattern)
                if compiled.fullmatch(matched):
                    return eid
        for patterns in self._cyrillic_by_head.values():  # a name that starts with a digit or a sign
            for pattern, eid in patterns:
                if re.fullmatch(pattern, matched):
                    return eid
        return None

    def _fact(self, entry_id: str, m: re.Match[str], text: str | None = None) -> Fact:
        key = ("name", entry_id)
        entry = self.entries[entry_id]
        # A state goes by many names (中苏, 苏联, "the Soviet side"): that one version spells it out and the
        # other does not is no error, so party names are soft; one party where another is named still is.
        hard = entry.kind not in SOFT_KINDS
        shown = m.group(0) if text is None else text
        return Fact("name", key, frozenset([key]), m.start(), m.end(), shown, hard, entry.label)

    # --- data --------------------------------------------------------------------------------------

    @classmethod
    def from_json(cls, data: Any) -> Directory:
        """From {"entries": [{"id": ..., "kind": ..., "names": {"en": "Wu Heng" or [...], ...}}, ...]}."""
        items = data.get("entries", []) if isinstance(data, Mapping) else data
        entries = []
        for i, item in enumerate(items or []):
            if not isinstance(item, Mapping):
                raise ValueError(f"directory entry {i} is not an object")
            names: dict[str, tuple[str, ...]] = {}
            for lang, value in (item.get("names") or {}).items():
                forms = [value] if isinstance(value, str) else list(value or [])
                names[str(lang)] = tuple(str(f) for f in forms if f)
            entries.append(Entry(str(item.get("id") or f"entry:{i}"), str(item.get("kind") or "other"), names))
        guard = data.get("han_not_after") if isinstance(data, Mapping) else None
        return cls(entries, guard if isinstance(guard, Mapping) else None)

    def merged(self, other: Directory) -> Directory:
        """This directory's entries, then the other's (a form both know keeps this one's entry)."""
        return Directory(
            [*self.entries.values(), *other.entries.values()], {**other.han_not_after, **self.han_not_after}
        )

    @classmethod
    def load(cls, path: str | Path) -> Directory:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))

    def to_json(self) -> dict[str, Any]:
        return {
            "entries": [
                {"id": e.id, "kind": e.kind, "names": {lang: list(forms) for lang, forms in e.names.items()}}
                for e in self.entries.values()
            ]
        }


def _localized_forms(value: Mapping[str, str] | None, extra: Iterable[str] = ()) -> dict[str, tuple[str, ...]]:
    """{"zh": "武衡", "en": "Wu Heng"} plus language-less aliases sorted in by their script."""
    names: dict[str, list[str]] = {}
    for tag, text in (value or {}).items():
        if isinstance(text, str) and text.strip():
            names.setdefault(tag.split("-")[0].lower(), []).append(text.strip())
    by_script = {"Han": "zh", "Cyrillic": "ru", "Latin": "en"}
    for alias in extra:
        if isinstance(alias, str) and alias.strip():
            lang = by_script.get(_script(alias) or "", "und")
            names.setdefault(lang, []).append(alias.strip())
    return {lang: tuple(dict.fromkeys(forms)) for lang, forms in names.items()}


def directory_from_database() -> Directory:
    """The names Accord knows: people, organisations (current and dated names, aliases), parties, and the
    places of meetings. Reads the database; the checker itself never does."""
    from accord.directory.models import Organisation, OrganisationName, Party, Person

    entries: list[Entry] = []
    for person in Person.objects.only("uid", "name"):
        entries.append(Entry(f"person:{person.uid}", "person", _localized_forms(person.name)))
    dated: dict[int, list[Mapping[str, str]]] = {}
    for name in OrganisationName.objects.only("organisation_id", "name"):
        dated.setdefault(name.organisation_id, []).append(name.name)
    for org in Organisation.objects.only("id", "uid", "name", "aliases"):
        forms = _localized_forms(org.name, org.aliases or [])
        for old in dated.get(org.id, []):
            for lang, more in _localized_forms(old).items():
                forms[lang] = tuple(dict.fromkeys([*forms.get(lang, ()), *more]))
        entries.append(Entry(f"organisation:{org.uid}", "organisation", forms))
    for party in Party.objects.only("uid", "name"):
        entries.append(Entry(f"party:{party.uid}", "party", _localized_forms(party.name)))
    places: dict[str, dict[str, tuple[str, ...]]] = {}
    for place in (p for source in place_sources for p in source()):
        forms = _localized_forms(place)
        if forms:
            key = json.dumps(forms, sort_keys=True, ensure_ascii=False)
            places.setdefault(key, forms)
    for i, forms in enumerate(places.values()):
        label = (forms.get("en") or next(iter(forms.values())))[0]
        entries.append(Entry(f"place:{label.lower()}" if label else f"place:{i}", "place", forms))
    return Directory(entries)
