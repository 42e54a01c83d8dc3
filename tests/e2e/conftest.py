"""What every real-browser test shares: Debian's chromium driven by Playwright, and a real `accord serve`
on a fresh data directory (gunicorn, WhiteNoise, the demo loaded at first start)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.processes import free_port, wait_until_healthy

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
START_SECONDS = 420  # migrate, load the demo and collect static files: minutes on a busy CI machine

if not Path(CHROMIUM).exists() and os.environ.get("ACCORD_REQUIRE_TOOLS") != "1":
    # Without the browser the folder is left out (CI sets ACCORD_REQUIRE_TOOLS=1, so there it fails instead).
    collect_ignore_glob = ["test_*.py"]


@contextmanager
def accord_serve(data_dir: Path, **env_changes: str | None) -> Iterator[tuple[str, dict[str, str]]]:
    """`accord serve` with two workers on a free port over `data_dir`: yields its address and the
    environment it runs in (for CLI set-up against the same data). `NAME=None` removes a variable."""
    env = {k: v for k, v in os.environ.items() if k not in {"ACCORD_DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["ACCORD_DATA_DIR"] = str(data_dir)
    for name, value in env_changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = data_dir / "serve.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "accord", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_healthy(url, proc, log_path, START_SECONDS)
            yield url, env
        finally:
            proc.terminate()
            proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()
