"""What every importer answers: what it created, updated and left alone, or every problem it found.

Shared by the tabular importers (interop) and the published-data importers (sources), so the CLI,
the API and the pages show any import the same way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from accord.core.errors import DomainError


def _label(kind: str) -> str:
    """A kind a report counts ("plan item", the API's key) as the record kinds are named in the reader's language;
    "agreement party" is the agreement's party (AgreementParty's own name)."""
    if kind == "agreement party":
        return _("party to the agreement")
    return pgettext("record kind", kind)


@dataclass(frozen=True)
class Problem:
    """One reason an import was refused, with its place: file, row (1-based, the header is row 1), column."""

    reason: str
    row: int | None = None
    column: str | None = None
    file: str | None = None

    def __str__(self) -> str:
        row = _("row %(number)s") % {"number": self.row} if self.row else None
        where = [p for p in (self.file, row, self.column) if p]
        return f"{', '.join(where)}: {self.reason}" if where else self.reason

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "reason": self.reason}


class Preview:
    """Decoded rows from across the file, to check before writing that every character reads as it should.

    The first rows, the last one, and rows holding non-ASCII text (where a wrong encoding shows) spread
    evenly over the whole file: every `step`-th such row is kept, and when too many are kept every other one
    is dropped and the step doubled, so the sample stays small and spans the file whatever its length.
    """

    FIRST = 3
    SPREAD = 8

    def __init__(self, header: list[str]):
        self.header = header
        self.first: list[tuple[int, list[str]]] = []
        self.spread: list[tuple[int, list[str]]] = []
        self.last: tuple[int, list[str]] | None = None
        self.step = 1
        self.seen = 0

    def add(self, number: int, cells: list[Any]) -> None:
        texts = ["; ".join(c) if isinstance(c, list) else str(c) for c in cells]
        if len(self.first) < self.FIRST:
            self.first.append((number, texts))
            return
        self.last = (number, texts)
        if not any(not t.isascii() for t in texts):
            return
        if self.seen % self.step == 0:
            self.spread.append((number, texts))
            if len(self.spread) > 2 * self.SPREAD:
                self.spread = self.spread[::2]
                self.step *= 2
        self.seen += 1

    def rows(self) -> list[dict[str, Any]]:
        chosen = dict(self.first)
        spread = self.spread
        if len(spread) > self.SPREAD:
            spread = [spread[round(i * (len(spread) - 1) / (self.SPREAD - 1))] for i in range(self.SPREAD)]
        chosen.update(spread)
        if self.last is not None:
            chosen[self.last[0]] = self.last[1]
        out = []
        for number in sorted(chosen):
            cells = {}
            for index, text in enumerate(chosen[number]):
                if text.strip():
                    name = self.header[index] if index < len(self.header) and self.header[index] else f"#{index + 1}"
                    cells[name] = text if len(text) <= 80 else text[:79] + "…"
            out.append({"row": number, "cells": cells})
        return out


@dataclass
class ImportReport:
    """Counts by kind of record ("organisation", "project", ...) of what was (or, in a dry run, would be) done."""

    dry_run: bool = False
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    read_as: str = ""  # how the file was read: format, encoding (and how it was decided), delimiter or sheet
    preview: list[dict[str, Any]] = field(default_factory=list)  # decoded rows from across the file
    rows: int = 0  # data rows read, where the importer counts them (0: not counted)

    @property
    def records(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values()) + sum(self.unchanged.values())

    def counts(self) -> list[tuple[str, int, int, int]]:
        """(kind, created, updated, unchanged) for every kind the report names, in order of kind: a re-import that
        found everything unchanged created nothing, and still has its counts to show."""
        kinds = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return [(kind, self.created[kind], self.updated[kind], self.unchanged[kind]) for kind in kinds]

    def as_dict(self) -> dict[str, Any]:
        counts = self.counts()
        return {
            "dry_run": self.dry_run,
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            "counts": [list(row) for row in counts],
            "labels": {row[0]: _label(row[0]) for row in counts},  # in the language of the run
            "notes": self.notes,
            "read_as": self.read_as,
            "preview": self.preview,
            **({"rows": self.rows} if self.rows else {}),
        }

    def summary(self) -> str:
        lines = [("Would import" if self.dry_run else "Imported") + f" {self.records} record(s):"]
        if self.rows:
            lines[0] = f"Read {self.rows} row(s). " + lines[0]
        if self.read_as:
            lines.insert(0, f"Read as {self.read_as}")
        for kind, created, updated, unchanged in self.counts():
            lines.append(f"  {kind}: {created} created, {updated} updated, {unchanged} unchanged")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)

    def preview_text(self) -> str:
        """The preview as lines of text: each row's number and its non-empty cells as decoded."""
        if not self.preview:
            return ""
        lines = [_("Preview (decoded rows from across the file; check the characters before importing):")]
        for row in self.preview:
            cells = " | ".join(f"{name}: {value}" for name, value in row["cells"].items())
            lines.append("  " + _("row %(number)s") % {"number": row["row"]} + f": {cells}")
        return "\n".join(lines)


class ImportRefused(DomainError):
    """The file cannot be imported; nothing was written. `problems` lists every place that is wrong."""

    code = "import_refused"

    def __init__(self, problems: list[Problem], *, limit_note: str | None = None, total: int | None = None):
        self.problems = problems
        # Every problem found, listed or not (the list stops at ACCORD_IMPORT_MAX_PROBLEMS).
        self.total = max(total or 0, len(problems))
        self.read_as = ""  # how the file was read, when it was (see ImportReport)
        self.preview: list[dict[str, Any]] = []
        first = str(problems[0]) if problems else _("the file cannot be read")
        others = self.total - 1
        more = ngettext(" (and %(count)s more)", " (and %(count)s more)", others) % {"count": others} if others else ""
        message = _("Nothing was imported: %(problem)s%(more)s") % {"problem": first, "more": more}
        super().__init__(message, field=problems[0].column if problems else None)
        self.limit_note = limit_note

    def as_dict(self) -> dict[str, Any]:
        return {
            **super().as_dict(),
            "total": self.total,
            "problems": [p.as_dict() for p in self.problems],
            **({"read_as": self.read_as, "preview": self.preview} if self.read_as else {}),
        }
