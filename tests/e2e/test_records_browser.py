"""The record pages in a real browser against a real `accord serve`: sign in, edit in Chinese, roles, the public."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from accord.core.ids import stable_uid
from tests.e2e.conftest import SCREENSHOTS, accord_serve
from tests.processes import fresh_installation

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e-records")]  # one worker: the module shares a server


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, installation_template: Path) -> Iterator[str]:
    """A served demo with a draft 1961 plan (the seed's plans are signed, so frozen) to edit."""
    with accord_serve(fresh_installation(installation_template, tmp_path_factory.mktemp("records-data"))) as (
        url,
        env,
    ):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "accord",
                "plan",
                "next",
                str(stable_uid("seed:plan:1960")),
                "--title",
                "en=1961 annual plan",
                "--title",
                "zh=1961年年度计划",
                "--from",
                "1961-01-01",
                "--to",
                "1961-12-31",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        yield url


def _page(browser, **kwargs):
    page = browser.new_page(**kwargs)
    page.set_default_timeout(120_000)  # signing in hashes with Argon2; CI machines are busy
    return page


def _login(page, site: str, username: str, password: str) -> None:
    page.goto(site + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_coordinator_signs_in_and_edits_a_plan_item_in_chinese(site, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = _page(browser, viewport={"width": 1280, "height": 900})
    page.goto(site + "/login/")
    page.screenshot(path=str(SCREENSHOTS / "login.png"))
    _login(page, site, "cn-coordinator", "accord-demo-cn-coordinator")
    assert page.get_by_role("button", name="Sign out").count() == 1
    page.goto(site + "/plans/")
    page.get_by_role("link", name="1961 annual plan").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "1961 annual plan"
    first_row = page.locator('[data-testid="plan-items"] tbody tr').first
    first_row.get_by_role("link", name=re.compile("^Edit")).click()  # htmx puts the form in the row
    chinese = page.locator("tr.editing").get_by_label(re.compile("^Chinese"))
    chinese.fill("地质调查：完成野外工作")
    page.locator("tr.editing").get_by_role("button", name="Save").click()
    page.wait_for_selector("tr.editing", state="detached")
    row = page.locator('[data-testid="plan-items"] tbody tr').first
    # the English interface shows the English objectives in the row; the Chinese is stored beside them
    assert "Edit" in row.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "plan-detail.png"))
    # the stored text is the one shown after a full reload, and the history names the editor
    row.locator("td.objectives a").click()
    page.wait_for_load_state()
    assert "地质调查：完成野外工作" in page.get_by_test_id("objectives").inner_text()
    assert "cn-coordinator" in page.locator("#history").inner_text()
    # in the Chinese interface, the plan's page shows the new text
    page.goto(site + "/plans/")
    page.select_option("#language", "zh-hans")
    page.locator("form.lang button").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="1961年年度计划").click()
    page.wait_for_load_state()
    assert "地质调查：完成野外工作" in page.locator('[data-testid="plan-items"]').inner_text()
    page.close()


def test_a_reporter_has_no_edit_control_on_another_institutions_project_and_gets_403(site, browser):
    page = _page(browser)
    _login(page, site, "cas-reporter", "accord-demo-cas-reporter")
    page.goto(site + "/projects/?q=2")
    page.get_by_role("link", name=re.compile("part 1")).first.click()
    page.wait_for_load_state()
    assert page.get_by_test_id("edit").count() == 0
    response = page.goto(page.url + "edit/")
    assert response.status == 403
    assert "You may not change" in page.locator("main").inner_text()
    page.close()


def test_an_anonymous_visitor_sees_only_public_projects_and_filters_without_reloading(site, browser):
    page = _page(browser, viewport={"width": 1280, "height": 900})
    page.goto(site + "/projects/")
    assert "122 records" in page.locator(".count").inner_text()
    assert set(page.locator("table.records .badge").all_inner_texts()) == {
        "Public (the portal)"
    }  # the visibility's label, not its code
    page.screenshot(path=str(SCREENSHOTS / "project-list.png"))
    page.get_by_label("Search", exact=True).fill("半导体")
    page.get_by_role("button", name="Apply").click()
    from playwright.sync_api import expect

    expect(page.locator(".count")).to_have_text(re.compile(r"^6 records"), timeout=120_000)
    assert "q=" in page.url  # the filtered list is a link
    assert page.get_by_role("link", name="Sign in").count() == 1
    page.close()
