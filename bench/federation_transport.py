"""What the federation's transport costs per applied change, against applying the same changes in one installation.

The same N changes are applied twice in the same database and the same run, each applied by the same function
(one audited service write, `directory.services.create_person`, standing in for the content half's apply_change):

- `one installation` (the baseline): the changes applied directly, 500 per transaction;
- `two nodes`: the sender numbers and signs each change as a message and a batch of 500 (canonical JSON, Ed25519),
  the receiver checks the batch and every message (canonical form, signatures, order, duplicates), applies them
  and records each received number, all as `accord inbox import` or a push does; the two nodes' work is summed
  (here one process plays both, one after the other).

Rounds alternate which path goes first; the median round is reported, with the ratio to the baseline (goal: at
most 3x). What travels in a real federation (plans, items, progress reports) is the content half's; this measures
what the transport adds to each of them.

    python -m bench.federation_transport --n 5000 [--rounds 3] [--database-url postgres://.../accord_bench]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import BENCH_DIR, add_database_url, bench_database, database_version, machine, setup_django

RESULTS_DIR = BENCH_DIR / "results"
BATCH = 500
GOAL = 3.0


def run(n: int, rounds: int) -> dict[str, Any]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from django.db import connection, transaction

    from accord.core.actor import Actor, acting_as
    from accord.directory.services import create_person
    from accord.federation import envelope, protocol, services
    from accord.signing.crypto import b64, raw_public

    def apply(body: dict[str, Any], sender_party: str = "SU", peer_name: str = "su") -> None:
        create_person(name={"en": body["name"], "ru": body["ru"]})

    def apply_all(bodies: list[dict[str, Any]], sender_party: str = "SU", peer_name: str = "su") -> None:
        for body in bodies:
            apply(body)

    protocol.apply_changes = apply_all  # type: ignore[assignment]
    with acting_as(Actor(None, "bench", "bench-federation", system=True)):
        node = services.init_node("CN")
        key = Ed25519PrivateKey.generate()
        public = b64(raw_public(key.public_key()))
        sender = envelope.node_id_of(public)
        services.add_peer("su", "", public, "SU")
        head = {"entry": 1, "hash": "0" * 64}
        seq = 0
        baseline: list[float] = []
        federated: list[float] = []
        receiving: list[float] = []

        def bodies(tag: str) -> list[dict[str, Any]]:
            return [{"entry": i + 1, "name": f"{tag} {i}", "ru": f"человек {tag} {i}"} for i in range(n)]

        def one_installation(tag: str) -> None:
            t0 = time.perf_counter()
            changes = bodies(tag)
            for at in range(0, n, BATCH):
                with transaction.atomic():
                    for body in changes[at : at + BATCH]:
                        apply(body)
            baseline.append(time.perf_counter() - t0)

        def two_nodes(tag: str) -> None:
            nonlocal seq
            t0 = time.perf_counter()
            changes = bodies(tag)
            received = 0.0
            for at in range(0, n, BATCH):
                messages = []
                for body in changes[at : at + BATCH]:
                    seq += 1
                    messages.append(envelope.make_message(key, sender, node.node_id, seq, head, body))
                data = envelope.canonical(
                    envelope.make_batch(key, sender, node.node_id, head, {"seq": 0, "head": None}, messages)
                )
                r0 = time.perf_counter()
                got = services.receive_batch(data, channel="file")
                received += time.perf_counter() - r0
                assert len(got.applied) == len(messages), got
            federated.append(time.perf_counter() - t0)
            receiving.append(received)

        one_installation("warm-a")
        two_nodes("warm-b")
        for timings in (baseline, federated, receiving):
            timings.clear()
        for r in range(rounds):
            order = (one_installation, two_nodes) if r % 2 == 0 else (two_nodes, one_installation)
            for step in order:
                step(f"r{r}-{step.__name__}")
    base, fed, recv = statistics.median(baseline), statistics.median(federated), statistics.median(receiving)
    return {
        "vendor": connection.vendor,
        "database_version": database_version(),
        "n": n,
        "rows": [
            {"scenario": "one installation (baseline)", "seconds": base, "per_second": n / base, "ratio": 1.0},
            {"scenario": "two nodes: sign + check + apply", "seconds": fed, "per_second": n / fed, "ratio": fed / base},
            {
                "scenario": "  of which the receiver",
                "seconds": recv,
                "per_second": n / recv,
                "ratio": recv / base,
            },
        ],
        "rounds": {"baseline": baseline, "two_nodes": federated, "receiving": receiving},
        "goal_holds": fed / base <= GOAL,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.federation_transport", description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="changes per path per round (default 5000)")
    parser.add_argument("--rounds", type=int, default=3)
    add_database_url(parser)
    parser.add_argument("--fail-on-miss", action="store_true", help=f"exit 1 when two nodes take over {GOAL}x")
    args = parser.parse_args(argv)
    with bench_database(args.database_url):
        setup_django()
        result = run(args.n, args.rounds)
    meta = {"benchmark": "federation_transport", "date": dt.date.today().isoformat(), **machine()}
    print(f"federation transport, {result['n']} changes, {result['vendor']} {result['database_version']}")
    print(f"{'scenario':36} {'seconds':>9} {'changes/s':>10} {'ratio':>6}")
    for row in result["rows"]:
        print(f"{row['scenario']:36} {row['seconds']:9.2f} {row['per_second']:10.0f} {row['ratio']:6.2f}")
    print(f"goal (two nodes <= {GOAL}x one installation): {'holds' if result['goal_holds'] else 'MISSED'}")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{meta['date']}-federation-transport-{result['vendor']}.json"
    path.write_text(json.dumps({**meta, **result}, indent=2) + "\n")
    print(f"results: {Path(path).relative_to(BENCH_DIR.parent)}")
    return 1 if args.fail_on_miss and not result["goal_holds"] else 0


if __name__ == "__main__":
    sys.exit(main())
