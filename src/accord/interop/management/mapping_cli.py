"""`accord import KIND FILE --map M` and `--propose-map OUT`: the column-mapping step from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accord.core.errors import ValidationFailed
from accord.interop.mapping import Mapping, import_mapped, propose, stored_mapping
from accord.interop.report import ImportReport


def load_mapping(kind: str, given: str) -> Mapping:
    """A mapping file (JSON) when `given` is a file, else the stored mapping of that name."""
    path = Path(given)
    if path.suffix.lower() == ".json" or path.is_file():
        if not path.is_file():
            raise CommandError(f"{path}: no such mapping file")
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{path}: not a JSON mapping ({exc})") from None
        try:
            return Mapping.from_dict(data, kind=kind)
        except ValidationFailed as exc:
            raise CommandError(f"{path}: {exc}") from None
    return stored_mapping(kind, given)


def import_with_mapping(
    kind: str, path: Path, given: str | None, propose_to: str | None, dry_run: bool, command: BaseCommand
) -> ImportReport | None:
    if path.is_dir():
        raise CommandError(f"{path}: is a folder; give a .csv, .xlsx or .json file")
    if propose_to:
        with path.open("rb") as fh:
            proposal = propose(kind, fh, path.name)
        out: dict[str, Any] = proposal.mapping.as_file()
        out["reasons"] = proposal.reasons
        Path(propose_to).write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        for header, target in proposal.mapping.columns.items():
            command.stdout.write(f"  {header} -> {target or '(left out)'}: {proposal.reasons[header]}")
        command.stderr.write(f"wrote {propose_to}; edit it, then: accord import {kind} {path} --map {propose_to}")
        return None
    assert given is not None
    chosen = load_mapping(kind, given)
    with path.open("rb") as fh:  # a large CSV streams through the mapping, as through a plain import
        return import_mapped(chosen, fh, path.name, dry_run=dry_run)
