"""The Federation page in a real browser against `accord serve`: an administrator sees this node's identity, trusts
a peer by its key (a bad key refused with the reason, nothing added), sees its state, and removes it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import accord_serve
from tests.federation.conftest import FakePeer
from tests.processes import fresh_installation


@pytest.fixture(scope="module")
def node_site(tmp_path_factory: pytest.TempPathFactory, installation_template: Path) -> Iterator[tuple[str, dict]]:
    data = fresh_installation(installation_template, tmp_path_factory.mktemp("federation-serve-data"))
    with accord_serve(data, ACCORD_FEDERATION_SYNC_SECONDS="off") as (url, env):
        accord = [sys.executable, "-m", "accord"]
        done = subprocess.run([*accord, "node", "init", "--party", "CN"], env=env, capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr
        shown = subprocess.run([*accord, "node", "show", "--json"], env=env, capture_output=True, timeout=120)
        yield url, json.loads(shown.stdout)


def test_an_administrator_trusts_and_removes_a_peer_in_the_page(node_site, browser):
    url, node = node_site
    page = browser.new_page()
    page.set_default_timeout(120_000)
    page.goto(url + "/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("accord-demo-admin")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.goto(url + "/federation/")
    assert node["fingerprint"] in page.get_by_test_id("node").inner_text()

    form = page.get_by_test_id("add-peer")
    form.get_by_label("Name").fill("moscow")
    form.get_by_label("Public key").fill("not a key")
    form.get_by_label("Party").fill("SU")
    form.get_by_role("button", name="Add").click()
    page.wait_for_load_state()
    assert "not an Ed25519 public key" in page.content()
    assert "No peers." in page.get_by_test_id("peers").inner_text()

    peer = FakePeer(node["node_id"])
    form = page.get_by_test_id("add-peer")
    form.get_by_label("Public key").fill(peer.public_key)
    form.get_by_role("button", name="Add").click()
    page.wait_for_load_state()
    row = page.locator('tr[data-peer="moscow"]')
    assert "SU" in row.inner_text() and "applied through 0" in row.inner_text()
    assert row.get_by_test_id("waiting").inner_text().strip() == "0"

    row.get_by_role("button", name="Remove").click()
    page.wait_for_load_state()
    assert "its key gets nothing from now on" in page.content()
    assert page.locator('tr[data-peer="moscow"]').count() == 0
    page.close()
