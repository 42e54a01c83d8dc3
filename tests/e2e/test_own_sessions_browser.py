"""A real browser against a real `accord serve`: one person signed in from three browsers sees all three on the
account page (this one marked), ends one of them, then signs out everywhere else; the browsers ended are sent to
the sign-in page on their next click, the one that ended them stays signed in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.conftest import accord_serve

PASSWORD = "accord-demo-cn-observer"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # An empty data directory: the first start itself (migrated, the demo loaded), which the other modules skip.
    with accord_serve(tmp_path_factory.mktemp("own-sessions-serve-data")) as (url, _env):
        yield url


def signed_in(browser, url: str, agent: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, user_agent=agent)
    page = context.new_page()
    page.goto(f"{url}/login/?next=/account/")
    page.fill("#id_username", "cn-observer")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/account/")
    return context, page


def test_a_person_sees_and_ends_their_other_sessions(browser, served) -> None:
    url = served
    desk, desk_page = signed_in(browser, url, "Desk browser (office)")
    phone, phone_page = signed_in(browser, url, "Phone browser (travelling)")
    kiosk, kiosk_page = signed_in(browser, url, "Kiosk browser (conference)")

    desk_page.goto(f"{url}/account/")
    rows = desk_page.get_by_test_id("session")
    assert rows.count() == 3
    current = desk_page.locator('[data-testid="session"][data-current="1"]')
    assert current.count() == 1 and "Desk browser" in current.inner_text() and "127.0.0.1" in current.inner_text()

    desk_page.get_by_test_id("session").filter(has_text="Phone browser").get_by_role(
        "button", name="End this session"
    ).click()
    desk_page.wait_for_url(f"{url}/account/")
    assert desk_page.get_by_test_id("session").count() == 2
    assert "Phone browser" not in desk_page.get_by_test_id("sessions").inner_text()
    phone_page.goto(f"{url}/account/")
    assert "/login/" in phone_page.url  # that browser is signed out
    kiosk_page.goto(f"{url}/account/")
    assert kiosk_page.url == f"{url}/account/"  # the others are not

    desk_page.get_by_test_id("end-other-sessions").click()
    desk_page.wait_for_url(f"{url}/account/")
    assert desk_page.get_by_test_id("session").count() == 1
    kiosk_page.goto(f"{url}/account/")
    assert "/login/" in kiosk_page.url
    desk_page.goto(f"{url}/account/")
    assert desk_page.url == f"{url}/account/"
    for context in (desk, phone, kiosk):
        context.close()
