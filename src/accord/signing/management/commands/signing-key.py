from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from accord.core.cli import AccordCommand
from accord.core.errors import DomainError
from accord.signing import cli
from accord.signing.models import SigningKey
from accord.signing.services import active_key, create_signing_key, revoke_signing_key


class Command(AccordCommand):
    help = "Make, list or revoke a signatory's Ed25519 signing key (the private key is sealed with a passphrase)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make a key pair for a person; asks for the passphrase twice.")
        create.add_argument("person", metavar="PERSON", help="the person's id or uid")
        create.add_argument("--passphrase-file", help="read the passphrase from the first line of this file")
        show = sub.add_parser("list", help="A person's keys (or everyone's), with fingerprints.")
        show.add_argument("person", metavar="PERSON", nargs="?", help="the person's id or uid")
        revoke = sub.add_parser("revoke", help="Revoke a person's active key; what it signed still verifies.")
        revoke.add_argument("person", metavar="PERSON", help="the person's id or uid")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "create":
                person = cli.person(options["person"])
                passphrase = cli.read_passphrase(options.get("passphrase_file"), confirm=True)
                key = create_signing_key(person, passphrase)
                self.stdout.write(f"signing key made for {person} (key id {key.pk})")
                self.stdout.write(f"  fingerprint {key.fingerprint}")
                self.stdout.write(f"  public key  {key.public_key}")
            elif action == "list":
                keys = SigningKey.objects.select_related("person").order_by("person_id", "-created_at")
                if options.get("person"):
                    keys = keys.filter(person=cli.person(options["person"]))
                for key in keys:
                    state = f"revoked {key.revoked_on}" if key.revoked_on else "active"
                    self.stdout.write(f"{key.pk}\t{key.person}\t{key.fingerprint}\t{state}\t{key.public_key}")
            else:
                person = cli.person(options["person"])
                active = active_key(person)
                if active is None:
                    raise CommandError(f"{person} has no active signing key")
                revoke_signing_key(active, expected_version=active.version)
                self.stdout.write(f"revoked the signing key {active.fingerprint} of {person}")
        except DomainError as exc:
            raise CommandError(str(exc)) from None
