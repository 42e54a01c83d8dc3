"""A real browser against a real `accord serve`: a new plan is completed, agreed and signed by a coordinator of
each side through the workflow pages, progress is recorded by a reporter, and the communiqué is generated as a
background job (progress bar to 100%, in the page) and downloaded."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import SCREENSHOTS, accord_serve
from tests.processes import fresh_installation

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e-workflow")]  # one worker: the module shares a server

# Run through the CLI against the server's data directory: a draft 1961 plan with two items.
MAKE_DRAFT_PLAN = """
import datetime as dt
from accord.core.actor import Actor, acting_as
from accord.demo.seed import seed_handles
from accord.programmes import services
from accord.programmes.models import Project
h = seed_handles()
with acting_as(Actor(None, "e2e-setup", "cli", system=True)):
    plan = services.create_plan(agreement=h.protocol, visibility="bilateral",
        title={"en": "1961 cooperation plan", "zh": "1961年合作计划", "ru": "План сотрудничества на 1961 год"},
        period_start=dt.date(1961, 1, 1), period_end=dt.date(1961, 12, 31))
    for project in Project.objects.filter(agreement=h.protocol).order_by("number")[:2]:
        services.add_plan_item(plan, project, objectives={"zh": "继续工作", "ru": "Продолжить работу"})
print(plan.pk)
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, installation_template: Path) -> Iterator[tuple[str, int]]:
    """The server's address, and the id of the draft plan made for the test."""
    data_dir = fresh_installation(installation_template, tmp_path_factory.mktemp("workflow-serve-data"))
    # ACCORD_JOB_RUNNER unset: the worker process `accord serve` starts does the work.
    with accord_serve(data_dir, ACCORD_JOB_RUNNER=None) as (url, env):
        made = subprocess.run(
            [sys.executable, "-m", "accord", "shell", "-c", MAKE_DRAFT_PLAN],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert made.returncode == 0, made.stderr
        yield url, int(made.stdout.strip().splitlines()[-1])


def sign_in(browser, url: str, username: str, next_path: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    # The plan's page is public (a public plan); its steps are not: a stranger is sent to sign in first.
    page.goto(f"{url}{next_path}")
    assert "/login/" not in page.url and page.get_by_role("link", name="Propose to the parties").count() == 0
    page.goto(f"{url}/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", f"accord-demo-{username}")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}{next_path}")
    return page


def confirm(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("form.step-form button[type=submit]").click()
    page.wait_for_load_state()


def test_both_sides_agree_and_sign_a_plan_and_the_communique_is_downloaded(served, browser):
    url, plan_id = served
    plan_page = f"/plans/{plan_id}/"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # The Chinese coordinator adds an item, proposes the plan and agrees to it.
    cn = sign_in(browser, url, "cn-coordinator", plan_page)
    cn.get_by_role("link", name="Add an item").click()
    assert "Add a project to plan “" in cn.get_by_test_id("what-happens").inner_text()
    cn.select_option("#id_project", index=1)
    cn.fill("#id_objectives_zh", "联合研究")
    cn.fill("#id_objectives_ru", "Совместные исследования")
    confirm(cn)
    assert cn.url.endswith(plan_page)
    assert cn.locator("table.items tbody tr").count() == 3
    cn.get_by_role("link", name="Propose to the parties").click()
    assert "(3 items)" in cn.get_by_test_id("what-happens").inner_text()
    confirm(cn)
    assert cn.get_by_test_id("plan-status").inner_text() == "Proposed"
    cn.get_by_role("link", name="Agree to this version").click()
    assert "on behalf of People's Republic of China" in cn.get_by_test_id("what-happens").inner_text()
    confirm(cn)
    assert "(SU)" in cn.get_by_test_id("missing-approvals").inner_text()

    # The Soviet coordinator agrees (the plan is agreed) and signs with Aleksenko's key.
    su = sign_in(browser, url, "su-coordinator", plan_page)
    su.get_by_role("link", name="Agree to this version").click()
    confirm(su)
    assert su.get_by_test_id("plan-status").inner_text() == "Agreed"
    su.get_by_role("link", name="Sign").click()
    what = su.get_by_test_id("what-happens").inner_text()
    assert "on behalf of Union of Soviet Socialist Republics with Aleksenko's key" in what
    assert "The signed version cannot be changed afterwards; changes need an amendment." in what
    su.fill("#id_passphrase", "aleksenko-demo-passphrase")
    su.screenshot(path=str(SCREENSHOTS / "workflow-sign-confirmation.png"), full_page=True)
    confirm(su)
    assert "(CN)" in su.get_by_test_id("missing-signatures").inner_text()

    # The Chinese coordinator signs with Wu Heng's key: a wrong passphrase first, refused on its field.
    cn.goto(f"{url}{plan_page}")
    cn.get_by_role("link", name="Sign").click()
    assert "with Wu Heng's key" in cn.get_by_test_id("what-happens").inner_text()
    cn.fill("#id_passphrase", "a-wrong-passphrase")
    confirm(cn)
    assert "wrong passphrase" in cn.locator('[data-field="passphrase"]').inner_text()
    assert cn.input_value("#id_passphrase") == ""
    cn.fill("#id_passphrase", "wu-heng-demo-passphrase")
    confirm(cn)
    assert cn.get_by_test_id("plan-status").inner_text() == "Signed"
    assert cn.get_by_test_id("signatures").locator("li").count() == 2

    # The communiqué of the meeting is generated in the background and downloaded.
    cn.goto(f"{url}/workflow/")
    cn.get_by_role("link", name="Generate the communiqué").click()
    cn.select_option("#id_language", "zh")
    cn.select_option("#id_format", "pdf")
    confirm(cn)
    assert "/jobs/" in cn.url
    # htmx polls the fragment every second: the bar reaches 100% without reloading the page.
    cn.wait_for_selector('[data-testid="job-progress"][data-status="done"]', timeout=90_000)
    assert cn.get_by_test_id("job-percent").inner_text() == "100%"
    assert cn.locator("progress").get_attribute("value") == "100"
    cn.screenshot(path=str(SCREENSHOTS / "workflow-job-done.png"), full_page=True)
    with cn.expect_download() as info:
        cn.get_by_test_id("job-download").click()
    download = info.value
    assert download.suggested_filename.startswith("communique-") and download.suggested_filename.endswith("-zh.pdf")
    path = download.path()
    assert path is not None and Path(path).stat().st_size > 1000
    assert Path(path).read_bytes().startswith(b"%PDF")
    cn.context.close()
    su.context.close()
