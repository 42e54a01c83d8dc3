"""`accord node init --party CODE [--url URL]` / `accord node show [--json]`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from accord.core.cli import AccordCommand
from accord.core.errors import DomainError
from accord.federation import services


class Command(AccordCommand):
    help = "Make this installation a federation node acting for a party, or show its identity."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help="make the node key (in the data dir) and record the node")
        init.add_argument("--party", required=True, help="the code of the party this node acts for (CN, SU)")
        init.add_argument("--url", default="", help="the address peers reach this node at (http[s]://host:port)")
        show = sub.add_parser("show", help="party, node id, public key and its fingerprint, address")
        show.add_argument("--json", action="store_true", help="as a JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "init":
                with transaction.atomic():
                    made = services.init_node(options["party"], options["url"])
                self._print(services.describe_node(made))
                self.stdout.write("Give the public key to each peer's operator; compare the fingerprint by telephone.")
                return
            node = services.this_node()
            if node is None:
                raise CommandError("this installation is not a node (hosted mode): `accord node init --party CODE`")
            if options["json"]:
                self.stdout.write(json.dumps(services.describe_node(node), ensure_ascii=False))
            else:
                self._print(services.describe_node(node))
        except DomainError as exc:
            raise CommandError(str(exc)) from None

    def _print(self, info: dict[str, Any]) -> None:
        for name in ("party", "node_id", "public_key", "fingerprint", "url"):
            self.stdout.write(f"{name.replace('_', ' '):12} {info[name] or '-'}")
