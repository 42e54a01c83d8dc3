"""What every real-browser test shares: Debian's chromium driven by Playwright, and a real `accord serve`
(gunicorn, WhiteNoise) on a copy of the installation template, the demo installation a first start leaves
(tests/processes.py); test_own_sessions_browser.py starts on an empty data directory, the first start itself
(migrate, load the demo)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.processes import free_port, wait_until_healthy

CHROMIUM = os.environ.get("ACCORD_CHROMIUM", "/usr/bin/chromium")  # Debian's
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
START_SECONDS = 420  # migrate, load the demo and collect static files: minutes on a busy CI machine

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without the browser the folder's tests are reported as skipped, with the reason (CI sets
    ACCORD_REQUIRE_TOOLS=1, so there they run and fail instead)."""
    if Path(CHROMIUM).exists() or os.environ.get("ACCORD_REQUIRE_TOOLS") == "1":
        return
    skip = pytest.mark.skip(reason=f"no browser at {CHROMIUM} (apt-get install chromium); CI requires it")
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(skip)


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
