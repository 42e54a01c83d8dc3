"""A real browser against a real `accord serve`, in Chinese and Russian: the promises of issue 13 as their users
meet them. A project title corrected after the 1960 plan was signed leaves the signed plan as it was signed,
with the change shown beside it; a communiqué one side generated stays its draft until both sides approve it
and one publishes it, and only then reaches the public."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import SCREENSHOTS, accord_serve
from tests.processes import fresh_installation

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e-promises")]  # one worker: the module shares a server

# The 1960 plan (signed in the demo), the first project it lists, and that project's English and Chinese titles.
SIGNED_PLAN = """
from accord.programmes.models import Plan
plan = Plan.objects.get(title__en__startswith="1960")
item = plan.items.order_by("position").first()
print(plan.pk, item.project_id, item.project.title["en"], "|", item.project.title["zh"])
"""
NEWEST_COMMUNIQUE = """
from accord.documents.models import Document
print(Document.objects.filter(kind="communique").order_by("-pk").values_list("pk", flat=True).first())
"""


def _accord(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "accord", *args], env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, installation_template: Path
) -> Iterator[tuple[str, dict[str, str]]]:
    data_dir = fresh_installation(installation_template, tmp_path_factory.mktemp("promises-serve-data"))
    with accord_serve(data_dir) as (url, env):
        yield url, env


def sign_in(browser, url: str, username: str, locale: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    page = context.new_page()
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"accord-demo-{username}")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "/login/" not in page.url
    return page


def confirm(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("form.step-form button[type=submit]").click()
    page.wait_for_load_state()


def test_a_title_corrected_after_signing_leaves_the_signed_plan_as_signed(served, browser) -> None:
    url, env = served
    plan_id, project_id, titles = _accord(env, "shell", "-c", SIGNED_PLAN).split(" ", 2)
    signed_en, signed_zh = titles.split(" | ")
    cn = sign_in(browser, url, "cn-coordinator", "zh-CN")
    cn.goto(f"{url}/projects/{project_id}/edit/")
    cn.fill('[name="title__en"]', "Radioisotopes: title corrected in 2026")
    cn.locator("form.record-form button[type=submit], form button[type=submit]").last.click()
    cn.wait_for_load_state()
    assert f"/projects/{project_id}/" in cn.url

    cn.goto(f"{url}/plans/{plan_id}/")
    items = cn.get_by_test_id("plan-items").inner_text()
    assert signed_zh in items  # the reader's language, as signed
    changes = cn.get_by_test_id("changed-since-signing")
    assert "签署后的变更" in changes.inner_text()
    # The English version is the one that changed, shown as such: signed → now.
    assert "[en]" in changes.inner_text()
    assert changes.locator("del").first.inner_text() == signed_en
    assert changes.locator("ins").first.inner_text() == "Radioisotopes: title corrected in 2026"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    changes.scroll_into_view_if_needed()
    cn.screenshot(path=str(SCREENSHOTS / "plan-changed-since-signing-zh.png"))
    # Signed plans are changed by an amendment only: no editing in place is offered.
    assert cn.get_by_role("link", name="添加项目").count() == 0
    # And the signatures still hold.
    assert "ok" in _accord(env, "verify")
    cn.context.close()


def test_a_communique_reaches_the_public_only_when_both_sides_approved_and_one_published(served, browser) -> None:
    url, env = served
    _accord(env, "document", "communique", "1", "--lang", "zh", "--store", "--party", "CN", "-o", "/dev/null")
    doc = _accord(env, "shell", "-c", NEWEST_COMMUNIQUE)
    page = f"/documents/{doc}/"

    public = browser.new_context(locale="en-GB").new_page()
    assert public.goto(f"{url}{page}").status == 404  # a draft: not for the public

    cn = sign_in(browser, url, "cn-coordinator", "zh-CN")
    cn.goto(f"{url}{page}")
    cn.get_by_role("link", name="批准此文本").click()
    confirm(cn)
    assert "待批准" in cn.locator("body").inner_text()  # still awaiting the other side
    assert cn.get_by_role("link", name="发布").count() == 0

    su = sign_in(browser, url, "su-coordinator", "ru-RU")
    su.goto(f"{url}{page}")
    approve = su.locator(f'a[href*="/documents/{doc}/approve"]')
    approve.first.click()
    confirm(su)
    su.locator(f'a[href*="/documents/{doc}/publish"]').first.click()
    confirm(su)

    assert public.goto(f"{url}{page}").status == 200  # published: the public reads it
    public.goto(f"{url}/")
    assert public.locator(f'a[href="{page}"]').count() >= 1  # and the portal lists it
    for p in (cn, su, public):
        p.context.close()
