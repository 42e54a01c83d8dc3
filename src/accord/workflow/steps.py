"""The workflow steps the interface offers: for each, who may take it, when, what it will do, and the service.

A step is one confirmation page: GET says plainly what will happen, POST calls the service. The
permission decides whether the page answers at all (403 otherwise); the record's state decides whether
the step is offered in lists, and the service has the last word (its refusal is shown on the page).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accord.core.permissions import can
from accord.directory.models import Party
from accord.documents.models import Document
from accord.meetings.models import Meeting
from accord.minutes.models import Minutes
from accord.programmes.choices import FROZEN_PLAN_STATUSES, CarryOver, PlanStatus
from accord.programmes.models import Exchange, Plan, PlanItem
from accord.workflow import forms as f


@dataclass(frozen=True)
class Step:
    slug: str  # the model's part of the URL: plans, items, exchanges, reviews, minutes, meetings
    name: str  # the step's part of the URL
    model: type[Model]
    label: Any  # lazy translated
    permission: str  # core.permissions action the account needs on the record
    form: type[f.StepForm]
    describe: Callable[[Any, Any], str]  # (record, form) -> what will happen, in plain words
    perform: Callable[[Any, Any, Any], str]  # (request, record, form) -> where to go next
    ready: Callable[[Any], bool] = lambda record: True  # the record's state allows it now
    form_kwargs: Callable[[Any], dict[str, Any]] = lambda record: {}
    kind: str = "primary"
    # For steps done on behalf of a party: which parties may still take it (offered only if the user is one).
    pending_parties: Callable[[Any], list[Party]] | None = None
    button: Any = field(default=None)

    def permitted(self, user: Any, record: Model) -> bool:
        return can(user, self.permission, record)

    def offered(self, user: Any, record: Model) -> bool:
        if not self.ready(record) or not self.permitted(user, record):
            return False
        if self.pending_parties is not None:
            return any(can(user, self.permission, record, party=p) for p in self.pending_parties(record))
        return True

    def url(self, record: Model) -> str:
        return reverse("workflow:step", args=[self.slug, record.pk, self.name])

    def make_form(self, user: Any, record: Model, data: Any = None) -> f.StepForm:
        return self.form(data, user=user, record=record, **self.form_kwargs(record))


STEPS: dict[tuple[str, str], Step] = {}
MODELS: dict[str, type[Model]] = {}


def add(step: Step) -> Step:
    STEPS[(step.slug, step.name)] = step
    MODELS[step.slug] = step.model
    return step


def steps_for(record: Model) -> list[Step]:
    return [s for s in STEPS.values() if isinstance(record, s.model)]


def offered_steps(user: Any, record: Model) -> list[Step]:
    return [s for s in steps_for(record) if s.offered(user, record)]


def plan_page(plan: Plan) -> str:
    return reverse("workflow:plan", args=[plan.pk])


def _today() -> dt.date:
    return dt.date.today()


def _names(parties: list[Party]) -> str:
    return ", ".join(str(p) for p in parties)


def _chosen_party(form: Any) -> str:
    parties = getattr(form, "parties", [])
    if len(parties) == 1:
        return str(parties[0])
    return _("the party you choose below")


# --- plans -----------------------------------------------------------------------------------------


def _signatory_parties(plan: Plan) -> list[Party]:
    from accord.programmes.services import signatory_parties

    return signatory_parties(plan)


def _describe_propose(plan: Plan, form: Any) -> str:
    return _(
        "Propose plan “%(plan)s” version %(version)s (%(items)s items) to the parties: %(parties)s. "
        "Each party then agrees to exactly this version; any later change to its content sends it back to draft."
    ) % {
        "plan": plan,
        "version": plan.version,
        "items": plan.items.count(),
        "parties": _names(_signatory_parties(plan)),
    }


def _propose(request: Any, plan: Plan, form: Any) -> str:
    from accord.programmes.services import transition_plan

    transition_plan(plan, PlanStatus.PROPOSED, expected_version=form.expected_version())
    return plan_page(plan)


add(
    Step(
        "plans",
        "propose",
        Plan,
        gettext_lazy("Propose to the parties"),
        "propose",
        f.ConfirmForm,
        _describe_propose,
        _propose,
        ready=lambda plan: plan.status == PlanStatus.DRAFT,
    )
)


def _missing_approvals(plan: Plan) -> list[Party]:
    from accord.programmes.services import missing_approvals

    return missing_approvals(plan) if plan.status == PlanStatus.PROPOSED else []


def _describe_agree(plan: Plan, form: Any) -> str:
    return _(
        "Agree to plan “%(plan)s” version %(version)s on behalf of %(party)s. "
        "Still to agree: %(missing)s. When every party has agreed to this version, the plan is agreed "
        "and can be signed; a change to its content afterwards needs everyone's agreement again."
    ) % {
        "plan": plan,
        "version": plan.version,
        "party": _chosen_party(form),
        "missing": _names(_missing_approvals(plan)) or "—",
    }


def _agree(request: Any, plan: Plan, form: Any) -> str:
    from accord.programmes.services import approve_plan

    approve_plan(
        plan,
        party=form.cleaned_data["party"],
        expected_version=form.expected_version(),
        approved_on=_today(),
        fidelity_override=form.cleaned_data["fidelity_override"],
    )
    return plan_page(plan)


def _parties_first_missing(missing: Callable[[Plan], list[Party]]) -> Callable[[Plan], dict[str, Any]]:
    """Form arguments: every signatory party, those still to act first (the others get the service's refusal)."""

    def kwargs(plan: Plan) -> dict[str, Any]:
        waiting = missing(plan)
        rest = [p for p in _signatory_parties(plan) if p not in waiting]
        return {"parties": waiting + rest}

    return kwargs


add(
    Step(
        "plans",
        "agree",
        Plan,
        gettext_lazy("Agree to this version"),
        "agree",
        f.AgreeForm,
        _describe_agree,
        _agree,
        ready=lambda plan: plan.status == PlanStatus.PROPOSED,
        form_kwargs=_parties_first_missing(_missing_approvals),
        pending_parties=_missing_approvals,
    )
)


def _missing_signatures(plan: Plan) -> list[Party]:
    from accord.programmes.services import missing_signatures

    return missing_signatures(plan) if plan.status == PlanStatus.AGREED else []


def _describe_sign(plan: Plan, form: Any) -> str:
    people = getattr(form, "signatories", [])
    key = _("%(person)s's key") % {"person": people[0]} if len(people) == 1 else _("the key you choose below")
    return _(
        "Sign plan “%(plan)s” version %(version)s on behalf of %(party)s with %(key)s. "
        "The signed version cannot be changed afterwards; changes need an amendment."
    ) % {"plan": plan, "version": plan.version, "party": _chosen_party(form), "key": key}


def _sign(request: Any, plan: Plan, form: Any) -> str:
    from accord.signing.services import rendered_texts, sign_plan

    data = form.cleaned_data
    sign_plan(
        plan,
        party=data["party"],
        signatory=data["signatory"],
        passphrase=data["passphrase"],
        texts=rendered_texts(plan),
        signed_on=_today(),
        expected_version=form.expected_version(),
        fidelity_override=data["fidelity_override"],
        otp=data.get("otp", ""),
    )
    return plan_page(plan)


add(
    Step(
        "plans",
        "sign",
        Plan,
        gettext_lazy("Sign"),
        "sign",
        f.SignForm,
        _describe_sign,
        _sign,
        ready=lambda plan: plan.status == PlanStatus.AGREED,
        form_kwargs=_parties_first_missing(_missing_signatures),
        pending_parties=_missing_signatures,
    )
)


def _describe_add_item(plan: Plan, form: Any) -> str:
    text = _("Add a project to plan “%(plan)s” as a new item.") % {"plan": plan}
    if plan.status in (PlanStatus.PROPOSED, PlanStatus.AGREED):
        text += " " + _(
            "The plan is %(status)s: adding an item sends it back to draft, and the parties must agree again."
        ) % {"status": plan.get_status_display().lower()}
    return text


def _add_item(request: Any, plan: Plan, form: Any) -> str:
    from accord.programmes.services import add_plan_item

    add_plan_item(plan, form.cleaned_data["project"], objectives=form.objectives())
    return plan_page(plan)


add(
    Step(
        "plans",
        "add-item",
        Plan,
        gettext_lazy("Add an item"),
        "change",
        f.AddItemForm,
        _describe_add_item,
        _add_item,
        ready=lambda plan: plan.status not in FROZEN_PLAN_STATUSES,
        kind="secondary",
    )
)


def _describe_amend(plan: Plan, form: Any) -> str:
    return _(
        "Amend plan “%(plan)s”: start revision %(revision)s, a draft with a copy of its %(items)s items. "
        "The signed version stays as it was signed; the amendment is proposed, agreed and signed anew."
    ) % {"plan": plan, "revision": plan.revision + 1, "items": plan.items.count()}


def _amend(request: Any, plan: Plan, form: Any) -> str:
    from accord.core.services import ensure_version
    from accord.programmes.services import amend_plan

    ensure_version(plan, form.expected_version())
    return plan_page(amend_plan(plan))


def _amendable(plan: Plan) -> bool:
    return plan.status in (PlanStatus.SIGNED, PlanStatus.IN_FORCE) and not (
        plan.amendments.exclude(status__in=FROZEN_PLAN_STATUSES).exists()
    )


add(
    Step(
        "plans",
        "amend",
        Plan,
        gettext_lazy("Amend"),
        "propose",
        f.ConfirmForm,
        _describe_amend,
        _amend,
        ready=_amendable,
        kind="secondary",
    )
)


def _describe_next(plan: Plan, form: Any) -> str:
    from accord.programmes.choices import FINISHED_PROGRESS
    from accord.programmes.selectors import latest_progress

    statuses = latest_progress(plan)
    unfinished = sum(
        1
        for pk in plan.items.values_list("pk", flat=True)
        if statuses.get(pk, ("not_started", 0))[0] not in FINISHED_PROGRESS
    )
    return _(
        "Draft the plan that follows “%(plan)s”: a new draft for the period below, with the %(n)s items not "
        "completed or cancelled proposed for carry-over. The coordinators then accept or drop each one "
        "before the new plan can be proposed."
    ) % {"plan": plan, "n": unfinished}


def _next(request: Any, plan: Plan, form: Any) -> str:
    from accord.programmes.services import draft_next_plan

    new = draft_next_plan(
        plan,
        title=form.title(),
        period_start=form.cleaned_data["period_start"],
        period_end=form.cleaned_data["period_end"],
    )
    return plan_page(new)


add(
    Step(
        "plans",
        "next",
        Plan,
        gettext_lazy("Draft the next plan"),
        "propose",
        f.NextPlanForm,
        _describe_next,
        _next,
        ready=lambda plan: plan.status in FROZEN_PLAN_STATUSES and not plan.next.exists(),
        kind="secondary",
    )
)


def _describe_review(plan: Plan, form: Any) -> str:
    return _(
        "Compute the implementation review of “%(plan)s” as of the date below: the figures compare the signed "
        "version %(version)s with the progress and exchanges on record, and are stored as a draft review. "
        "The parties add their statements before it is published."
    ) % {"plan": plan, "version": plan.signed_version or "—"}


def _review(request: Any, plan: Plan, form: Any) -> str:
    from accord.reviews.services import create_review

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


# --- documents (generated in the background) -------------------------------------------------------

DOCUMENT_NAMES = {
    "communique": gettext_lazy("communiqué"),
    "plan_text": gettext_lazy("text"),
    "review_report": gettext_lazy("review report"),
    "minutes": gettext_lazy("minutes"),
}


def _document_languages(kind: str) -> Callable[[Any], dict[str, Any]]:
    def kwargs(record: Any) -> dict[str, Any]:
        if kind == "plan_text":
            tags = list(record.agreement.authentic_languages or [])
            choices = [("authentic", "+".join(tags) or "authentic"), *f.language_choices([*tags, "en"])]
            return {"languages": choices}
        from accord.documents.agreed_minutes import minutes_languages
        from accord.documents.communique import communique_languages
        from accord.documents.review_report import review_languages

        offered: dict[str, Callable[[Any], list[str]]] = {
            "communique": communique_languages,
            "review_report": review_languages,
            "minutes": minutes_languages,
        }
        return {"languages": f.language_choices(offered[kind](record))}

    return kwargs


def _describe_document(kind: str) -> Callable[[Any, Any], str]:
    def describe(record: Any, form: Any) -> str:
        return _(
            "Generate the %(what)s of “%(record)s” from the records as they are now, in the language and format "
            "you choose, and store it as a draft with its hash: it becomes public only when every party has approved "
            "it and it is published. It runs in the background: the next page "
            "shows its progress and offers the file to download."
        ) % {"what": DOCUMENT_NAMES[kind], "record": record}

    return describe


def _generate(kind: str) -> Callable[[Any, Any, Any], str]:
    def perform(request: Any, record: Any, form: Any) -> str:
        from accord.jobs.services import enqueue

        data = form.cleaned_data
        job = enqueue(
            "document",
            {"kind": kind, "ref": record.pk, "language": data["language"], "format": data["format"]},
            user=request.user,
            title=_("%(what)s of “%(record)s” (%(language)s, %(format)s)")
            % {"what": DOCUMENT_NAMES[kind], "record": record, "language": data["language"], "format": data["format"]},
        )
        return reverse("jobs:detail", args=[job.pk])

    return perform


def _document_step(slug: str, model: type[Model], kind: str, label: Any) -> Step:
    # Generating stores a Document (an audited record), so it is the coordinators' work, like proposing.
    return add(
        Step(
            slug,
            "generate-" + kind.replace("_", "-"),
            model,
            label,
            "propose",
            f.DocumentForm,
            _describe_document(kind),
            _generate(kind),
            form_kwargs=_document_languages(kind),
            kind="secondary",
        )
    )


_document_step("plans", Plan, "plan_text", gettext_lazy("Generate the plan text"))
_document_step("meetings", Meeting, "communique", gettext_lazy("Generate the communiqué"))
_document_step("minutes", Minutes, "minutes", gettext_lazy("Generate the minutes document"))


# --- documents: approval and publication ---------------------------------------------------------------


def _document_page(document: Document) -> str:
    return reverse("web:documents-detail", args=[document.pk])


def _waiting_first(waiting: list[Party], every: list[Party]) -> dict[str, Any]:
    """The parties a joint act offers, those still to act first (the form's party choices)."""
    return {"parties": waiting + [p for p in every if p not in waiting]}


def _awaiting(document: Document) -> list[Party]:
    from accord.documents.services import missing_approvals

    return [] if document.is_published else missing_approvals(document)


def _approving_parties(document: Document) -> dict[str, Any]:
    from accord.documents.services import approving_parties

    return _waiting_first(_awaiting(document), approving_parties(document))


def _describe_approve(document: Document, form: Any) -> str:
    return _(
        "Approve the text of “%(document)s” as it is now (%(languages)s) on behalf of %(party)s. Still to approve: "
        "%(missing)s. A change to the text afterwards needs everyone's approval again; once every party has "
        "approved, the document can be published."
    ) % {
        "document": document,
        "languages": ", ".join(document.texts.values_list("language", flat=True)) or "—",
        "party": _chosen_party(form),
        "missing": _names(_awaiting(document)) or "—",
    }


def _approve_document(request: Any, document: Document, form: Any) -> str:
    from accord.documents.services import approve_document

    data = form.cleaned_data
    approve_document(
        document,
        data["party"],
        expected_version=form.expected_version(),
        content_sha256=data.get("content_sha256") or None,
    )
    return _document_page(document)


def _describe_publish_document(document: Document, form: Any) -> str:
    return _(
        "Publish “%(document)s”: it becomes public with its texts and files, on the portal, through OAI-PMH and "
        "for anyone to download, and never changes again (a new text would be a new draft)."
    ) % {"document": document}


def _publish_document(request: Any, document: Document, form: Any) -> str:
    from accord.documents.services import publish_document

    publish_document(document, expected_version=form.expected_version())
    return _document_page(document)


add(
    Step(
        "documents",
        "approve",
        Document,
        gettext_lazy("Approve this text"),
        "approve",
        f.ApproveDocumentForm,
        _describe_approve,
        _approve_document,
        ready=lambda d: not d.is_published,
        form_kwargs=_approving_parties,
        pending_parties=_awaiting,
    )
)
add(
    Step(
        "documents",
        "publish",
        Document,
        gettext_lazy("Publish"),
        "publish",
        f.ConfirmForm,
        _describe_publish_document,
        _publish_document,
        ready=lambda d: not d.is_published and not _awaiting(d),
    )
)


# --- plan items: carry-over and progress -------------------------------------------------------------


def _item_label(item: PlanItem) -> str:
    return f"{item.position}. #{item.project.number} {item.project.title}"


def _describe_accept(item: PlanItem, form: Any) -> str:
    source = item.carried_over_from.plan if item.carried_over_from else None
    return _(
        "Carry item “%(item)s” over from “%(source)s” into “%(plan)s”. It becomes part of the new plan, which "
        "the parties agree to and sign as a whole."
    ) % {"item": _item_label(item), "source": source or "—", "plan": item.plan}


def _accept(request: Any, item: PlanItem, form: Any) -> str:
    from accord.programmes.services import accept_carry_over

    accept_carry_over(item, expected_version=form.expected_version())
    return plan_page(item.plan)


def _describe_drop(item: PlanItem, form: Any) -> str:
    return _(
        "Leave item “%(item)s” out of “%(plan)s”. It is removed from the new plan; the item in the earlier "
        "plan keeps its history and progress reports."
    ) % {"item": _item_label(item), "plan": item.plan}


def _drop(request: Any, item: PlanItem, form: Any) -> str:
    from accord.programmes.services import drop_carry_over

    plan = item.plan
    drop_carry_over(item, expected_version=form.expected_version())
    return plan_page(plan)


def _carry_over_proposed(item: PlanItem) -> bool:
    return item.carry_over == CarryOver.PROPOSED and item.plan.status not in FROZEN_PLAN_STATUSES


add(
    Step(
        "items",
        "accept",
        PlanItem,
        gettext_lazy("Carry over"),
        "change",
        f.ConfirmForm,
        _describe_accept,
        _accept,
        ready=_carry_over_proposed,
    )
)
add(
    Step(
        "items",
        "drop",
        PlanItem,
        gettext_lazy("Leave out"),
        "change",
        f.ConfirmForm,
        _describe_drop,
        _drop,
        ready=_carry_over_proposed,
        kind="danger",
    )
)


def _describe_progress(item: PlanItem, form: Any) -> str:
    return _(
        "Record progress on item “%(item)s” of “%(plan)s”. The report is added to the item's history and "
        "counts in the plan's review; earlier reports stay as they were."
    ) % {"item": _item_label(item), "plan": item.plan}


def _progress(request: Any, item: PlanItem, form: Any) -> str:
    from accord.programmes.services import record_progress

    data = form.cleaned_data
    narrative = {data["narrative_language"]: data["narrative"]} if data["narrative"].strip() else {}
    record_progress(
        item,
        reporting_organisation=data["reporting_organisation"],
        period_start=data["period_start"],
        period_end=data["period_end"],
        status=data["status"],
        percent=data["percent"],
        narrative=narrative,
        evidence=data["evidence"],
    )
    return plan_page(item.plan)


add(
    Step(
        "items",
        "progress",
        PlanItem,
        gettext_lazy("Record progress"),
        "report",
        f.ProgressForm,
        _describe_progress,
        _progress,
        ready=lambda item: item.plan.status in FROZEN_PLAN_STATUSES and item.plan.status != PlanStatus.CLOSED,
    )
)


# --- exchanges: the receiving side confirms --------------------------------------------------------


def _describe_receipt(exchange: Exchange, form: Any) -> str:
    return _(
        "Confirm on behalf of %(to)s that “%(exchange)s”, sent by %(from)s on %(sent)s (reference: %(ref)s), "
        "arrived. The sending side sees the confirmation; it cannot be withdrawn."
    ) % {
        "to": exchange.to_party,
        "exchange": exchange,
        "from": exchange.from_party,
        "sent": exchange.sent_on or "—",
        "ref": exchange.sent_reference or "—",
    }


def _receipt(request: Any, exchange: Exchange, form: Any) -> str:
    from accord.programmes.services import confirm_receipt

    confirm_receipt(
        exchange,
        received_on=form.cleaned_data["received_on"],
        reference=form.cleaned_data["reference"],
        expected_version=form.expected_version(),
    )
    return reverse("workflow:index")


add(
    Step(
        "exchanges",
        "confirm-receipt",
        Exchange,
        gettext_lazy("Confirm receipt"),
        "confirm_receipt",
        f.ReceiptForm,
        _describe_receipt,
        _receipt,
        ready=lambda ex: ex.needs_receipt and ex.received_on is None and ex.sent_on is not None,
    )
)


# --- reviews ---------------------------------------------------------------------------------------


def _review_model() -> type[Model]:
    from accord.reviews.models import Review

    return Review


def _describe_statement(review: Any, form: Any) -> str:
    return _(
        "Add the statement of %(party)s to the review of “%(plan)s” as of %(as_of)s. It can be changed while "
        "the review is a draft and is frozen when the review is published."
    ) % {"party": _chosen_party(form), "plan": review.plan, "as_of": review.as_of}


def _statement(request: Any, review: Any, form: Any) -> str:
    from accord.reviews.services import add_statement

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
    from accord.reviews.services import publish_review

    publish_review(review, expected_version=form.expected_version())
    return plan_page(review.plan)


def _review_steps() -> None:
    review = _review_model()
    draft = "draft"
    add(
        Step(
            "reviews",
            "statement",
            review,
            gettext_lazy("Add your party's statement"),
            "review",
            f.StatementForm,
            _describe_statement,
            _statement,
            ready=lambda r: r.status == draft,
            form_kwargs=lambda r: {"parties": _statement_parties(r)},
            pending_parties=_statement_parties,
        )
    )
    add(
        Step(
            "reviews",
            "publish",
            review,
            gettext_lazy("Publish the review"),
            "review",
            f.ConfirmForm,
            _describe_publish,
            _publish,
            ready=lambda r: r.status == draft,
            kind="secondary",
        )
    )
    _document_step("reviews", review, "review_report", gettext_lazy("Generate the review report"))


_review_steps()


# --- minutes ---------------------------------------------------------------------------------------


def _pending_sign_offs(minutes: Minutes) -> list[Party]:
    from accord.minutes.services import pending_parties

    return pending_parties(minutes) if minutes.status == Minutes.Status.DRAFT else []


def _all_minutes_parties(minutes: Minutes) -> dict[str, Any]:
    from accord.minutes.services import parties_of

    return _waiting_first(_pending_sign_offs(minutes), parties_of(minutes))


def _describe_sign_off(minutes: Minutes, form: Any) -> str:
    return _(
        "Approve revision %(revision)s of the minutes of “%(meeting)s” on behalf of %(party)s. Still to approve: "
        "%(missing)s. When every party has approved this revision, the minutes are final and never change again."
    ) % {
        "revision": minutes.current_revision,
        "meeting": minutes.meeting,
        "party": _chosen_party(form),
        "missing": _names(_pending_sign_offs(minutes)) or "—",
    }


def _sign_off(request: Any, minutes: Minutes, form: Any) -> str:
    from accord.minutes.services import sign_off

    data = form.cleaned_data
    sign_off(minutes, party=data["party"], revision=data["revision"], signed_on=data["signed_on"])
    return reverse("workflow:index")


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


def actions_of(user: Any, record: Model) -> list[Any]:
    """The steps `user` may take on `record` now, as actions for a page (accord.web.actions)."""
    from accord.web.actions import Action

    return [Action(str(s.label), s.url(record), s.kind) for s in offered_steps(user, record)]
