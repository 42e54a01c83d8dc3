"""What signing and verifying a large plan costs, against raw Ed25519 over the same bytes in the same run.

    .venv/bin/python -m bench.signing [--items 1000] [--rounds 7] [--database-url URL]

Builds a plan of --items items (each with objectives in three languages, two responsible organisations and
two deliverables) in a throwaway database (fresh SQLite in a temporary ACCORD_DATA_DIR unless a URL names a
PostgreSQL database containing "bench", which is dropped and recreated), walks it to agreed, makes two
signing keys with the real KDF defaults, and times each step. The goal (issue: "signing and verifying a
1,000-item plan ≤ 100 ms") is checked on the service calls with the passphrase KDF left out, since a
memory-hard KDF is slow on purpose; the KDF unlock is reported on its own line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from bench.common import add_database_url, bench_database, database_version, machine, setup_django

GOAL_MS = 100.0
BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
PASSPHRASES = {"CN": "bench passphrase for the Chinese side", "SU": "bench passphrase for the Soviet side"}


@dataclass
class Step:
    name: str
    what: str
    baseline: str  # the raw Ed25519 step this one is compared with ("" for none)
    rounds_ms: list[float]
    median_ms: float = 0.0
    min_ms: float = 0.0
    ratio: float | None = None  # median / baseline median

    @classmethod
    def of(cls, name: str, what: str, baseline: str, rounds_s: list[float]) -> Step:
        ms = [round(t * 1000, 3) for t in rounds_s]
        return cls(name, what, baseline, ms, round(statistics.median(ms), 3), round(min(ms), 3))


def timed(fn: Callable[[], Any], rounds: int) -> tuple[list[float], Any]:
    """Run fn once untimed (warm caches), then `rounds` times; return each round's seconds and the last result."""
    result = fn()
    times = []
    for _ in range(rounds):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


# --- the plan ----------------------------------------------------------------------------------------


def build(n_items: int) -> dict[str, Any]:
    """Two parties, an agreement with Chinese and Russian authentic texts, and an agreed plan of n_items items."""
    from accord.agreements.services import create_agreement
    from accord.directory import services as directory
    from accord.programmes import services as programmes
    from accord.programmes.choices import DeliverableKind, PlanStatus
    from accord.signing.services import create_signing_key

    cn = directory.create_party(code="CN", name={"en": "China", "zh": "中国", "ru": "Китай"}, languages=["zh"])
    su = directory.create_party(code="SU", name={"en": "USSR", "zh": "苏联", "ru": "СССР"}, languages=["ru"])
    orgs = {
        party.code: [
            directory.create_organisation(party=party, name={"en": f"{party.code} institute {i}", "zh": f"研究所{i}"})
            for i in range(4)
        ]
        for party in (cn, su)
    }
    people = {
        "CN": directory.create_person(party=cn, name={"en": "Wu Heng", "zh": "武衡", "ru": "У Хэн"}),
        "SU": directory.create_person(party=su, name={"en": "Aleksenko", "zh": "阿列克先科", "ru": "Алексенко"}),
    }
    agreement = create_agreement(
        parties=[cn, su],
        title={"en": "Bench protocol", "zh": "基准议定书", "ru": "Протокол для замеров"},
        signed_on=dt.date(1958, 1, 18),
        authentic_languages=["zh", "ru"],
    )
    plan = programmes.create_plan(
        agreement=agreement,
        title={"en": "Bench plan", "zh": "基准计划", "ru": "План для замеров"},
        period_start=dt.date(1961, 1, 1),
        period_end=dt.date(1961, 12, 31),
    )
    for i in range(1, n_items + 1):
        project = programmes.create_project(
            agreement=agreement,
            number=str(i),
            title={"en": f"Project {i}: semiconductors", "zh": f"项目{i}：半导体", "ru": f"Проект {i}: полупроводники"},
        )
        item = programmes.add_plan_item(
            plan,
            project,
            objectives={
                "en": f"Joint measurements of series {i}; exchange of samples and a report to the commission.",
                "zh": f"第{i}系列的联合测量；交换样品并向委员会提交报告。",
                "ru": f"Совместные измерения серии {i}; обмен образцами и отчёт комиссии.",
            },
        )
        programmes.add_responsibility(item, orgs["CN"][i % 4])
        programmes.add_responsibility(item, orgs["SU"][i % 4])
        programmes.add_deliverable(
            item,
            kind=DeliverableKind.REPORT,
            title={"en": f"Report {i}"},
            due_on=dt.date(1961, 12, 1),
            responsible_party=cn,
        )
        programmes.add_deliverable(
            item, kind=DeliverableKind.SAMPLES, title={"en": f"Samples {i}"}, responsible_party=su
        )
    plan.refresh_from_db()
    plan = programmes.transition_plan(plan, PlanStatus.PROPOSED, expected_version=plan.version)
    approve = getattr(programmes, "approve_plan", None)
    if approve is None:
        plan = programmes.transition_plan(plan, PlanStatus.AGREED, expected_version=plan.version)
    else:
        for party in (cn, su):
            approve(plan, party=party, expected_version=plan.version, approved_on=dt.date(1961, 1, 20))
        plan.refresh_from_db()
    keys = {code: create_signing_key(person, PASSPHRASES[code]) for code, person in people.items()}
    texts = {
        "zh": ("计划正文\n" * 20 * n_items).encode(),  # stand-ins of the rendered texts' size
        "ru": ("Текст плана\n" * 20 * n_items).encode(),
    }
    return {"plan": plan, "parties": {"CN": cn, "SU": su}, "people": people, "keys": keys, "texts": texts}


