"""The dashboard page: the figures of dashboard.selectors drawn as charts, with their tables, for the viewer."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from html import escape as quote
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accord.core import clock
from accord.core.ids import record_id
from accord.core.localized import text_for
from accord.core.pages.listing import OPTIONS_MAX
from accord.programmes.choices import (
    TWO_SIDED_EXCHANGES,
    DeliverableKind,
    ExchangeKind,
    FieldOfScience,
    Modality,
    PlanStatus,
    ProgressStatus,
    QuantityUnit,
)
from accord.web.dashboard import charts, freshness, selectors
from accord.web.dashboard.charts import Bar, Chart, Edge, Lane, Node, Series, Span
from accord.web.dashboard.selectors import Scope

DRAWN_DIRECTIONS = 12  # exchange directions drawn and summed; the rest are counted in one line
DRAWN_SIDES = 12  # parties drawn in "projects by side" (among 200 parties); the rest are counted in the caption
DRAWN_LINKS = 40  # the strongest links of the network drawn and listed; the weaker are counted in the caption

# Status colours with a meaning people expect (grey idle, blue going, orange late, green done, red stopped).
STATUS_COLOURS = {
    ProgressStatus.NOT_STARTED: "#5c5c5c",
    ProgressStatus.ON_TRACK: "#0b5cab",
    ProgressStatus.DELAYED: "#b54a00",
    ProgressStatus.COMPLETED: "#1c6b3a",
    ProgressStatus.CANCELLED: "#a8201a",
}
PLAN_COLOURS = {
    PlanStatus.DRAFT: "#5c5c5c",
    PlanStatus.PROPOSED: "#8a6d00",
    PlanStatus.AGREED: "#7b3294",
    PlanStatus.SIGNED: "#0b5cab",
    PlanStatus.IN_FORCE: "#1c6b3a",
    PlanStatus.REVIEWED: "#00707a",
    PlanStatus.CLOSED: "#1d2330",
}


class QuickSelect(forms.Select):
    """A <select> written in Python, as Django's would be: Django renders each option through a template,
    which for the 2,000 agreements of a large programme cost more than the whole page from the cache."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        chosen = set(self.format_value(value))

        def option(v: Any, label: Any) -> str:
            if v is None:  # "…": there are more than are offered
                return f'<option value="" disabled>{quote(str(label))}</option>'
            selected = " selected" if str(v) in chosen else ""
            return f'<option value="{quote(str(v))}"{selected}>{quote(str(label))}</option>'

        options = "".join(option(v, label) for v, label in self.choices)
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), mark_safe(options)
        )  # every option escaped above


