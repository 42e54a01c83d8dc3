"""Accessibility in a real browser against a real `accord serve`: axe-core (WCAG 2.0-2.2 A and AA rules) on the
main pages in English, Chinese and Russian, and the keyboard path through the first page and the sign-in form."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import SCREENSHOTS, accord_serve
from tests.processes import fresh_installation

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e-accessibility")]  # one worker: the module shares a server

# Vendored from the npm registry (see vendor/axe-core/README.md) so the test runs offline.
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}
LANGUAGES = {"en": "en", "zh-hans": "zh", "ru": "ru"}  # interface language -> screenshot suffix
TIMEOUT_MS = 180_000  # one server, two workers, a loaded CI machine: a page can take a while

# What each page's focused element looks like, for the keyboard test.
FOCUSED = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  return {tag: e.tagName.toLowerCase(), id: e.id, cls: String(e.className), name: (e.textContent || "").trim(),
          top: !!e.closest("header.top"), main: !!e.closest("main"), visible: e.matches(":focus-visible"),
          ring: (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none"};
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, installation_template: Path) -> Iterator[str]:
    with accord_serve(fresh_installation(installation_template, tmp_path_factory.mktemp("a11y-data"))) as (url, _env):
        yield url


def _context(browser, **kwargs):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **kwargs)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def _sign_in(page, site: str, username: str) -> None:
    page.goto(site + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"accord-demo-{username}")
    page.click("form.record-form button[type=submit]")
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Sign out").count() == 1


@pytest.fixture(scope="module")
def axe_pages(site, browser):
    """An anonymous page and a coordinator's page, both able to take the axe script, and the record addresses."""
    # The site's Content-Security-Policy allows only its own scripts; bypass_csp is Playwright's switch for test
    # tooling to inject one anyway (axe). It changes nothing the server sends.
    anonymous = _context(browser, bypass_csp=True)
    member = _context(browser, bypass_csp=True)
    public, signed_in = anonymous.new_page(), member.new_page()
    _sign_in(signed_in, site, "cn-coordinator")
    signed_in.goto(site + "/projects/")
    project = signed_in.locator("table.records tbody a[href^='/projects/']").first.get_attribute("href")
    signed_in.goto(site + "/plans/")
    plan = signed_in.locator("table.records tbody a[href^='/plans/']").first.get_attribute("href")
    signed_in.goto(site + "/workflow/")
    workflow_plan = signed_in.locator("table.plans a[href^='/plans/']").first.get_attribute("href")
    paths = {
        "anonymous": ["/", "/login/", "/password-reset/", "/search/?q=geological", "/projects/"],
        "cn-coordinator": [
            "/projects/",
            project,
            "/plans/",
            plan,
            "/organisations/",
            "/dashboard/",
            "/workflow/",
            workflow_plan,
            "/jobs/",
            "/account/",
            "/account/two-factor/",  # a designated signatory may set up a second factor: QR code and secret
        ],
    }
    yield {"anonymous": (anonymous, public), "cn-coordinator": (member, signed_in)}, paths
    anonymous.close()
    member.close()


def _summary(found: list[tuple[str, dict[str, Any]]]) -> str:
    lines = []
    for where, v in found:
        targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:3])
        more = f" (+{len(v['nodes']) - 3} more)" if len(v["nodes"]) > 3 else ""
        lines.append(f"{where}: {v['id']} [{v['impact']}] {targets}{more}")
    return "\n".join(lines)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_axe_finds_no_serious_violations_on_the_main_pages(site, axe_pages, language):
    pages, paths = axe_pages
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    found: list[tuple[str, dict[str, Any]]] = []
    checked = 0
    for who, (context, page) in pages.items():
        context.add_cookies([{"name": "django_language", "value": language, "url": site}])
        for path in paths[who]:
            response = page.goto(site + path)
            assert response is not None and response.status == 200, f"{who} {path}: {response and response.status}"
            assert page.locator("html").get_attribute("lang") == language
            if path in {"/", "/dashboard/"}:
                name = "home" if path == "/" else "dashboard"
                page.screenshot(path=str(SCREENSHOTS / f"{name}-{LANGUAGES[language]}.png"), full_page=path == "/")
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
            checked += 1
            found += [(f"{language} {who} {path}", v) for v in result["violations"] if v["impact"] in BLOCKING]
    assert checked == sum(len(p) for p in paths.values())
    assert not found, f"axe-core found serious or critical violations:\n{_summary(found)}"


def test_the_keyboard_reaches_the_skip_link_navigation_and_language_then_signs_in(site, browser):
    context = _context(browser)  # no CSP bypass: the keyboard path must work with the page as served
    page = context.new_page()
    page.goto(site + "/")
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        seen.append(focused)
        # every stop shows where the focus is (WCAG 2.4.7)
        assert focused["visible"] and focused["ring"], f"focus not visible on {focused}"
        if focused["id"] == "language":
            break
    assert "skip" in seen[0]["cls"].split(), f"the first Tab should reach the skip link, got {seen[0]}"
    header_links = [i for i, f in enumerate(seen) if f["top"] and f["tag"] == "a"]
    assert header_links and header_links[0] == 1, [f["name"] or f["id"] for f in seen]
    assert seen[-1]["id"] == "language", "the language switcher was not reached from the top of the page"
    assert not any(f["main"] for f in seen), "the content came before the navigation"
    names = [f["name"] for f in seen]
    assert "Administration" in names and "Sign in" in names

    # the skip link takes the next Tab into the content
    page.goto(site + "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["main"]

    # the sign-in form, with the keyboard only
    page.goto(site + "/login/")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED)["id"] == "id_username":
            break
    else:
        raise AssertionError("Tab never reached the username field")
    page.keyboard.type("cn-coordinator")
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    assert focused["id"] == "id_password" and focused["ring"]
    page.keyboard.type("accord-demo-cn-coordinator")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Sign out").count() == 1

    # the language switcher works from the keyboard: arrow to the next language, Tab to its button, Enter
    page.focus("#language")
    page.keyboard.press("ArrowDown")
    assert page.locator("#language").input_value() == "zh-hans"
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    context.close()
