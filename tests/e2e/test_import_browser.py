"""Issue 16 in a real browser: an administrator imports a CSV whose encoding could be read two ways. Refused as
ambiguous until the encoding is chosen on /data/; the dry run then shows how the file was read and decoded rows
from across the file, before anything is written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import accord_serve
from tests.processes import fresh_installation


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, installation_template: Path) -> Iterator[str]:
    with accord_serve(fresh_installation(installation_template, tmp_path_factory.mktemp("import-data"))) as (url, _env):
        yield url


def _login(page, site: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("accord-demo-admin")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _submit(page, site: str, path: Path, encoding: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/data/")
    page.locator("#id_kind").select_option("people")
    page.locator("#id_file").set_input_files(str(path))
    page.locator("#id_encoding").select_option(encoding)
    assert page.locator("#id_dry_run").is_checked()  # a dry run first, as the page proposes
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_selector('[data-testid="job-progress"][data-status="done"], [data-testid="job-progress"]'
                           '[data-status="failed"]', timeout=180_000)  # fmt: skip


def test_the_encoding_is_chosen_on_the_page_and_the_dry_run_previews_decoded_rows(site, browser, tmp_path):
    path = tmp_path / "wang.csv"
    path.write_bytes("external_id,name[zh],party\r\nw:1,王,CN\r\nw:2,Li Siguang,CN\r\n".encode("gb18030"))
    page = browser.new_page()
    page.set_default_timeout(120_000)
    _login(page, site)
    _submit(page, site, path, "")
    error = page.get_by_test_id("job-error").inner_text()
    assert "ambiguous" in error and "row 2, name[zh]" in error
    _submit(page, site, path, "gb18030")
    assert "GB18030 (as named)" in page.get_by_test_id("import-read-as").inner_text()
    preview = page.get_by_test_id("import-preview").inner_text()
    assert "王" in preview and "Li Siguang" in preview
    assert "dry run: nothing was written" in page.get_by_test_id("import-report").inner_text()
    page.close()
