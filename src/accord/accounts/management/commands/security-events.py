"""`accord security-events prune [--days N] [--dry-run]`: remove security events past their retention now
(the worker does it daily); the removal is itself a security event."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from accord.accounts import security
from accord.core.cli import AccordCommand


class Command(AccordCommand):
    help = "Remove security events older than ACCORD_SECURITY_EVENTS_DAYS (or --days); --dry-run counts them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        prune = sub.add_parser("prune", help="remove the events past their retention; the removal is logged")
        prune.add_argument("--days", type=int, help="keep this many days instead of ACCORD_SECURITY_EVENTS_DAYS")
        prune.add_argument("--dry-run", action="store_true", help="count what would go; remove nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options.get("days")
        if days is not None and days < 1:
            raise CommandError("--days: events are kept at least one day")
        if days is None and security.retention_days() is None:
            self.stdout.write("security events are kept for ever (ACCORD_SECURITY_EVENTS_DAYS=off); nothing removed")
            return
        pruned = security.prune(days=days, dry_run=options["dry_run"])
        before = pruned.before.isoformat(timespec="seconds") if pruned.before else ""
        if options["dry_run"]:
            self.stdout.write(f"{pruned.removed} security event(s) before {before} would be removed (dry run)")
        else:
            self.stdout.write(f"{pruned.removed} security event(s) before {before} removed")
