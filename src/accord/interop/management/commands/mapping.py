"""`accord mapping list [--kind K]`, `export KIND NAME -o FILE`, `save FILE [--name N]`, `delete KIND NAME`:
the column mappings stored for users' own files (records: audited; exported as the file --map reads)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.core.errors import DomainError
from accord.interop.models import ImportMapping


class Command(BaseCommand):
    help = "List, export, save or delete the stored column mappings of imports."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list")
        listing.add_argument("--kind")
        export = sub.add_parser("export")
        export.add_argument("kind")
        export.add_argument("name")
        export.add_argument("-o", "--output", required=True)
        save = sub.add_parser("save")
        save.add_argument("file")
        save.add_argument("--name", help="store under this name (default: the name in the file)")
        delete = sub.add_parser("delete")
        delete.add_argument("kind")
        delete.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        from accord.interop.management.mapping_cli import load_mapping
        from accord.interop.services import delete_mapping, save_mapping

        action = options["action"]
        try:
            if action == "list":
                rows = ImportMapping.objects.all()
                if options.get("kind"):
                    rows = rows.filter(kind=options["kind"])
                for stored in rows:
                    columns = len([t for t in stored.definition.get("columns", {}).values() if t])
                    self.stdout.write(f"{stored.kind}\t{stored.name}\t{columns} column(s)\tversion {stored.version}")
            elif action == "export":
                stored = _stored(options["kind"], options["name"])
                Path(options["output"]).write_text(
                    json.dumps(stored.as_file(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
                )
                self.stderr.write(f"wrote {options['output']}")
            elif action == "save":
                data = json.loads(Path(options["file"]).read_text(encoding="utf-8-sig"))
                kind = data.get("kind") if isinstance(data, dict) else None
                if not isinstance(kind, str):
                    raise CommandError(f"{options['file']}: the mapping names no kind of record")
                mapping = load_mapping(kind, options["file"])
                saved = save_mapping(options.get("name") or mapping.name, mapping)
                self.stdout.write(f"saved {saved} (version {saved.version})")
            elif action == "delete":
                stored = _stored(options["kind"], options["name"])
                delete_mapping(stored, expected_version=stored.version)
                self.stdout.write(f"deleted {stored}")
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(str(exc)) from None


def _stored(kind: str, name: str) -> ImportMapping:
    found = ImportMapping.objects.filter(kind=kind, name=name).first()
    if found is None:
        raise CommandError(f"no mapping “{name}” is stored for {kind}")
    return found
