"""The text of a plan: title, agreement, period, then each item with its project, objectives, the
organisations responsible on each side and the deliverables, then the signatures. A signed plan's text is
written from the content stored when it was signed, not from today's records.

Written in the agreement's authentic languages, either side by side ("parallel": one column per language,
an item per row, so both versions of an item face each other) or one after the other ("sequential"), with
an optional English version after them, marked as not authentic.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import ngettext

from accord.agreements.models import Signature
from accord.core.errors import ValidationFailed
from accord.core.visibility import Audience
from accord.directory.models import Party
from accord.documents.content import Block, Cell, Content, Heading, PageBreak, Paragraph, Table
from accord.documents.facts import DatedNames, parties_in_order, plan_signatures
from accord.documents.wording import (
    clean_language,
    deliverable_kind,
    format_date,
    format_period,
    label,
    label_sep,
    pick,
    primary,
)
from accord.programmes.models import Deliverable, Plan, PlanItem, PlanItemResponsibility
from accord.signing.models import SignedContent

LAYOUTS = ("parallel", "sequential")


def plan_text_languages(plan: Plan) -> list[str]:
    """The languages a plan text can be written in: the authentic ones first, then the parties', then English."""
    agreement = plan.agreement
    tags = [*agreement.authentic_languages, *[t for p in parties_in_order(agreement) for t in p.languages], "en"]
    out: list[str] = []
    for tag in tags:
        if primary(tag) not in out:
            out.append(primary(tag))
    return out


def authentic_languages(plan: Plan) -> list[str]:
    return [primary(t) for t in plan.agreement.authentic_languages] or plan_text_languages(plan)[:1]


def choose_languages(plan: Plan, language: str | None, *, with_english: bool = False) -> list[str]:
    """Parse 'zh+ru', 'zh', 'authentic' (or empty: the authentic languages), adding English when asked."""
    available = plan_text_languages(plan)
    if not language or language == "authentic":
        chosen = authentic_languages(plan)
    else:
        chosen = []
        for raw in language.split("+"):
            try:
                tag = primary(clean_language(raw))
            except ValueError as exc:
                raise ValidationFailed({"language": [str(exc)]}) from None
            if tag not in available:
                raise ValidationFailed(
                    {"language": [f"“{plan}” has no text in {raw!r}; its languages are {', '.join(available)}"]}
                )
            if tag not in chosen:
                chosen.append(tag)
    if with_english and "en" not in chosen:
        chosen.append("en")
    return chosen


def _signed_content(plan: Plan) -> dict[str, Any] | None:
    """A signed plan's content as signed, when it was stored at signature (else None: read the records)."""
    if plan.signed_version is None:
        return None
    stored = SignedContent.objects.filter(plan_id=plan.pk, plan_version=plan.signed_version).first()
    return json.loads(stored.payload)["plan"] if stored is not None else None


@dataclass
class _Item:
    item: PlanItem
    responsibilities: list[PlanItemResponsibility]
    deliverables: list[Deliverable]


