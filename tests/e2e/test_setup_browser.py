"""A real browser against a real `accord serve`: a coordinator sets up a programme in the Chinese interface, in the
pages alone (no /admin/, no command): a new agreement with its parties and texts, its first plan, a project with
participating organisations, an item with a responsible organisation, and a shipment of samples recorded by the
sending side; then the reporter of the receiving institution confirms its receipt."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import accord_serve
from tests.processes import fresh_installation

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e-setup")]  # one worker: the module shares a server


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, installation_template: Path) -> Iterator[str]:
    data_dir = fresh_installation(installation_template, tmp_path_factory.mktemp("setup-serve-data"))
    with accord_serve(data_dir) as (url, _env):
        yield url


def signed_in(browser, site: str, username: str, language: str):  # type: ignore[no-untyped-def]
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(120_000)  # signing in hashes with Argon2; CI machines are busy
    page.goto(f"{site}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"accord-demo-{username}")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.select_option("#language", language)
    page.locator("form.lang button").click()
    page.wait_for_load_state()
    return page


def confirm(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("form.step-form button[type=submit]").click()
    page.wait_for_load_state()


def test_a_coordinator_sets_up_a_programme_in_chinese_and_the_receiving_institution_confirms_receipt(site, browser):
    cn = signed_in(browser, site, "cn-coordinator", "zh-hans")
    assert cn.locator("html").get_attribute("lang") == "zh-hans"

    # A new agreement: title in both languages, the parties in order, dates, authentic texts.
    cn.goto(f"{site}/agreements/")
    cn.locator('a[href="/agreements/new/"]').click()
    cn.wait_for_load_state()
    cn.fill("#id_title_zh", "中苏农业科学合作协定")
    cn.fill("#id_title_ru", "Соглашение о сотрудничестве в области сельскохозяйственных наук")
    cn.fill("#id_short_title_zh", "中苏农业科学协定（1961年）")
    cn.fill("#id_reference", "CN-SU-1961-AG")
    cn.select_option("#id_kind", "agreement")
    cn.select_option("#id_party_2", label="苏维埃社会主义共和国联盟")
    cn.fill("#id_signed_on", "1961-03-02")
    cn.fill("#id_entry_into_force_on", "1961-03-02")
    cn.select_option("#id_visibility", "bilateral")
    cn.check('input[name="authentic_languages"][value="zh"]')
    cn.check('input[name="authentic_languages"][value="ru"]')
    cn.fill("#id_text_zh", "第一条 双方在农业科学方面进行合作。")
    cn.fill("#id_text_ru", "Статья 1. Стороны сотрудничают в области сельскохозяйственных наук.")
    cn.locator("form.record-form button[type=submit]").click()
    cn.wait_for_load_state()
    assert re.search(r"/agreements/\d+/$", cn.url), cn.locator("main").inner_text()[:2000]
    agreement_url = cn.url
    assert cn.locator("h1").inner_text() == "中苏农业科学合作协定"
    assert "第一条" in cn.get_by_test_id("texts").inner_text()

    # Its first plan.
    cn.locator('a[href$="/first-plan/"]').click()
    cn.wait_for_load_state()
    cn.fill("#id_title_zh", "1961年农业科学合作计划")
    cn.fill("#id_title_ru", "План сотрудничества в области сельскохозяйственных наук на 1961 год")
    confirm(cn)
    assert re.search(r"/plans/\d+/$", cn.url), cn.locator("main").inner_text()[:2000]
    plan_url = cn.url
    assert cn.locator("h1").inner_text().startswith("1961年农业科学合作计划")

    # A project, with two Chinese institutes taking part.
    cn.goto(agreement_url)
    cn.get_by_test_id("new-project").click()
    cn.wait_for_load_state()
    cn.fill("#id_number", "A-1")
    cn.fill("#id_title_zh", "水稻良种选育")
    cn.fill("#id_title_ru", "Селекция сортов риса")
    cn.locator("form.record-form button[type=submit]").click()
    cn.wait_for_load_state()
    assert re.search(r"/projects/\d+/$", cn.url), cn.locator("main").inner_text()[:2000]
    project_url = cn.url
    for institute, role in (("中国科学院", "coordinator"), ("清华大学", "partner")):
        cn.goto(project_url)
        cn.locator('a[href$="/participation/"]').click()
        cn.wait_for_load_state()
        cn.select_option("#id_organisation", label=f"CN — {institute}")
        cn.select_option("#id_role", role)
        confirm(cn)
    participants = cn.locator("#part-h + ul").inner_text()
    assert "中国科学院" in participants and "清华大学" in participants

    # An item of the plan, with a responsible organisation.
    cn.goto(plan_url)
    cn.locator('a[href$="/add-item/"]').click()
    cn.wait_for_load_state()
    cn.select_option("#id_project", index=1)
    cn.fill("#id_objectives_zh", "培育抗倒伏水稻品种")
    confirm(cn)
    cn.locator("td.objectives a").first.click()
    cn.wait_for_load_state()
    cn.locator('a[href$="/responsibility/"]').click()
    cn.wait_for_load_state()
    cn.select_option("#id_organisation", label="CN — 中国科学院")
    confirm(cn)
    assert "中国科学院" in cn.locator("#resp-h + ul").inner_text()

    # The sending side records a shipment of samples to Moscow State University.
    cn.locator('a[href$="/exchange/"]').click()
    cn.wait_for_load_state()
    cn.select_option("#id_kind", "sample_shipment")
    cn.select_option("#id_sending_organisation", label="CN — 中国科学院")
    cn.select_option("#id_receiving_organisation", label="SU — 莫斯科国立大学")
    cn.fill("#id_start_on", "1961-04-01")
    cn.fill("#id_quantity", "12")
    cn.select_option("#id_unit", "samples")
    cn.fill("#id_sent_on", "1961-04-02")
    cn.fill("#id_sent_reference", "CAS-61/4")
    cn.fill("#id_description_zh", "水稻种子样品")
    confirm(cn)
    assert re.search(r"/exchanges/\d+/$", cn.url), cn.locator("main").inner_text()[:2000]
    exchange_url = cn.url
    assert "CAS-61/4" in cn.locator("main").inner_text()
    assert cn.locator('a[href$="/confirm-receipt/"]').count() == 0  # the sender does not confirm
    assert "/admin/" not in cn.url

    # The reporter of the receiving institution finds it in their work and confirms its receipt.
    su = signed_in(browser, site, "msu-reporter", "zh-hans")
    su.goto(f"{site}/workflow/")
    exchange_id = exchange_url.rstrip("/").rsplit("/", 1)[1]
    su.locator(f'a[href="/workflow/exchanges/{exchange_id}/confirm-receipt/"]').click()
    su.wait_for_load_state()
    su.fill("#id_received_on", "1961-04-20")
    su.fill("#id_reference", "MTA-61-9")
    confirm(su)
    assert su.url == exchange_url
    assert "MTA-61-9" in su.locator("main").inner_text()
    assert su.locator('a[href$="/confirm-receipt/"]').count() == 0
