"""`accord exchange confirm-receipt ...`: the receiving side confirms a transfer or shipment arrived."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser

from accord.core.cli import AccordCommand, get_record, parse_date
from accord.core.errors import DomainError
from accord.programmes import services
from accord.programmes.models import Exchange


class Command(AccordCommand):
    help = "Confirm receipt of a data transfer or sample shipment (with its MTA or permit reference)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        confirm = sub.add_parser("confirm-receipt")
        confirm.add_argument("exchange", help="exchange id or uid")
        confirm.add_argument("--on", help="date received (YYYY-MM-DD; default today)")
        confirm.add_argument("--reference", default="", help="material-transfer agreement or permit number")

    def handle(self, *args: Any, **options: Any) -> None:
        exchange = get_record(Exchange, options["exchange"])
        received_on = parse_date(options["on"], "--on") or dt.date.today()
        try:
            services.confirm_receipt(
                exchange, received_on=received_on, reference=options["reference"], expected_version=exchange.version
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"receipt confirmed on {received_on}")
