"""The column-mapping step in a real browser, in Chinese: upload a file in one's own layout, adjust the proposal,
set a constant and a key, preview, save the mapping, import in the background; then a bad file is refused naming
its own row and column."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import SCREENSHOTS, accord_serve
from tests.processes import fresh_installation

PROTOCOL = (
    "Protocol on Joint Scientific and Technological Research by China and the Soviet Union and Soviet Assistance "
    "to China in Major Scientific and Technological Research"
)
FILE = "编号,项目名称,开始日期,备注\nB-1,浏览器联合研究一,2020-01-01,甲\nB-2,浏览器联合研究二,2020-02-01,乙\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, installation_template: Path) -> Iterator[str]:
    data = fresh_installation(installation_template, tmp_path_factory.mktemp("mapping-data"))
    with accord_serve(data) as (url, _env):
        yield url


def _in_chinese_as_admin(browser, site: str):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(120_000)
    page.goto(site + "/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("accord-demo-admin")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.select_option("#language", "zh-hans")
    page.locator("form.lang button").click()
    page.wait_for_load_state()
    return page


def _upload(page, site: str, path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/data/map/")
    assert page.locator("h1").inner_text() == "导入您自己的文件"
    page.select_option("#map-kind", "projects")
    page.set_input_files("#map-file", str(path))
    page.get_by_role("button", name="读取文件").click()
    page.wait_for_load_state()


def test_a_file_in_ones_own_layout_is_mapped_previewed_saved_and_imported_in_chinese(site, browser, tmp_path):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "我的项目.csv"
    source.write_text(FILE, encoding="utf-8")
    page = _in_chinese_as_admin(browser, site)
    _upload(page, site, source)

    # the proposal: headers read in Chinese, the title's language from its text, the notes left out
    assert page.get_by_label("“项目名称”对应的字段").input_value() == "title[zh]"
    assert page.get_by_label("“编号”对应的字段").input_value() == "number"
    assert page.get_by_label("“备注”对应的字段").input_value() == ""
    # the user adjusts: the agreement for every row, the number as the key, a name to save under
    page.select_option('select[name="const-field-0"]', "agreement")
    page.fill('input[name="const-value-0"]', PROTOCOL)
    page.check('input[name="dedup"][value="number"]')
    page.fill("#map-name", "每月项目表")
    page.get_by_role("button", name="预览").click()
    page.wait_for_load_state()
    preview = page.get_by_test_id("mapping-preview")
    assert "浏览器联合研究二" in preview.inner_text()
    assert "2020-02-01" in preview.inner_text()
    assert "已检查整个文件：没有问题。" in page.get_by_test_id("mapping-dry-run").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "import-mapping-zh.png"), full_page=True)

    page.get_by_role("button", name="保存映射").click()
    page.wait_for_load_state()
    assert "已保存映射“每月项目表”。" in page.locator(".messages").inner_text()
    page.get_by_role("button", name="导入", exact=True).click()
    page.wait_for_selector('[data-testid="job-progress"][data-status="done"]', timeout=120_000)
    page.goto(site + "/projects/?q=浏览器联合研究")
    page.wait_for_load_state()
    assert "浏览器联合研究一" in page.content() and "浏览器联合研究二" in page.content()

    # next month's file, with the saved mapping and a date that is no date: refused by its own row and column
    source.write_text(FILE.replace("2020-02-01", "2020-02-30"), encoding="utf-8")
    page.goto(site + "/data/map/")
    page.select_option("#map-stored", "每月项目表")
    page.select_option("#map-kind", "projects")
    page.set_input_files("#map-file", str(source))
    page.get_by_role("button", name="读取文件").click()
    page.wait_for_load_state()
    assert page.get_by_label("“项目名称”对应的字段").input_value() == "title[zh]"
    page.get_by_role("button", name="预览").click()
    page.wait_for_load_state()
    problems = page.get_by_test_id("mapping-problems").inner_text()
    assert "第 3 行" in problems or "row 3" in problems
    assert "开始日期" in problems
    page.close()