class _PlanWriter:
    """The plan's records read once; `section(lang)` gives one language's blocks.

    Only the parts every reader of the text may see are written (`audience`); the others are counted and
    the text says how many are not shown. No audience: every part (the CLI, the administrator).
    """

    def __init__(self, plan: Plan, audience: Audience | None = None):
        self.plan = plan
        self.agreement = plan.agreement
        self.parties = parties_in_order(self.agreement)
        self.others = [*self.agreement.authentic_languages, "en"]
        self.day = plan.signed_on or plan.period_start
        self.names = DatedNames(self.day, self.others)
        self.signatures: list[Signature] = plan_signatures(plan)
        order = {p.pk: i for i, p in enumerate(self.parties)}
        self._party_by_id: dict[int, Party] = {p.pk: p for p in self.parties}
        narrow = audience.narrow if audience is not None else (lambda queryset: queryset)
        self.withheld = audience.withheld(plan.items.all()) if audience is not None else 0
        items = (
            narrow(plan.items.select_related("project", "carried_over_from__plan"))
            .prefetch_related(
                Prefetch(
                    "responsibilities",
                    queryset=narrow(PlanItemResponsibility.objects.select_related("organisation").order_by("id")),
                ),
                Prefetch("deliverables", queryset=narrow(Deliverable.objects.order_by("due_on", "id"))),
            )
            .order_by("position", "id")
        )
        self.titles = {"plan": plan.title, "agreement": self.agreement.title}
        self._signed_party_names: dict[int, dict[str, str]] = {}
        signed = _signed_content(plan)
        if signed is not None:
            self.items = self._signed_items(signed, order)
            return
        self.items = [
            _Item(
                item,
                sorted(item.responsibilities.all(), key=lambda r: (order.get(r.side_id, len(order)), r.pk)),
                list(item.deliverables.all()),
            )
            for item in items
        ]

    def _signed_items(self, signed: dict[str, Any], order: dict[int, int]) -> list[_Item]:
        """The items as signed (stored with the signatures), not as the records give them today."""
        self.titles = {"plan": signed["title"], "agreement": signed["agreement"]["title"]}
        party_ids = dict(Party.objects.values_list("code", "pk"))
        self._signed_party_names = {
            party_ids[p["code"]]: p["name"] for p in signed["parties"] if p["code"] in party_ids
        }
        uids = [i["carried_over_from"] for i in signed["items"] if i["carried_over_from"]]
        sources = {str(i.uid): i for i in PlanItem.objects.filter(uid__in=uids).select_related("plan")}
        out = []
        for item in signed["items"]:
            resps = [
                SimpleNamespace(side_id=party_ids.get(r["side"]), signed_name=r["organisation"]["name"])
                for r in item["responsibilities"]
            ]
            resps.sort(key=lambda r: order.get(r.side_id, len(order)))  # stable: the signed order within a side
            out.append(
                _Item(
                    SimpleNamespace(  # type: ignore[arg-type]  # what item() reads of a PlanItem
                        position=item["position"],
                        project=SimpleNamespace(number=item["project"]["number"], title=item["project"]["title"]),
                        objectives=item["objectives"],
                        carried_over_from=sources.get(item["carried_over_from"] or ""),
                    ),
                    resps,  # type: ignore[arg-type]
                    [
                        SimpleNamespace(  # type: ignore[misc]
                            kind=d["kind"],
                            title=d["title"],
                            due_on=dt.date.fromisoformat(d["due_on"]) if d["due_on"] else None,
                        )
                        for d in item["deliverables"]
                    ],
                )
            )
        return out

    def text(self, value: dict[str, str] | None, lang: str) -> str:
        return pick(value, lang, self.others)

    def party(self, party_id: int, lang: str) -> str:
        if party_id in self._signed_party_names:
            return self.text(self._signed_party_names[party_id], lang)
        party = self._party_by_id.get(party_id) or Party.objects.get(pk=party_id)
        self._party_by_id[party_id] = party
        return self.text(party.name, lang)

    def front(self, lang: str) -> list[Heading | Paragraph]:
        plan = self.plan
        blocks: list[Heading | Paragraph] = [
            Heading(self.text(self.titles["plan"], lang), lang, 1),
            Paragraph(self.text(self.titles["agreement"], lang), lang, label=label(lang, "agreement")),
            Paragraph(format_period(plan.period_start, plan.period_end, lang), lang, label=label(lang, "period")),
        ]
        if plan.signed_version is not None and plan.signed_on:
            where = self.text(plan.signed_at, lang)
            when = format_date(plan.signed_on, lang)
            comma = "，" if primary(lang) in ("zh", "ja") else ", "
            blocks.append(Paragraph(f"{where}{comma}{when}" if where else when, lang, label=label(lang, "signed")))
        else:
            blocks.append(Paragraph(label(lang, "draft"), lang, style="note"))
        if not self.items and not self.withheld:
            blocks.append(Paragraph(label(lang, "no_items"), lang, style="note"))
        if self.withheld:
            blocks.append(Paragraph(withheld_note(lang, self.withheld), lang, style="note"))
        return blocks

    def item(self, entry: _Item, lang: str) -> list[Heading | Paragraph]:
        item, project = entry.item, entry.item.project
        heading = label(
            lang, "item", position=str(item.position), number=project.number, title=self.text(project.title, lang)
        )
        blocks: list[Heading | Paragraph] = [Heading(heading, lang, 3)]
        objectives = self.text(item.objectives, lang)
        if objectives:
            blocks.append(Paragraph(objectives, lang, label=label(lang, "objectives")))
        sep = label_sep(lang)
        if entry.responsibilities:
            by_side: dict[int, list[str]] = {}
            for r in entry.responsibilities:
                signed_name = getattr(r, "signed_name", None)  # as signed, for a signed plan
                name = self.text(signed_name, lang) if signed_name is not None else self.names(r.organisation, lang)
                by_side.setdefault(r.side_id, []).append(name)
            cjk = primary(lang) in ("zh", "ja")
            semicolon, comma = ("；", "、") if cjk else ("; ", ", ")
            listed = semicolon.join(
                f"{self.party(side, lang)}{sep}{comma.join(orgs)}" for side, orgs in by_side.items()
            )
            blocks.append(Paragraph(listed, lang, label=label(lang, "responsible")))
        if entry.deliverables:
            cjk = primary(lang) in ("zh", "ja")
            parts = []
            for d in entry.deliverables:
                text = f"{deliverable_kind(lang, d.kind)}{sep}{self.text(d.title, lang)}"
                if d.due_on:
                    due = label(lang, "due", date=format_date(d.due_on, lang))
                    text += f"（{due}）" if cjk else f" ({due})"
                parts.append(text)
            blocks.append(Paragraph(("；" if cjk else "; ").join(parts), lang, label=label(lang, "deliverables")))
        source = item.carried_over_from
        if source is not None:
            blocks.append(
                Paragraph(label(lang, "carried_over", plan=self.text(source.plan.title, lang)), lang, style="note")
            )
        return blocks

    def end(self, lang: str) -> list[Heading | Paragraph]:
        signed = [s for s in self.signatures if s.signatory is not None]
        if not signed:
            return []
        blocks: list[Heading | Paragraph] = [Heading(label(lang, "signatures"), lang, 2)]
        for s in signed:
            who = ", ".join(filter(None, [self.text(s.signatory.name, lang), self.text(s.capacity, lang)]))  # type: ignore[union-attr]
            blocks.append(Paragraph(who, lang, label=label(lang, "for_party", party=self.party(s.party_id, lang))))
        return blocks

    def section(self, lang: str) -> list[Block]:
        blocks: list[Block] = [*self.front(lang)]
        for entry in self.items:
            blocks.extend(self.item(entry, lang))
        blocks.extend(self.end(lang))
        return blocks


