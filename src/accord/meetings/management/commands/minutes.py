"""`accord minutes`: start, show, compare, amend and sign off the agreed minutes of a meeting.

A thin layer over accord.meetings.services.minutes: it resolves the arguments, calls one service and prints the
result; a refusal becomes a one-line reason and a non-zero exit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import models
from django.utils import timezone

from accord.core.cli import AccordCommand
from accord.core.errors import DomainError
from accord.directory.models import Party, Person
from accord.meetings.models import Meeting, Minutes, MinutesRevision
from accord.meetings.services import minutes as services


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 1960-02-24") from None


def _by_ref(model: type[models.Model], ref: str, what: str) -> Any:
    """A record by its id or its uid."""
    ref = ref.strip()
    if ref.isdigit():
        found = model._default_manager.filter(pk=int(ref)).first()
    else:
        try:
            found = model._default_manager.filter(uid=uuid.UUID(ref)).first()
        except ValueError:
            raise CommandError(f"{what} must be given by its id or uid, not {ref!r}") from None
    if found is None:
        raise CommandError(f"there is no {what} {ref}")
    return found


class Command(AccordCommand):
    help = "The agreed minutes of a meeting: start, show, diff, amend, sign-off. MEETING is the meeting's id or uid."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        def texts(p: argparse.ArgumentParser) -> None:
            p.add_argument("--lang", action="append", required=True, help="Language tag of the text (repeatable).")
            p.add_argument(
                "--file", action="append", required=True, help="UTF-8 text file, '-' for stdin (one per --lang)."
            )
            p.add_argument("--note", default="", help="Why: e.g. amendments to item 2.")

        start = sub.add_parser("start", help="Open the minutes with their first draft (revision 1).")
        start.add_argument("meeting", metavar="MEETING")
        start.add_argument("--party", help="Code of the party whose delegation drafted it (default: the secretariat).")
        texts(start)

        show = sub.add_parser("show", help="Print a revision (default: the current one) and where the minutes stand.")
        show.add_argument("meeting", metavar="MEETING")
        show.add_argument("--rev", type=int, help="Revision number (default: the current one).")
        show.add_argument("--lang", help="Only the text in this language.")

        diff = sub.add_parser("diff", help="Compare two revisions, as a unified diff per language.")
        diff.add_argument("meeting", metavar="MEETING")
        diff.add_argument("a", type=int, metavar="A")
        diff.add_argument("b", type=int, metavar="B")
        diff.add_argument("--lang", help="Only this language (default: every language of the two revisions).")

        amend = sub.add_parser("amend", help="Save a delegation's amendment as a new revision.")
        amend.add_argument("meeting", metavar="MEETING")
        amend.add_argument("--based-on", type=int, required=True, help="The revision the amendment was made from.")
        amend.add_argument("--party", required=True, help="Code of the party whose delegation amends.")
        texts(amend)

        sign = sub.add_parser("sign-off", help="Record a party's sign-off of the current revision.")
        sign.add_argument("meeting", metavar="MEETING")
        sign.add_argument("--party", required=True, help="Code of the party signing off.")
        sign.add_argument("--revision", type=int, required=True, help="The revision signed off (the current one).")
        sign.add_argument("--by", help="The person signing, by id or uid.")
        sign.add_argument("--on", type=_date, help="Date of the sign-off (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        meeting = _by_ref(Meeting, options["meeting"], "meeting")
        action = options["action"]
        try:
            if action == "start":
                self._start(meeting, options)
                return
            minutes = Minutes.objects.filter(meeting=meeting).select_related("meeting").first()
            if minutes is None:
                raise CommandError(f"the minutes of “{meeting}” have not been started (accord minutes start)")
            getattr(self, "_" + action.replace("-", "_"))(minutes, options)
        except DomainError as exc:
            raise CommandError(str(exc)) from None

    # --- actions -----------------------------------------------------------------------------------

    def _start(self, meeting: Meeting, options: dict[str, Any]) -> None:
        party = self._party(options["party"]) if options["party"] else None
        revision = services.start_minutes(meeting, self._texts(options), party=party, note=options["note"])
        self.stdout.write(f"minutes of “{meeting}” started: revision 1 by {revision.made_by}")

    def _show(self, minutes: Minutes, options: dict[str, Any]) -> None:
        number = options["rev"] if options["rev"] is not None else minutes.current_revision
        revision = services.get_revision(minutes, number)
        state = f"final since {minutes.finalised_on}" if minutes.is_final else "draft"
        self.stdout.write(f"Minutes of “{minutes.meeting}” ({state}; current revision {minutes.current_revision})")
        for rev in MinutesRevision.objects.filter(minutes=minutes).select_related("party").order_by("number"):
            mark = "*" if rev.number == number else " "
            based = f" from {rev.based_on}" if rev.based_on else ""
            note = f" — {rev.note}" if rev.note else ""
            self.stdout.write(f" {mark} {rev.number}{based}: {rev.made_by}, {rev.created_at:%Y-%m-%d %H:%M}{note}")
        signed = services.sign_offs_of_current(minutes)
        if signed:
            who = "; ".join(
                f"{s.party.code}{' by ' + s.signer_name if s.signer_name else ''} on {s.signed_on}" for s in signed
            )
            self.stdout.write(f"Signed off revision {minutes.current_revision}: {who}")
        if not minutes.is_final:
            pending = ", ".join(p.code for p in services.pending_parties(minutes)) or "nobody"
            self.stdout.write(f"Awaiting sign-off: {pending}")
        if number != minutes.current_revision:
            self.stdout.write(f"Revision {number} is not the current one.")
        languages = [options["lang"]] if options["lang"] else sorted(revision.body)
        for language in languages:
            text = services.text_in(revision, language)
            if text is None:
                present = ", ".join(sorted(revision.body))
                raise CommandError(f"revision {number} has no text in {language} (languages: {present})")
            self.stdout.write(f"\n[{language}]\n{text}")

    def _diff(self, minutes: Minutes, options: dict[str, Any]) -> None:
        a, b = options["a"], options["b"]
        for n, field in ((a, "a"), (b, "b")):
            services.get_revision(minutes, n, field=field)
        languages = [options["lang"]] if options["lang"] else services.languages_of(minutes, a, b)
        for language in languages:
            text = services.unified_diff(minutes, a, b, language)
            self.stdout.write(text if text else f"revisions {a} and {b} do not differ in {language}")

    def _amend(self, minutes: Minutes, options: dict[str, Any]) -> None:
        party = self._party(options["party"])
        revision = services.amend_minutes(
            minutes, based_on=options["based_on"], body=self._texts(options), party=party, note=options["note"]
        )
        self.stdout.write(f"revision {revision.number} saved (based on {revision.based_on}) by {revision.made_by}")

    def _sign_off(self, minutes: Minutes, options: dict[str, Any]) -> None:
        party = self._party(options["party"])
        person = _by_ref(Person, options["by"], "person") if options["by"] else None
        signed = services.sign_off(
            minutes,
            party=party,
            revision=options["revision"],
            signed_by=person,
            signed_on=options["on"] or timezone.localdate(),
        )
        if minutes.is_final:
            self.stdout.write(
                f"{party.code} signed off revision {signed.revision}; the minutes are final "
                f"(since {minutes.finalised_on})"
            )
        else:
            pending = ", ".join(p.code for p in services.pending_parties(minutes))
            self.stdout.write(f"{party.code} signed off revision {signed.revision}; awaiting {pending}")

    # --- arguments ---------------------------------------------------------------------------------

    def _party(self, code: str) -> Party:
        code = code.strip()
        # Exact first: codes are unique as written, and only states' codes are upper-cased.
        party = Party.objects.filter(code=code).first() or Party.objects.filter(code__iexact=code).first()
        if party is None:
            raise CommandError(f"there is no party with code {code!r}")
        return party

    def _texts(self, options: dict[str, Any]) -> dict[str, str]:
        languages, files = options["lang"], options["file"]
        if len(languages) != len(files):
            raise CommandError(f"give one --file per --lang ({len(languages)} languages, {len(files)} files)")
        body: dict[str, str] = {}
        for language, name in zip(languages, files, strict=True):
            try:
                body[language] = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"cannot read the {language} text from {name}: {exc}") from None
        return body
