"""Thin views over the workflow steps: a confirmation page per step, a plan's workflow page, an overview."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from accord.agreements.models import Signature
from accord.core.errors import DomainError, Forbidden, TransitionRefused, ValidationFailed
from accord.core.permissions import can, require
from accord.core.visibility import visible
from accord.meetings.models import Meeting, Minutes
from accord.programmes import services as programmes
from accord.programmes.choices import PlanStatus, ProgressStatus
from accord.programmes.models import Exchange, Plan
from accord.programmes.selectors import latest_progress
from accord.signing.services import signed_view
from accord.workflow.auth import login_url
from accord.workflow.forms import StepForm
from accord.workflow.steps import MODELS, STEPS, actions_of


def _forbidden(request: HttpRequest, exc: Forbidden) -> HttpResponse:
    return render(request, "workflow/forbidden.html", {"message": exc.message}, status=403)


def show_refusal(form: StepForm, exc: DomainError) -> None:
    """Put the service's refusal on the form: on the field it names when the form has it, else above the form."""
    errors = exc.errors if isinstance(exc, ValidationFailed) else {exc.field or "__all__": [exc.message]}
    for name, msgs in errors.items():
        for msg in msgs:
            if name in form.fields and name != "version":
                form.add_error(name, msg)
            else:
                form.add_error(None, msg if name in ("__all__", None, "version") else f"{name}: {msg}")


@sensitive_post_parameters("passphrase")
def step(request: HttpRequest, slug: str, pk: int, name: str) -> HttpResponse:
    """GET: what the step will do, and its form. POST: do it through the service, or say why not."""
    the_step = STEPS.get((slug, name))
    if the_step is None:
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url())
    record = get_object_or_404(MODELS[slug], pk=pk)
    if not can(request.user, "view", record):
        raise Http404
    try:
        require(request.user, the_step.permission, record)
    except Forbidden as exc:
        return _forbidden(request, exc)
    status = 200
    if request.method == "POST":
        form = the_step.make_form(request.user, record, request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():  # a refusal leaves nothing behind, rendered texts included
                    next_url = the_step.perform(request, record, form)
            except Forbidden as exc:
                return _forbidden(request, exc)
            except DomainError as exc:
                show_refusal(form, exc)
                record.refresh_from_db()
                status = 409 if isinstance(exc, TransitionRefused) or exc.code == "stale_version" else 400
            else:
                messages.success(request, _("Done: %(step)s.") % {"step": the_step.label})
                return redirect(next_url)
        else:
            status = 400
    else:
        form = the_step.make_form(request.user, record)
    context = {
        "step": the_step,
        "record": record,
        "form": form,
        "description": the_step.describe(record, form),
        "available": the_step.ready(record),
        "back": _back(record),
    }
    return render(request, "workflow/step.html", context, status=status)


def _back(record: Any) -> str:
    """The page the step was opened from: the plan's workflow page where there is a plan."""
    from django.urls import reverse

    plan = record if isinstance(record, Plan) else getattr(record, "plan", None)
    if isinstance(plan, Plan):
        return reverse("workflow:plan", args=[plan.pk])
    return reverse("workflow:index")


def _progress_label(found: Any) -> tuple[str, Any] | None:
    """(status in the reader's language, percent) from the latest report's (status code, percent)."""
    if not found:
        return None
    status, percent = found[0], found[1]
    return (str(ProgressStatus(status).label) if status in ProgressStatus.values else status, percent)


def _signatures(plan: Plan) -> Any:
    """The signatures on the signed version once there is one (the status change after it is a new version)."""
    ct = ContentType.objects.get_for_model(Plan)
    version = plan.signed_version or plan.version
    return Signature.objects.filter(target_type=ct, target_id=plan.pk, target_version=version).select_related(
        "party", "signatory"
    )


def plan(request: HttpRequest, pk: int) -> HttpResponse:
    """A plan's state, what it still lacks, and the steps the account may take on it and its items."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url())
    the_plan = get_object_or_404(visible(Plan.objects.select_related("agreement", "previous"), request.user), pk=pk)
    user = request.user
    progress = latest_progress(the_plan)
    # A signed plan shows its items as signed, and what has changed in the records since.
    signed = signed_view(the_plan) if the_plan.signed_version is not None else None
    signed_items = signed.items if signed else {}
    items = [
        {
            "item": item,
            "signed": signed_items.get(str(item.uid)),
            "progress": _progress_label(progress.get(item.pk)),
            "steps": actions_of(user, item),
        }
        for item in the_plan.items.select_related("project", "plan", "carried_over_from__plan").order_by("position")
    ]
    reviews = [
        {"review": r, "steps": actions_of(user, r)}
        for r in visible(the_plan.reviews.all(), user).prefetch_related("statements__party")
    ]
    context = {
        "plan": the_plan,
        "steps": actions_of(user, the_plan),
        "approvals": the_plan.approvals.filter(plan_version=the_plan.version).select_related("party"),
        "missing_approvals": programmes.missing_approvals(the_plan) if the_plan.status == PlanStatus.PROPOSED else [],
        "signatures": _signatures(the_plan),
        "missing_signatures": programmes.missing_signatures(the_plan) if the_plan.status == PlanStatus.AGREED else [],
        "items": items,
        "reviews": reviews,
        "next_plans": visible(the_plan.next.all(), user),
        "signed": signed,
        "languages": the_plan.agreement.authentic_languages,
    }
    return render(request, "workflow/plan.html", context)


def index(request: HttpRequest) -> HttpResponse:
    """Everything waiting for the account: plans, meetings and minutes, exchanges to confirm."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url())
    user = request.user
    plans = visible(Plan.objects.select_related("agreement"), user).order_by("agreement_id", "period_start", "id")
    meetings = visible(Meeting.objects.all(), user).order_by("-start_on", "id")
    minutes = visible(Minutes.objects.select_related("meeting"), user)
    awaiting = visible(Exchange.objects.awaiting_receipt().select_related("from_party", "to_party"), user)
    context = {
        "plans": [{"plan": p, "steps": actions_of(user, p)} for p in plans],
        "meetings": [{"record": m, "steps": actions_of(user, m)} for m in meetings],
        "minutes": [{"record": m, "steps": actions_of(user, m)} for m in minutes],
        "exchanges": [{"record": e, "steps": actions_of(user, e)} for e in awaiting],
    }
    return render(request, "workflow/index.html", context)
