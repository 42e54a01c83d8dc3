"""The record pages and the workflow steps: lists and details, edit and create forms, journal notes, and
the confirmation page of a step. Generic: what differs by kind is declared in each app's pages.py/steps.py.

Thin: find the record through core.visibility (an invisible record is a 404 for everyone, so a page
never confirms that a hidden record exists), check core.permissions before showing or accepting a
change, call the service, render. htmx requests get the part of the page they replace.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.core.errors import DomainError, Forbidden, StaleVersion, TransitionRefused, ValidationFailed, http_status
from accord.core.ids import record_id
from accord.core.journal import add_journal_entry, journal_of
from accord.core.pages.forms import JournalForm, NewRecordForm, RecordForm, StepForm
from accord.core.pages.history import history_entries
from accord.core.pages.languages import editor_languages
from accord.core.pages.listing import build_listing
from accord.core.pages.records import NewSpec, RecordType, export_url, frozen_reason, record_type, url_of
from accord.core.pages.steps import MODELS, STEPS, actions_of
from accord.core.permissions import agreement_id_of, asking_for_many, can, parties_of_agreement, require
from accord.core.visibility import parent_model, party_languages, principal, visible, withheld

View = Callable[..., HttpResponse]


def refusals(view: View) -> View:
    """Render core.errors.Forbidden as the 403 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Forbidden as exc:
            return render(request, "web/403.html", {"message": exc.message}, status=403)

    return wrapper


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _visible_record(request: HttpRequest, rt: RecordType, pk: int) -> Any:
    return get_object_or_404(visible(rt.detail_qs(), request.user), pk=pk)


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


# --- lists and details -----------------------------------------------------------------------------


@require_GET
def record_list(request: HttpRequest, kind: str) -> HttpResponse:
    rt = record_type(kind)
    listing = build_listing(
        request,
        rt.list_for(request.user),
        columns=rt.columns,
        filters=rt.filters,
        search=rt.search,
        search_exact=rt.search_exact,
        default_sort=rt.default_sort,
    )
    listing.withheld = _withheld_parts(request, rt, listing.export_query.get(rt.part_of, "") if rt.part_of else "")
    template = "pages/_table.html" if _is_htmx(request) else "pages/list.html"
    context = {
        "rt": rt,
        "listing": listing,
        "can_create": _create_parent_hint(request, rt),
        "export_url": export_url(rt, listing.export_query),
    }
    # A refused filter value is a bad request, as the API's 422 and the CLI's error: named above the list.
    return render(request, template, context, status=400 if listing.errors else 200)


def _withheld_parts(request: HttpRequest, rt: RecordType, parent_id: str) -> int:
    """The parts of the composite the list is filtered to (a plan's items, by the filter's checked value, whatever
    name it was given by) that the reader may not see."""
    if record_id(parent_id) is None:
        return 0
    composite = parent_model(rt.model, rt.part_of)
    if not visible(composite._default_manager.filter(pk=parent_id), request.user).exists():
        return 0  # a composite the reader may not see has no parts to speak of
    return withheld(rt.model._default_manager.filter(**{f"{rt.part_of}_id": parent_id}), request.user)


def _create_parent_hint(request: HttpRequest, rt: RecordType) -> str:
    """A "new" link when the list is filtered to a parent the user may add to (or, for a record made on its own,
    when the user is offered to make one)."""
    if rt.create is None or not request.user.is_authenticated:
        return ""
    if isinstance(rt.create, NewSpec):
        return reverse(rt.url_name("create")) if rt.create.offered(request.user) else ""
    parent_id = request.GET.get(rt.create.parent_param, "")
    if record_id(parent_id) is None:
        return ""
    parent = visible(rt.create.parent_model._default_manager.filter(pk=parent_id), request.user).first()
    if parent is None or not can(request.user, "change", parent) or frozen_reason(parent):
        return ""  # a signed plan takes no new item: it is amended
    return f"{reverse(rt.url_name('create'))}?{rt.create.parent_param}={parent.pk}"


@require_GET
def record_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    rt = record_type(kind)
    return render_detail(request, rt, _visible_record(request, rt, pk))


