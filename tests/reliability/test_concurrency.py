"""Many writers at once against a running `accord serve` (several workers): no lost update, no server error,
no "database is locked", and the records and the audit chain agree at the end.

Writers are threads in this process, each a separate HTTP client, as the coordinators of both parties.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from tests.reliability.conftest import Live, server_errors

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability-live")]  # one worker: the module shares a server

THREADS = int(os.environ.get("ACCORD_CONCURRENCY_THREADS", "6"))
WRITES = int(os.environ.get("ACCORD_CONCURRENCY_WRITES", "8"))  # successful changes per thread


def _client(live: Live, who: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {live.tokens[who]}"
    return session


def _draft_plan_item(live: Live) -> dict[str, Any]:
    """A plan item in a new draft plan under the seed agreement, so both coordinators may change it."""
    cn = _client(live, "cn-coordinator")
    api = f"{live.server.url}/api/v1"
    agreement = cn.get(f"{api}/agreements", timeout=30).json()["results"][0]
    project = cn.get(f"{api}/projects", params={"agreement": agreement["id"]}, timeout=30).json()["results"][0]
    # A period no other plan of the agreement has: the tests of this module share one installation.
    for year in secrets.SystemRandom().sample(range(1961, 2061), 20):
        plan = cn.post(
            f"{api}/plans",
            json={
                "agreement_id": agreement["id"],
                "title": {"en": f"Concurrency plan {secrets.token_hex(3)}"},
                "period_start": f"{year}-01-01",
                "period_end": f"{year}-12-31",
            },
            timeout=30,
        )
        if plan.status_code != 422 or "revision" not in plan.json().get("errors", {}):
            break
    assert plan.status_code == 201, plan.text
    item = cn.post(
        f"{api}/plan-items",
        json={"plan_id": plan.json()["id"], "project_id": project["id"], "objectives": {"en": "start"}},
        timeout=30,
    )
    assert item.status_code == 201, item.text
    return item.json()


def test_concurrent_edits_of_one_plan_item_lose_nothing(live: Live) -> None:
    item = _draft_plan_item(live)
    url = f"{live.server.url}/api/v1/plan-items/{item['id']}"
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def writer(n: int) -> list[str]:
        # Half the writers are the Chinese coordinator, half the Soviet one.
        session = _client(live, "cn-coordinator" if n % 2 == 0 else "su-coordinator")
        markers = []
        for j in range(WRITES):
            marker = f"[w{n}.{j}]"
            for _attempt in range(200):
                current = session.get(url, timeout=60)
                assert current.status_code == 200, current.text
                objectives = current.json()["objectives"]
                objectives["en"] = objectives.get("en", "") + marker
                response = session.patch(
                    url, json={"objectives": objectives}, headers={"If-Match": current.headers["ETag"]}, timeout=60
                )
                with lock:
                    statuses[response.status_code] += 1
                if response.status_code == 200:
                    markers.append(marker)
                    break
                # A stale write is refused with 409 and the current version; anything else is a failure.
                assert response.status_code == 409, response.text
                body = response.json()
                assert body["code"] == "stale_version" and body["current_version"] > body["expected_version"]
            else:
                raise AssertionError(f"writer {n} never got write {j} in")
        return markers

    with ThreadPoolExecutor(THREADS) as pool:
        written = [m for markers in pool.map(writer, range(THREADS)) for m in markers]

    final = requests.get(url, headers={"Authorization": f"Bearer {live.tokens['admin']}"}, timeout=60).json()
    assert statuses[200] == THREADS * WRITES == len(written)
    assert set(statuses) <= {200, 409}, statuses
    # No lost update: every accepted change is in the final text, exactly once; one version per change.
    text = final["objectives"]["en"]
    assert all(text.count(marker) == 1 for marker in written), text
    assert final["version"] == item["version"] + statuses[200]
    changes = live.instance.sql(
        "SELECT count(*) FROM core_changerecord "
        f"WHERE object_type = 'programmes.planitem' AND object_id = '{item['id']}' AND action = 'update'"
    )[0][0]
    assert changes == statuses[200]
    assert server_errors(live.server.log_text()) == []
    verified = live.instance.accord("verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_concurrent_progress_reports_are_all_recorded_once(live: Live) -> None:
    item = _draft_plan_item(live)
    url = f"{live.server.url}/api/v1/plan-items/{item['id']}/progress"
    # Each coordinator reports for their own side's institutions taking part (a party reports only for its own).
    rows = live.instance.sql(
        "SELECT pa.organisation_id, p.code FROM programmes_participation pa "
        "JOIN directory_organisation o ON o.id = pa.organisation_id JOIN directory_party p ON p.id = o.party_id "
        f"WHERE pa.project_id = {item['project_id']} ORDER BY pa.id"
    )
    sides = {code: [org for org, c in rows if c == code] for code in ("CN", "SU")}
    assert sides["CN"] and sides["SU"], "the seed project has participants on both sides"
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def reporter(n: int) -> None:
        side = "CN" if n % 2 == 0 else "SU"
        session = _client(live, f"{side.lower()}-coordinator")
        organisations = sides[side]
        for j in range(WRITES):
            response = session.post(
                url,
                json={
                    "reporting_organisation_id": organisations[(n + j) % len(organisations)],
                    "period_start": "1961-01-01",
                    "period_end": "1961-06-30",
                    "status": "on_track",
                    "percent": (n * WRITES + j) % 101,
                    "narrative": {"en": f"report {n}.{j}"},
                },
                timeout=60,
            )
            with lock:
                statuses[response.status_code] += 1
            assert response.status_code < 500, response.text

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(reporter, range(THREADS)))

    query = f"SELECT count(*) FROM programmes_progressreport WHERE plan_item_id = {item['id']}"
    stored = live.instance.sql(query)[0][0]
    assert statuses[201] == stored
    assert statuses[201] == THREADS * WRITES, statuses  # nothing here is a reason to refuse a report
    assert server_errors(live.server.log_text()) == []
