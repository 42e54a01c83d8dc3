"""Federation content: a big plan's changes sent to a peer and applied there, against writing them locally.

The baseline is the same records written by this installation's own services (projects with participations,
plan items, progress reports), timed in the same run and database. Then the sync between two nodes, both played
by this database one after the other: the sender's `outgoing_changes` (the changes a peer may receive, read from
the audit chain, carried as JSON), numbered and signed as messages and batches of 500 (Ed25519, canonical JSON),
and the receiver's `receive_batch` on each batch as `accord inbox import` or a push does (every signature, order
and duplicates checked, the changes applied set-based by `apply_changes` acting as the other node, each received
number recorded). So that the records do not exist where they are applied, the changes are applied to a second
agreement between the same parties: every global id the plan's changes made is mapped to a fresh one (the
parties and institutions are the same records on both nodes). Also printed: the steady rate of applied messages
per second (the batches after the first tenth) against the local writes per second.

    .venv/bin/python -m bench.federation_content --items 5000 --reports 50000
    .venv/bin/python -m bench.federation_content --items 500 --reports 5000 --database-url postgres://root@127.0.0.1:5432/accord_bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import time
import uuid
from collections.abc import Sequence
from typing import Any

from bench.common import add_database_url, bench_database, database_version, machine, setup_django

UUID_TEXT = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
GOAL_RATIO = 3.0  # the goal: syncing costs at most 3x the same work in one installation


def base() -> dict[str, Any]:
    from accord.agreements.services import create_agreement
    from accord.directory import services as directory

    cn = directory.create_party(code="CN", name={"en": "China", "zh": "中国", "ru": "Китай"}, languages=["zh"])
    su = directory.create_party(code="SU", name={"en": "USSR", "zh": "苏联", "ru": "СССР"}, languages=["ru"])
    orgs = {
        p.code: directory.create_organisation(party=p, name={"en": f"{p.code} institute", "zh": "研究所"})
        for p in (cn, su)
    }
    agreements = [
        create_agreement(parties=[cn, su], title={"en": f"Bench protocol {n}"}, signed_on=dt.date(1958, 1, 18))
        for n in (1, 2)
    ]
    return {"cn": cn, "su": su, "orgs": orgs, "agreements": agreements}


def write_locally(b: dict[str, Any], n_items: int, n_reports: int) -> None:
    """The baseline: the plan, its projects and items, and the progress reports, through the services. All of it
    China's (its institutions report), so all of it is China's node's to send."""
    from accord.programmes import services as programmes
    from accord.programmes.models import Participation

    agreement, cn = b["agreements"][0], b["cn"]
    plan = programmes.create_plan(
        agreement=agreement,
        title={"en": "Bench plan"},
        period_start=dt.date(1961, 1, 1),
        period_end=dt.date(1961, 12, 31),
    )
    items = []
    for i in range(1, n_items + 1):
        project = programmes.create_project(
            agreement=agreement,
            number=str(i),
            title={"en": f"Project {i}", "zh": f"项目{i}", "ru": f"Проект {i}"},
            participations=[(b["orgs"]["CN"], cn, Participation.Role.PARTNER)],
        )
        items.append(programmes.add_plan_item(plan, project, objectives={"en": f"Joint measurements of series {i}"}))
    per_item = max(1, n_reports // max(1, n_items))
    for n in range(n_reports):
        item = items[n % len(items)]
        month = 1 + (n // len(items)) % 12
        programmes.record_progress(
            item,
            reporting_organisation=b["orgs"]["CN"],
            period_start=dt.date(1961, month, 1),
            period_end=dt.date(1961, month, 28),
            status="on_track",
            percent=min(100, (n // len(items) + 1) * (100 // (per_item + 1))),
            narrative={"en": f"Report {n}: measurements on schedule"},
        )


def remapped(bodies: list[dict[str, Any]], agreement_from: str, agreement_to: str) -> list[dict[str, Any]]:
    """The bodies with every record they made given a fresh global id, and the agreement swapped for the second."""
    made = {b["uid"] for b in bodies}
    fresh = {u: str(uuid.uuid5(uuid.NAMESPACE_URL, u)) for u in made}
    fresh[agreement_from] = agreement_to
    # One pass over the text (a replace per id was quadratic: 65,001 ids over ~100 MB of JSON at 5,000/50,000).
    text = UUID_TEXT.sub(lambda m: fresh.get(m.group(0), m.group(0)), json.dumps(bodies))
    return json.loads(text)


def run(n_items: int, n_reports: int) -> dict[str, Any]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from django.conf import settings
    from django.db import transaction

    from accord.core.actor import Actor, acting_as
    from accord.core.audit import chain_head
    from accord.federation import envelope, services
    from accord.federation.protocol import outgoing_changes
    from accord.programmes.models import PlanItem, ProgressReport
    from accord.signing.crypto import b64, raw_public

    with acting_as(Actor(None, "bench", "bench", system=True)):
        with transaction.atomic():
            b = base()
        start = chain_head()
        t0 = time.perf_counter()
        write_locally(b, n_items, n_reports)
        local_s = time.perf_counter() - t0
        written = chain_head() - start
        print(f"[written locally: {written} entries in {local_s:.1f} s]", file=sys.stderr, flush=True)

        # The Chinese node's half: the changes the Soviet node may receive, numbered and signed as messages and
        # batches as prepare_outbox and make_batch do (its key made here: the receiver trusts it as peer "cn").
        settings.ACCORD_NODE_PARTY = "CN"
        t0 = time.perf_counter()
        bodies = json.loads(json.dumps(outgoing_changes("SU", start, 10**9)))
        out_s = time.perf_counter() - t0
        bodies = remapped(bodies, str(b["agreements"][0].uid), str(b["agreements"][1].uid))
        head = services.current_head()

        settings.ACCORD_NODE_PARTY = "SU"  # now this database plays the Soviet node receiving China's changes
        node = services.init_node("SU")
        key = Ed25519PrivateKey.generate()
        public = b64(raw_public(key.public_key()))
        cn = envelope.node_id_of(public)
        services.add_peer("cn", "", public, "CN")
        t0 = time.perf_counter()
        batches = []
        for at in range(0, len(bodies), services.BATCH_MESSAGES):
            part = bodies[at : at + services.BATCH_MESSAGES]
            messages = [envelope.make_message(key, cn, node.node_id, at + i + 1, head, m) for i, m in enumerate(part)]
            batch = envelope.make_batch(key, cn, node.node_id, head, {"seq": 0, "head": None}, messages)
            batches.append((len(part), envelope.canonical(batch)))
        sign_s = time.perf_counter() - t0

        # The Soviet node's half: each batch checked and applied as `accord inbox import` or a push does.
        timings = []
        for n, data in batches:
            t0 = time.perf_counter()
            got = services.receive_batch(data, channel="file")
            timings.append((n, time.perf_counter() - t0))
            if len(got.applied) != n:
                raise SystemExit(f"a batch of {n} messages applied {len(got.applied)}: {got}")
            if len(timings) % 20 == 0:
                print(f"[{len(timings)} of {len(batches)} batches applied]", file=sys.stderr, flush=True)
        apply_s = sum(t for _n, t in timings)
    second = b["agreements"][1]
    got_rows = (
        PlanItem.objects.filter(plan__agreement=second).count(),
        ProgressReport.objects.filter(plan_item__plan__agreement=second).count(),
    )
    if got_rows != (n_items, n_reports):
        raise SystemExit(
            f"the applied plan holds {got_rows[0]} items and {got_rows[1]} reports, not {n_items} and {n_reports}"
        )
    steady = timings[len(timings) // 10 :] or timings  # the first tenth of the batches left out (warming up)
    return {
        "items": n_items,
        "reports": n_reports,
        "entries": written,
        "changes": len(bodies),
        "batches": len(batches),
        "local_s": local_s,
        "outgoing_s": out_s,
        "sign_s": sign_s,
        "apply_s": apply_s,
        "steady_per_s": sum(n for n, _t in steady) / sum(t for _n, t in steady),
        "ratio": (out_s + sign_s + apply_s) / local_s,
    }


def print_report(r: dict[str, Any], meta: dict[str, Any]) -> None:
    print(f"federation content — {meta['vendor']} {meta['database']}, commit {meta['commit']}, load {meta['load']}")
    print(
        f"a plan of {r['items']} items and {r['reports']} progress reports: {r['entries']} audited writes, "
        f"{r['changes']} changes sent as {r['batches']} signed batches"
    )
    rows = [
        ("written locally through the services (baseline)", r["local_s"], r["entries"]),
        ("sender: outgoing_changes (read, scope, JSON)", r["outgoing_s"], r["changes"]),
        ("sender: numbered and signed (messages, batches)", r["sign_s"], r["changes"]),
        ("receiver: receive_batch (check, apply, record)", r["apply_s"], r["changes"]),
        ("synced between the two nodes (the three above)", r["outgoing_s"] + r["sign_s"] + r["apply_s"], r["changes"]),
    ]
    print(f"| {'step':<50} | {'seconds':>8} | {'per second':>10} | {'× baseline':>10} |")
    print(f"|{'-' * 52}|{'-' * 10}|{'-' * 12}|{'-' * 12}|")
    for name, seconds, n in rows:
        print(f"| {name:<50} | {seconds:>8.2f} | {n / seconds:>10.0f} | {seconds / r['local_s']:>10.2f} |")
    local_rate = r["entries"] / r["local_s"]
    print(
        f"steady rate of applied messages: {r['steady_per_s']:.0f}/s (batches after the first tenth), against "
        f"{local_rate:.0f} writes/s locally: {local_rate / r['steady_per_s']:.2f}× the time per record"
    )
    verdict = "met" if r["ratio"] <= GOAL_RATIO else "MISSED"
    print(f"goal ≤ {GOAL_RATIO}× the local writes: {r['ratio']:.2f}× — {verdict}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--reports", type=int, default=50000)
    add_database_url(parser)
    args = parser.parse_args(argv)
    with bench_database(args.database_url):
        setup_django()
        from django.db import connection

        result = run(args.items, args.reports)
        info = machine()
        meta = {
            "vendor": connection.vendor,
            "database": database_version(),
            "commit": info["commit"],
            "load": info["load_average"],
        }
        print_report(result, meta)
    return 0 if result["ratio"] <= GOAL_RATIO else 1


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    raise SystemExit(main())
