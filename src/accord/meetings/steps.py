"""The steps on reviews and minutes: compute a plan's review, add a party's statement, publish the review,
start the minutes of a meeting, amend them, approve them. Each calls the meetings' services."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accord.core.errors import DomainError
from accord.core.pages.forms import ConfirmForm
from accord.core.pages.steps import Step, add, chosen_party, names, waiting_first
from accord.directory.models import Party
from accord.meetings import forms as f
from accord.meetings.models import Meeting, Minutes, MinutesRevision, Review
from accord.meetings.services.minutes import (
    StaleRevision,
    amend_minutes,
    meeting_parties,
    parties_of,
    pending_parties,
    sign_off,
    start_minutes,
)
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
    try:
        sign_off(minutes, party=data["party"], revision=data["revision"], signed_on=data["signed_on"])
    except StaleRevision as exc:
        raise _stale(exc, form, "revision") from None
    return _minutes_on_page(minutes.meeting_id)


def _minutes_on_page(meeting_id: int) -> str:
    return reverse("meetings:meetings-detail", args=[meeting_id]) + "#minutes"


class _StaleMinutes(DomainError):
    code = "stale_revision"


def _stale(exc: StaleRevision, form: Any, field: str) -> DomainError:
    """The service's refusal in the reader's language; the form then carries the revision now current, so sending
    it again (after comparing) is the user's informed choice."""
    data = form.data.copy()
    data[field] = str(exc.current)
    form.data = data
    latest = MinutesRevision.objects.filter(minutes=form.record, number=exc.current).select_related("party").first()
    side = latest.party.code if latest is not None and latest.party else _("the secretariat")
    who = f"{side} ({latest.author_name})" if latest is not None and latest.author_name else side
    return _StaleMinutes(
        _(
            "The minutes were amended in the meantime by %(who)s at %(when)s: you started from revision %(mine)s, the "
            "current one is revision %(current)s. Your text is kept below; compare the two revisions on the meeting's "
            "page, then send it again to make it revision %(next)s."
        )
        % {
            "who": who,
            "when": formats.date_format(exc.changed_at, "DATETIME_FORMAT"),
            "mine": exc.started_from,
            "current": exc.current,
            "next": exc.current + 1,
        }
    )


def _describe_start(meeting: Meeting, form: Any) -> str:
    return _(
        "Start the minutes of “%(meeting)s” with the first draft below (revision 1), in the languages you write. "
        "The delegations then amend it, each amendment a new revision, until %(parties)s have signed off the same "
        "revision: then the minutes are final."
    ) % {"meeting": meeting, "parties": names(meeting_parties(meeting)) or "—"}


def _start(request: Any, meeting: Meeting, form: Any) -> str:
    data = form.cleaned_data
    start_minutes(meeting, form.body_by_language(), party=data.get("party"), note=data.get("note") or "")
    return _minutes_on_page(meeting.pk)


def _describe_amend(minutes: Minutes, form: Any) -> str:
    return _(
        "Amend revision %(revision)s of the minutes of “%(meeting)s” on behalf of %(party)s: the text below, as you "
        "change it, becomes revision %(next)s. Sign-offs given on revision %(revision)s then no longer count: every "
        "party signs off the new revision."
    ) % {
        "revision": minutes.current_revision,
        "next": minutes.current_revision + 1,
        "meeting": minutes.meeting,
        "party": chosen_party(form),
    }


def _amend(request: Any, minutes: Minutes, form: Any) -> str:
    data = form.cleaned_data
    try:
        amend_minutes(
            minutes,
            based_on=data["based_on"],
            body=form.body_by_language(),
            party=data["party"],
            note=data.get("note") or "",
        )
    except StaleRevision as exc:
        raise _stale(exc, form, "based_on") from None
    return _minutes_on_page(minutes.meeting_id)


add(
    Step(
        "meetings",
        "start-minutes",
        Meeting,
        gettext_lazy("Start the minutes"),
        "sign_off",
        f.StartMinutesForm,
        _describe_start,
        _start,
        ready=lambda m: not Minutes.objects.filter(meeting=m).exists(),
        form_kwargs=lambda m: {"parties": meeting_parties(m)},
    )
)
add(
    Step(
        "minutes",
        "amend",
        Minutes,
        gettext_lazy("Amend the minutes"),
        "sign_off",
        f.AmendMinutesForm,
        _describe_amend,
        _amend,
        ready=lambda m: m.status == Minutes.Status.DRAFT,
        form_kwargs=lambda m: {"parties": parties_of(m)},
        kind="secondary",
    )
)


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
        preview="meetings/minutes/_text.html",  # what is approved, read on the same page
    )
)
