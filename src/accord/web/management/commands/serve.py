from __future__ import annotations

import fcntl
import hashlib
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandParser
from django.db import connections

from accord.core.cli import AccordCommand
from accord.jobs.supervisor import stop_all


def _static_fingerprint() -> str:
    """A hash of every static source file's path, size and modification time, as the finders see them."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect_static_if_changed() -> bool:
    """Run collectstatic unless the static root already holds this exact set of files.

    Collecting compresses every asset (about 30 MB with the API docs' bundles): most of a fresh start's
    time. The stamp is written last, so an interrupted collection is simply done again.
    """
    root = Path(settings.STATIC_ROOT)
    stamp = root / ".accord-collected"
    fingerprint = _static_fingerprint()
    manifest = root / "staticfiles.json"
    root.mkdir(parents=True, exist_ok=True)
    # Installations sharing one static root (ACCORD_STATIC_ROOT) and starting together collect one at a time:
    # the first collects, the others then find the stamp and skip.
    with open(root / ".accord-collect.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if manifest.exists() and stamp.exists() and stamp.read_text() == fingerprint:
            return False
        call_command("collectstatic", interactive=False, verbosity=0)
        stamp.write_text(fingerprint)
        return True


class Command(AccordCommand):
    serves_urls = True
    help = "Migrate, load the seed demo into an empty database, collect static files and serve with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("ACCORD_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("ACCORD_PORT", "8000")))
        default_workers = int(os.environ.get("ACCORD_WORKERS", "0")) or min(2 * multiprocessing.cpu_count(), 8)
        parser.add_argument("--workers", type=int, default=default_workers)
        parser.add_argument(
            "--no-demo", action="store_true", help="Do not load the seed programme into an empty database."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        from accord.agreements.models import Agreement

        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)  # the shared cache behind sign-in throttling
        if not options["no_demo"] and not Agreement.objects.exists():
            call_command("demo", stdout=self.stdout)
        collect_static_if_changed()
        connections.close_all()  # no connection may cross the fork into the workers

        from accord.wsgi import application

        bind = (
            f"[{options['host']}]:{options['port']}"
            if ":" in options["host"]
            else f"{options['host']}:{options['port']}"
        )
        config = {
            "bind": bind,
            "workers": options["workers"],
            "worker_class": "sync",
            "accesslog": "-",
            "errorlog": "-",
            "timeout": 120,
            "graceful_timeout": 20,
            "max_requests": 10000,
            "max_requests_jitter": 1000,
            # One control socket per data directory, so two installations on one machine do not collide.
            "control_socket": str(settings.DATA_DIR / "gunicorn.ctl"),
        }

        class AccordServer(BaseApplication):
            def load_config(self) -> None:
                for key, value in config.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                return application

        self.stdout.write(f"Accord on http://{options['host']}:{options['port']}/ ({options['workers']} workers)")
        runners: list[subprocess.Popen[bytes]] = []
        if os.environ.get("ACCORD_JOB_RUNNER", "on").strip().lower() != "off":
            # Background jobs run in a sibling `accord worker` process, so one machine needs nothing else.
            # Not a thread of this process: gunicorn forks its workers from here, and a fork taken while a
            # thread holds a lock (SQLite's, logging's) leaves the child waiting on it for ever.
            # ACCORD_JOB_RUNNER=off when workers run elsewhere.
            # Supervised: a worker that dies is started again (with back-off), so jobs never stay queued for ever.
            # Two: one for imports, one for everything else, so a large import never holds up a document job. One
            # supervisor for both, without Django (accord.jobs.supervisor): it only starts and watches them.
            command = [sys.executable, "-m", "accord.jobs.supervisor", "--queue", "default", "--queue", "imports"]
            runners = [subprocess.Popen(command)]
        try:
            AccordServer().run()
        finally:
            stop_all(runners)
