"""The whole cycle in a real browser, in Chinese, as each role in turn — never opening /admin/ nor running a
command (issue 14, first "Done when"). On a fresh installation: the Chinese coordinator registers a new agreement,
starts its first plan, adds a project with participating organisations of both sides and an item with a
responsible organisation per side; both coordinators agree to it and sign it with the date and place of signing;
the reporter of the responsible Chinese institute records progress; a shipment of samples recorded by the sending
side is confirmed received by the receiving institution's reporter; a meeting is prepared with both delegations
and its agenda; its minutes are started, amended and signed off by both; the plan's review is computed, stated by
both and published; the communiqué is generated, approved by both, published, and downloaded by an anonymous
visitor, with the new records' facts in its text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import accord_serve
from tests.processes import fresh_installation

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e-whole-cycle")]  # one worker: one server

AGREEMENT_ZH = "中苏水稻科学合作协定"
PLAN_ZH = "1961年水稻科学合作计划"
PROJECT_ZH = "水稻良种选育"
MEETING_ZH = "中苏水稻科学合作委员会第一次会议"
CAS, MSU = "中国科学院", "莫斯科国立大学"
CN_NAME, SU_NAME = "中华人民共和国", "苏维埃社会主义共和国联盟"
WU_HENG, ALEKSENKO = "武衡", "阿列克先科"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, installation_template: Path) -> Iterator[str]:
    data_dir = fresh_installation(installation_template, tmp_path_factory.mktemp("whole-cycle-data"))
    # The job worker `accord serve` starts generates the communiqué in the background.
    with accord_serve(data_dir, ACCORD_JOB_RUNNER=None) as (url, _env):
        yield url


class Visits:
    """Every address any page asked for (navigations, htmx, downloads): none may be under /admin/."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def watch(self, context: Any) -> Any:
        context.on("request", lambda request: self.paths.append(urlparse(request.url).path))
        return context


