"""The corpus: generated files up to date, large enough, and Accord's checker at the goal on it."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from bench.fidelity_evaluation import evaluate_accord, evaluate_pofilter, load_corpus

from accord.fidelity.names import Directory

pytestmark = [pytest.mark.xdist_group("fidelity-corpus")]  # shares its module's server or installation: one worker

CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return load_corpus(CORPUS / "pairs.jsonl")


@pytest.fixture(scope="module")
def names() -> Directory:
    return Directory.load(CORPUS / "directory.json")


def test_the_committed_corpus_is_what_the_generator_makes(records: list[dict]) -> None:
    spec = importlib.util.spec_from_file_location("fidelity_corpus_generate", CORPUS / "generate.py")
    assert spec and spec.loader
    generate = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generate  # its dataclasses look their module up while it loads
    try:
        spec.loader.exec_module(generate)
    finally:
        del sys.modules[spec.name]
    fresh = [json.loads(json.dumps(r, ensure_ascii=False, sort_keys=True)) for r in generate.build()]
    assert fresh == records


def test_the_corpus_is_big_enough_and_covers_every_kind(records: list[dict]) -> None:
    planted = [r for r in records if r["planted"]]
    clean = [r for r in records if r["clean"]]
    assert len(planted) >= 200
    assert len(clean) >= 100
    kinds = Counter(r["planted"]["kind"] for r in planted)
    for kind in ("count", "percent", "amount", "currency", "date-day", "date-month", "date-year", "relative-day"):
        assert kinds[kind] > 0, kind
    for kind in ("year", "period", "project-number", "code", "name-person", "name-org", "name-place"):
        assert kinds[kind] > 0, kind
    pairs = Counter("-".join(sorted(r["langs"])) for r in records)
    assert set(pairs) == {"en-zh", "en-ru", "ru-zh"}
    assert any(r["id"] == "clean-seed" for r in records)
    assert any("reordered" in r["paraphrase"] for r in clean)


def test_the_manifest_spans_point_at_the_planted_text(records: list[dict]) -> None:
    for r in records:
        p = r["planted"]
        if p:
            s, e = p["span"]
            assert r["texts"][p["lang"]][s:e] == p["text"]
            cs, ce = p["counterpart"]["span"]
            assert r["texts"][p["counterpart"]["lang"]][cs:ce] == p["counterpart"]["text"]
            assert p["text"] != p["original_text"]


def test_the_seed_pair_of_the_corpus_is_the_seed(records: list[dict]) -> None:
    seed = next(r for r in records if r["id"] == "clean-seed")
    data = CORPUS.parents[2] / "src" / "accord" / "demo" / "data"
    for lang in ("en", "zh"):
        assert seed["texts"][lang] == (data / f"people-daily-1960-02-26.{lang}.txt").read_text(encoding="utf-8")


def test_recall_and_false_alarms_meet_the_goal(records: list[dict], names: Directory) -> None:
    score = evaluate_accord(records, names)
    assert score.recall >= 0.99, score.missed
    assert score.false_alarm_rate <= 0.01, score.alarms
    # and every planted error is reported where it was planted, with nothing else reported beside it
    assert score.stray == 0


def test_better_than_pofilter_on_both_counts(records: list[dict], names: Directory) -> None:
    ours = evaluate_accord(records, names)
    theirs = evaluate_pofilter(records, strict=True)
    lenient = evaluate_pofilter(records)
    assert ours.recall > theirs.recall
    assert ours.recall >= lenient.recall
    assert ours.false_alarm_rate < lenient.false_alarm_rate
