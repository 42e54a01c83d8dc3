"""`accord bench generate --projects N`: a synthetic portfolio for benchmarks, loaded in bulk and audited."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Benchmark tooling. `generate`: a deterministic synthetic portfolio (audited, passes `accord verify`)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="generate")
        gen = sub.add_parser("generate", help="Generate N projects and everything around them.")
        gen.add_argument("--projects", type=int, required=True, help="number of projects")
        gen.add_argument("--seed", type=int, default=1, help="random seed (default 1): same seed, same records")
        gen.add_argument("--agreements", type=int, default=0, help="default: N/50, at most 20,000")
        gen.add_argument("--organisations", type=int, default=0, help="default: N/5")
        gen.add_argument("--parties", type=int, default=200, help="default: 200 (ISO 3166 states, a few historic)")
        gen.add_argument(
            "--database-url", default=None, help="generate into this database instead of the configured one"
        )
        gen.add_argument("--force", action="store_true", help="run even when the database holds non-demo data")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.core.management import call_command

        from accord.scale.generator import Sizes, generate, has_other_data

        if options["database_url"]:
            # Settings read the URL once, at start-up: run again in a process that starts with it.
            argv = [sys.executable, "-m", "accord", "bench", "generate"]
            for name in ("projects", "seed", "agreements", "organisations", "parties", "verbosity"):
                argv += [f"--{name}", str(options[name])]
            argv += ["--force"] if options["force"] else []
            env = {**os.environ, "ACCORD_DATABASE_URL": options["database_url"]}
            code = subprocess.run(argv, env=env, check=False).returncode
            if code:
                raise CommandError(f"generating into {options['database_url']} failed (exit status {code})")
            return
        if options["projects"] < 1:
            raise CommandError("--projects must be at least 1")
        call_command("migrate", verbosity=0, interactive=False)
        if has_other_data() and not options["force"]:
            raise CommandError("the database already holds agreements or projects beyond the seed demo (use --force)")
        sizes = Sizes(
            projects=options["projects"],
            parties=options["parties"],
            agreements=options["agreements"],
            organisations=options["organisations"],
        )
        verbose = options["verbosity"] > 1
        report = generate(sizes, seed=options["seed"], progress=self.stdout.write if verbose else None)
        # The generator writes rows in bulk, past the services that keep the search index current.
        from accord.core.search import rebuild_index

        indexed = sum(rebuild_index().values())
        self.stdout.write(f"search index rebuilt: {indexed} entries")
        for label, n in report.rows.items():
            self.stdout.write(f"{label:<28} {n:>10}")
        rate = report.total / report.seconds if report.seconds else 0
        self.stdout.write(
            f"generated {report.total} records (and as many chain entries) in {report.seconds:.1f} s "
            f"({rate:,.0f} records/s)"
        )
