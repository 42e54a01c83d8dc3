"""A real browser, in Chinese: the next plan is drafted from the signed 1960 plan (its date fields show their
dates), all but two of its 42 carried-over items are carried over in two clicks, the items read 1..40, and both
sides sign with the date and place of signing. In Russian, a reporter's progress form keeps its dates and submits.
Every "Done" message shows once; "Your work" is in the navigation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import accord_serve
from tests.processes import fresh_installation

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e-plan-cycle")]  # one worker: the module shares a server

TITLE_1960_ZH = "1960年年度科学技术合作计划"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, installation_template: Path) -> Iterator[str]:
    data_dir = fresh_installation(installation_template, tmp_path_factory.mktemp("plan-cycle-data"))
    with accord_serve(data_dir) as (url, _env):
        yield url


def signed_in(browser, url: str, username: str, language: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=language)
    context.add_cookies([{"name": "django_language", "value": language, "url": url}])
    page = context.new_page()
    page.goto(f"{url}/login/?next=/workflow/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"accord-demo-{username}")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{url}/workflow/")
    return page


def confirm(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("form.step-form button[type=submit]").click()
    page.wait_for_load_state()


def step(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Open the step `name` offered on the record's page (by its URL: the labels are in Chinese)."""
    page.locator(f'header.record-head a[href$="/{name}/"]').first.click()
    page.wait_for_load_state()


def messages(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator(".messages .message").all_inner_texts()


def test_next_plan_carry_over_numbering_and_signing_in_chinese(served, browser):
    url = served
    cn = signed_in(browser, url, "cn-coordinator", "zh-hans")
    assert cn.get_by_test_id("nav-your-work").count() == 1  # "Your work" in the navigation

    # The signed 1960 plan offers no Edit and no "Add an item"; it offers the next plan and an amendment.
    cn.goto(f"{url}/plans/")
    cn.get_by_role("link", name=TITLE_1960_ZH).first.click()
    plan_1960 = cn.url
    assert cn.get_by_test_id("edit").count() == 0
    assert cn.locator('header.record-head a[href$="/add-item/"]').count() == 0
    assert cn.locator('header.record-head a[href$="/amend/"]').count() == 1

    # Draft the next plan: its dates show in the date fields (ISO inside, shown the browser's way) and submit.
    step(cn, "next")
    assert cn.input_value("#id_period_start") == "1961-01-01"
    assert cn.input_value("#id_period_end") == "1961-12-31"  # not 1962-01-01
    cn.fill("#id_title_zh", "1961年科学技术合作计划")
    cn.fill("#id_title_ru", "План научно-технического сотрудничества на 1961 год")
    confirm(cn)
    assert "/plans/" in cn.url and cn.url != plan_1960
    assert len(messages(cn)) == 1  # "Done: …" once
    boxes = cn.locator('input[type=checkbox][form="carry-over"]')
    assert boxes.count() == 42

    # Leave out two (ticked), then carry over all the rest: two clicks, not 42.
    boxes.nth(0).check()
    boxes.nth(1).check()
    cn.locator('button[formaction$="/leave-out-selected/"]').click()
    cn.wait_for_load_state()
    assert len(messages(cn)) == 1
    assert cn.locator('input[type=checkbox][form="carry-over"]').count() == 40
    cn.locator('button[formaction$="/carry-over-all/"]').click()
    cn.wait_for_load_state()
    assert len(messages(cn)) == 1
    assert cn.get_by_test_id("carry-over").count() == 0
    numbers = cn.locator("table.items tbody td.num").all_inner_texts()
    assert [int(n) for n in numbers] == list(range(1, 41))
    plan_1961 = cn.url

    # Propose and agree (China), agree (the USSR).
    step(cn, "propose")
    confirm(cn)
    step(cn, "agree")
    confirm(cn)
    su = signed_in(browser, url, "su-coordinator", "zh-hans")
    su.goto(plan_1961)
    step(su, "agree")
    confirm(su)

    # Each signs, saying where and when: the USSR first; China finds the date and place already given.
    step(su, "sign")
    assert su.input_value("#id_signed_on") != ""  # a date the browser can show
    su.fill("#id_signed_on", "1961-02-24")
    su.fill("#id_signed_at_zh", "莫斯科")
    su.fill("#id_signed_at_ru", "Москва")
    su.fill("#id_signed_at_en", "Moscow")
    su.fill("#id_passphrase", "aleksenko-demo-passphrase")
    confirm(su)
    assert len(messages(su)) == 1
    cn.goto(plan_1961)
    step(cn, "sign")
    assert cn.input_value("#id_signed_on") == "1961-02-24"
    assert cn.input_value("#id_signed_at_zh") == "莫斯科"
    cn.fill("#id_passphrase", "wu-heng-demo-passphrase")
    confirm(cn)
    assert cn.get_by_test_id("plan-status").inner_text() == "已签字"
    assert cn.get_by_test_id("signed-when-where").inner_text() == "莫斯科, 1961年2月24日"
    assert [int(n) for n in cn.locator("table.items tbody td.num").all_inner_texts()] == list(range(1, 41))
    # Signed: no Edit, no "Add an item"; "Amend this plan" instead.
    assert cn.get_by_test_id("edit").count() == 0
    assert cn.locator('header.record-head a[href$="/add-item/"]').count() == 0
    assert cn.locator('header.record-head a[href$="/amend/"]').count() == 1
    # The plan's history is read when the reader scrolls to it (htmx), not with the page: who signed, and the rest.
    assert cn.locator("#history article.change").count() == 0
    cn.locator("#history").scroll_into_view_if_needed()
    cn.wait_for_selector("#history article.change")
    assert "cn-coordinator" in cn.locator("#history").inner_text()
    cn.context.close()
    su.context.close()


def test_a_progress_form_keeps_its_dates_and_submits_in_russian(served, browser):
    url = served
    reporter = signed_in(browser, url, "cas-reporter", "ru")
    reporter.goto(f"{url}/plans/")
    reporter.locator('a[href^="/plans/"]').filter(has_text="1960").first.click()
    reporter.locator('a[href$="/progress/"]').first.click()
    reporter.wait_for_load_state()
    assert reporter.input_value("#id_period_start") == "1960-01-01"
    assert reporter.input_value("#id_period_end") == "1960-12-31"
    reporter.fill("#id_percent", "55")
    confirm(reporter)
    assert "/plans/" in reporter.url, reporter.content()[:2000]
    assert len(messages(reporter)) == 1
    reporter.context.close()
