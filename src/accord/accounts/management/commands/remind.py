"""`accord remind [--dry-run] [--as-of DATE]`: send the reminder digests now (or show what would go out)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from accord.accounts.reminders import MailFailed, digests, email_enabled, send_digests
from accord.core.cli import AccordCommand, parse_date


class Command(AccordCommand):
    help = "Send each person the reminders of what they owe and wait for (each thing once); --dry-run shows them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="print per recipient what would go out; send nothing"
        )
        parser.add_argument("--as-of", help="the day to measure due dates against (YYYY-MM-DD); default today")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = parse_date(options["as_of"], "--as-of")
        if options["dry_run"]:
            found = digests(as_of)
            for digest in found:
                user = digest.user
                self.stdout.write(
                    f"to {user.get_username()} <{user.email}> ({digest.language}): "
                    f"{len(digest.reminders.owe)} owed, {len(digest.reminders.wait)} awaited"
                )
                self.stdout.write(f"  subject: {digest.subject}")
                for line in digest.body.splitlines():
                    self.stdout.write(f"  | {line}")
            self.stdout.write(f"{len(found)} digest(s) would be sent; nothing was sent (dry run)")
            return
        if not email_enabled():
            raise CommandError("e-mail is off: set ACCORD_EMAIL_HOST (and ACCORD_EMAIL_*), or see them with --dry-run")
        try:
            sent = send_digests(as_of)
        except MailFailed as exc:
            raise CommandError(str(exc)) from None
        things = sum(len(d.keys) for d in sent)
        self.stdout.write(f"sent {len(sent)} digest(s) of {things} due thing(s)")
