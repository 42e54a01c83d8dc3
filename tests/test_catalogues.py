"""The interface catalogues are complete: every entry translated, none fuzzy, placeholders kept.

Run after `makemessages`: a string added to the code but not yet translated (or only fuzzily matched
by msgmerge) fails here, naming the entry, before anyone sees English in a Chinese or Russian page.
"""

from __future__ import annotations

import gettext
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from translate.storage.pypo import pofile

LOCALE_DIR = Path(__file__).resolve().parents[1] / "src" / "accord" / "locale"

# Language directory -> the Plural-Forms header it must carry.
LANGUAGES = {
    "zh_Hans": "nplurals=1; plural=0;",
    "ru": ("nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"),
}

# %(name)s (any conversion and flags), bare %s / %d ..., and {name} / {0} / {} (str.format); %% is a literal.
_PLACEHOLDER = re.compile(
    r"%%"
    r"|%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdiouxXeEfFgGcr]"
    r"|%[-#0 +]*\d*(?:\.\d+)?[sdiouxXeEfFgGcr]"
    r"|\{[A-Za-z_][A-Za-z0-9_]*\}|\{\d*\}"
)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*\b[^>]*>")


def placeholders(text: str) -> set[str]:
    return {m for m in _PLACEHOLDER.findall(text) if m != "%%"}


def tags(text: str) -> Counter[str]:
    """HTML tags by name and kind (opening or closing), attributes ignored: a translation may reorder them."""
    return Counter(re.match(r"</?[A-Za-z][A-Za-z0-9]*", t).group(0) for t in _TAG.findall(text))  # type: ignore[union-attr]


def load(lang: str) -> Any:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"
    with path.open("rb") as f:
        return pofile(f)


def entries(lang: str) -> list[Any]:
    return [u for u in load(lang).units if not u.isheader() and not u.isobsolete()]


def label(unit: Any) -> str:
    where = ", ".join(unit.getlocations()[:2])
    source = str(unit.source.strings[0]) if unit.hasplural() else str(unit.source)
    return f"{source!r}" + (f" ({where})" if where else "")


def forms(unit: Any) -> list[str]:
    if unit.hasplural():
        return [str(s) for s in unit.target.strings]
    return [str(unit.target or "")]


def sources(unit: Any) -> list[str]:
    if unit.hasplural():
        return [str(s) for s in unit.source.strings]
    return [str(unit.source)]


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_catalogue_exists_with_right_plural_forms(lang: str) -> None:
    header = load(lang).parseheader()
    assert header.get("Content-Type", "").lower().endswith("charset=utf-8")
    plural = " ".join(header.get("Plural-Forms", "").split())
    assert plural == LANGUAGES[lang], f"{lang}: Plural-Forms is {plural!r}"
    assert entries(lang), f"{lang}: the catalogue is empty"


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_no_fuzzy_entries(lang: str) -> None:
    fuzzy = [label(u) for u in entries(lang) if u.isfuzzy()]
    assert not fuzzy, f"{lang}: {len(fuzzy)} fuzzy entries to check and unmark:\n" + "\n".join(fuzzy)


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_every_entry_translated(lang: str) -> None:
    nplurals = int(re.search(r"nplurals=(\d+)", LANGUAGES[lang]).group(1))  # type: ignore[union-attr]
    missing = []
    for unit in entries(lang):
        targets = forms(unit)
        if unit.hasplural() and len(targets) != nplurals:
            missing.append(f"{label(unit)}: {len(targets)} plural forms, {nplurals} needed")
        elif not all(t.strip() for t in targets):
            missing.append(label(unit))
    assert not missing, f"{lang}: {len(missing)} entries untranslated:\n" + "\n".join(missing)


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_translations_keep_placeholders_and_tags(lang: str) -> None:
    wrong = []
    for unit in entries(lang):
        srcs = sources(unit)
        # A plural's forms are all checked against the union of msgid and msgid_plural: English may
        # write "one project" in the singular, but every form is used with the same variables.
        wanted = set().union(*(placeholders(s) for s in srcs))
        wanted_tags = tags(srcs[-1])
        for target in forms(unit):
            if not target:
                continue  # reported by test_every_entry_translated
            if placeholders(target) != wanted:
                wrong.append(f"{label(unit)}: {sorted(placeholders(target))} instead of {sorted(wanted)}")
            if tags(target) != wanted_tags:
                wrong.append(f"{label(unit)}: HTML tags {dict(tags(target))} instead of {dict(wanted_tags)}")
    assert not wrong, f"{lang}: {len(wrong)} translations change placeholders or tags:\n" + "\n".join(wrong)


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_compiled_catalogue_is_current(lang: str) -> None:
    """The .mo Django reads holds every translation of the .po: `compilemessages` was run after editing."""
    mo_path = LOCALE_DIR / lang / "LC_MESSAGES" / "django.mo"
    assert mo_path.exists(), f"{lang}: django.mo missing; run compilemessages"
    with mo_path.open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    stale = []
    for unit in entries(lang):
        if unit.isfuzzy():
            continue
        ctx = f"{unit.getcontext()}\x04" if unit.getcontext() else ""
        if unit.hasplural():
            for i, target in enumerate(forms(unit)):
                if catalog.get((ctx + sources(unit)[0], i)) != target:
                    stale.append(label(unit))
                    break
        elif catalog.get(ctx + sources(unit)[0]) != forms(unit)[0]:
            stale.append(label(unit))
    assert not stale, f"{lang}: django.mo is out of date for {len(stale)} entries; run compilemessages:\n" + "\n".join(
        stale
    )
