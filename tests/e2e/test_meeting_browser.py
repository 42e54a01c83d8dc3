"""A real browser, in Chinese, against a real `accord serve`: the coordinators of both sides prepare a meeting on its
one page (the meeting under the agreement, each side's delegation with its head and a member, the attendees, the
agenda), then start its minutes, amend them, compare two revisions, and both sign them off — no admin, no CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import accord_serve
from tests.e2e.test_accessibility import AXE, AXE_TAGS, BLOCKING
from tests.processes import fresh_installation

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e-meeting")]  # one worker: the module shares a server

# The ids the test picks from, and one more member for each delegation (illustrative people).
IDS = """
import json
from accord.core.actor import Actor, acting_as
from accord.demo.seed import seed_handles
from accord.directory.services import create_person
h = seed_handles()
with acting_as(Actor(None, "e2e-setup", "cli", system=True)):
    qian = create_person(name={"zh": "钱三强", "en": "Qian Sanqiang", "ru": "Цянь Саньцян"}, party=h.cn)
    nesmeyanov = create_person(name={"ru": "Несмеянов", "en": "Nesmeyanov", "zh": "涅斯米扬诺夫"}, party=h.su)
print(json.dumps({"protocol": h.protocol.pk, "plan_1960": h.plan_1960.pk, "cn": h.cn.pk, "su": h.su.pk,
    "wu_heng": h.wu_heng.pk, "aleksenko": h.aleksenko.pk, "liu_xiao": h.liu_xiao.pk, "petukhov": h.petukhov.pk,
    "qian": qian.pk, "nesmeyanov": nesmeyanov.pk}))
