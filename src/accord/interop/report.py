"""What every importer answers: what it created, updated and left alone, or every problem it found.

Shared by the tabular importers (interop) and the published-data importers (sources), so the CLI,
the API and the pages show any import the same way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from accord.core.errors import DomainError


@dataclass(frozen=True)
class Problem:
    """One reason an import was refused, with its place: file, row (1-based, the header is row 1), column."""

    reason: str
    row: int | None = None
    column: str | None = None
    file: str | None = None

    def __str__(self) -> str:
        where = [p for p in (self.file, f"row {self.row}" if self.row else None, self.column) if p]
        return f"{', '.join(where)}: {self.reason}" if where else self.reason

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class ImportReport:
    """Counts by kind of record ("organisation", "project", ...) of what was (or, in a dry run, would be) done."""

    dry_run: bool = False
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    @property
    def records(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values()) + sum(self.unchanged.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            "notes": self.notes,
        }

    def summary(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        lines = [("Would import" if self.dry_run else "Imported") + f" {self.records} record(s):"]
        for kind in kinds:
            lines.append(
                f"  {kind}: {self.created[kind]} created, {self.updated[kind]} updated, "
                f"{self.unchanged[kind]} unchanged"
            )
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


class ImportRefused(DomainError):
    """The file cannot be imported; nothing was written. `problems` lists every place that is wrong."""

    code = "import_refused"

    def __init__(self, problems: list[Problem], *, limit_note: str | None = None):
        self.problems = problems
        first = str(problems[0]) if problems else "the file cannot be read"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"Nothing was imported: {first}{more}", field=problems[0].column if problems else None)
        self.limit_note = limit_note

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "problems": [p.as_dict() for p in self.problems]}
