"""Fidelity checks over Accord's records: what the parties agree to and sign must say the same thing in
every language it is written in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where a check runs: the gates and the admin's warnings load with every process
    from accord.fidelity.checker import Finding
    from accord.fidelity.names import Directory


@dataclass(frozen=True)
class RecordFinding:
    """A finding on one localized field of one record ("item 3, objectives")."""

    where: str
    finding: Finding

    def __str__(self) -> str:
        return f"{self.where}: {self.finding.message}"


def plan_findings(plan: Any, directory: Directory | None = None) -> list[RecordFinding]:
    """Disagreements between the language versions of a plan's texts: its title, each item's objectives and
    its deliverables' titles. Dates alone ("the 24th") are read in the plan's period."""
    from accord.fidelity.checker import check_localized
    from accord.fidelity.names import directory_from_database

    directory = directory if directory is not None else directory_from_database()
    context = plan.period_start
    out: list[RecordFinding] = []

    def check(where: str, value: Any) -> None:
        for finding in check_localized(value, context_date=context, directory=directory):
            if finding.severity == "error":
                out.append(RecordFinding(where, finding))

    check("title", plan.title)
    for item in plan.items.select_related("project").prefetch_related("deliverables").order_by("position"):
        check(f"item {item.position} (project {item.project.number}) objectives", item.objectives)
        check(f"item {item.position} project title", item.project.title)
        for deliverable in item.deliverables.all():
            check(f"item {item.position} deliverable “{deliverable.title}”", deliverable.title)
    return out


def summary(findings: list[RecordFinding], most: int = 3) -> str:
    shown = "; ".join(str(f) for f in findings[:most])
    more = f" (and {len(findings) - most} more)" if len(findings) > most else ""
    return f"{len(findings)} disagreement(s) between language versions: {shown}{more}"


def gate(plan: Any, override: str, *, acting: str) -> str:
    """Before agreeing to or signing a plan: refuse while its language versions disagree, unless the
    coordinator overrides with a reason. Returns the text to record ("" when there was nothing to override)."""
    from accord.core.errors import TransitionRefused

    findings = plan_findings(plan)
    if not findings:
        return ""
    if not override.strip():
        raise TransitionRefused(
            f"{summary(findings)}. Correct the texts, or {acting} anyway giving a reason (fidelity override)",
            field="fidelity_override",
            code="fidelity_findings",
        )
    return f"Fidelity override ({acting}): {override.strip()} — {summary(findings)}"


def signing_gate(plan: Any, override: str) -> str:
    """Before signing: the content signed is the content agreed (any change reopens the plan), so the texts
    were checked when the parties agreed. If they agreed over disagreements (an override is on record), each
    signatory gives their own reason too; otherwise there is nothing to check again."""
    from accord.core.errors import TransitionRefused

    latest = plan.approvals.order_by("-plan_version").values_list("plan_version", flat=True).first()
    overridden = [
        a for a in plan.approvals.filter(plan_version=latest).select_related("party") if "Fidelity override" in a.note
    ]
    if not overridden:
        return ""
    who = ", ".join(a.party.code for a in overridden)
    if not override.strip():
        raise TransitionRefused(
            f"the language versions of this plan disagree and {who} agreed anyway (see the approvals); "
            "sign anyway giving a reason (fidelity override)",
            field="fidelity_override",
            code="fidelity_findings",
        )
    return f"Fidelity override (sign): {override.strip()} — agreed over disagreements by {who}"


def language_warnings(values: list[Any]) -> list[list[str]]:
    """For each localized text, the messages of its language versions' disagreements (errors only); the admin
    shows them as warnings when it saves (registered with core.admin by FidelityConfig.ready)."""
    from accord.fidelity.checker import check_localized
    from accord.fidelity.names import directory_from_database

    directory = directory_from_database()
    return [
        [f.message for f in check_localized(value, directory=directory) if f.severity == "error"] for value in values
    ]
