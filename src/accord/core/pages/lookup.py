"""Choices among many records (people, organisations, agreements…): a select of the first few, and a search box
beside it that asks the server for the matching ones (htmx swaps the select's options; no script of our own).

A ministry's installation holds tens of thousands of people and organisations: a drop-down of all of them is
megabytes of page and unusable. The select offers the first LOOKUP_MAX of the field's records (and the chosen
one); typing a few letters of a name in any script replaces them by the matches (core.search). Without
JavaScript the select still offers the first ones and the form still checks any id against the field's own
records. The search is answered for the account the select was drawn for (a signed token names it, the kind of
record and the field's label maker): among the records of that kind this reader may see (core.visibility). A form
that narrows its choices further (an organisation of one side) still refuses, on submit, a found record outside
them. The token carries no query: a pickled one would make the secret key a key to running code here.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import forms
from django.core import signing
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accord.core.actor import current_actor
from accord.core.search import searchable_models

LOOKUP_MAX = 50  # options a select offers at once, and matches a search returns
_SALT = "accord.core.pages.lookup"


class LookupSelect(forms.Select):
    """A ModelChoiceField's select of at most LOOKUP_MAX options, with a search box (see the module docstring)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        iterator = self.choices
        if not isinstance(iterator, ModelChoiceIterator):  # a form that listed its own few choices
            return super().render(name, value, attrs, renderer)
        field, queryset = iterator.field, iterator.queryset
        chosen = {str(v) for v in self.format_value(value) if v not in ("", None)}
        first = list(queryset[: LOOKUP_MAX + 1])
        shown = first[:LOOKUP_MAX]
        missing = chosen - {str(r.pk) for r in shown}
        if missing:
            shown += list(queryset.filter(pk__in=[m for m in missing if m.isascii() and m.isdigit()]))
        built = self.build_attrs(self.attrs, attrs)
        select_id = built.get("id") or f"id_{name}"
        built["id"] = select_id
        options = options_html(field, shown, chosen, empty=True)
        if len(first) > LOOKUP_MAX:
            options += f'<option value="" disabled>{escape(_("… type in the box to find more"))}</option>'
        token = lookup_token(field, queryset, current_actor().user_id)  # the account the page is drawn for
        search = (
            f'<input type="search" form="accord-lookup-none" name="q" class="lookup-search" autocomplete="off" '
            f'aria-label="{escape(_("Search: %(what)s") % {"what": field.label or name})}" '
            f'aria-controls="{escape(select_id)}" placeholder="{escape(_("Type to search…"))}" '
            f'hx-get="/lookup/?t={escape(token)}" hx-trigger="input changed delay:300ms, search" '
            f'hx-target="#{escape(select_id)}" hx-swap="innerHTML" hx-sync="this:replace" '
            f'data-testid="lookup-{escape(name)}">'
        )
        select = f'<select name="{escape(name)}"{flatatt(built)}>{options}</select>'
        return mark_safe(f'<span class="lookup">{search} {select}</span>')  # every value escaped above


def options_html(field: forms.ModelChoiceField, records: list[Any], chosen: set[str], *, empty: bool) -> str:
    out = []
    if empty and field.empty_label is not None and not field.required:
        out.append(f'<option value="">{escape(str(field.empty_label))}</option>')
    elif empty and not chosen:
        out.append('<option value="" selected>---------</option>')
    for record in records:
        selected = " selected" if str(record.pk) in chosen else ""
        label = escape(str(field.label_from_instance(record)))
        out.append(f'<option value="{record.pk}"{selected}>{label}</option>')
    return "".join(out)


def lookup_token(field: forms.ModelChoiceField, queryset: Any, user_id: int | None) -> str:
    """The kind of record, the field's label maker and the account, signed: what /lookup/ answers from."""
    label = f"{type(field).__module__}.{type(field).__qualname__}"
    return signing.dumps({"m": queryset.model._meta.label, "f": label, "u": user_id}, salt=_SALT)


def bound_choices(form: forms.BaseForm) -> forms.BaseForm:
    """Give every single choice of `form` among a searchable kind of record (people, organisations, agreements,
    projects…) the bounded select with its search box. Called by machine_inputs on page and step forms."""
    searchable = set(searchable_models())
    for field in form.fields.values():
        if not isinstance(field, forms.ModelChoiceField) or isinstance(field, forms.ModelMultipleChoiceField):
            continue
        if isinstance(field.widget, forms.HiddenInput | LookupSelect) or field.queryset is None:
            continue
        if field.queryset.model not in searchable:
            continue
        widget = LookupSelect(attrs=field.widget.attrs)
        widget.choices = field.choices  # type: ignore[assignment]  # the field's iterator, as Django hands it
        widget.is_required = field.widget.is_required
        field.widget = widget
    return form


@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    """The options of a bounded select matching `q` (at most LOOKUP_MAX), for the account the select was drawn
    for; an empty `q` gives the first ones again."""
    from accord.core.pages.listing import index_served, text_search  # the listing machinery sits beside this one

    try:
        carried = signing.loads(request.GET.get("t", ""), salt=_SALT, max_age=12 * 3600)
    except signing.BadSignature:
        return HttpResponseBadRequest(_("This search has expired: reload the page."))
    user_id = request.user.pk if request.user.is_authenticated else None
    if carried.get("u") != user_id:
        return HttpResponseBadRequest(_("This search has expired: reload the page."))
    from django.apps import apps

    from accord.core.visibility import visible

    model = apps.get_model(carried["m"])
    if model not in set(searchable_models()):
        return HttpResponseBadRequest(_("This search has expired: reload the page."))
    queryset = visible(model._default_manager.all(), request.user)
    field_class = import_string(carried["f"])
    if not (isinstance(field_class, type) and issubclass(field_class, forms.ModelChoiceField)):
        return HttpResponseBadRequest(_("This search has expired: reload the page."))
    field = field_class(queryset=queryset, required=False)
    text = request.GET.get("q", "").strip()[:200]
    if text:
        # the search index (every kind offered here is in it), read in the model's own order up to LOOKUP_MAX
        order = queryset.query.order_by or model._meta.ordering or ["pk"]
        reads = LOOKUP_MAX if index_served(model, order) else None
        queryset = text_search(queryset, text, (), (), reads=reads)
    found = list(queryset[:LOOKUP_MAX])
    if not found:
        return HttpResponse(f'<option value="" disabled selected>{escape(_("Nothing matches."))}</option>')
    return HttpResponse(options_html(field, found, set(), empty=not text))
