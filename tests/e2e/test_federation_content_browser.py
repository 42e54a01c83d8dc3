"""A node's pages in a real browser: the other side's record read-only with where it came from, and a conflict
on a shared record decided on the conflicts page."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import accord_serve
from tests.processes import fresh_installation

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e-federation")]

# Run in the served installation's environment: China's node receives two changes from the Soviet node, one to
# the Soviet committee (its own) and one to the Protocol made on a version China has since changed.
RECEIVE = """
import copy, json, django
django.setup()
from django.db import transaction
from accord.core import services as records
from accord.core.actor import Actor, acting_as
from accord.demo.seed import seed_handles
from accord.federation.protocol import apply_change, outgoing_changes

s = seed_handles()
bodies = {b["uid"]: b for b in outgoing_changes("SU", 0, 10**6)}
with acting_as(Actor(None, "operator", "e2e", system=True)), transaction.atomic():
    org = copy.deepcopy(bodies[str(s.su_committee.uid)])
    org.update(action="update", base_version=s.su_committee.version, version=s.su_committee.version + 1, entry=900001)
    org["fields"]["aliases"] = [*org["fields"]["aliases"], "GKNT"]
    apply_change(org, "SU", "soviet-node")
    protocol = copy.deepcopy(bodies[str(s.protocol.uid)])
    base = s.protocol.version
    records.update(s.protocol, expected_version=base, reference="CN-ours")
    protocol.update(action="update", base_version=base, version=base + 1, entry=900002)
    protocol["fields"]["reference"] = "SU-theirs"
    apply_change(protocol, "SU", "soviet-node")
print(json.dumps({"committee": s.su_committee.pk, "protocol": s.protocol.pk}))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, installation_template: Path) -> Iterator[tuple[str, dict[str, int]]]:
    data = fresh_installation(installation_template, tmp_path_factory.mktemp("federation-data"))
    with accord_serve(data, ACCORD_NODE_PARTY="CN") as (url, env):
        env = {**env, "DJANGO_SETTINGS_MODULE": "accord.settings"}
        done = subprocess.run([sys.executable, "-c", RECEIVE], env=env, check=True, capture_output=True, text=True)
        yield url, json.loads(done.stdout.strip().splitlines()[-1])


def test_the_other_sides_record_is_read_only_and_a_conflict_is_decided_in_the_pages(site, browser):
    url, ids = site
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.goto(url + "/login/")
    page.fill("#id_username", "cn-coordinator")
    page.fill("#id_password", "accord-demo-cn-coordinator")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    page.goto(f"{url}/organisations/{ids['committee']}/")
    kept = page.get_by_test_id("kept-by")
    assert "Kept by the side of" in kept.inner_text() and "soviet-node" in kept.inner_text()
    assert page.get_by_test_id("edit").count() == 0
    assert page.goto(f"{url}/organisations/{ids['committee']}/edit/").status == 403

    page.goto(f"{url}/federation/conflicts/")
    row = page.locator("[data-testid=conflicts] tbody tr").first
    assert "SU" in row.inner_text() and "Open" in row.inner_text()
    row.get_by_role("button", name="Take theirs").click()
    page.wait_for_load_state()
    assert "Took theirs" in page.locator("[data-testid=conflicts] tbody tr").first.inner_text()
    page.goto(f"{url}/agreements/{ids['protocol']}/")
    assert "SU-theirs" in page.content()
    context.close()
