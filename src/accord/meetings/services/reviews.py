"""Domain operations on reviews: compute and store the snapshot, recompute a draft, publish, statements.

A review compares what was signed with what was done, so it needs a signed plan (the baseline). Its
figures are stored as a snapshot with the hash of the rows they were computed from; publication
freezes the snapshot and the statements, so a document quoting them never changes afterwards.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.agreements.services import check_owner
from accord.core import services as records
from accord.core.errors import TransitionRefused, ValidationFailed
from accord.core.permissions import require_actor
from accord.directory.models import Party
from accord.meetings.models import Review, ReviewStatement
from accord.meetings.selectors import compute_review, has_baseline, inputs_hash
from accord.programmes.models import Plan

__all__ = [
    "add_statement",
    "compute_review",
    "create_review",
    "publish_review",
    "recompute_review",
    "review_figures",
    "update_statement",
    "verify_review",
]


def _check_plan_and_date(plan: Plan, as_of: Any) -> None:
    if not has_baseline(plan):
        raise TransitionRefused(
            _(
                "“%(plan)s” has no baseline: it was never signed (%(status)s), so there is "
                "nothing to compare the work done with; review it once both parties have signed it"
            )
            % {"plan": plan, "status": plan.get_status_display().lower()},
            field="plan",
            code="no_baseline",
        )
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise ValidationFailed({"as_of": [_("give the date the review is made as of (YYYY-MM-DD)")]})
    if as_of < plan.period_start:
        raise ValidationFailed(
            {
                "as_of": [
                    _("the review date must not be before the plan's period starts (%(start)s)")
                    % {"start": plan.period_start.isoformat()}
                ]
            }
        )


def _snapshot(plan: Plan, as_of: dt.date) -> dict[str, Any]:
    # The hash first: on PostgreSQL (read committed) each query sees the latest commits, so a change landing
    # between the two reads is then in the figures but not in the hash, and verify_review reports it,
    # rather than the other way round, where a hash matching the records would hide stale figures.
    digest = inputs_hash(plan, as_of)
    return {"figures": compute_review(plan, as_of), "inputs_hash": digest, "computed_at": timezone.now()}


def _ensure_draft(review: Review, what: str) -> None:
    if review.status != Review.Status.DRAFT:
        values = {
            "review": review,
            "what": what,
            "on": f"{review.published_at:%Y-%m-%d}" if review.published_at else "",
        }
        if review.published_at:
            message = _(
                "“%(review)s” was published on %(on)s: %(what)s can no longer change; "
                "make a review as of another date instead"
            )
        else:
            message = _(
                "“%(review)s” was published: %(what)s can no longer change; make a review as of another date instead"
            )
        raise TransitionRefused(
            message % values,
            field="status",
            code="review_published",
        )


def review_figures(plan: Plan, as_of: dt.date) -> dict[str, Any]:
    """The figures of a review without storing them; refused for the same reasons as create_review."""
    _check_plan_and_date(plan, as_of)
    return compute_review(plan, as_of)


@transaction.atomic
def create_review(plan: Plan, as_of: dt.date, **fields: Any) -> Review:
    """Compute the figures of `plan` as of `as_of` and store them as a draft review.

    Refused when the plan has no baseline (never signed) or the date is before the plan's period.
    """
    require_actor("review", plan)
    _check_plan_and_date(plan, as_of)
    for name in ("figures", "inputs_hash", "computed_at", "baseline_version", "status", "published_at"):
        if name in fields:
            raise ValidationFailed({name: [_("is computed by the review, not given")]})
    return records.create(
        Review,
        related=plan,
        plan=plan,
        as_of=as_of,
        baseline_version=plan.signed_version,
        status=Review.Status.DRAFT,
        **_snapshot(plan, as_of),
        **fields,
    )


@transaction.atomic
def recompute_review(review: Review, *, expected_version: int) -> Review:
    """Compute a draft's figures again from the records as they are now (same plan, same date)."""
    require_actor("review", review)
    _ensure_draft(review, _("its figures"))
    plan = review.plan
    return records.update(review, expected_version=expected_version, related=plan, **_snapshot(plan, review.as_of))


@transaction.atomic
def publish_review(review: Review, *, expected_version: int) -> Review:
    """Publish the review as it stands: from now on its figures and statements are frozen."""
    require_actor("review", review)
    _ensure_draft(review, _("it"))
    return records.update(
        review,
        expected_version=expected_version,
        related=review.plan,
        status=Review.Status.PUBLISHED,
        published_at=timezone.now(),
    )


def verify_review(review: Review) -> bool:
    """Whether the records the figures were computed from are still exactly as they were then.

    The stored figures stand either way (records may rightly change after a review); this only tells
    whether recomputing would start from the same rows at the same versions.
    """
    return inputs_hash(review.plan, review.as_of) == review.inputs_hash


# --- statements ------------------------------------------------------------------------------------


@transaction.atomic
def add_statement(review: Review, party: Party, text: dict[str, str], **fields: Any) -> ReviewStatement:
    """A party's statement on a draft review; the party owns it. One per party."""
    _ensure_draft(review, _("its statements"))
    # A party writes only its own statement: one of the agreement's parties, and for a coordinator their own.
    check_owner(party, review.plan.agreement, _("a statement on “%(review)s”") % {"review": review}, field="party")
    return records.create(
        ReviewStatement, related=review, review=review, party=party, owner_party=party, text=text, **fields
    )


@transaction.atomic
def update_statement(statement: ReviewStatement, *, expected_version: int, **changes: Any) -> ReviewStatement:
    """Change a party's statement (its text or visibility) while the review is a draft."""
    require_actor("change", statement)
    _ensure_draft(statement.review, _("its statements"))
    fixed = sorted(set(changes) & {"review", "review_id", "party", "party_id", "owner_party", "owner_party_id"})
    if fixed:
        raise ValidationFailed({name: [_("a statement stays with its review and its party")] for name in fixed})
    return records.update(statement, expected_version=expected_version, related=statement.review, **changes)
