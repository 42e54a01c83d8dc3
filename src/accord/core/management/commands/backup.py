from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from accord.core.backup import create_backup
from accord.core.cli import AccordCommand


class Command(AccordCommand):
    help = (
        "Write the database, the uploaded files and a manifest into one backup file (online: Accord may keep running)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The backup file to write (a gzipped tar).")

    def handle(self, *args: Any, **options: Any) -> None:
        manifest = create_backup(options["file"])
        head = manifest["chain_head"]
        self.stdout.write(
            f"backup written to {options['file']}: {manifest['database']['vendor']}, "
            f"{len(manifest['counts'])} tables, {sum(manifest['counts'].values())} rows, "
            f"{manifest['media_files']} media files, audit chain head #{head['id'] if head else '-'}"
        )
