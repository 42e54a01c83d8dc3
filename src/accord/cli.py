"""The `accord` command: Django's management commands with Accord's settings, plus Accord's own verbs.

Every run is one audited job: changes it makes are attributed to "cli:<os user>" with a job id.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path


def _bench(args: list[str]) -> None:
    """`accord bench generate ...`: the benchmark generator lives in the checkout's bench/, not in the package."""
    checkout = Path(__file__).resolve().parents[2]
    if not (checkout / "bench" / "generate.py").is_file():
        sys.exit("accord: the benchmark tools are in a checkout of Accord (bench/), not in the installed package")
    if args[:1] != ["generate"]:
        sys.exit("accord: usage: accord bench generate --projects N [options] (see python -m bench.generate --help)")
    sys.path.insert(0, str(checkout))
    from bench.generate import main as generate

    sys.exit(generate(args[1:]))


def _check_texts(args: list[str]) -> None:
    """`accord check-texts`: runs without setting Django up (a tenth of a second), unless there is a database
    whose records' names to compare; see accord/fidelity/cli.py."""
    from accord.fidelity.cli import main as check

    def records() -> object:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
        import django

        django.setup()
        from accord.fidelity.names import directory_from_database

        return directory_from_database()

    data_dir = Path(os.environ.get("ACCORD_DATA_DIR", "var"))
    has_database = bool(os.environ.get("ACCORD_DATABASE_URL")) or (data_dir / "accord.sqlite3").is_file()
    sys.exit(check(args, records if has_database else None))


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    if args[1:2] == ["bench"]:
        _bench(args[2:])
    if args[1:2] == ["check-texts"]:
        _check_texts(args[2:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    from django.core.management import execute_from_command_line

    from accord.core.actor import Actor, acting_as, new_job_id

    args[0] = "accord"
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry (some containers)
        user = str(os.getuid())
    with acting_as(Actor(None, f"cli:{user}", new_job_id("cli"), system=True)):
        try:
            execute_from_command_line(args)
        except KeyboardInterrupt:
            sys.exit(130)
        except Exception as exc:  # a one-line reason, not a traceback, for anything a command did not handle
            from accord.core.errors import DomainError

            if isinstance(exc, DomainError):
                print(f"accord: {exc}", file=sys.stderr)
                sys.exit(1)
            raise