def signed_in(browser: Any, site: str, visits: Visits, username: str) -> Any:
    context = visits.watch(browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN"))
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": site}])
    page = context.new_page()
    page.set_default_timeout(60_000)  # signing in hashes with Argon2; CI machines are busy
    page.goto(f"{site}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"accord-demo-{username}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/login/" not in page.url, page.locator("main").inner_text()[:1000]
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    return page


def confirm(page: Any) -> None:
    page.locator("form.step-form button[type=submit]").click()
    page.wait_for_load_state()


def step(page: Any, name: str) -> None:
    """Open the step `name` offered in the record's header (by its address: the labels are in Chinese)."""
    page.locator(f'header.record-head a[href$="/{name}/"]').first.click()
    page.wait_for_load_state()


def choose(select: Any, text: str) -> None:
    """Pick the option whose value is `text` or whose label contains it (ids the test does not know)."""
    value = select.evaluate(
        "(s, t) => { const o = [...s.options].find(o => o.value === t || o.textContent.includes(t));"
        " return o ? o.value : null; }",
        text,
    )
    assert value, f"no option with {text!r} in {select.inner_text()!r}"
    select.select_option(value)


def main_text(page: Any) -> str:
    return page.locator("main").inner_text()


def add_part(page: Any, form: str, fields: dict[str, str], selects: dict[str, str], until: str) -> None:
    """Open an add form on the meeting page, choose and fill, send it (htmx swaps the parts), wait for the part."""
    locator = page.locator(f"[data-testid={form}]")
    locator.locator("xpath=ancestor::details[1]/summary").click()
    for name, text in selects.items():
        choose(locator.locator(f"[name='{name}']"), text)
    for name, value in fields.items():
        locator.locator(f"[name='{name}']").fill(value)
    locator.locator("button[type=submit]").click()
    page.locator(until).first.wait_for()


def test_the_whole_cycle_in_chinese_as_each_role_in_turn(site, browser):
    visits = Visits()
    cn = signed_in(browser, site, visits, "cn-coordinator")

    # --- the Chinese coordinator: a new agreement, public, with authentic texts in Chinese and Russian ---
    cn.goto(f"{site}/agreements/")
    cn.locator('a[href="/agreements/new/"]').click()
    cn.wait_for_load_state()
    cn.fill("#id_title_zh", AGREEMENT_ZH)
    cn.fill("#id_title_ru", "Соглашение о научном сотрудничестве в области рисоводства")
    cn.fill("#id_reference", "CN-SU-1961-RICE")
    cn.select_option("#id_kind", "agreement")
    cn.select_option("#id_party_2", label=SU_NAME)
    cn.fill("#id_signed_on", "1961-01-10")
    cn.fill("#id_entry_into_force_on", "1961-01-10")
    cn.select_option("#id_visibility", "public")
    cn.check('input[name="authentic_languages"][value="zh"]')
    cn.check('input[name="authentic_languages"][value="ru"]')
    cn.fill("#id_text_zh", "第一条 双方在水稻科学方面进行合作。")
    cn.fill("#id_text_ru", "Статья 1. Стороны сотрудничают в области рисоводства.")
    cn.locator("form.record-form button[type=submit]").click()
    cn.wait_for_load_state()
    assert re.search(r"/agreements/\d+/$", cn.url), main_text(cn)[:2000]
    agreement_url = cn.url
    assert cn.locator("h1").inner_text() == AGREEMENT_ZH

    # --- its first plan ---
    cn.locator('a[href$="/first-plan/"]').click()
    cn.wait_for_load_state()
    cn.fill("#id_title_zh", PLAN_ZH)
    cn.fill("#id_title_ru", "План научного сотрудничества в области рисоводства на 1961 год")
    confirm(cn)
    assert re.search(r"/plans/\d+/$", cn.url), main_text(cn)[:2000]
    plan_url = cn.url
    assert cn.locator("h1").inner_text().startswith(PLAN_ZH)

    # --- a project with a participating institute of each side (each side adds its own) ---
    cn.goto(agreement_url)
    cn.get_by_test_id("new-project").click()
    cn.wait_for_load_state()
    cn.fill("#id_number", "R-1")
    cn.fill("#id_title_zh", PROJECT_ZH)
    cn.fill("#id_title_ru", "Селекция сортов риса")
    cn.locator("form.record-form button[type=submit]").click()
    cn.wait_for_load_state()
    assert re.search(r"/projects/\d+/$", cn.url), main_text(cn)[:2000]
    project_url = cn.url
    cn.locator('a[href$="/participation/"]').first.click()
    cn.wait_for_load_state()
    cn.select_option("#id_organisation", label=f"CN — {CAS}")
    cn.select_option("#id_role", "coordinator")
    confirm(cn)

    su = signed_in(browser, site, visits, "su-coordinator")
    su.goto(project_url)
    su.locator('a[href$="/participation/"]').first.click()
    su.wait_for_load_state()
    su.select_option("#id_organisation", label=f"SU — {MSU}")
    su.select_option("#id_role", "partner")
    confirm(su)
    participants = su.locator("#part-h + ul").inner_text()
    assert CAS in participants and MSU in participants

    # --- an item of the plan, with a responsible institute of each side ---
    cn.goto(plan_url)
    step(cn, "add-item")
    choose(cn.locator("#id_project"), PROJECT_ZH)
    cn.fill("#id_objectives_zh", "培育抗倒伏水稻品种")
    cn.fill("#id_objectives_ru", "Вывести устойчивые к полеганию сорта риса")
    confirm(cn)
    assert cn.url == plan_url, main_text(cn)[:2000]
    cn.locator("td.objectives a").first.click()
    cn.wait_for_load_state()
    item_url = cn.url
    cn.locator('a[href$="/responsibility/"]').click()
    cn.wait_for_load_state()
    cn.select_option("#id_organisation", label=f"CN — {CAS}")
    confirm(cn)
    su.goto(item_url)
    su.locator('a[href$="/responsibility/"]').click()
    su.wait_for_load_state()
    su.select_option("#id_organisation", label=f"SU — {MSU}")
    confirm(su)
    responsible = su.locator("#resp-h + ul").inner_text()
    assert CAS in responsible and MSU in responsible

    # --- proposed by China, agreed by both ---
    cn.goto(plan_url)
    step(cn, "propose")
    confirm(cn)
    step(cn, "agree")
    confirm(cn)
    su.goto(plan_url)
    step(su, "agree")
    confirm(su)
    assert su.get_by_test_id("plan-status").inner_text() == "已商定", main_text(su)[:2000]

    # --- both sign, with the date and place of signing (the demo signatories' keys) ---
    step(su, "sign")
    su.fill("#id_signed_on", "1961-02-25")
    su.fill("#id_signed_at_zh", "北京")
    su.fill("#id_signed_at_ru", "Пекин")
    su.fill("#id_signed_at_en", "Beijing")
    su.fill("#id_passphrase", "aleksenko-demo-passphrase")
    confirm(su)
    assert su.url == plan_url, main_text(su)[:2000]
    cn.goto(plan_url)
    step(cn, "sign")
    assert cn.input_value("#id_signed_on") == "1961-02-25"  # as the other side gave them: one ceremony
    assert cn.input_value("#id_signed_at_zh") == "北京"
    cn.fill("#id_passphrase", "wu-heng-demo-passphrase")
    confirm(cn)
    assert cn.get_by_test_id("plan-status").inner_text() == "已签字", main_text(cn)[:2000]
    assert cn.get_by_test_id("signed-when-where").inner_text() == "北京, 1961年2月25日"
    assert cn.get_by_test_id("signatures").locator("li").count() == 2

    # --- an observer reads the signed plan and is offered no step ---
    observer = signed_in(browser, site, visits, "cn-observer")
    observer.goto(plan_url)
    assert observer.get_by_test_id("plan-status").inner_text() == "已签字"
    assert PROJECT_ZH in observer.get_by_test_id("plan-items").inner_text()
    assert observer.locator('a[href^="/workflow/"][href$="/progress/"]').count() == 0
    observer.context.close()

    # --- the reporter of the responsible Chinese institute records progress ---
    cas = signed_in(browser, site, visits, "cas-reporter")
    cas.goto(plan_url)
    cas.locator('a[href$="/progress/"]').first.click()
    cas.wait_for_load_state()
    cas.select_option("#id_status", "on_track")
    cas.fill("#id_percent", "60")
    cas.fill("#id_narrative", "已选出三个抗倒伏品系。")
    confirm(cas)
    assert cas.url == plan_url, main_text(cas)[:2000]
    row = cas.get_by_test_id("item-R-1")
    assert row.locator(".progress-on_track").count() == 1 and "60%" in row.inner_text()
    cas.context.close()

    # --- the sending side records a shipment of samples; the receiving institution's reporter confirms it ---
    cn.goto(item_url)
    cn.locator('a[href$="/exchange/"]').click()
    cn.wait_for_load_state()
    cn.select_option("#id_kind", "sample_shipment")
    cn.select_option("#id_sending_organisation", label=f"CN — {CAS}")
    cn.select_option("#id_receiving_organisation", label=f"SU — {MSU}")
    cn.fill("#id_start_on", "1961-04-01")
    cn.fill("#id_quantity", "12")
    cn.select_option("#id_unit", "samples")
    cn.fill("#id_sent_on", "1961-04-02")
    cn.fill("#id_sent_reference", "CAS-61/RICE")
    cn.fill("#id_description_zh", "水稻种子样品")
    confirm(cn)
    assert re.search(r"/exchanges/\d+/$", cn.url), main_text(cn)[:2000]
    exchange_url = cn.url
    exchange_id = exchange_url.rstrip("/").rsplit("/", 1)[1]

    msu = signed_in(browser, site, visits, "msu-reporter")
    msu.goto(f"{site}/workflow/")
    msu.locator(f'a[href="/workflow/exchanges/{exchange_id}/confirm-receipt/"]').click()
    msu.wait_for_load_state()
    msu.fill("#id_received_on", "1961-04-20")
    msu.fill("#id_reference", "MTA-61-RICE")
    confirm(msu)
    assert msu.url == exchange_url, main_text(msu)[:2000]
    assert "MTA-61-RICE" in main_text(msu)
    msu.context.close()

    # --- a meeting under the agreement, with both delegations and its agenda ---
    cn.goto(agreement_url)
    cn.get_by_test_id("new-meeting").click()
    cn.wait_for_load_state()
    cn.fill("[name=title__zh]", MEETING_ZH)
    cn.fill("[name=title__ru]", "Первое заседание комиссии по рисоводству")
    cn.fill("[name=place__zh]", "北京")
    cn.fill("[name=start_on]", "1961-02-20")
    cn.fill("[name=end_on]", "1961-02-25")
    cn.select_option("[name=visibility]", "public")
    cn.locator("form.record-form button[type=submit]").click()
    cn.wait_for_url("**/meetings/*/")
    meeting_url = cn.url.split("#")[0]
    assert MEETING_ZH in cn.locator("h1").inner_text()
    add_part(
        cn,
        "add-delegation",
        {"delegation-head_capacity__zh": "科学技术委员会副主任"},
        {"delegation-party": CN_NAME, "delegation-head": WU_HENG},
        "[data-testid=delegation-CN]",
    )
    add_part(
        cn,
        "add-agenda",
        {"agenda-title__zh": "审查1961年计划的执行情况"},
        {"agenda-kind": "review", "agenda-plan": PLAN_ZH},
        "[data-testid=agenda-1]",
    )
    add_part(
        cn,
        "add-agenda",
        {"agenda-title__zh": "签订1961年计划"},
        {"agenda-kind": "adoption", "agenda-plan": PLAN_ZH},
        "[data-testid=agenda-2]",
    )
    su.goto(meeting_url)
    add_part(
        su,
        "add-delegation",
        {"delegation-head_capacity__zh": "苏联部长会议国家科学技术委员会副主席"},
        {"delegation-party": SU_NAME, "delegation-head": ALEKSENKO},
        "[data-testid=delegation-SU]",
    )
    assert WU_HENG in su.get_by_test_id("delegation-CN").inner_text()
    assert ALEKSENKO in su.get_by_test_id("delegation-SU").inner_text()

    # --- the minutes: started by China, amended by the USSR, signed off by both ---
    cn.goto(meeting_url)
    cn.get_by_role("link", name="开始起草会议纪要").click()
    cn.fill("[name=body__zh]", "一、双方审查了水稻科学合作计划。")
    cn.fill("[name=body__ru]", "1. Стороны рассмотрели план.")
    confirm(cn)
    assert "双方审查了水稻科学合作计划" in cn.get_by_test_id("minutes-text").inner_text()
    su.goto(meeting_url)
    su.get_by_role("link", name="修改会议纪要").click()
    su.fill("[name=body__ru]", "1. Стороны рассмотрели и подписали план.")
    confirm(su)
    assert "рассмотрели и подписали" in su.get_by_test_id("minutes-text").inner_text()
    for page in (su, cn):
        page.goto(meeting_url)
        page.locator("#minutes").get_by_role("link", name="签认会议纪要").click()
        page.fill("[name=signed_on]", "1961-02-25")
        confirm(page)
    status = cn.get_by_test_id("minutes-status").inner_text()
    assert "第 2 稿" in status and "定稿" in status

    # --- the review of the plan: computed by China, a statement from each side, published ---
    cn.goto(plan_url)
    step(cn, "review")
    confirm(cn)
    assert cn.url == plan_url, main_text(cn)[:2000]
    for page, text in ((cn, "中方认为计划执行顺利。"), (su, "苏方同意。")):
        page.goto(plan_url)
        page.locator('#reviews-h ~ section.review a[href$="/statement/"]').first.click()
        page.wait_for_load_state()
        page.select_option("#id_language", "zh")
        page.fill("#id_text", text)
        confirm(page)
        assert page.url == plan_url, main_text(page)[:2000]
    su.locator('#reviews-h ~ section.review a[href$="/publish/"]').first.click()
    su.wait_for_load_state()
    confirm(su)
    review = su.locator("section.review").first.inner_text()
    assert "中方认为计划执行顺利。" in review and "苏方同意。" in review and "已发布" in review, review

    # --- the communiqué: generated in the background, approved by both, published ---
    cn.goto(meeting_url)
    step(cn, "generate-communique")
    cn.select_option("#id_language", "zh")
    cn.select_option("#id_format", "html")
    confirm(cn)
    assert "/jobs/" in cn.url, main_text(cn)[:2000]
    cn.wait_for_selector('[data-testid="job-progress"][data-status="done"]', timeout=180_000)
    cn.goto(meeting_url)
    cn.locator('#docs-h + ul a[href^="/documents/"]').first.click()
    cn.wait_for_load_state()
    document_url = cn.url
    document_path = urlparse(document_url).path
    public = visits.watch(browser.new_context(locale="zh-CN", accept_downloads=True)).new_page()
    assert public.goto(document_url).status == 404  # a draft: not for the public yet
    step(cn, "approve")
    confirm(cn)
    assert su.goto(document_url) is not None
    assert su.locator('header.record-head a[href$="/publish/"]').count() == 0  # the USSR has not approved yet
    step(su, "approve")
    confirm(su)
    step(su, "publish")
    confirm(su)
    assert "发布" in su.get_by_test_id("publication-status").inner_text(), main_text(su)[:2000]

    # --- an anonymous visitor reads and downloads it, with the new records' facts ---
    assert public.goto(document_url).status == 200
    with public.expect_download() as info:
        public.locator("#files-h + ul a").first.click()
    path = info.value.path()
    assert path is not None
    # The communiqué's sentences, as its text reads without the markup: every fact from the new records.
    text = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", Path(path).read_text(encoding="utf-8")))
    for fact in (
        f"公报：{MEETING_ZH}",
        "于1961年2月20日至1961年2月25日在北京举行",
        f"1961年1月10日签订的《{AGREEMENT_ZH}》的{PLAN_ZH}的执行结果",
        f"双方商谈和签订了{PLAN_ZH}",
        f"{CN_NAME}方面是科学技术委员会副主任{WU_HENG}",
        f"{SU_NAME}方面是苏联国家科学技术委员会副主席{ALEKSENKO}",
        "科学技术项目共1项",
        f"{SU_NAME}代表团：成员：苏联部长会议国家科学技术委员会副主席{ALEKSENKO}（团长）",
    ):
        assert fact in text, (fact, text)

    for page in (cn, su, public):
        page.context.close()
    assert visits.paths and document_path in visits.paths
    assert not [p for p in visits.paths if p.startswith("/admin")], "a page of /admin/ was opened"
