"""`accord verify` checks of the minutes' own rules, beyond the rows matching the audit chain."""

from __future__ import annotations

from django.db.models import Max

from accord.core.models import ChangeRecord
from accord.core.verify import Problem, VerifyReport
from accord.meetings.models import Minutes, MinutesRevision, MinutesSignOff
from accord.meetings.services.minutes import parties_of


def check_minutes(report: VerifyReport) -> None:
    """Revisions were only ever created; each minutes points at its last revision; final ones are signed off."""
    rewritten = ChangeRecord.objects.filter(object_type=MinutesRevision._meta.label_lower).exclude(
        action=ChangeRecord.Action.CREATE
    )
    for rec in rewritten.order_by("id"):
        report.problems.append(
            Problem(
                f"{rec.object_type} {rec.object_id}",
                f"was {rec.get_action_display()} by change record #{rec.pk}; minutes revisions are append-only",
            )
        )
    last = dict(MinutesRevision.objects.values("minutes").annotate(n=Max("number")).values_list("minutes", "n"))
    for minutes in Minutes.objects.select_related("meeting").order_by("pk"):
        if last.get(minutes.pk) != minutes.current_revision:
            report.problems.append(
                Problem(
                    f"meetings.minutes {minutes.pk}",
                    f"points at revision {minutes.current_revision} but its last revision is {last.get(minutes.pk)}",
                )
            )
        elif minutes.is_final:
            signed = set(
                MinutesSignOff.objects.filter(minutes=minutes, revision=minutes.current_revision).values_list(
                    "party_id", flat=True
                )
            )
            missing = [p.code for p in parties_of(minutes) if p.pk not in signed]
            if missing:
                report.problems.append(
                    Problem(
                        f"meetings.minutes {minutes.pk}",
                        f"is final without the sign-off of {', '.join(missing)} on revision {minutes.current_revision}",
                    )
                )
