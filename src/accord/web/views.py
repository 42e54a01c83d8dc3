"""The pages: the public portal, record lists and details, edit and create forms, journal notes.

Thin: find the record through core.visibility (an invisible record is a 404 for everyone, so a page
never confirms that a hidden record exists), check core.permissions before showing or accepting a
change, call the service, render. htmx requests get the part of the page they replace.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Model
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.core.errors import DomainError, Forbidden, StaleVersion, http_status
from accord.core.journal import add_journal_entry, journal_of
from accord.core.permissions import can, parties_of_agreement, require
from accord.core.visibility import parent_model, principal, visible, withheld
from accord.documents.models import Document, DocumentFile
from accord.interop.services import KINDS as EXPORT_KINDS
from accord.programmes.choices import FROZEN_PLAN_STATUSES
from accord.programmes.models import Project
from accord.web.actions import actions_for
from accord.web.forms import JournalForm, RecordForm
from accord.web.history import history_entries
from accord.web.languages import editor_languages
from accord.web.listing import build_listing, text_search
from accord.web.records import BY_KIND, RecordType, url_of
from accord.web.selectors import agreements_overview

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


def _record_type(kind: str) -> RecordType:
    try:
        return BY_KIND[kind]
    except KeyError:
        raise Http404 from None


def _visible_record(request: HttpRequest, rt: RecordType, pk: int) -> Any:
    return get_object_or_404(visible(rt.detail_qs(), request.user), pk=pk)


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


# --- portal and search -----------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The first page: agreements with their plans and counts, then what is published (for everyone
    this is the portal: anonymous visitors see public records only, through the same visibility rule)."""
    user = request.user
    context = {
        "agreements": list(agreements_overview(user)),  # the latest few; each row carries the total too
        "projects": list(
            visible(Project.objects.select_related("agreement"), user).order_by("agreement_id", "id")[:10]
        ),
        "communiques": list(
            visible(
                Document.objects.filter(kind=Document.Kind.COMMUNIQUE, status=Document.Status.PUBLISHED), user
            ).order_by("-issued_on", "id")[:10]
        ),
    }
    return render(request, "web/home.html", context)


