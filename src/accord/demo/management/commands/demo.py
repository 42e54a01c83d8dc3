from typing import Any

from django.core.management.base import CommandParser

from accord.core.cli import AccordCommand
from accord.demo.seed import load_seed, remove_demo_accounts


class Command(AccordCommand):
    help = "Load the seed programme (China–USSR, 1958–1960). Safe to run again: loads only what is missing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--remove-accounts", action="store_true", help="Delete the demo accounts and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["remove_accounts"]:
            self.stdout.write(f"Demo accounts removed: {remove_demo_accounts()}")
            return
        result = load_seed()
        if result.created:
            self.stdout.write(f"Seed programme loaded: {result.created} changes recorded.")
        else:
            self.stdout.write("Seed programme already loaded: nothing to do.")
        for line in result.accounts:
            self.stdout.write(line)
