"""`accord verify`: walk the audit chain, then check the stored rows against it.

Reports every problem it finds, in order; the first one is what the CLI prints as the one-line reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models

from accord.core.audit import GENESIS, canonical, entry_hash, entry_payload, snapshot
from accord.core.models import AccordModel, ChangeRecord


@dataclass
class Problem:
    where: str  # "change record #12" or "programmes.plan 3"
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass
class VerifyReport:
    entries: int = 0
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# Further checks apps add from their AppConfig.ready() (e.g. signing: every signature verifies).
# Each is called with the report after the chain and the rows have been checked, and appends Problems.
EXTRA_CHECKS: list[Callable[[VerifyReport], None]] = []


def register_check(check: Callable[[VerifyReport], None]) -> None:
    if check not in EXTRA_CHECKS:
        EXTRA_CHECKS.append(check)


def audited_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if issubclass(m, AccordModel)]


def _digest(data: dict | None) -> str:
    return hashlib.sha256(canonical(data).encode()).hexdigest()


def _walk_chain(report: VerifyReport) -> dict[tuple[str, str], tuple[int, str | None, dict | None]]:
    """Check every entry's hash and link, and that it follows from the object's entry before it.

    Return the last state recorded for each object. The hash is not keyed, so someone who knows the
    scheme can append a correctly chained entry; the sequence checks make such an entry show unless it
    is consistent with the object's history and its stored row (which takes changing more than one row).
    """
    latest: dict[tuple[str, str], tuple[int, str | None, dict | None]] = {}
    versions: dict[tuple[str, str], int | None] = {}
    prev = GENESIS
    for rec in ChangeRecord.objects.order_by("id").iterator(chunk_size=5000):
        report.entries += 1
        where = f"change record #{rec.pk}"
        if rec.prev_hash != prev:
            report.problems.append(
                Problem(where, "does not follow the entry before it (an entry was removed or inserted)")
            )
        if entry_hash(rec.prev_hash, entry_payload(rec)) != rec.hash:
            report.problems.append(Problem(where, "its content does not match its hash (edited)"))
        prev = rec.hash
        key = (rec.object_type, rec.object_id)
        problem = _out_of_sequence(rec, latest.get(key), versions.get(key))
        if problem:
            report.problems.append(Problem(where, problem))
        versions[key] = rec.object_version
        if rec.action == ChangeRecord.Action.DELETE:
            latest[key] = (rec.pk, None, None)
        else:
            latest[key] = (rec.pk, _digest(rec.after), rec.after)
    return latest


def _out_of_sequence(
    rec: ChangeRecord, last: tuple[int, str | None, dict | None] | None, last_version: int | None
) -> str | None:
    """Why `rec` cannot follow the object's previous entry (a replayed or forged entry), or None."""
    subject = f"{rec.object_type} {rec.object_id}"
    live = last is not None and last[1] is not None
    if rec.action == ChangeRecord.Action.CREATE:
        if live:
            assert last is not None
            return f"creates {subject}, which change record #{last[0]} shows exists already (replayed or forged)"
        return None
    if not live:
        state = f"change record #{last[0]} shows it deleted" if last else "no entry before it created it"
        return f"{rec.action}s {subject}, but {state} (replayed or forged)"
    assert last is not None
    # Every update bumps the version; a delete records the version it removed.
    if (
        rec.object_version is not None
        and last_version is not None
        and (
            rec.object_version < last_version
            or (rec.action == ChangeRecord.Action.UPDATE and rec.object_version == last_version)
        )
    ):
        return (
            f"{rec.action}s {subject} at version {rec.object_version}, "
            f"but change record #{last[0]} left it at version {last_version} (replayed or forged)"
        )
    before, after = rec.before or {}, last[2] or {}
    # Only columns both know: a migration may add or drop a column between the two entries.
    differs = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    if differs:
        return (
            f"gives {subject}'s {', '.join(differs)} before the change otherwise than "
            f"change record #{last[0]} left them (changed behind Accord's back, or forged)"
        )
    return None


def _rows(model: type[models.Model]) -> Iterator[models.Model]:
    return model._default_manager.order_by("pk").iterator(chunk_size=2000)


def verify() -> VerifyReport:
    report = VerifyReport()
    latest = _walk_chain(report)
    for model in audited_models():
        label = model._meta.label_lower
        for obj in _rows(model):
            report.rows += 1
            key = (label, str(obj.pk))
            state = latest.pop(key, None)
            data = snapshot(obj)
            if state is None:
                report.problems.append(
                    Problem(f"{label} {obj.pk}", "has no change record (written behind Accord's back)")
                )
                continue
            rec_id, digest, after = state
            if digest is None:
                report.problems.append(
                    Problem(f"{label} {obj.pk}", f"exists, but change record #{rec_id} says it was deleted")
                )
            elif _digest(data) != digest:
                assert after is not None
                changed = sorted(k for k in set(data) | set(after) if data.get(k) != after.get(k))
                report.problems.append(
                    Problem(
                        f"{label} {obj.pk}",
                        f"differs from change record #{rec_id} in {', '.join(changed)} (changed behind Accord's back)",
                    )
                )
    audited_labels = {m._meta.label_lower for m in audited_models()}
    for (label, pk), (rec_id, digest, _after) in latest.items():
        if digest is not None and label in audited_labels:
            report.problems.append(
                Problem(
                    f"{label} {pk}",
                    f"is missing, but change record #{rec_id} says it exists (deleted behind Accord's back)",
                )
            )
    for check in EXTRA_CHECKS:
        check(report)
    return report