SEARCH_KINDS = ("agreements", "plans", "projects", "documents", "organisations", "meetings")


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Search titles and names across the main kinds of records (what the user may read only)."""
    text = request.GET.get("q", "").strip()[:200]
    groups = []
    if text:
        for kind in SEARCH_KINDS:
            rt = BY_KIND[kind]
            qs = text_search(visible(rt.list_queryset(), request.user), text, rt.search, rt.search_exact)
            rows = list(qs.order_by("pk")[:11])
            groups.append({"type": rt, "rows": rows[:10], "more": len(rows) > 10})
    return render(request, "web/search.html", {"q": text, "groups": groups})


# --- lists and details -----------------------------------------------------------------------------


@require_GET
def record_list(request: HttpRequest, kind: str) -> HttpResponse:
    rt = _record_type(kind)
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
    template = "web/records/_table.html" if _is_htmx(request) else "web/records/list.html"
    context = {
        "rt": rt,
        "listing": listing,
        "can_create": _create_parent_hint(request, rt),
        "export_url": _export_url(rt, listing.export_query),
    }
    # A refused filter value is a bad request, as the API's 422 and the CLI's error: named above the list.
    return render(request, template, context, status=400 if listing.errors else 200)


def _export_url(rt: RecordType, query: dict[str, str]) -> str:
    """The export of what the list shows (the same filters: the kind's filters.py), if the kind is exported."""
    if rt.kind not in EXPORT_KINDS or not query.keys() <= set(rt.filters.names()):
        return ""
    return f"/api/v1/exports/{rt.kind}?{urlencode({'format': 'csv', **query})}"


def _withheld_parts(request: HttpRequest, rt: RecordType, parent_id: str) -> int:
    """The parts of the composite the list is filtered to (a plan's items, by the filter's checked value, whatever
    name it was given by) that the reader may not see."""
    if not parent_id.isdigit():
        return 0
    composite = parent_model(rt.model, rt.part_of)
    if not visible(composite._default_manager.filter(pk=parent_id), request.user).exists():
        return 0  # a composite the reader may not see has no parts to speak of
    return withheld(rt.model._default_manager.filter(**{f"{rt.part_of}_id": parent_id}), request.user)


def _create_parent_hint(request: HttpRequest, rt: RecordType) -> str:
    """A "new" link when the list is filtered to a parent the user may add to."""
    if rt.create is None or not request.user.is_authenticated:
        return ""
    parent_id = request.GET.get(rt.create.parent_param, "")
    if not parent_id.isdigit():
        return ""
    parent = visible(rt.create.parent_model._default_manager.filter(pk=parent_id), request.user).first()
    if parent is None or not can(request.user, "change", parent):
        return ""
    return f"{_url(rt.kind, 'create')}?{rt.create.parent_param}={parent.pk}"


def _url(kind: str, page: str, pk: int | None = None) -> str:
    from django.urls import reverse

    return reverse(f"web:{kind}-{page}", args=[pk] if pk is not None else [])


@require_GET
def record_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    rt = _record_type(kind)
    record = _visible_record(request, rt, pk)
    user = request.user
    may_change = can(user, "change", record)
    context = {
        "rt": rt,
        "record": record,
        "may_change": may_change and rt.edit is not None,
        "may_note": may_change,
        "actions": actions_for(user, record),
        "history": history_entries(record, user),
        "journal": list(visible(journal_of(record), user)),
        "journal_form": JournalForm() if may_change else None,
        **(rt.related(record, user, request.GET) if rt.related else {}),
    }
    # A signed plan is changed only by an amendment: neither it nor its items offer "Edit" or "Add an item".
    plan = record if rt.kind == "plans" else record.plan if rt.kind == "plan-items" else None
    if plan is not None and plan.status in FROZEN_PLAN_STATUSES:
        context["may_change"] = False
    if rt.kind == "plans":
        context["may_edit_items"] = context["may_change"]  # the same check: asked once (it costs queries)
    return render(request, rt.detail_template, context)


# --- editing ---------------------------------------------------------------------------------------


def _party_ids(record: Model | None, agreement_id: int | None = None) -> set[int] | None:
    from accord.core.permissions import agreement_id_of

    if agreement_id is None and record is not None:
        agreement_id = agreement_id_of(record)
    return parties_of_agreement(agreement_id) if agreement_id is not None else None


@refusals
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    rt = _record_type(kind)
    if rt.edit is None:
        raise Http404
    record = _visible_record(request, rt, pk)
    require(request.user, "change", record)
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
    template = "web/records/_inline_form.html" if inline else "web/records/edit.html"
    return render(request, template, context, status=status)


def _after_save(request: HttpRequest, rt: RecordType, record: Model, inline: bool) -> HttpResponse:
    if inline and rt.kind == "plan-items":
        # The plan page swaps the edited row back in.
        from accord.programmes.models import PlanItem, PlanItemResponsibility, ProgressReport

        item = PlanItem.objects.select_related("project", "plan__agreement").get(pk=record.pk)
        responsibilities = visible(
            PlanItemResponsibility.objects.filter(plan_item=item).select_related("organisation", "side"),
            request.user,
        )
        item.latest_report = (  # type: ignore[attr-defined]
            visible(ProgressReport.objects.filter(plan_item=item), request.user).order_by("-period_end", "-id").first()
        )
        return render(
            request,
            "web/records/_plan_item_row.html",
            {
                "item": item,
                "responsibilities": list(responsibilities),
                "languages": item.plan.agreement.authentic_languages,
                "may_edit_items": True,
                "record": item.plan,
            },
        )
    return HttpResponseRedirect(_next_url(request, url_of(record)))


@refusals
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest, kind: str) -> HttpResponse:
    rt = _record_type(kind)
    spec = rt.create
    if spec is None:
        raise Http404
    if not request.user.is_authenticated:
        raise Forbidden(_("Sign in to add records."))
    parent_id = request.POST.get(spec.parent_param) or request.GET.get(spec.parent_param, "")
    if not str(parent_id).isdigit():
        raise Http404
    parent = get_object_or_404(visible(spec.parent_model._default_manager.all(), request.user), pk=parent_id)
    require(request.user, "change", parent)
    from accord.core.permissions import agreement_id_of

    agreement_id = agreement_id_of(parent)
    form_kwargs: dict[str, Any] = {
        "model": rt.model,
        "fields": spec.fields,
        "languages": editor_languages(None, agreement_id=agreement_id),
        "party_ids": _party_ids(None, agreement_id),
    }
    form = RecordForm(request.POST if request.method == "POST" else None, **form_kwargs)
    status = 200
    if "project" in form.fields and agreement_id is not None:
        # Projects are many: the number is typed, not picked from a list of every project.
        form.fields["project"] = forms.ModelChoiceField(
            label=_("Project number"),
            queryset=visible(Project.objects.filter(agreement_id=agreement_id), request.user),
            to_field_name="number",
            widget=forms.TextInput,
            error_messages={"invalid_choice": _("No project with this number under the agreement.")},
        )
    status = 200
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
        "web/records/create.html",
        {"rt": rt, "form": form, "parent": parent, "parent_param": spec.parent_param},
        status=status,
    )


@refusals
@require_POST
def journal_add(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    rt = _record_type(kind)
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
    return render(request, "web/records/journal_error.html", context, status=200)


@require_GET
def document_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """Download a stored rendering of a document, if the user may read it."""
    rendering = get_object_or_404(
        visible(DocumentFile.objects.filter(document_id=pk), request.user).select_related("document"), pk=file_pk
    )
    try:
        handle = rendering.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("The file is no longer stored; generate the document again.")) from None
    name = f"{rendering.document.kind}-{rendering.languages}.{rendering.format}"
    return FileResponse(handle, as_attachment=True, filename=name)


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
