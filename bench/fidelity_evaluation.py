"""Measuring a checker on a corpus of bilingual pairs: recall on planted errors, false alarms on clean pairs.

The corpus (tests/fidelity/corpus/pairs.jsonl) holds one JSON record per pair: the texts by language, the
document's date, and for a pair with a planted error where it is (the span in the changed version and
the span of the same slot in the other). Accord's checker *finds* a planted error when one of its
error findings points at either span; any finding at all on a clean pair is a false alarm.

The comparison with translate-toolkit's pofilter uses its "numbers" check, the one a translation team
would run: the first version of the pair as the source, the second as the translation, each whole text
as one unit. pofilter gives no spans: leniently, any failure on a planted pair counts as found (which
favours it); strictly, only a failure that goes away when the error is undone (the corpus records the
true value's surface form at the planted span). Any failure on a clean pair is a false alarm.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.fidelity.checker import Finding, check_versions
from accord.fidelity.names import Directory


def load_corpus(path: str | Path) -> list[dict[str, Any]]:
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@dataclass
class Score:
    """Recall on planted errors and false alarms on clean pairs, overall and per kind of error."""

    planted: int = 0
    found: int = 0
    clean: int = 0
    false_alarms: int = 0
    stray: int = 0  # planted pairs with a finding besides the planted error
    seconds: float = 0.0
    by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # kind: [found, n]
    missed: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.clean if self.clean else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "planted": self.planted,
            "found": self.found,
            "recall": round(self.recall, 4),
            "clean": self.clean,
            "false_alarms": self.false_alarms,
            "false_alarm_rate": round(self.false_alarm_rate, 4),
            "planted_pairs_with_other_findings": self.stray,
            "seconds": round(self.seconds, 3),
            "by_kind": {k: {"found": v[0], "planted": v[1]} for k, v in sorted(self.by_kind.items())},
            "missed": self.missed,
            "false_alarm_ids": self.alarms,
        }


def _overlaps(span: Iterable[int], spans: Iterable[Iterable[int]]) -> bool:
    s, e = span
    return any(a < e and s < b for a, b in spans)


def points_at(finding: Finding, planted: dict[str, Any]) -> bool:
    """Does the finding point at the planted error (the changed span, or the same slot in the other version)?"""
    if finding.severity != "error":
        return False
    here = finding.spans.get(planted["lang"], ())
    there = finding.spans.get(planted["counterpart"]["lang"], ())
    return _overlaps(planted["span"], here) or _overlaps(planted["counterpart"]["span"], there)


def evaluate_accord(records: list[dict[str, Any]], directory: Directory | None = None) -> Score:
    score = Score()
    start = time.perf_counter()
    for r in records:
        context = dt.date.fromisoformat(r["context_date"]) if r.get("context_date") else None
        findings = check_versions(r["texts"], context_date=context, directory=directory)
        _tally(score, r, bool(findings), lambda p, fs=findings: any(points_at(f, p) for f in fs))  # type: ignore[misc]
        if r["planted"] and any(not points_at(f, r["planted"]) for f in findings):
            score.stray += 1
    score.seconds = time.perf_counter() - start
    return score


def pofilter_numbers() -> Callable[[str, str], bool]:
    """translate-toolkit's pofilter "numbers" check as a function: True when it fails (flags the pair)."""
    from translate.filters import checks

    checker = checks.StandardChecker()

    def fails(source: str, target: str) -> bool:
        try:
            checker.numbers(source, target)
        except checks.FilterFailure:
            return True
        return False

    return fails


def evaluate_pofilter(records: list[dict[str, Any]], *, strict: bool = False) -> Score:
    """pofilter's numbers check over the corpus. Lenient (default): any failure on a planted pair counts as
    found. Strict: only when the same pair without the error passes (the failure is due to the error)."""
    fails = pofilter_numbers()
    score = Score()
    start = time.perf_counter()
    for r in records:
        a, b = r["langs"]
        flagged = fails(r["texts"][a], r["texts"][b])
        found = flagged
        planted = r["planted"]
        if strict and planted and flagged:
            texts = dict(r["texts"])
            s, e = planted["span"]
            changed = texts[planted["lang"]]
            texts[planted["lang"]] = changed[:s] + planted["original_text"] + changed[e:]
            found = not fails(texts[a], texts[b])
        _tally(score, r, flagged, lambda p, found=found: found)  # type: ignore[misc]
    score.seconds = time.perf_counter() - start
    return score


def _tally(score: Score, r: dict[str, Any], flagged: bool, found: Callable[[dict[str, Any]], bool]) -> None:
    planted = r["planted"]
    if planted is None:
        score.clean += 1
        if flagged:
            score.false_alarms += 1
            score.alarms.append(r["id"])
        return
    score.planted += 1
    kind = score.by_kind[planted["kind"]]
    kind[1] += 1
    if found(planted):
        score.found += 1
        kind[0] += 1
    else:
        score.missed.append(r["id"])


def kinds_table(*scores: tuple[str, Score]) -> list[tuple[str, ...]]:
    kinds: Counter[str] = Counter()
    for _, s in scores:
        for k, (_, n) in s.by_kind.items():
            kinds[k] = n
    rows = []
    for k in sorted(kinds):
        rows.append((k, str(kinds[k]), *(f"{s.by_kind[k][0]}" for _, s in scores)))
    return rows
