"""A real browser against a real `accord serve`: fresh data directory, gunicorn, WhiteNoise, the demo."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import accord_serve
from tests.processes import fresh_installation

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e-home")]  # one worker: the module shares a server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, installation_template: Path) -> Iterator[str]:
    with accord_serve(fresh_installation(installation_template, tmp_path_factory.mktemp("serve-data"))) as (url, _env):
        yield url


def screenshot_dir() -> Path:
    path = Path(os.environ.get("ACCORD_SCREENSHOT_DIR", "var/screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_the_first_page_shows_the_seed_programme(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    response = page.goto(server + "/")
    assert response.status == 200
    assert "Protocol on Joint Scientific and Technological Research" in page.locator("h2").first.inner_text()
    assert page.get_by_test_id("project-count").inner_text() == "122"
    rows = page.locator("table.plans tbody tr")
    assert rows.count() == 2
    assert "1959 cooperation plan" in rows.nth(0).inner_text() and "Reviewed" in rows.nth(0).inner_text()
    assert "Signed" in rows.nth(1).inner_text() and "Moscow" in rows.nth(1).inner_text()
    # the stylesheet is served by the app itself (WhiteNoise, hashed name), no CDN
    css = page.evaluate("getComputedStyle(document.querySelector('header.top')).display")
    assert css == "flex"
    assert all(r.startswith(server) for r in page.evaluate("performance.getEntriesByType('resource').map(e => e.name)"))
    page.screenshot(path=str(screenshot_dir() / "home-en.png"), full_page=True)
    page.close()


def test_switching_the_interface_to_chinese_shows_the_records_in_chinese(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/")
    page.select_option("#language", "zh-hans")
    page.get_by_role("button", name="Go").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "协定"
    assert page.locator("h2").first.inner_text() == "关于中苏两国共同进行和苏联帮助中国进行重大科学技术研究的议定书"
    assert "莫斯科" in page.locator("table.plans").inner_text()
    page.screenshot(path=str(screenshot_dir() / "home-zh.png"), full_page=True)
    page.close()


def test_the_admin_link_leads_to_a_login(server, browser):
    page = browser.new_page()
    page.goto(server + "/")
    page.get_by_role("link", name="Administration").click()
    page.wait_for_load_state()
    assert "/admin/login/" in page.url
    page.fill("#id_username", "admin")
    page.fill("#id_password", "accord-demo-admin")
    # The admin signs in on the site's own page (one throttle and second factor for every way in): its button.
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Projects").count() >= 1
    page.close()


def test_the_api_docs_render_offline(server, browser):
    page = browser.new_page()
    external = []
    page.on("request", lambda r: None if r.url.startswith(server) else external.append(r.url))
    page.goto(server + "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .title", timeout=20000)
    assert "Accord API" in page.locator(".swagger-ui .title").inner_text()
    assert page.locator(".opblock-tag", has_text="projects").count() == 1
    assert external == []
    page.close()
