"""`accord check-texts` as a Django management command (call_command, `django-admin`): the work is done by
accord.fidelity.cli.execute, which the `accord` entry point also runs without setting Django up."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from accord.core.cli import AccordCommand
from accord.fidelity.cli import BAD_INPUT, BadInput, add_arguments, execute


class Command(AccordCommand):
    help = (
        "Compare two language versions of a text (numbers, dates, names, codes) and print where they differ. "
        "Exit 0 when they agree, 1 with findings, 2 when the input cannot be checked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            status = execute(options, _Out(self.stdout), _Out(self.stderr), records=_records)
        except BadInput as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from None
        if status:
            raise SystemExit(status)


class _Out:
    """Django's OutputWrapper adds a newline to each write; execute writes whole lines."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped

    def write(self, text: str) -> None:
        self.wrapped.write(text, ending="")


def _records() -> Any:
    """Accord's own names, when its database has them (a SQLite file not created yet is not created here)."""
    from pathlib import Path

    from django.db import connection

    name = connection.settings_dict.get("NAME")
    if connection.vendor == "sqlite" and name and str(name) != ":memory:" and not Path(str(name)).exists():
        raise FileNotFoundError(name)
    from accord.fidelity.names import directory_from_database

    return directory_from_database()
