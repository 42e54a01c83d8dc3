"""The steps on reviews and minutes: compute a plan's review, add a party's statement, publish the review,
approve the minutes. Each calls the meetings' services."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accord.core.pages.forms import ConfirmForm
from accord.core.pages.steps import Step, add, chosen_party, names, waiting_first
from accord.directory.models import Party
from accord.meetings import forms as f
from accord.meetings.models import Minutes, Review
from accord.meetings.services.minutes import parties_of, pending_parties, sign_off
from accord.meetings.services.reviews import add_statement, create_review, publish_review
from accord.programmes.choices import FROZEN_PLAN_STATUSES
from accord.programmes.models import Plan
from accord.programmes.steps import plan_page


def _describe_review(plan: Plan, form: Any) -> str:
    return _(
        "Compute the implementation review of “%(plan)s” as of the date below: the figures compare the signed "
        "version %(version)s with the progress and exchanges on record, and are stored as a draft review. "
        "The parties add their statements before it is published."
    ) % {"plan": plan, "version": plan.signed_version or "—"}


def _review(request: Any, plan: Plan, form: Any) -> str:
    create_review(plan, form.cleaned_data["as_of"])
    return plan_page(plan)


add(
    Step(
        "plans",
        "review",
        Plan,
        gettext_lazy("Review the implementation"),
        "review",
        f.ReviewForm,
        _describe_review,
        _review,
        ready=lambda plan: plan.status in FROZEN_PLAN_STATUSES,
        kind="secondary",
    )
)


# --- reviews ---------------------------------------------------------------------------------------


def _describe_statement(review: Any, form: Any) -> str:
    return _(
        "Add the statement of %(party)s to the review of “%(plan)s” as of %(as_of)s. It can be changed while "
        "the review is a draft and is frozen when the review is published."
    ) % {"party": chosen_party(form), "plan": review.plan, "as_of": review.as_of}


def _statement(request: Any, review: Any, form: Any) -> str:
    data = form.cleaned_data
    add_statement(review, data["party"], {data["language"]: data["text"]})
    return plan_page(review.plan)


def _statement_parties(review: Any) -> list[Party]:
    stated = set(review.statements.values_list("party_id", flat=True))
    return [p for p in Party.objects.filter(pk__in=review.plan.agreement.party_ids()) if p.pk not in stated]


def _describe_publish(review: Any, form: Any) -> str:
    return _(
        "Publish the review of “%(plan)s” as of %(as_of)s with its %(n)s statements. From then on its figures and "
        "statements are frozen; a later review needs another date."
    ) % {"plan": review.plan, "as_of": review.as_of, "n": review.statements.count()}


def _publish(request: Any, review: Any, form: Any) -> str:
    publish_review(review, expected_version=form.expected_version())
    return plan_page(review.plan)


add(
    Step(
        "reviews",
        "statement",
        Review,
        gettext_lazy("Add your party's statement"),
        "review",
        f.StatementForm,
        _describe_statement,
        _statement,
        ready=lambda r: r.status == Review.Status.DRAFT,
        form_kwargs=lambda r: {"parties": _statement_parties(r)},
        pending_parties=_statement_parties,
    )
)
add(
    Step(
        "reviews",
        "publish",
        Review,
        gettext_lazy("Publish the review"),
        "review",
        ConfirmForm,
        _describe_publish,
        _publish,
        ready=lambda r: r.status == Review.Status.DRAFT,
        kind="secondary",
    )
)


# --- minutes ---------------------------------------------------------------------------------------


def _pending_sign_offs(minutes: Minutes) -> list[Party]:
    return pending_parties(minutes) if minutes.status == Minutes.Status.DRAFT else []


def _all_minutes_parties(minutes: Minutes) -> dict[str, Any]:
    return waiting_first(_pending_sign_offs(minutes), parties_of(minutes))


def _describe_sign_off(minutes: Minutes, form: Any) -> str:
    return _(
        "Approve revision %(revision)s of the minutes of “%(meeting)s” on behalf of %(party)s. Still to approve: "
        "%(missing)s. When every party has approved this revision, the minutes are final and never change again."
    ) % {
        "revision": minutes.current_revision,
        "meeting": minutes.meeting,
        "party": chosen_party(form),
        "missing": names(_pending_sign_offs(minutes)) or "—",
    }


def _sign_off(request: Any, minutes: Minutes, form: Any) -> str:
    data = form.cleaned_data
    sign_off(minutes, party=data["party"], revision=data["revision"], signed_on=data["signed_on"])
    return reverse("meetings:meetings-detail", args=[minutes.meeting_id])


add(
    Step(
        "minutes",
        "approve",
        Minutes,
        gettext_lazy("Approve the minutes"),
        "sign_off",
        f.SignOffForm,
        _describe_sign_off,
        _sign_off,
        ready=lambda m: m.status == Minutes.Status.DRAFT,
        form_kwargs=_all_minutes_parties,
        pending_parties=_pending_sign_offs,
    )
)
