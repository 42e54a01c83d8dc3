"""Issue 16 in a real browser: a CSV of a few MB uploaded on /data/ becomes a job whose page shows a progress bar
that advances to done, and a plan's text asked for meanwhile is not held up behind it (imports have a worker of
their own). The 99 MB version, with the peak memory, is bench/import_beside_documents.py.

The installation is SQLite's (as every browser test's): there an import's one transaction holds the database's one
write lock until it commits, so a job asked for during the writing import waits for the lock (the bench measures
that). The queues are shown apart during the dry run of the same file, which only reads: the plan's text is done
while the import's dry run still runs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bench.import_agreements import PARTIES, write_csv

from tests.e2e.conftest import accord_serve

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e-import-job")]  # one worker: the module shares a server

ROWS = 12_000  # about 4 MB: read whole (below the 8 MB streaming size), three dozen seconds of work


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path_factory.mktemp("import-job-data")
    with accord_serve(data_dir) as (url, _env):
        yield url, data_dir


def signed_in(browser: Any, url: str, who: str) -> Any:
    page = browser.new_context().new_page()  # a context each: two people's sessions side by side
    page.set_default_timeout(120_000)
    page.goto(url + "/login/")
    page.get_by_label("Username").fill(who)
    page.get_by_label("Password").fill(f"accord-demo-{who}")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/login/" not in page.url
    return page


def upload(page: Any, url: str, kind: str, path: Path, *, dry_run: bool) -> None:
    page.goto(url + "/data/")
    page.locator("#id_kind").select_option(kind)
    page.locator("#id_file").set_input_files(str(path))
    page.locator("#id_dry_run").set_checked(dry_run)
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url("**/jobs/*/")


def bar(page: Any) -> tuple[str, int]:
    """(status, value of the <progress> element) as the job page shows them now."""
    got = page.evaluate(
        "() => { const p = document.querySelector('[data-testid=job-progress]');"
        " return p ? [p.dataset.status, Number(p.querySelector('progress').value)] : ['', -1]; }"
    )
    return str(got[0]), int(got[1])


def ask_for_plan_text(page: Any, url: str) -> None:
    page.goto(url + "/workflow/plans/1/generate-plan-text/")
    page.select_option("#id_format", "html")
    page.locator("form.step-form button[type=submit]").click()
    page.wait_for_url("**/jobs/*/")


def done(page: Any) -> bool:
    status, _value = bar(page)
    assert status not in ("failed", "cancelled"), page.locator("main").inner_text()[-2000:]
    return status == "done"


def test_a_csv_imported_on_the_data_page_shows_its_progress_and_does_not_hold_up_a_plan_text(
    site: tuple[str, Path], browser: Any, tmp_path: Path
) -> None:
    url, data_dir = site
    admin = signed_in(browser, url, "admin")
    coordinator = signed_in(browser, url, "cn-coordinator")
    parties = tmp_path / "parties.csv"
    lines = ["code,kind,name[en],name[zh],name[ru]"] + [f"{c},state,{en},{zh},{ru}" for c, en, zh, ru in PARTIES]
    parties.write_text("\n".join(line for line in lines if not line.startswith("CN,")) + "\n", encoding="utf-8")
    upload(admin, url, "parties", parties, dry_run=False)
    admin.wait_for_selector('[data-testid="job-progress"][data-status="done"]', timeout=180_000)
    agreements = tmp_path / "agreements.csv"
    write_csv(agreements, ROWS)
    assert 2 * 2**20 < agreements.stat().st_size < 8 * 2**20
    ask_for_plan_text(coordinator, url)  # once alone: the worker's templates and fonts loaded
    coordinator.wait_for_selector('[data-testid="job-progress"][data-status="done"]', timeout=180_000)

    # The dry run (only reads): the plan's text asked for once it runs is done before it ends.
    upload(admin, url, "agreements", agreements, dry_run=True)
    admin.wait_for_selector('[data-testid="job-progress"][data-status="running"]', timeout=120_000)
    ask_for_plan_text(coordinator, url)
    while not done(coordinator):
        assert not done(admin), "the dry run ended before the plan's text: the plan's text waited behind it"
        time.sleep(0.2)
    admin.wait_for_selector('[data-testid="job-progress"][data-status="done"]', timeout=300_000)
    assert "dry run: nothing was written" in admin.get_by_test_id("import-report").inner_text()

    # The import itself: the bar moves through the rows to done, every row is created, the upload is deleted.
    upload(admin, url, "agreements", agreements, dry_run=False)
    uploads = data_dir / "media" / "imports"
    seen: list[int] = []
    deadline = time.monotonic() + 600
    while not done(admin):
        assert time.monotonic() < deadline, f"the import did not end: {seen}"
        _status, value = bar(admin)
        if not seen or value != seen[-1]:
            seen.append(value)
        time.sleep(0.2)
    between = [v for v in seen if 5 < v < 100]
    assert len(between) >= 2 and between == sorted(between), seen  # it moved, forward, not stuck at one place
    assert bar(admin) == ("done", 100)
    report = admin.get_by_test_id("import-report").inner_text()
    assert "agreement" in report and str(ROWS) in report, report
    assert admin.locator("progress").get_attribute("value") == "100"
    for _ in range(50):  # deleted by the worker just after it records the end
        if not any(uploads.iterdir()):
            break
        time.sleep(0.1)
    assert not any(uploads.iterdir()), list(uploads.iterdir())
