"""The `accord` command as an operator runs it: a fresh data directory, real processes, exit statuses."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("cli")]  # one worker: the module shares a server


def run(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    given = env or {}
    env = {k: v for k, v in os.environ.items() if k not in {"ACCORD_DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(given, ACCORD_DATA_DIR=str(data_dir))
    return subprocess.run(
        [sys.executable, "-m", "accord", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("accord-data")
    assert run(path, "migrate", "-v0").returncode == 0
    return path


def test_first_run_creates_the_data_dir_with_a_private_secret_key_and_a_wal_database(data_dir):
    key = data_dir / "secret_key"
    assert key.exists() and oct(key.stat().st_mode & 0o777) == "0o600"
    assert len(key.read_text()) >= 50
    with sqlite3.connect(data_dir / "accord.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    probe = run(data_dir, "shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)")
    assert probe.stdout.strip().splitlines()[-1] == key.read_text().strip()  # kept, not regenerated


def test_demo_is_audited_as_a_cli_job_and_idempotent(data_dir):
    first = run(data_dir, "demo")
    assert first.returncode == 0, first.stderr
    assert "Seed programme loaded" in first.stdout
    again = run(data_dir, "demo")
    assert again.returncode == 0 and "already loaded" in again.stdout
    with sqlite3.connect(data_dir / "accord.sqlite3") as db:
        actors = db.execute("SELECT DISTINCT actor_name, substr(request_id, 1, 4) FROM core_changerecord").fetchall()
        assert len(actors) == 1 and actors[0][0].startswith("cli:") and actors[0][1] == "cli-"
        assert db.execute("SELECT count(*) FROM programmes_project").fetchone()[0] == 122


def test_verify_passes_then_names_a_row_changed_with_raw_sql(data_dir):
    ok = run(data_dir, "verify")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("ok:")
    with sqlite3.connect(data_dir / "accord.sqlite3") as db:
        plan_id = db.execute("SELECT id FROM programmes_plan WHERE status = 'signed'").fetchone()[0]
        db.execute("UPDATE programmes_plan SET period_end = '1960-11-30' WHERE id = ?", [plan_id])
    bad = run(data_dir, "verify")
    assert bad.returncode == 1
    last_line = bad.stderr.strip().splitlines()[-1]
    assert f"programmes.plan {plan_id}" in last_line and "period_end" in last_line
    with sqlite3.connect(data_dir / "accord.sqlite3") as db:  # put it back for the tests after this one
        db.execute("UPDATE programmes_plan SET period_end = '1960-12-31' WHERE id = ?", [plan_id])
    assert run(data_dir, "verify").returncode == 0


# verify in worker processes (forked: they read the installation's database file themselves), its tables cut
# into ranges as a large installation's would be; printed beside the same run in one process.
IN_WORKERS = """
import multiprocessing
from accord.core import verify as module
pools = []
fork = multiprocessing.get_context
multiprocessing.get_context = lambda method=None: pools.append(method) or fork(method)
module.PARALLEL_FROM = 3
for workers in (1, 2):
    pools.clear()
    report = module.verify(workers=workers)
    print(workers, len(pools), report.entries, report.rows, " | ".join(map(str, report.problems)))