def render_detail(
    request: HttpRequest, rt: RecordType, record: Any, *, extra: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """A record's page; `extra` replaces parts of its context (an app's form posted with errors, shown again)."""
    user = request.user
    # The page asks many times what the reader may do to the record: each answer is read once.
    with asking_for_many(user, [record], read_through_visible=True):
        may_change = can(user, "change", record)
        context = {
            "rt": rt,
            "record": record,
            "may_change": may_change and rt.edit is not None,
            "may_note": may_change,
            "actions": actions_of(user, record),
            "history": [] if rt.history_on_demand else history_entries(record, user),
            "history_url": reverse(rt.url_name("history"), args=[record.pk]) if rt.history_on_demand else "",
            "journal": list(visible(journal_of(record), user)),
            "journal_form": JournalForm() if may_change else None,
            **rt.detail_context(record, user, request.GET),
        }
    # A signed plan is changed only by an amendment: neither it nor its items offer "Edit" or "Add an item".
    if rt.frozen(record):
        context["may_change"] = False
    context.update(extra or {})
    return render(request, rt.detail_template, context, status=status)


@require_GET
def record_history(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """A record's latest history entries with what each changed: the part of its page read on demand (htmx), or a
    page of its own (without JS)."""
    rt = record_type(kind)
    record = _visible_record(request, rt, pk)
    context = {"rt": rt, "record": record, "history": history_entries(record, request.user)}
    template = "pages/_history.html" if _is_htmx(request) else "pages/history.html"
    return render(request, template, context)


# --- editing ---------------------------------------------------------------------------------------


def _party_ids(record: Model | None, agreement_id: int | None = None) -> set[int] | None:
    if agreement_id is None and record is not None:
        agreement_id = agreement_id_of(record)
    return parties_of_agreement(agreement_id) if agreement_id is not None else None


@refusals
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    rt = record_type(kind)
    if rt.edit is None:
        raise Http404
    record = _visible_record(request, rt, pk)
    require(request.user, "change", record)
    reason = frozen_reason(record)
    if reason:  # not offered on the page; asked for anyway, the service's reason, with its status (409)
        return _refused(request, record, reason)
    inline = request.GET.get("inline") == "1" and _is_htmx(request)
    form_kwargs: dict[str, Any] = {
        "model": rt.model,
        "fields": rt.edit.fields,
        "record": record,
        "languages": editor_languages(record),
        "party_ids": _party_ids(record),
    }
    stale: StaleVersion | None = None
    status = 200  # a service's refusal answers with its status (409, 403, 422), the form shown again
    if request.method == "POST":
        form = RecordForm(request.POST, **form_kwargs)
        if form.is_valid():
            changes = form.changes(record)
            if not changes:
                messages.info(request, _("Nothing was changed."))
                return _after_save(request, rt, record, inline)
            try:
                saved = rt.edit.update(record, expected_version=form.cleaned_data["version"], **changes)
            except Forbidden:
                raise  # the 403 page, as on every channel
            except DomainError as exc:
                form.apply_error(exc)
                status = http_status(exc)
                if isinstance(exc, StaleVersion):
                    stale = exc
                    record = _visible_record(request, rt, pk)  # show what is stored now
                    # Saving again is the user's informed choice: carry the version they have now seen.
                    data = request.POST.copy()
                    data["version"] = str(exc.current)
                    form.data = data
            else:
                messages.success(request, _("Saved “%(record)s”.") % {"record": saved})
                return _after_save(request, rt, saved, inline)
    else:
        form = RecordForm(**form_kwargs)
    context = {"rt": rt, "record": record, "form": form, "stale": stale, "inline": inline}
    context["next"] = _next_url(request, "")
    if stale is not None:
        context["current"] = [
            (form.fields[name].label, getattr(record, name)) for name in stale.fields if name in form.fields
        ]
    template = "pages/_inline_form.html" if inline else "pages/edit.html"
    return render(request, template, context, status=status)


def _refused(request: HttpRequest, record: Model, reason: str) -> HttpResponse:
    """A change the record's state refuses (a signed plan): the reason, and the way back, as 409."""
    context = {"message": reason, "back": url_of(record), "title": _("This record cannot change")}
    return render(request, "pages/forbidden.html", context, status=409)


def _after_save(request: HttpRequest, rt: RecordType, record: Model, inline: bool) -> HttpResponse:
    if inline and rt.inline_row is not None:
        # The page the form was opened on swaps the edited row back in.
        template, context = rt.inline_row(record, request.user)
        return render(request, template, context)
    return HttpResponseRedirect(_next_url(request, url_of(record)))


@refusals
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest, kind: str) -> HttpResponse:
    rt = record_type(kind)
    spec = rt.create
    if spec is None:
        raise Http404
    if not request.user.is_authenticated:
        raise Forbidden(_("Sign in to add records."))
    if isinstance(spec, NewSpec):
        return _create_on_its_own(request, rt, spec)
    parent_id = request.POST.get(spec.parent_param) or request.GET.get(spec.parent_param, "")
    if record_id(parent_id) is None:
        raise Http404
    parent = get_object_or_404(visible(spec.parent_model._default_manager.all(), request.user), pk=parent_id)
    require(request.user, "change", parent)
    reason = frozen_reason(parent)
    if reason:
        return _refused(request, parent, reason)
    agreement_id = agreement_id_of(parent)
    form_kwargs: dict[str, Any] = {
        "model": rt.model,
        "fields": spec.fields,
        "languages": editor_languages(None, agreement_id=agreement_id),
        "party_ids": _party_ids(None, agreement_id),
    }
    form = RecordForm(request.POST if request.method == "POST" else None, **form_kwargs)
    status = 200
    typed = spec.typed
    if typed is not None and typed.field in form.fields and agreement_id is not None:
        # Records too many for a list (projects) are named by their number, typed, within the agreement.
        related: Any = rt.model._meta.get_field(typed.field).related_model
        form.fields[typed.field] = forms.ModelChoiceField(
            label=typed.label,
            queryset=visible(related._default_manager.filter(agreement_id=agreement_id), request.user),
            to_field_name=typed.to_field,
            widget=forms.TextInput,
            error_messages={"invalid_choice": typed.unknown},
        )
    if request.method == "POST" and form.is_valid():
        try:
            created = spec.create(parent, **form.changes(None))
        except Forbidden:
            raise
        except DomainError as exc:
            form.apply_error(exc)
            status = http_status(exc)  # as the API answers it; the form is shown again with the reason
        else:
            messages.success(request, _("Added “%(record)s”.") % {"record": created})
            return HttpResponseRedirect(url_of(created))
    return render(
        request,
        "pages/create.html",
        {"rt": rt, "form": form, "parent": parent, "parent_param": spec.parent_param},
        status=status,
    )


def _create_on_its_own(request: HttpRequest, rt: RecordType, spec: NewSpec) -> HttpResponse:
    """A new record under no parent: the kind's form, the service; a refusal shown on the form, input kept."""
    if not spec.offered(request.user):
        raise Forbidden(_("You may not add %(what)s here.") % {"what": rt.label})
    # Texts in every language a party writes in, then English (a new agreement's parties are not known yet).
    languages = list(dict.fromkeys([*sorted(party_languages()), *editor_languages(None)]))
    form_class = spec.form or NewRecordForm
    data = request.POST if request.method == "POST" else None
    form = form_class(data, user=request.user, model=rt.model, fields=spec.fields, languages=languages)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                created = spec.create(**form.changes(None))
            except Forbidden:
                raise
            except DomainError as exc:
                form.apply_error(exc)
                status = http_status(exc)
            else:
                messages.success(request, _("Added “%(record)s”.") % {"record": created})
                return HttpResponseRedirect(url_of(created))
    return render(request, "pages/create.html", {"rt": rt, "form": form, "parent": None}, status=status)


@refusals
@require_POST
def journal_add(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    rt = record_type(kind)
    record = _visible_record(request, rt, pk)
    require(request.user, "change", record)
    form = JournalForm(request.POST)
    if form.is_valid():
        who = principal(request.user)
        # A note belongs to the writer's side; administrators without a party write shared notes.
        owner = min(who.coordinates or who.parties, default=None)
        try:
            add_journal_entry(
                record,
                text=form.cleaned_data["text"],
                occurred_on=form.cleaned_data["occurred_on"],
                visibility=form.cleaned_data["visibility"],
                owner_party_id=owner,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Note added."))
            return HttpResponseRedirect(url_of(record) + "#journal")
    context = {"rt": rt, "record": record, "journal_form": form}
    return render(request, "pages/journal_error.html", context, status=200)


# --- workflow steps ------------------------------------------------------------------------------------


def login_url() -> str:
    """Where to send someone who must sign in first: the site's login page, or the admin's if it has none."""
    url = str(settings.LOGIN_URL)
    try:
        resolve(url)
        return url
    except Resolver404:
        return reverse("admin:login")


def _forbidden(request: HttpRequest, exc: Forbidden) -> HttpResponse:
    return render(request, "pages/forbidden.html", {"message": exc.message}, status=403)


def show_refusal(form: StepForm, exc: DomainError) -> None:
    """Put the service's refusal on the form: on the field it names when the form has it, else above the form."""
    errors = exc.errors if isinstance(exc, ValidationFailed) else {exc.field or "__all__": [exc.message]}
    for name, msgs in errors.items():
        for msg in msgs:
            if name in form.fields and name != "version" and not form.fields[name].widget.is_hidden:
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
                stale = exc.code in ("stale_version", "stale_revision")
                status = 409 if isinstance(exc, TransitionRefused) or stale else 400
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
        "back": url_of(record) or reverse("web:workflow"),
    }
    return render(request, "pages/step.html", context, status=status)
