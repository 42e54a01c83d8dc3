"""`accord sync [PEER] [--resend]`: push our waiting messages to the peer and pull its new ones, over HTTP."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from accord.core.cli import AccordCommand
from accord.core.errors import DomainError
from accord.federation import services, transport
from accord.federation.models import Peer


class Command(AccordCommand):
    help = "Sync with one peer or every peer that has an address: push what waits, pull what is new."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("peer", nargs="?", help="the peer's name (default: every peer with an address)")
        parser.add_argument(
            "--resend",
            action="store_true",
            help="first ask the peer to send again everything after the last message applied here "
            "(after restoring this node from an older backup)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            services.require_node()
            peers = [services.get_peer(options["peer"])] if options["peer"] else list(Peer.objects.exclude(url=""))
            if not peers:
                raise CommandError("no peer has an address to sync with (`accord peer list`)")
            failed = []
            for peer in peers:
                try:
                    result = transport.sync(peer, resend=options["resend"])
                except DomainError as exc:
                    self.stderr.write(f"{peer.name}: {exc}")
                    failed.append(peer.name)
                    continue
                held = f", {result.held} held (a message is missing)" if result.held else ""
                self.stdout.write(f"{peer.name}: {result.sent} sent and acknowledged, {result.applied} applied{held}")
            if failed:
                raise CommandError(f"sync failed with {', '.join(failed)}")
        except DomainError as exc:
            raise CommandError(str(exc)) from None
