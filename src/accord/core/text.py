"""Characters a record's text may not hold, and how text is shown safely where it is not ours to trust.

XML 1.0 — and so XLSX, DOCX, ODF and the HTML a PDF is printed from — cannot carry the C0 control characters
other than tab, line feed and carriage return, the non-characters U+FFFE and U+FFFF, or a lone surrogate:
openpyxl refuses such a cell, python-docx such a run, and one of them in a stored title used to make every
export and document that included it fail for everyone. So the one validation engine (core.validation) refuses
them in every text a record stores, on every channel; the writers strip them all the same (`strip_unsafe`), so
text stored before the rule, or reaching a writer some other way, cannot break an export.

`for_terminal` is the other direction: record text printed by the CLI to an operator's terminal, with every
control character (escape sequences included) and the invisible direction overrides shown escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# C0 controls except \t \n \r; U+FFFE, U+FFFF; any surrogate code point (in a Python str one is always lone:
# a pair read from UTF-8 or JSON is one character).
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# What must not reach a terminal raw: every C0 and C1 control and DEL (escape sequences start with ESC or
# CSI), and the bidirectional overrides and isolates that reorder what an operator reads ("trojan source").
_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def unsafe_in(text: str) -> str | None:
    """The first character of `text` that XML cannot carry, or None."""
    found = UNSAFE.search(text)
    return found.group() if found else None


def strip_unsafe(text: str) -> str:
    """`text` without the characters XML cannot carry (unchanged, the same object, when it holds none)."""
    if not isinstance(text, str) or not UNSAFE.search(text):
        return text
    return UNSAFE.sub("", text)


def strip_unsafe_value(value: Any) -> Any:
    """strip_unsafe over a JSON-like value: strings, and the keys and items of dicts and lists."""
    if isinstance(value, str):
        return strip_unsafe(value)
    if isinstance(value, dict):
        return type(value)((strip_unsafe_value(k), strip_unsafe_value(v)) for k, v in value.items())
    if isinstance(value, list):
        return [strip_unsafe_value(v) for v in value]
    return value


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def unsafe_message(char: str, where: str = "") -> str:
    """What a field's error says: which character, and (for a localized text) in which language's text."""
    what = f"the {where} text" if where else "the text"
    return (
        f"{what} holds the control character {code_point(char)}, which exports and documents cannot carry; "
        "remove it (paste the text as plain text)"
    )


def unsafe_in_value(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(where, character) for each string in a JSON-like value holding a character XML cannot carry:
    `where` is the language tag of a localized text, the key path of other JSON, '' for plain text."""
    if isinstance(value, str):
        char = unsafe_in(value)
        if char is not None:
            yield path, char
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and unsafe_in(key) is not None:
                yield (path or "key"), unsafe_in(key) or ""
            yield from unsafe_in_value(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from unsafe_in_value(item, f"{path}[{index}]" if path else f"[{index}]")


def for_terminal(text: Any) -> str:
    """`text` safe to print to a terminal: controls and direction overrides shown as escapes (\\x1b, \\u202e);
    line feeds and tabs kept, so multi-line text still reads as such."""
    text = str(text)
    if not _TERMINAL.search(text):
        return text
    return _TERMINAL.sub(_escape, text)


def json_for_terminal(text: str) -> str:
    """JSON text with what `for_terminal` would escape written as JSON escapes (\\u001b, \\u202e) instead: still
    valid JSON meaning the same, and printed unchanged through `for_terminal`."""
    return _TERMINAL.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


class TerminalStream:
    """A text stream (sys.stdout) whose writes go through `for_terminal`: for output printed without Django
    (`accord check-texts`' fast path); Django commands use core.cli.TerminalSafeOutput, the same escaping."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return int(self.stream.write(for_terminal(text)) or 0)

    def flush(self) -> None:
        self.stream.flush()


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def strip_stored_text(apps: Any, schema_editor: Any = None) -> dict[str, int]:
    """Strip the characters XML cannot carry from every text column of every model in `apps` (a migration's
    historical registry, or django.apps.apps); the number of rows changed per model label.

    An audited record (one with a uid and a version) changes as a service would change it: its version goes up
    and one audit entry per row says what was removed, acting as "migration", so `accord verify` still holds.
    The audit chain itself is left alone (its hashes cover its text, which was what was stored at the time).
    """
    from django.db import models, transaction
    from django.utils import timezone

    from accord.core.actor import Actor, acting_as
    from accord.core.audit import append, entry, snapshot

    changed: dict[str, int] = {}
    actor = Actor(None, "migration", "migration:strip-control-characters", system=True)
    with acting_as(actor), transaction.atomic():
        for model in apps.get_models():
            if model._meta.label_lower == "core.changerecord" or model._meta.proxy or not model._meta.managed:
                continue
            fields = [
                f
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField | models.JSONField)
            ]
            if not fields:
                continue
            names = {f.name for f in model._meta.concrete_fields}
            audited = {"uid", "version"} <= names
            entries = []
            for obj in model._base_manager.order_by("pk").iterator(chunk_size=2000):
                dirty = {}
                for f in fields:
                    value = getattr(obj, f.attname)
                    cleaned = strip_unsafe_value(value)
                    if cleaned != value:
                        dirty[f.attname] = cleaned
                if not dirty:
                    continue
                before = snapshot(obj) if audited else None
                for attname, value in dirty.items():
                    setattr(obj, attname, value)
                if audited:
                    obj.version += 1
                    dirty["version"] = obj.version
                    if "updated_at" in names:
                        obj.updated_at = timezone.now()
                        dirty["updated_at"] = obj.updated_at
                model._base_manager.filter(pk=obj.pk).update(**dirty)
                if audited:
                    entries.append(entry(obj, "update", before, snapshot(obj), repr=f"{model.__name__} {obj.pk}"))
                changed[model._meta.label_lower] = changed.get(model._meta.label_lower, 0) + 1
            if entries:
                append(entries)
    return changed
