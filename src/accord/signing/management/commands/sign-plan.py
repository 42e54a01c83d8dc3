from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser

from accord.core.cli import AccordCommand
from accord.core.errors import DomainError
from accord.directory.models import Party
from accord.programmes.services import missing_signatures
from accord.signing import cli
from accord.signing.services import rendered_texts, sign_plan


class Command(AccordCommand):
    help = "Sign the current version of an agreed plan for a party, with the signatory's key and passphrase."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan", metavar="PLAN", help="the plan's id or uid")
        parser.add_argument("--party", required=True, help="the code of the party signed for (e.g. CN)")
        parser.add_argument("--signatory", required=True, metavar="PERSON", help="the signatory's id or uid")
        parser.add_argument("--passphrase-file", help="read the passphrase from the first line of this file")
        parser.add_argument(
            "--text",
            action="append",
            metavar="LANG=FILE",
            help="the rendered authentic text in one language; once per authentic language",
        )
        parser.add_argument("--signed-on", type=dt.date.fromisoformat, help="date of signature (default: today)")
        parser.add_argument("--signed-at", action="append", metavar="LANG=PLACE", help="where it was signed")
        parser.add_argument(
            "--capacity", action="append", metavar="LANG=TITLE", help="signed as (default: the post then held)"
        )
        parser.add_argument("--expected-version", type=int, help="refuse if the plan is no longer at this version")
        parser.add_argument(
            "--fidelity-override",
            default="",
            metavar="REASON",
            help="sign although the language versions disagree; the reason is kept in the plan's journal",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        plan = cli.plan(options["plan"])
        party = Party.objects.filter(code=options["party"].strip().upper()).first()
        if party is None:
            raise CommandError(f"no party with code {options['party']!r}")
        signatory = cli.person(options["signatory"])
        # Without --text: the plan text Accord renders in each authentic language.
        texts = cli.read_texts(options.get("text")) if options.get("text") else rendered_texts(plan)
        signed_at = cli.pairs(options.get("signed_at"), "--signed-at")
        capacity = cli.pairs(options.get("capacity"), "--capacity") if options.get("capacity") else None
        passphrase = cli.read_passphrase(options.get("passphrase_file"))
        try:
            signature = sign_plan(
                plan,
                party=party,
                signatory=signatory,
                passphrase=passphrase,
                texts=texts,
                signed_on=options.get("signed_on") or dt.date.today(),
                signed_at=signed_at,
                capacity=capacity,
                expected_version=options.get("expected_version"),
                fidelity_override=options["fidelity_override"],
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"signed version {signature.target_version} of “{plan}” for {party.code} by {signatory} "
            f"(sha256 {signature.content_hash})"
        )
        if plan.status == "signed":
            self.stdout.write(f"every party has signed: the plan is signed (signed version {plan.signed_version})")
        else:
            self.stdout.write(f"still to sign: {', '.join(p.code for p in missing_signatures(plan))}")