class FilterForm(forms.Form):
    agreement = forms.TypedChoiceField(
        label=gettext_lazy("Agreement"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, data: Any, *, agreements: list[tuple[int, str]], years: list[int], more: bool = False) -> None:
        super().__init__(data)
        every: list[tuple[str | None, str]] = [("", _("All"))]
        # Thousands of agreements are no use to pick from: the newest are offered (as on the lists), a chosen
        # older one is added by the view, and "…" says there are more.
        more_options: list[tuple[str | None, str]] = [(None, "…")] if more else []
        choices: dict[str, list[tuple[str | None, str]]] = {
            "agreement": every + [(str(pk), title) for pk, title in agreements] + more_options,
            "year": every + [(str(y), str(y)) for y in years],
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = options


def _party_label(party: dict[str, Any] | None) -> str:
    if party is None:
        return "?"
    return f"{text_for(party['name'], None, party['languages'])} ({party['code']})"


def _field_order(code: str) -> tuple[int, ...]:
    return tuple(int(p) for p in code.split(".")) if code else (999,)


def portfolio_charts(user: Any, scope: Scope, parties: dict[int, dict[str, Any]]) -> tuple[int, list[Chart]]:
    figures = selectors.portfolio(user, scope)
    by_status = figures["by_status"]
    status = charts.bar_chart(
        "by-status",
        _("Projects by status"),
        _("How many projects stand at each status, from their latest progress report as of %(date)s.")
        % {"date": scope.as_of.isoformat()},
        [Bar(str(s.label), by_status.get(s.value, 0), STATUS_COLOURS[s]) for s in ProgressStatus],
        label_header=_("Status"),
        value_header=_("Projects"),
        horizontal=False,
    )
    fields = sorted(figures["by_field"].items(), key=lambda kv: _field_order(kv[0]))
    field = charts.bar_chart(
        "by-field",
        _("Projects by field of science"),
        _("How many projects work in each OECD field of science."),
        [Bar(str(FieldOfScience(code).label) if code else _("Unspecified"), n) for code, n in fields],
        label_header=_("Field of science"),
        value_header=_("Projects"),
    )
    modality = charts.bar_chart(
        "by-modality",
        _("Projects by modality"),
        _("How many projects are joint research, assistance from one party to the other, or exchange."),
        [Bar(str(m.label), figures["by_modality"].get(m.value, 0), charts.colour(i)) for i, m in enumerate(Modality)],
        label_header=_("Modality"),
        value_header=_("Projects"),
    )
    sides = sorted(selectors.projects_by_side(user, scope).items(), key=lambda kv: (-kv[1], kv[0]))
    about_sides = _("In how many projects each party takes part through its organisations.")
    if len(sides) > DRAWN_SIDES:  # a bar per party is unreadable among hundreds: the busiest, and a count
        about_sides += " " + _(
            "The %(drawn)s parties in most projects are drawn; %(more)s more take part in fewer."
        ) % {
            "drawn": DRAWN_SIDES,
            "more": len(sides) - DRAWN_SIDES,
        }
    side = charts.bar_chart(
        "by-side",
        _("Projects by side"),
        about_sides,
        [Bar(_party_label(parties.get(pk)), n, charts.colour(i)) for i, (pk, n) in enumerate(sides[:DRAWN_SIDES])],
        label_header=_("Party"),
        value_header=_("Projects"),
    )
    return figures["total"], [status, field, modality, side]


def reciprocity_charts(user: Any, scope: Scope, parties: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """A chart per busy direction (exchanges per year, stacked by kind), the summary of what each of those
    sent and received, and how many directions and exchanges are left out.

    Only the DRAWN_DIRECTIONS busiest directions are drawn and summed: among 200 parties there are thousands,
    and a chart each is neither readable nor cheap (the agreement filter narrows to the rest).
    """
    directions = selectors.exchange_directions(user, scope)
    shown = [(src, dst) for src, dst, _n in directions[:DRAWN_DIRECTIONS]]
    rows = selectors.reciprocity(user, scope, shown) if shown else []
    kinds = [k for k in ExchangeKind if any(r["kind"] == k.value for r in rows)]
    years = sorted({r["year"] for r in rows if r["year"] is not None})
    categories = [str(y) for y in years] + ([_("undated")] if any(r["year"] is None for r in rows) else [])
    index = {y: i for i, y in enumerate(years)}
    # One pass over the rows, grouped by direction (not a pass per direction).
    counts: dict[tuple[int, int], dict[str, list[float]]] = {
        direction: {k.value: [0.0] * len(categories) for k in kinds} for direction in shown
    }
    for r in rows:
        direction = (r["from_party_id"], r["to_party_id"])
        counts[direction][r["kind"]][index.get(r["year"], len(categories) - 1)] += r["count"]
    per_direction: list[Chart] = []
    for n, (src, dst) in enumerate(shown, 1):
        names = {"from": _party_label(parties.get(src)), "to": _party_label(parties.get(dst))}
        per_direction.append(
            charts.stacked_bars(
                f"exchanges-{n}",
                _("Exchanges from %(from)s to %(to)s") % names,
                _("How many exchanges went from %(from)s to %(to)s each year, by kind.") % names,
                categories,
                [Series(str(k.label), counts[(src, dst)][k.value], charts.colour(i)) for i, k in enumerate(kinds)],
                category_header=_("Year"),
            )
        )
    # What each side sent and received: per direction and kind, over the years in scope.
    summary: dict[tuple[int, int, str], dict[str, Any]] = {}
    for r in rows:
        key = (r["from_party_id"], r["to_party_id"], r["kind"])
        line = summary.setdefault(
            key,
            {
                "from": _party_label(parties.get(key[0])),
                "to": _party_label(parties.get(key[1])),
                "kind": str(ExchangeKind(key[2]).label),
                "count": 0,
                "quantities": defaultdict(Decimal),
                "two_sided": key[2] in TWO_SIDED_EXCHANGES,
                "sent": 0,
                "received": 0,
            },
        )
        line["count"] += r["count"]
        line["quantities"][r["unit"]] += r["quantity"] or 0
        line["sent"] += r["sent"]
        line["received"] += r["received"]
    table = []
    for key in sorted(summary):
        line = summary[key]
        quantities = sorted(line.pop("quantities").items())
        line["quantity"] = ", ".join(f"{charts.number(float(q))} {QuantityUnit(u).label}" for u, q in quantities)
        table.append(line)
    rest = directions[DRAWN_DIRECTIONS:]
    return {
        "exchanges": per_direction,
        "reciprocity": table,
        "more_directions": len(rest),
        "more_exchanges": sum(n for _src, _dst, n in rest),
    }


def timeline_chart(user: Any, scope: Scope) -> Chart:
    plans = selectors.plan_timeline(user, scope)
    lanes: dict[int, Lane] = {}
    for p in plans:
        languages = p["agreement__authentic_languages"] or []
        lane = lanes.setdefault(p["agreement_id"], Lane(text_for(p["agreement__title"], None, languages)))
        title = text_for(p["title"], None, languages)
        if p["revision"] > 1:
            title = _("%(title)s (rev. %(revision)s)") % {"title": title, "revision": p["revision"]}
        lane.spans.append(
            Span(
                p["period_start"],
                p["period_end"],
                title,
                PLAN_COLOURS[PlanStatus(p["status"])],
                str(PlanStatus(p["status"]).label),
            )
        )
    present = {p["status"] for p in plans}
    return charts.timeline(
        "plans",
        _("Plans along the years"),
        _("The plans of each agreement over their periods, coloured by status."),
        list(lanes.values()),
        [(str(s.label), PLAN_COLOURS[s]) for s in PlanStatus if s.value in present],
        lane_header=_("Agreement"),
        span_headers=(_("Plan"), _("Period"), _("Status")),
    )


def network_chart(user: Any, scope: Scope, parties: dict[int, dict[str, Any]]) -> Chart:
    found = selectors.network(user, scope)
    groups = sorted({n["party_id"] for n in found["nodes"]})
    colours = {pk: charts.colour(i) for i, pk in enumerate(groups)}
    nodes = [
        Node(
            n["id"],
            text_for(n["name"], None, n["party__languages"] or []),
            n["projects"],
            parties.get(n["party_id"], {}).get("code", ""),
            colours[n["party_id"]],
        )
        for n in found["nodes"]
    ]
    strongest = sorted(found["edges"], key=lambda e: (-e[2], e[0], e[1]))
    about = _(
        "The %(n)s organisations taking part in most projects; a line joins two that share projects, "
        "thicker for more; a larger circle takes part in more projects."
    ) % {"n": len(nodes)}
    if len(strongest) > DRAWN_LINKS:  # among 24 organisations there may be 276 links: the strongest, and a count
        about += " " + _("The %(drawn)s strongest links are drawn; %(more)s weaker ones are not.") % {
            "drawn": DRAWN_LINKS,
            "more": len(strongest) - DRAWN_LINKS,
        }
    return charts.network(
        "network",
        _("Institutions that work together"),
        about,
        nodes,
        [Edge(a, b, w) for a, b, w in strongest[:DRAWN_LINKS]],
        [(_party_label(parties.get(pk)), colours[pk]) for pk in groups],
        headers=(_("Organisation"), _("Organisation"), _("Shared projects")),
    )


def overdue_lists(user: Any, scope: Scope, parties: dict[int, dict[str, Any]]) -> dict[str, Any]:
    total, deliverables = selectors.overdue_deliverables(user, scope)
    for d in deliverables:
        d["label"] = text_for(d["title"], None, d["plan_item__plan__agreement__authentic_languages"] or [])
        d["kind_label"] = DeliverableKind(d["kind"]).label
        d["owed_by"] = _party_label(parties.get(d["responsible_party_id"])) if d["responsible_party_id"] else ""
        d["days"] = (scope.as_of - d["due_on"]).days
    items_total, items = selectors.stale_plan_items(user, scope)
    for i in items:
        languages = i["plan__agreement__authentic_languages"] or []
        i["label"] = text_for(i["project__title"], None, languages)
        i["plan_label"] = text_for(i["plan__title"], None, languages)
    receipts_total, receipts = selectors.receipts_overdue(user, scope)
    for r in receipts:
        r["kind_label"] = ExchangeKind(r["kind"]).label
        r["direction"] = f"{parties[r['from_party_id']]['code']}→{parties[r['to_party_id']]['code']}"
        r["quantity_label"] = f"{charts.number(float(r['quantity']))} {QuantityUnit(r['unit']).label}"
        r["days"] = (scope.as_of - r["sent_on"]).days
    return {
        "deliverables": deliverables,
        "deliverables_total": total,
        "items": items,
        "items_total": items_total,
        "receipts": receipts,
        "receipts_total": receipts_total,
        "stale_days": selectors.STALE_AFTER_DAYS,
        "receipt_days": selectors.RECEIPT_AFTER_DAYS,
    }


def dashboard(request: HttpRequest) -> HttpResponse:
    """The portfolio at a glance, for what the viewer may read; filters by agreement and year (GET)."""
    user = request.user
    choices = freshness.serve(user, "filter-options", {})
    agreements, years, more = choices.value
    asked = record_id(request.GET.get("agreement", ""))
    if asked is not None and asked not in dict(agreements):  # an older one, chosen from its own page or typed
        language = translation.get_language() or "en"
        agreements = agreements + [
            (a["id"], text_for(a["title"], language, a["authentic_languages"]))
            for a in selectors.agreements(user, pk=asked)
        ]
    form = FilterForm(request.GET or None, agreements=agreements, years=years, more=more)
    chosen: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        chosen = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v is not None}
    # The installation's own date when it has one (the demo lives in 1960): the page says so beside "as of".
    scope = Scope(today=clock.today(), agreement_id=chosen.get("agreement"), year=chosen.get("year"))
    shown = freshness.serve(
        user, "figures", {"today": scope.today.isoformat(), "agreement": scope.agreement_id, "year": scope.year}
    )
    late = [s.late_since for s in (choices, shown) if s.late_since is not None]
    context = {
        "form": form,
        "scope": scope,
        "as_of": scope.as_of,
        "fixed_date": clock.fixed_date(),
        "agreement_title": dict(agreements).get(scope.agreement_id) if scope.agreement_id else None,
        "figures_html": shown.value,
        "late_since": min(late) if late else None,  # the page says how late the figures are
    }
    return render(request, "dashboard/index.html", context, status=400 if form.errors else 200)


@freshness.source("filter-options")
def filter_source(user: Any, parameters: dict[str, Any]) -> tuple[list[tuple[int, str]], list[int], bool]:
    return filter_choices(user, translation.get_language() or "en")


@freshness.source("figures")
def figures_html(user: Any, parameters: dict[str, Any]) -> str:
    """The figures' sections, rendered once: drawing them again on every hit cost more than reading them.
    Rendered without a request, as the background refresh does, so both give the same markup."""
    scope = Scope(
        today=dt.date.fromisoformat(parameters["today"]),
        agreement_id=parameters["agreement"],
        year=parameters["year"],
    )
    return render_to_string("dashboard/_figures.html", figures(user, scope))


def filter_choices(user: Any, language: str) -> tuple[list[tuple[int, str]], list[int], bool]:
    """The newest agreements (id, title) the viewer may filter by (at most OPTIONS_MAX), the years, and whether
    more agreements were left out."""
    found = selectors.agreements(user, OPTIONS_MAX + 1)
    agreements = [(a["id"], text_for(a["title"], language, a["authentic_languages"])) for a in found[:OPTIONS_MAX]]
    return agreements, selectors.years(user), len(found) > OPTIONS_MAX


def figures(user: Any, scope: Scope) -> dict[str, Any]:
    parties = selectors.parties()
    total, portfolio = portfolio_charts(user, scope, parties)
    return {
        "total": total,
        "portfolio": portfolio,
        **reciprocity_charts(user, scope, parties),
        "timeline": timeline_chart(user, scope),
        "network": network_chart(user, scope, parties),
        "overdue": overdue_lists(user, scope, parties),
    }