def withheld_note(language: str, count: int) -> str:
    """ "2 items not shown" in `language` (the interface's catalogue for it, English where it has none)."""
    lang = primary(language)
    with translation.override({"zh": "zh-hans"}.get(lang, lang)):
        return ngettext(
            "%(n)s item of the plan is not shown: it is not open to every reader of this text.",
            "%(n)s items of the plan are not shown: they are not open to every reader of this text.",
            count,
        ) % {"n": count}


def withheld_deliverables_note(language: str, count: int) -> str:
    """ "2 deliverables not shown" in `language`, as withheld_note."""
    lang = primary(language)
    with translation.override({"zh": "zh-hans"}.get(lang, lang)):
        return ngettext(
            "%(n)s deliverable is not shown: it is not open to every reader of this text.",
            "%(n)s deliverables are not shown: they are not open to every reader of this text.",
            count,
        ) % {"n": count}


def build_plan_text(
    plan: Plan, languages: Iterable[str], layout: str = "parallel", *, audience: Audience | None = None
) -> Content:
    """The plan's text in `languages` (primary tags, e.g. ['zh', 'ru', 'en']) in the given layout, for `audience`."""
    if layout not in LAYOUTS:
        raise ValidationFailed({"layout": [f"unknown layout {layout!r}; use {' or '.join(LAYOUTS)}"]})
    langs = [primary(lang) for lang in languages]
    writer = _PlanWriter(plan, audience)
    authentic = set(authentic_languages(plan))
    # English that is not an authentic language follows the authentic texts, marked as such.
    informative = [lang for lang in langs if lang == "en" and lang not in authentic]
    main = [lang for lang in langs if lang not in informative]
    blocks: list[Block] = []
    if layout == "parallel" and len(main) > 1:
        header = [Cell(lang, [Heading(label(lang, "language_name"), lang, 4)]) for lang in main]
        rows = [[Cell(lang, writer.front(lang)) for lang in main]]
        rows += [[Cell(lang, writer.item(entry, lang)) for lang in main] for entry in writer.items]
        if writer.end(main[0]):
            rows.append([Cell(lang, writer.end(lang)) for lang in main])
        blocks.append(Table(rows, style="parallel", header=header))
    else:
        for i, lang in enumerate(main):
            if i:
                blocks.append(PageBreak())
            blocks.extend(writer.section(lang))
    for lang in informative:
        if blocks:
            blocks.append(PageBreak())
        blocks.append(Paragraph(label(lang, "english_version"), lang, style="note"))
        blocks.extend(writer.section(lang))
    used = "" if len(langs) == 1 else ("parallel" if layout == "parallel" and len(main) > 1 else "sequential")
    return Content(
        kind="plan_text",
        titles={lang: writer.text(writer.titles["plan"], lang) for lang in langs},
        languages=langs,
        blocks=blocks,
        issued_on=plan.signed_on,
        layout=used,
    )
