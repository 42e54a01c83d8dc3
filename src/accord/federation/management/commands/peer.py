"""`accord peer add NAME --url URL --key KEY [--party CODE]` / `accord peer list` / `accord peer remove NAME`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from accord.core.cli import AccordCommand
from accord.core.errors import DomainError
from accord.federation import services
from accord.signing.crypto import fingerprint


class Command(AccordCommand):
    help = "Trust another party's node as a peer, list the peers and where each stands, or remove one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="trust a node's key (compare its fingerprint out of band first)")
        add.add_argument("name")
        add.add_argument("--url", default="", help="its address; none: files only")
        add.add_argument("--key", required=True, help="its public key (base64), as `accord node show` prints it")
        add.add_argument("--party", default="", help="the party it acts for (default: asked of its address)")
        sub.add_parser("list", help="the peers, what was sent and received, what waits, the last error")
        remove = sub.add_parser("remove", help="stop trusting a peer: its key gets nothing from now on")
        remove.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "add":
                with transaction.atomic():
                    peer = services.add_peer(options["name"], options["url"], options["key"], options["party"])
                fp = fingerprint(peer.public_key)
                self.stdout.write(f"peer {peer.name} added: party {peer.party}, fingerprint {fp}")
            elif options["action"] == "remove":
                with transaction.atomic():
                    services.remove_peer(options["name"])
                self.stdout.write(f"peer {options['name']} removed")
            else:
                self._list()
        except DomainError as exc:
            raise CommandError(str(exc)) from None

    def _list(self) -> None:
        states = services.peer_states()
        if not states:
            self.stdout.write("no peers")
        for s in states:
            p = s.peer
            sent = f"last {p.last_sent_at:%Y-%m-%d %H:%M:%S}" if p.last_sent_at else "never sent"
            self.stdout.write(f"{p.name}  party {p.party}  {p.url or '(files only)'}")
            self.stdout.write(f"  fingerprint {s.fingerprint}")
            self.stdout.write(f"  sent: {s.last_sent_seq} of {p.out_seq} acknowledged, {s.waiting} waiting, {sent}")
            if p.lost_from is not None:
                self.stdout.write(
                    f"  waiting for {p.name} to return messages {p.lost_from}–{p.lost_through} "
                    "(this node was restored from an older backup)"
                )
            received = f"{p.last_received_at:%Y-%m-%d %H:%M:%S}" if p.last_received_at else "never"
            held = f", {s.held} held until a missing one arrives" if s.held else ""
            self.stdout.write(f"  received: applied through {p.in_seq}{held}, last {received}")
            if p.head_entry is not None:
                self.stdout.write(f"  its chain head: #{p.head_entry} {p.head_hash}")
            if p.last_error:
                self.stdout.write(f"  last error ({p.last_error_at:%Y-%m-%d %H:%M:%S}): {p.last_error}")
