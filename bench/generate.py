"""`python -m bench.generate --projects N`: a deterministic synthetic portfolio for benchmarks, loaded in bulk
and audited (it passes `accord verify`), into the database Accord is configured with (ACCORD_DATA_DIR,
ACCORD_DATABASE_URL) or the one --database-url names.

The generator is benchmark tooling, so it lives in bench/ beside the scenarios that use it, not in the
installed package: run it from a checkout of Accord.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    p.add_argument("--projects", type=int, required=True, help="number of projects")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1): same seed, same records")
    p.add_argument("--agreements", type=int, default=0, help="default: N/50, at most 20,000")
    p.add_argument("--organisations", type=int, default=0, help="default: N/5")
    p.add_argument("--parties", type=int, default=200, help="default: 200 (ISO 3166 states, a few historic)")
    p.add_argument("--database-url", default=None, help="generate into this database instead of the configured one")
    p.add_argument("--force", action="store_true", help="run even when the database holds non-demo data")
    p.add_argument("-v", "--verbose", action="store_true", help="report progress while generating")
    return p


class Refused(Exception):
    """The generator will not run here; the message says why."""


def run(args: argparse.Namespace, write: Callable[[str], None] = print) -> None:
    """Migrate, generate, rebuild the search index. Django must be set up (main() does it)."""
    from django.core.management import call_command

    from accord.core.search import rebuild_index
    from bench.generator import Sizes, generate, has_other_data

    if args.projects < 1:
        raise Refused("--projects must be at least 1")
    call_command("migrate", verbosity=0, interactive=False)
    if has_other_data() and not args.force:
        raise Refused("the database already holds agreements or projects beyond the seed demo (use --force)")
    sizes = Sizes(
        projects=args.projects, parties=args.parties, agreements=args.agreements, organisations=args.organisations
    )
    report = generate(sizes, seed=args.seed, progress=write if args.verbose else None)
    # The generator writes rows in bulk, past the services that keep the search index current.
    write(f"search index rebuilt: {sum(rebuild_index().values())} entries")
    for label, n in report.rows.items():
        write(f"{label:<28} {n:>10}")
    rate = report.total / report.seconds if report.seconds else 0
    write(f"generated {report.total} records (and as many chain entries) in {report.seconds:.1f} s")
    write(f"({rate:,.0f} records/s)")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.database_url:  # read by the settings once, at set-up: set it before
        os.environ["ACCORD_DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()
    from accord.core.actor import Actor, acting_as

    try:
        with acting_as(Actor(None, "bench:generate", "bench-generate", system=True)):
            run(args)
    except Refused as exc:
        print(f"bench.generate: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