"""

ZH_1 = "一、双方审查了1960年合作计划的执行情况。\n二、双方商定了1961年计划。"
RU_1 = "1. Стороны рассмотрели выполнение плана 1960 года.\n2. Стороны согласовали план на 1961 год."
RU_2 = RU_1.replace("согласовали план", "согласовали и подписали план")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, installation_template: Path) -> Iterator[tuple[str, dict]]:
    data_dir = fresh_installation(installation_template, tmp_path_factory.mktemp("meeting-serve-data"))
    with accord_serve(data_dir) as (url, env):
        made = subprocess.run(
            [sys.executable, "-m", "accord", "shell", "-c", IDS], env=env, capture_output=True, text=True, timeout=120
        )
        assert made.returncode == 0, made.stderr
        yield url, json.loads(made.stdout.strip().splitlines()[-1])


def sign_in_chinese(browser: Any, url: str, username: str) -> Any:
    # bypass_csp only lets the test inject axe-core at the end; it changes nothing the server sends.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", bypass_csp=True)
    host = url.split("//", 1)[1].split(":")[0]
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "domain": host, "path": "/"}])
    page = context.new_page()
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"accord-demo-{username}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    return page


def add_part(page: Any, form: str, fields: dict[str, str], selects: dict[str, str], until: str) -> None:
    """Open an add form on the meeting page, fill it, send it (htmx swaps the parts in place), wait for the part."""
    locator = page.locator(f"[data-testid={form}]")
    locator.locator("xpath=ancestor::details[1]/summary").click()
    for name, value in selects.items():
        locator.locator(f"[name='{name}']").select_option(value)
    for name, value in fields.items():
        locator.locator(f"[name='{name}']").fill(value)
    locator.locator("button[type=submit]").click()
    page.locator(until).first.wait_for()


def confirm(page: Any) -> None:
    page.locator("form.step-form button[type=submit]").click()
    page.wait_for_load_state()


def test_both_sides_prepare_a_meeting_and_agree_its_minutes_in_chinese(served, browser):
    url, ids = served

    # --- the Chinese coordinator: the meeting under the protocol, its delegation, an attendee, the agenda ---
    cn = sign_in_chinese(browser, url, "cn-coordinator")
    cn.goto(f"{url}/agreements/{ids['protocol']}/")
    cn.locator("[data-testid=new-meeting]").click()
    cn.fill("[name=title__zh]", "中苏科学技术合作委员会第二次会议")
    cn.fill("[name=title__ru]", "Второе заседание комиссии")
    cn.fill("[name=place__zh]", "北京")
    cn.fill("[name=start_on]", "1961-03-01")
    cn.fill("[name=end_on]", "1961-03-10")
    cn.locator("form.record-form button[type=submit]").click()
    cn.wait_for_url("**/meetings/*/")
    meeting_url = cn.url.split("#")[0]
    assert "中苏科学技术合作委员会第二次会议" in cn.locator("h1").inner_text()

    add_part(
        cn,
        "add-delegation",
        {"delegation-head_capacity__zh": "科学技术委员会副主任"},
        {"delegation-party": str(ids["cn"]), "delegation-head": str(ids["wu_heng"])},
        "[data-testid=delegation-CN]",
    )
    assert "武衡" in cn.locator("[data-testid=delegation-CN]").inner_text()
    member_form = cn.locator("[data-testid=add-member-CN]")
    prefix = "member-" + member_form.get_attribute("action").rstrip("/").split("/")[-2]
    add_part(
        cn,
        "add-member-CN",
        {f"{prefix}-capacity__zh": "原子能研究所所长"},
        {f"{prefix}-person": str(ids["qian"]), f"{prefix}-role": "member"},
        "[data-testid=delegation-CN] >> text=钱三强",
    )
    add_part(
        cn,
        "add-attendee",
        {"attendee-capacity__zh": "中华人民共和国驻苏联大使"},
        {"attendee-person": str(ids["liu_xiao"]), "attendee-party": str(ids["cn"])},
        "text=中华人民共和国驻苏联大使",
    )
    add_part(
        cn,
        "add-agenda",
        {"agenda-title__zh": "审查1960年计划的执行情况", "agenda-title__ru": "Обзор выполнения плана 1960 года"},
        {"agenda-kind": "review", "agenda-plan": str(ids["plan_1960"])},
        "[data-testid=agenda-1]",
    )
    add_part(
        cn,
        "add-agenda",
        {"agenda-title__zh": "商定1961年合作计划", "agenda-title__ru": "Согласование плана на 1961 год"},
        {"agenda-kind": "other"},
        "[data-testid=agenda-2]",
    )
    assert "商定1961年合作计划" in cn.locator("[data-testid=agenda-2]").inner_text()

    # --- the Soviet coordinator adds the Soviet side ---
    su = sign_in_chinese(browser, url, "su-coordinator")
    su.goto(meeting_url)
    add_part(
        su,
        "add-delegation",
        {"delegation-head_capacity__ru": "Заместитель председателя ГКНТ"},
        {"delegation-party": str(ids["su"]), "delegation-head": str(ids["aleksenko"])},
        "[data-testid=delegation-SU]",
    )
    member_form = su.locator("[data-testid=add-member-SU]")
    prefix = "member-" + member_form.get_attribute("action").rstrip("/").split("/")[-2]
    add_part(
        su,
        "add-member-SU",
        {},
        {f"{prefix}-person": str(ids["nesmeyanov"]), f"{prefix}-role": "adviser"},
        "[data-testid=delegation-SU] >> text=涅斯米扬诺夫",
    )
    add_part(
        su,
        "add-attendee",
        {"attendee-capacity__ru": "Председатель"},
        {"attendee-person": str(ids["petukhov"]), "attendee-party": str(ids["su"])},
        "text=Председатель",
    )
    # The Soviet coordinator cannot remove the Chinese delegation: the page does not offer it.
    assert su.locator("[data-testid=delegation-CN] button.danger").count() == 0

    # --- the minutes: started by the Chinese side, amended by the Soviet side, compared, signed off by both ---
    cn.goto(meeting_url)
    cn.get_by_role("link", name="开始起草会议纪要").click()
    cn.fill("[name=body__zh]", ZH_1)
    cn.fill("[name=body__ru]", RU_1)
    cn.fill("[name=note]", "初稿")
    confirm(cn)
    assert "双方商定了1961年计划" in cn.locator("[data-testid=minutes-text]").inner_text()

    su.goto(meeting_url)
    text = su.locator("[data-testid=minutes-text]").inner_text()
    assert (
        "一、双方审查了1960年合作计划的执行情况。" in text and "Стороны рассмотрели" in text
    )  # readable by who approves
    su.get_by_role("link", name="修改会议纪要").click()
    su.fill("[name=body__ru]", RU_2)
    su.fill("[name=note]", "Пункт 2")
    confirm(su)
    assert "согласовали и подписали план" in su.locator("[data-testid=minutes-text]").inner_text()

    form = su.locator("[data-testid=compare-form]")
    form.locator("[name=a]").select_option("1")
    form.locator("[name=b]").select_option("2")
    form.locator("[name=lang]").select_option("ru")
    form.locator("button[type=submit]").click()
    su.wait_for_load_state()
    comparison = su.locator("[data-testid=comparison]")
    assert "第 1 稿至第 2 稿的改动" in comparison.inner_text()
    assert comparison.locator("ins").first.inner_text() == RU_2.splitlines()[1]
    assert comparison.locator("del").first.inner_text() == RU_1.splitlines()[1]

    for page in (su, cn):
        page.goto(meeting_url)
        page.locator("#minutes").get_by_role("link", name="签认会议纪要").click()
        assert "согласовали и подписали план" in page.locator("[data-testid=minutes-text]").inner_text()
        page.fill("[name=signed_on]", "1961-03-10")
        confirm(page)
    status = cn.locator("[data-testid=minutes-status]").inner_text()
    assert "第 2 稿" in status and "定稿" in status
    assert cn.locator("#minutes").get_by_role("link", name="修改会议纪要").count() == 0

    # The page as the coordinators used it, every add form open: no serious accessibility violation.
    for summary in cn.locator("details.add-part > summary").all():
        summary.click()
    cn.add_script_tag(path=str(AXE))
    result = cn.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    found = [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"] if v["impact"] in BLOCKING]
    assert not found, found
