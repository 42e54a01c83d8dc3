"""The `accord` command: Accord's own verbs, grouped by task, and Django's management commands beside them.

`accord --help` lists Accord's verbs first (one line each, by task) and Django's commands under their own heading;
`accord django COMMAND` runs one of Django's explicitly (they also run as `accord COMMAND`). An Accord verb on a
database that is not set up yet migrates it first where that is safe (`demo`; `serve` migrates by itself), or says
in one line what to run: never a traceback for an expected condition.

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


# Accord's verbs by task, in the order an operator meets them. A verb of an Accord app missing here is listed
# under "Other" (tests/test_cli.py checks none is), and its line is the first sentence of the command's help.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Run", ("serve", "worker", "demo", "remind")),
    ("The cycle: plans, progress, exchanges, meetings", ("plan", "progress", "exchange", "minutes", "review")),
    ("Data", ("import", "export", "mapping", "backup", "restore", "search-index", "bench")),
    ("Documents", ("document", "check-texts")),
    ("Signing", ("signing-key", "sign-plan", "export-signed", "verify-bundle")),
    ("Integrity", ("verify",)),
    ("Accounts", ("token", "security-events")),
    ("Federation: two installations", ("node", "peer", "sync", "outbox", "inbox")),
)
# Verbs that are not management commands: the line the help shows for each.
OWN_VERBS = {"bench": "Generate a synthetic programme for benchmarks (in a checkout: bench/)."}
# Verbs that set the database up themselves (serve, restore into an empty data dir), or that work without one
# (verifying a bundle offline, comparing two texts): no look at the database before them.
NO_DATABASE_CHECK = {"serve", "restore", "verify-bundle", "check-texts"}
MIGRATE_FIRST = {"demo"}


def _one_line(text: str) -> str:
    """The first sentence of a command's help."""
    text = " ".join(str(text).split())
    for stop in (". ", "; "):
        if stop in text:
            text = text.split(stop, 1)[0] + "."
            break
    return text if len(text) <= 100 else text[:99].rsplit(" ", 1)[0].rstrip(",;:(") + " …"


def accord_commands() -> dict[str, str]:
    """{verb: app} of every management command of Accord's own apps."""
    from django.core.management import get_commands

    return {name: app for name, app in get_commands().items() if app.startswith("accord.")}


def help_text() -> str:
    """`accord --help`: Accord's verbs by task, one line each, then Django's commands by name."""
    from django.core.management import get_commands, load_command_class

    ours = accord_commands()
    lines = ["usage: accord VERB [options]      (accord help VERB: the verb's options)", ""]
    listed: set[str] = set()
    groups = [*GROUPS, ("Other", tuple(sorted(set(ours) - {v for _, verbs in GROUPS for v in verbs})))]
    for title, verbs in groups:
        present = [v for v in verbs if v in ours or v in OWN_VERBS]
        if not present:
            continue
        lines.append(f"{title}:")
        for verb in present:
            line = OWN_VERBS.get(verb) or _one_line(load_command_class(ours[verb], verb).help)
            lines.append(f"  {verb:<15} {line}")
            listed.add(verb)
        lines.append("")
    django = sorted(name for name in get_commands() if name not in ours and name not in listed)
    lines.append("Django's commands (also as `accord django COMMAND`):")
    row = "  "
    for name in django:
        if len(row) + len(name) > 100:
            lines.append(row.rstrip())
            row = "  "
        row += name + "  "
    lines.append(row.rstrip())
    return "\n".join(lines)


def _database_ready(verb: str) -> None:
    """Before an Accord verb: the database exists and has every migration, else migrate it (MIGRATE_FIRST) or stop
    with one line saying what to run. An unreachable database is one line too."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    where = settings.DATABASES["default"].get("NAME")
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        sys.exit(f"accord: cannot open the database {where}: {' '.join(str(exc).split())} (check ACCORD_DATABASE_URL)")
    if not pending:
        return
    if verb in MIGRATE_FIRST:
        print(f"accord: setting up the database {where} first ({len(pending)} migrations)", file=sys.stderr)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        return
    state = "has no tables yet" if len(pending) == len(executor.loader.graph.nodes) else "needs migrating"
    sys.exit(f"accord: the database {where} {state}: run `accord migrate` first (or `accord demo` to try Accord)")


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    if args[1:2] == ["bench"]:
        _bench(args[2:])
    if args[1:2] == ["check-texts"]:
        _check_texts(args[2:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django
    from django.core.management import execute_from_command_line

    from accord.core.actor import acting_as, cli_actor

    args[0] = "accord"
    if args[1:2] == ["django"]:  # `accord django COMMAND ...`: Django's own, as `django-admin` would run it
        args = [args[0], *args[2:]]
    elif len(args) == 1 or args[1:] in (["-h"], ["--help"], ["help"]):
        django.setup()
        print(help_text())
        return
    elif not args[1].startswith("-"):
        django.setup()
        if args[1] in accord_commands() and args[1] not in NO_DATABASE_CHECK and "--help" not in args[2:]:
            _database_ready(args[1])
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry (some containers)
        user = str(os.getuid())
    with acting_as(cli_actor(user)):
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