# --- the run -----------------------------------------------------------------------------------------


def run(n_items: int, rounds: int) -> dict[str, Any]:
    from django.db import connection, transaction

    from accord.core.actor import Actor, acting_as
    from accord.signing import crypto
    from accord.signing import services as signing
    from accord.signing.bundle import export_signed, verify_bundle
    from accord.signing.content import plan_content, signed_payload

    with acting_as(Actor(None, "bench", "bench-signing", system=True)):
        t0 = time.perf_counter()
        world = build(n_items)
        build_s = time.perf_counter() - t0
        plan, keys, texts = world["plan"], world["keys"], world["texts"]
        cn_key = keys["CN"]
        private = signing._unlock(cn_key, PASSPHRASES["CN"])
        hashes = signing.text_hashes(plan, texts)

        # Each step by itself, on the same plan and bytes.
        content_s, content = timed(lambda: plan_content(plan), rounds)
        payload = signed_payload(content, version=plan.version, texts=hashes)
        canon_s, payload_bytes = timed(lambda: crypto.canonical_bytes(payload), rounds)
        reference_s, reference = timed(lambda: crypto.canonical_bytes_reference(payload), rounds)
        assert reference == payload_bytes, "canonical_bytes differs from the rfc8785 package"
        hash_s, _ = timed(lambda: hashlib.sha256(payload_bytes).hexdigest(), rounds)
        texts_s, _ = timed(lambda: signing.text_hashes(plan, texts), rounds)
        raw_sign_s, raw_sig = timed(lambda: private.sign(payload_bytes), rounds)
        public = private.public_key()
        raw_verify_s, _ = timed(lambda: public.verify(raw_sig, payload_bytes), rounds)
        unlock_s, _ = timed(lambda: signing._unlock(cn_key, PASSPHRASES["CN"]), rounds)

        # The service as it runs, with the KDF unlock replaced by the already-open key; rolled back each time.
        def sign_once() -> None:
            with transaction.atomic():
                signing.sign_plan(
                    plan,
                    party=world["parties"]["CN"],
                    signatory=world["people"]["CN"],
                    passphrase=PASSPHRASES["CN"],
                    texts=texts,
                    signed_on=dt.date(1961, 2, 1),
                )
                transaction.set_rollback(True)

        with mock.patch.object(signing, "_unlock", lambda key, passphrase: private):
            sign_s, _ = timed(sign_once, rounds)
        full_sign_s, _ = timed(sign_once, max(3, rounds // 2))  # with the real KDF

        # Both sign for real; then verify against the records, export, and verify the bundle offline.
        for code in ("CN", "SU"):
            signing.sign_plan(
                plan,
                party=world["parties"][code],
                signatory=world["people"][code],
                passphrase=PASSPHRASES[code],
                texts=texts,
                signed_on=dt.date(1961, 2, 1),
            )
        plan.refresh_from_db()
        assert plan.status == "signed", plan.status
        signature = plan_signatures(plan)[0]
        verify_s, ok = timed(lambda: signing.verify_signature(signature), rounds)
        assert ok, signing.check_signature(signature).reason
        export_s, bundle = timed(lambda: export_signed(plan), rounds)
        bundle_s, report = timed(lambda: verify_bundle(bundle), rounds)
        assert report.ok, report.problems

    steps = [
        Step.of("raw Ed25519 sign", "the baseline: sign the payload bytes", "", raw_sign_s),
        Step.of("raw Ed25519 verify", "the baseline: verify those bytes", "", raw_verify_s),
        Step.of("plan content (read)", f"plan_content(): {n_items} items from the database", "sign", content_s),
        Step.of("canonical bytes", f"RFC 8785 bytes of the payload ({len(payload_bytes):,} B)", "sign", canon_s),
        Step.of("  same, rfc8785 pkg", "the reference implementation (pure Python), same bytes", "sign", reference_s),
        Step.of("SHA-256 of payload", "the content hash", "sign", hash_s),
        Step.of("texts' SHA-256", f"hash the rendered texts ({sum(map(len, texts.values())):,} B)", "sign", texts_s),
        Step.of("sign_plan, no KDF", "the service: checks, payload, 2 signatures, 2 writes", "sign", sign_s),
        Step.of("verify_signature", "the service: recompute from the records, 2 verifies", "verify", verify_s),
        Step.of("export_signed", "bundle of the signed plan (verifies each signature first)", "verify", export_s),
        Step.of("verify_bundle", f"offline, bundle of {len(bundle):,} B, 2 signatures", "verify", bundle_s),
        Step.of("KDF unlock", "Argon2id + AES-GCM open of the private key (slow on purpose)", "sign", unlock_s),
        Step.of("sign_plan with KDF", "the service as a signatory runs it", "sign", full_sign_s),
    ]
    base = {"sign": steps[0].median_ms, "verify": steps[1].median_ms}
    for step in steps:
        if step.baseline:
            step.ratio = round(step.median_ms / base[step.baseline], 1)
    by_name = {s.name: s for s in steps}
    sign_ms, verify_ms = by_name["sign_plan, no KDF"].median_ms, by_name["verify_signature"].median_ms
    return {
        "steps": steps,
        "goal": {
            "max_ms": GOAL_MS,
            "sign_ms": sign_ms,
            "verify_ms": verify_ms,
            "sign_plus_verify_ms": round(sign_ms + verify_ms, 3),
            "each_holds": sign_ms <= GOAL_MS and verify_ms <= GOAL_MS,
            "together_hold": sign_ms + verify_ms <= GOAL_MS,
        },
        "payload_bytes": len(payload_bytes),
        "bundle_bytes": len(bundle),
        "build_s": round(build_s, 2),
        "kdf": {"name": cn_key.kdf, "params": cn_key.kdf_params},
        "vendor": connection.vendor,
        "database_version": database_version(),
    }


def plan_signatures(plan: Any) -> list[Any]:
    from django.contrib.contenttypes.models import ContentType

    from accord.agreements.models import Signature
    from accord.programmes.models import Plan

    ct = ContentType.objects.get_for_model(Plan)
    return list(Signature.objects.filter(target_type=ct, target_id=plan.pk).exclude(signature="").order_by("pk"))


def print_report(result: dict[str, Any], meta: dict[str, Any]) -> None:
    print(
        f"\nsigning benchmark: {meta['vendor']} {meta['database_version'].split(' on ')[0]}, {meta['items']} items, "
        f"{meta['rounds']} rounds (median), payload {result['payload_bytes']:,} B, KDF {result['kdf']['name']} "
        f"{result['kdf']['params']}, commit {meta['commit']}"
    )
    head = f"{'step':<22} {'median ms':>10} {'min ms':>9} {'x baseline':>11}  what"
    print(head)
    print("-" * (len(head) + 40))
    for s in result["steps"]:
        ratio = f"{s.ratio:.1f}x {s.baseline}" if s.ratio is not None else "baseline"
        print(f"{s.name:<22} {s.median_ms:>10.3f} {s.min_ms:>9.3f} {ratio:>11}  {s.what}")
    g = result["goal"]
    print(
        f"\ngoal: signing and verifying a {meta['items']}-item plan <= {g['max_ms']:.0f} ms (KDF unlock excluded)\n"
        f"  sign_plan {g['sign_ms']:.1f} ms, verify_signature {g['verify_ms']:.1f} ms -> each "
        f"{'holds' if g['each_holds'] else 'MISSED'}; together {g['sign_plus_verify_ms']:.1f} ms -> "
        f"{'holds' if g['together_hold'] else 'MISSED'}"
    )


def write_json(result: dict[str, Any], meta: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{dt.date.today().isoformat()}-signing-{meta['vendor']}.json"
    doc = {**meta, **{k: v for k, v in result.items() if k != "steps"}, "steps": [asdict(s) for s in result["steps"]]}
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.signing", description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1000, help="items in the plan (default 1000)")
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds per step; the median is reported")
    add_database_url(parser)
    parser.add_argument("--fail-on-miss", action="store_true", help="exit 1 if a step misses the goal")
    args = parser.parse_args(argv)
    if args.items < 1 or args.rounds < 1:
        parser.error("--items and --rounds must be positive")
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with bench_database(args.database_url):
        setup_django()

        result = run(args.items, args.rounds)
        meta = {
            "benchmark": "signing",
            "date": dt.date.today().isoformat(),
            "started_utc": started,
            "vendor": result.pop("vendor"),
            "database_version": result.pop("database_version"),
            "items": args.items,
            "rounds": args.rounds,
            **machine(),
        }
    print_report(result, meta)
    path = write_json(result, meta)
    print(f"\nresults: {path.relative_to(BENCH_DIR.parent)}")
    return 1 if args.fail_on_miss and not result["goal"]["each_holds"] else 0


if __name__ == "__main__":
    sys.exit(main())