"""


def test_verify_in_worker_processes_names_what_one_process_names(data_dir, tmp_path):
    assert run(data_dir, "demo").returncode == 0  # loaded by the test before unless run alone
    copy = tmp_path / "copy"
    copy.mkdir()
    with sqlite3.connect(data_dir / "accord.sqlite3") as db, sqlite3.connect(copy / "accord.sqlite3") as out:
        db.backup(out)
    (copy / "secret_key").write_text((data_dir / "secret_key").read_text())
    with sqlite3.connect(copy / "accord.sqlite3") as db:
        first, last = db.execute("SELECT min(id), max(id) FROM programmes_project").fetchone()
        db.execute("UPDATE programmes_project SET number = 'changed' WHERE id = ?", [first + 5])
        db.execute("DELETE FROM programmes_project WHERE id = ?", [last - 5])
        entry = db.execute("SELECT max(id) - 40 FROM core_changerecord").fetchone()[0]
        db.execute("UPDATE core_changerecord SET actor_name = 'someone else' WHERE id = ?", [entry])
    result = run(copy, "shell", "-c", IN_WORKERS)
    assert result.returncode == 0, result.stderr
    one, two = (line.split(" ", 4) for line in result.stdout.strip().splitlines()[-2:])
    assert one[:2] == ["1", "0"] and two[:2] == ["2", "2"]  # the walk and the rows each in a pool of workers
    assert one[2:] == two[2:]
    problems = two[4].split(" | ")  # the chain's and the rows' first; a signed plan's checks may follow
    assert problems[0] == f"change record #{entry}: its content does not match its hash (edited)"
    assert problems[1].startswith(f"programmes.project {first + 5}: differs from change record")
    assert problems[2].startswith(f"programmes.project {last - 5}: is missing")


def test_unknown_command_fails_with_a_reason(data_dir):
    result = run(data_dir, "no-such-verb")
    assert result.returncode == 1
    assert "Unknown command" in result.stderr


def test_database_url_selects_postgresql_settings(tmp_path):
    env = {**os.environ, "ACCORD_DATA_DIR": str(tmp_path), "ACCORD_DATABASE_URL": "postgres://u:p@db.example:6543/acc"}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import accord.settings as s; d = s.DATABASES['default']; "
            "print(d['ENGINE'], d['HOST'], d['PORT'], d['NAME'], d['USER'])",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["django.db.backends.postgresql", "db.example", "6543", "acc", "u"]


def test_a_command_starts_without_what_only_some_commands_use(tmp_path):
    """What every `accord` command loads as it starts (django.setup()) leaves out what only some use: the API and
    django-ninja with pydantic (imported by the URL checks of `serve` and `check`), the PDF worker pool's modules,
    langcodes' tables, the text checker (its patterns and number tables; the apps register their checks with
    the fidelity package, which loads it when a check runs), pycountry's tables and the QR code maker. Each cost
    from a few hundredths to a tenth of a second or more at every start (the tests start hundreds)."""
    env = {**os.environ, "ACCORD_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "accord.settings"}
    env.pop("ACCORD_DATABASE_URL", None)
    code = (
        "import sys, django; django.setup(); "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'ninja', 'pydantic', 'langcodes', 'pycountry', 'segno'} or m in {'accord.api', 'concurrent.futures.process', "
        "'accord.fidelity.checker', 'accord.fidelity.names', 'accord.fidelity.extract'})))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert loaded.stdout.split() == [], loaded.stdout
    api_docs = subprocess.run(  # the API docs still find django-ninja's templates and static files
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print((settings.NINJA_FILES / 'templates/ninja/swagger.html').is_file(), "
            "(settings.NINJA_FILES / 'static/ninja/swagger-ui-bundle.js').is_file())",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert api_docs.stdout.split() == ["True", "True"]


# --- Accord's own CLI: its verbs first, by task; an unmigrated data dir is an expected condition ------------------


def test_help_lists_accords_verbs_by_task_before_djangos_commands(tmp_path):
    result = run(tmp_path, "--help")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    headings = [line for line in text.splitlines() if line and not line.startswith(" ")]
    assert headings[1:3] == ["Run:", "The cycle: plans, progress, exchanges, meetings:"]
    assert headings[-1].startswith("Django's commands")
    assert "Other:" not in headings  # every Accord verb has its task
    accord_part, django_part = text.split("Django's commands")
    for verb in ("serve", "demo", "remind", "import", "document", "sign-plan", "verify", "verify-bundle"):
        (line,) = [x for x in accord_part.splitlines() if x.startswith(f"  {verb} ")]
        assert len(line.split(None, 1)[1]) > 10  # one line saying what it does
    assert "makemigrations" in django_part and "makemigrations" not in accord_part
    assert text.index("  serve ") < text.index("migrate")
    assert not (tmp_path / "accord.sqlite3").exists() or run(tmp_path, "showmigrations").returncode == 0
    assert run(tmp_path, "django", "help").returncode == 0  # Django's own list, as django-admin shows it


@pytest.fixture(scope="module")
def new_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """`accord demo` run on a data dir that did not exist."""
    path = tmp_path_factory.mktemp("accord-new") / "data"
    return path, run(path, "demo")


def test_demo_on_an_empty_data_dir_migrates_first_and_loads(new_demo):
    _, result = new_demo
    assert result.returncode == 0, result.stderr
    assert "Seed programme loaded" in result.stdout
    assert "setting up the database" in result.stderr and "Traceback" not in result.stderr


def test_the_job_worker_sends_the_reminder_digest_once_a_day(new_demo):
    """The real processes: `accord worker --once` queues the day's digest (its hour has come) and sends it through a
    real SMTP server, each recipient in their language; the next look sends nothing again."""
    import email
    import email.policy

    from aiosmtpd.controller import Controller

    from tests.processes import free_port

    path, _ = new_demo
    received: list[email.message.EmailMessage] = []

    class Inbox:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # aiosmtpd's hook
            received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            return "250 OK"

    addresses = (
        "from django.contrib.auth.models import User; "
        "[User.objects.filter(username=n).update(email=n + '@example.org') for n in ('cas-reporter', 'su-coordinator')]"
    )
    assert run(path, "shell", "-c", addresses).returncode == 0
    smtp = Controller(Inbox(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        mail = {"ACCORD_EMAIL_HOST": "127.0.0.1", "ACCORD_EMAIL_PORT": str(smtp.port), "ACCORD_REMIND_HOUR": "0"}
        mail["ACCORD_SECURITY_EVENTS_DAYS"] = "off"  # the worker's other daily job, the log's prune: not today
        first = run(path, "worker", "--once", env=mail)
        assert first.returncode == 0 and "ran 1 job(s)" in first.stdout, first.stderr
        by_address = {m["To"]: m.get_body(preferencelist=("plain",)).get_content() for m in received}
        assert set(by_address) == {"cas-reporter@example.org", "su-coordinator@example.org"}
        assert "你应完成的" in by_address["cas-reporter@example.org"]
        assert "Вы должны" in by_address["su-coordinator@example.org"]
        assert "ran 0 job(s)" in run(path, "worker", "--once", env=mail).stdout  # today's is done
        again = run(path, "remind", env=mail)  # sent now: only what did not fit in the first digests
        assert again.returncode == 0 and "sent 1 digest(s)" in again.stdout, again.stdout
        for address in by_address:
            links = [
                line.strip()
                for m in received
                if m["To"] == address
                for line in m.get_body(preferencelist=("plain",)).get_content().splitlines()
                if line.strip().startswith("http") and not line.strip().endswith("/workflow/")
            ]
            assert links and len(links) == len(set(links))  # no due thing twice
        assert "sent 0 digest(s)" in run(path, "remind", env=mail).stdout
    finally:
        smtp.stop()


@pytest.mark.parametrize("verb", [("verify",), ("plan", "show", "1"), ("remind", "--dry-run")])
def test_a_read_command_on_an_unmigrated_data_dir_says_in_one_line_what_to_run(tmp_path, verb):
    result = run(tmp_path, *verb)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("accord: ") and "accord migrate" in line
