"""The report of a plan's implementation review: the figures, a chart, the lists, each party's statement.

Every figure comes from the review's stored snapshot (`Review.figures`, written by
accord.meetings.selectors.compute_review when the review was made or last recomputed), never from the
records as they are now: the report of a published review reads the same however the records change
later. What is looked up in the records is only what names things (the parties, the agreement, the
meeting) and the parties' statements, which publication freezes too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from accord.agreements.models import Agreement
from accord.core.localized import LocalizedText
from accord.core.models import Visibility
from accord.core.visibility import Audience
from accord.directory.models import Party
from accord.documents.content import Bar, Block, Cell, Chart, Content, Heading, Paragraph, Table
from accord.documents.facts import agreement_languages, fallback_languages
from accord.documents.plan_text import withheld_deliverables_note, withheld_note
from accord.documents.wording import (
    choice_label,
    deliverable_kind,
    field_of_science,
    format_date,
    format_decimal,
    format_number,
    format_percent,
    format_period,
    label,
    label_sep,
    pick,
    primary,
    unit_column,
)
from accord.meetings.models import AgendaItem, Meeting, Review
from accord.programmes.choices import ExchangeKind, Modality, ProgressStatus
from accord.programmes.models import Deliverable, PlanItem

# The order statuses are shown in (and their bars' colours): from not started to done.
STATUS_ORDER = ("not_started", "on_track", "delayed", "completed", "cancelled")
STATUS_COLOURS = {
    "not_started": "#b0b0b0",
    "on_track": "#5b7fa8",
    "delayed": "#c9822f",
    "completed": "#4a7d48",
    "cancelled": "#7a7a7a",
}
# How widely a record may be read: a statement goes into a report only if it reaches at least as far.
_REACH = {Visibility.INTERNAL.value: 0, Visibility.BILATERAL.value: 1, Visibility.PUBLIC.value: 2}
# The exchange headline numbers in the order the report lists them (keys of figures["exchanges"]["headline"]).
HEADLINE_ORDER = (
    "exchanges",
    "delegation_visits",
    "experts",
    "trainees",
    "person_months",
    "data_sets",
    "documents",
    "samples",
    "awaiting_receipt",
)

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Review of {plan} as of {date}",
        "status": "Status",
        "progress_status": "Status",
        "published": "Published",
        "draft": "Draft (not yet published)",
        "published_note": "The figures were computed from the records as of {date} against the signed plan "
        "(version {version}) and stored with the review; since its publication they no longer change.",
        "draft_note": "The figures were computed from the records as of {date} against the signed plan "
        "(version {version}); they may be computed again before the review is published.",
        "meeting": "Discussed at",
        "completion": "Completion against the signed plan",
        "figure": "Figure",
        "items": "Items",
        "planned": "Items of the signed plan",
        "completed": "Completed",
        "percent": "Share completed",
        "cancelled": "Cancelled",
        "carried": "Open, carried over to the next plan",
        "by_status": "Items by status",
        "chart": "Items by status as of {date} (of {total} items)",
        "by_field": "Items by field of science (OECD)",
        "field": "Field",
        "by_modality": "Items by modality",
        "modality": "Modality",
        "by_side": "Items by side",
        "side": "Side",
        "by_side_note": "The items for which a side has responsible organisations: an item with organisations "
        "on both sides counts for each side.",
        "exchanges": "Exchanges",
        "no_exchanges": "No exchange was recorded in the period of the plan up to {date}.",
        "all": "All",
        "parties": "Parties",
        "by_kind": "Exchanges by kind and direction",
        "kind": "Kind",
        "direction": "Direction",
        "count": "Exchanges",
        "quantity": "Quantity",
        "unit": "Unit",
        "sent": "Sent",
        "received": "Received",
        "awaiting": "Awaiting receipt",
        "outstanding": "Sent and not yet confirmed received",
        "sent_on": "Sent on",
        "reference": "Reference",
        "project": "Project",
        "days_waiting": "Days waiting",
        "overdue": "Overdue deliverables",
        "no_overdue": "No deliverable was overdue as of {date}.",
        "item": "Item",
        "deliverable": "Deliverable",
        "due": "Due",
        "days_overdue": "Days overdue",
        "owed_by": "Owed by",
        "carry_over": "Items carried over to the next plan",
        "no_carry_over": "None: every item was completed or cancelled.",
        "project_title": "Title",
        "progress": "Progress",
        "statements": "Statements of the parties",
        "statement_of": "Statement of the {party}",
        "no_statement": "The {party} made no statement.",
        "h_exchanges": "Exchanges (all kinds)",
        "h_delegation_visits": "Delegation visits",
        "h_experts": "Experts seconded (persons)",
        "h_trainees": "Trainees (persons)",
        "h_person_months": "Person-months",
        "h_data_sets": "Data sets transferred",
        "h_documents": "Documents transferred",
        "h_samples": "Samples shipped",
        "h_awaiting_receipt": "Sent, awaiting receipt",
    },
    "zh": {
        "title": "{plan}执行情况审查报告（截至{date}）",
        "status": "状态",
        "progress_status": "执行状态",
        "published": "已发布",
        "draft": "草案（尚未发布）",
        "published_note": "以下数字系根据截至{date}的记录，对照已签订的计划（第{version}版）计算，"
        "并随审查报告存档；报告发布后不再改变。",
        "draft_note": "以下数字系根据截至{date}的记录，对照已签订的计划（第{version}版）计算；"
        "审查报告发布前仍可重新计算。",
        "meeting": "审议会议",
        "completion": "对照已签订计划的完成情况",
        "figure": "项目",
        "items": "项数",
        "planned": "已签订计划的项目",
        "completed": "已完成",
        "percent": "完成比例",
        "cancelled": "已取消",
        "carried": "未完成，转入下一计划",
        "by_status": "按执行状态统计",
        "chart": "截至{date}的执行状态（共{total}项）",
        "by_field": "按学科领域统计（经合组织分类）",
        "field": "学科领域",
        "by_modality": "按合作方式统计",
        "modality": "合作方式",
        "by_side": "按双方统计",
        "side": "一方",
        "by_side_note": "各方有负责单位的项目；双方均有负责单位的项目分别计入双方。",
        "exchanges": "交流",
        "no_exchanges": "截至{date}，计划期限内没有交流记录。",
        "all": "合计",
        "parties": "各方",
        "by_kind": "按交流类别和方向统计",
        "kind": "类别",
        "direction": "方向",
        "count": "次数",
        "quantity": "数量",
        "unit": "单位",
        "sent": "已寄出",
        "received": "已收到",
        "awaiting": "待确认收到",
        "outstanding": "已寄出、尚未确认收到",
        "sent_on": "寄出日期",
        "reference": "编号",
        "project": "项目编号",
        "days_waiting": "等待天数",
        "overdue": "逾期成果",
        "no_overdue": "截至{date}，没有逾期的成果。",
        "item": "序号",
        "deliverable": "成果",
        "due": "期限",
        "days_overdue": "逾期天数",
        "owed_by": "应交方",
        "carry_over": "转入下一计划的项目",
        "no_carry_over": "无：所有项目均已完成或取消。",
        "project_title": "名称",
        "progress": "进度",
        "statements": "各方的声明",
        "statement_of": "{party}方面的声明",
        "no_statement": "{party}方面未发表声明。",
        "h_exchanges": "交流（各类合计，次）",
        "h_delegation_visits": "代表团访问（次）",
        "h_experts": "派遣专家（人）",
        "h_trainees": "进修人员（人）",
        "h_person_months": "人月",
        "h_data_sets": "移交数据集（个）",
        "h_documents": "移交文件资料（份）",
        "h_samples": "寄送样品（件）",
        "h_awaiting_receipt": "已寄出、待确认收到（批）",
    },
    "ru": {
        "title": "Итоги выполнения документа «{plan}» по состоянию на {date}",
        "status": "Статус",
        "progress_status": "Состояние",
        "published": "Опубликован",
        "draft": "Проект (не опубликован)",
        "published_note": "Данные рассчитаны по записям на {date} в сравнении с подписанным планом (версия {version}) "
        "и сохранены вместе с обзором; после его публикации они не меняются.",
        "draft_note": "Данные рассчитаны по записям на {date} в сравнении с подписанным планом (версия {version}); "
        "до публикации обзора они могут быть рассчитаны заново.",
        "meeting": "Рассмотрено на совещании",
        "completion": "Выполнение подписанного плана",
        "figure": "Показатель",
        "items": "Пунктов",
        "planned": "Пунктов подписанного плана",
        "completed": "Выполнено",
        "percent": "Доля выполненных",
        "cancelled": "Отменено",
        "carried": "Не завершено, переносится в следующий план",
        "by_status": "Пункты по состоянию выполнения",
        "chart": "Состояние выполнения на {date} (всего пунктов: {total})",
        "by_field": "Пункты по областям науки (классификация ОЭСР)",
        "field": "Область",
        "by_modality": "Пункты по формам сотрудничества",
        "modality": "Форма сотрудничества",
        "by_side": "Пункты по сторонам",
        "side": "Сторона",
        "by_side_note": "Пункты, по которым у стороны есть ответственные организации; пункт с организациями "
        "обеих сторон учитывается у каждой.",
        "exchanges": "Обмены",
        "no_exchanges": "За период плана по состоянию на {date} обменов не зарегистрировано.",
        "all": "Всего",
        "parties": "Стороны",
        "by_kind": "Обмены по видам и направлениям",
        "kind": "Вид",
        "direction": "Направление",
        "count": "Обменов",
        "quantity": "Количество",
        "unit": "Единица",
        "sent": "Отправлено",
        "received": "Получено",
        "awaiting": "Получение не подтверждено",
        "outstanding": "Отправлено, получение не подтверждено",
        "sent_on": "Дата отправки",
        "reference": "Номер",
        "project": "Проект №",
        "days_waiting": "Дней в пути",
        "overdue": "Просроченные результаты",
        "no_overdue": "Просроченных результатов на {date} нет.",
        "item": "Пункт",
        "deliverable": "Результат",
        "due": "Срок",
        "days_overdue": "Дней просрочки",
        "owed_by": "Сторона",
        "carry_over": "Пункты, переносимые в следующий план",
        "no_carry_over": "Нет: все пункты выполнены или отменены.",
        "project_title": "Название",
        "progress": "Ход работ",
        "statements": "Заявления сторон",
        "statement_of": "Заявление стороны «{party}»",
        "no_statement": "Сторона «{party}» заявления не сделала.",
        "h_exchanges": "Обменов (всех видов)",
        "h_delegation_visits": "Визитов делегаций",
        "h_experts": "Командировано экспертов, чел.",
        "h_trainees": "Стажёров, чел.",
        "h_person_months": "Человеко-месяцев",
        "h_data_sets": "Передано наборов данных",
        "h_documents": "Передано документов",
        "h_samples": "Отправлено образцов",
        "h_awaiting_receipt": "Отправлений, получение которых не подтверждено",
    },
}


def _word(lang: str, key: str, **values: Any) -> str:
    table = _WORDS.get(primary(lang), _WORDS["en"])
    return table.get(key, _WORDS["en"][key]).format(**values)


def review_languages(review: Review) -> list[str]:
    """The languages a review report can be written in: the agreement's and its parties', and English."""
    return agreement_languages(review.plan.agreement)


def review_meeting(review: Review) -> Meeting | None:
    """The meeting that discussed the review: the one whose agenda item links it (the earliest, if several)."""
    item = AgendaItem.objects.filter(review=review).select_related("meeting").order_by("meeting__end_on", "id").first()
    return item.meeting if item is not None else None


@dataclass
class _Facts:
    review: Review
    agreement: Agreement
    figures: dict[str, Any]
    as_of: dt.date
    parties: dict[str, Party]  # by code: the parties the figures name
    party_order: list[str]
    statements: dict[str, LocalizedText]  # by party code
    withheld: set[str]  # parties whose statement is not for the report's readers (narrower visibility)
    hidden: set[str]  # uids of the plan's items and deliverables some reader of the report may not see
    meeting: Meeting | None
    others: list[str]  # where a missing text falls back to, after English


def _hidden_parts(review: Review, audience: Audience | None) -> set[str]:
    """The uids of the plan's items and deliverables that some of the report's readers may not see."""
    if audience is None:
        return set()
    hidden: set[str] = set()
    for parts in (PlanItem.objects.filter(plan=review.plan), Deliverable.objects.filter(plan_item__plan=review.plan)):
        shown = audience.narrow(parts).values("pk")
        hidden |= {str(uid) for uid in parts.exclude(pk__in=shown).values_list("uid", flat=True)}
    return hidden


def _facts(review: Review, audience: Audience | None = None) -> _Facts:
    plan = review.plan
    agreement = plan.agreement
    figures = dict(review.figures or {})
    order = list(figures.get("parties") or [])
    codes = set(order) | set((figures.get("items") or {}).get("by_side") or {})
    for row in (figures.get("exchanges") or {}).get("by_kind_and_direction") or []:
        codes |= {row["from"], row["to"]}
    parties = {p.code: p for p in Party.objects.filter(code__in=codes)}
    statements, withheld = {}, set()
    for statement in review.statements.select_related("party").order_by("id"):
        code = statement.party.code
        parties.setdefault(code, statement.party)
        if code not in order:
            order.append(code)
        # The report is read by whoever may read the review: a statement its party shared more narrowly
        # (internal to its side, say, on a public review) stays out of it.
        if _REACH.get(str(statement.visibility), 0) < _REACH.get(str(review.visibility), 0):
            withheld.add(code)
        else:
            statements[code] = statement.text
    return _Facts(
        review=review,
        agreement=agreement,
        figures=figures,
        as_of=review.as_of,
        parties=parties,
        party_order=order,
        statements=statements,
        withheld=withheld,
        hidden=_hidden_parts(review, audience),
        meeting=review_meeting(review),
        others=fallback_languages(agreement),
    )


class _Writer:
    """One language's blocks from the facts."""

    def __init__(self, facts: _Facts, lang: str):
        self.f = facts
        self.lang = lang
        self.fig = facts.figures

    def w(self, key: str, **values: Any) -> str:
        return _word(self.lang, key, **values)

    def text(self, value: LocalizedText | dict[str, str] | None) -> str:
        return pick(value, self.lang, self.f.others)

    def n(self, value: int) -> str:
        return format_number(int(value), self.lang)

    def date(self, iso: str | dt.date) -> str:
        day = iso if isinstance(iso, dt.date) else dt.date.fromisoformat(iso)
        return format_date(day, self.lang)

    def party(self, code: str) -> str:
        party = self.f.parties.get(code)
        return self.text(party.name) if party is not None else code

    def direction(self, from_code: str, to_code: str) -> str:
        return f"{from_code} → {to_code}"

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        numbers: Sequence[int] = (),
        widths: tuple[int, ...] = (),
        emphasised: Sequence[bool] = (),
    ) -> Table:
        """A ruled table of figures; the columns in `numbers` are aligned right, emphasised rows are headings."""
        lang = self.lang

        def align(column: int) -> str:
            return "right" if column in numbers else ""

        body = [
            [
                Cell(lang, [Paragraph(text, lang, style="strong" if emphasised and emphasised[r] else "")], align(i))
                for i, text in enumerate(row)
            ]
            for r, row in enumerate(rows)
        ]
        head = [Cell(lang, [Heading(text, lang, 4)], align(i)) for i, text in enumerate(header)]
        return Table(body, style="figures", header=head, widths=widths)

    # --- the parts ---

    def front(self) -> list[Block]:
        review, lang, plan = self.f.review, self.lang, self.f.review.plan
        snapshot = self.fig.get("plan") or {}
        title = self.title()
        blocks: list[Block] = [
            Heading(title, lang, 1),
            Paragraph(self.text(self.f.agreement.title), lang, label=label(lang, "agreement")),
        ]
        start = snapshot.get("period_start") or plan.period_start.isoformat()
        end = snapshot.get("period_end") or plan.period_end.isoformat()
        blocks.append(
            Paragraph(
                format_period(dt.date.fromisoformat(start), dt.date.fromisoformat(end), lang),
                lang,
                label=label(lang, "period"),
            )
        )
        meeting = self.f.meeting
        if meeting is not None:
            comma = "，" if lang == "zh" else ", "
            where = comma.join(filter(None, [self.text(meeting.title), self.text(meeting.place)]))
            blocks.append(
                Paragraph(f"{where}{comma}{format_date(meeting.end_on, lang)}", lang, label=self.w("meeting"))
            )
        published = review.status == Review.Status.PUBLISHED
        blocks.append(Paragraph(self.w("published" if published else "draft"), lang, label=self.w("status")))
        version = snapshot.get("baseline_version") or review.baseline_version
        note = self.w("published_note" if published else "draft_note", date=self.date(self.f.as_of), version=version)
        blocks.append(Paragraph(note, lang, style="note"))
        return blocks

    def title(self) -> str:
        plan_title = self.text((self.fig.get("plan") or {}).get("title") or self.f.review.plan.title)
        if self.lang == "en" and not plan_title.lower().startswith("the "):
            plan_title = f"the {plan_title}"
        return self.w("title", plan=plan_title, date=self.date(self.f.as_of))

    def completion(self) -> list[Block]:
        c = self.fig.get("completion") or {}
        share = c.get("percent_complete")
        rows = [
            [self.w("planned"), self.n(c.get("planned", 0))],
            [self.w("completed"), self.n(c.get("completed", 0))],
        ]
        if share is not None:
            rows.append([self.w("percent"), format_percent(share, self.lang)])
        rows += [
            [self.w("cancelled"), self.n(c.get("cancelled", 0))],
            [self.w("carried"), self.n(c.get("carried_over", 0))],
        ]
        return [
            Heading(self.w("completion"), self.lang, 2),
            self.table([self.w("figure"), self.w("items")], rows, numbers=[1], widths=(4, 1)),
        ]

    def items(self) -> list[Block]:
        items = self.fig.get("items") or {}
        lang = self.lang
        by_status = items.get("by_status") or {}
        statuses = [s for s in STATUS_ORDER if s in by_status] + [s for s in by_status if s not in STATUS_ORDER]
        blocks: list[Block] = [Heading(self.w("by_status"), lang, 2)]
        blocks.append(
            self.table(
                [self.w("progress_status"), self.w("items")],
                [[choice_label(ProgressStatus, lang, s), self.n(by_status[s])] for s in statuses],
                numbers=[1],
                widths=(4, 1),
            )
        )
        blocks.append(
            Chart(
                self.w("chart", date=self.date(self.f.as_of), total=self.n(items.get("total", 0))),
                lang,
                [
                    Bar(choice_label(ProgressStatus, lang, s), int(by_status[s]), STATUS_COLOURS.get(s, "#555555"))
                    for s in statuses
                ],
            )
        )
        by_field = items.get("by_field") or {}
        if by_field:
            by_area = items.get("by_area") or {}
            rows, strong = [], []
            shown_areas: set[str] = set()
            for code, count in by_field.items():
                area = code.split(".", 1)[0] if code else ""
                if area and area != code and area not in shown_areas and area in by_area:
                    shown_areas.add(area)
                    rows.append([f"{area} {field_of_science(lang, area)}", self.n(by_area[area])])
                    strong.append(True)
                rows.append([f"{code} {field_of_science(lang, code)}".strip(), self.n(count)])
                strong.append(False)
            blocks += [
                Heading(self.w("by_field"), lang, 2),
                self.table([self.w("field"), self.w("items")], rows, numbers=[1], widths=(4, 1), emphasised=strong),
            ]
        by_modality = items.get("by_modality") or {}
        if by_modality:
            blocks += [
                Heading(self.w("by_modality"), lang, 2),
                self.table(
                    [self.w("modality"), self.w("items")],
                    [[choice_label(Modality, lang, m), self.n(n)] for m, n in by_modality.items()],
                    numbers=[1],
                    widths=(4, 1),
                ),
            ]
        by_side = items.get("by_side") or {}
        if by_side:
            order = [c for c in self.f.party_order if c in by_side] + [
                c for c in by_side if c not in self.f.party_order
            ]
            blocks += [
                Heading(self.w("by_side"), lang, 2),
                self.table(
                    [self.w("side"), self.w("items")],
                    [[self.party(code), self.n(by_side[code])] for code in order],
                    numbers=[1],
                    widths=(4, 1),
                ),
                Paragraph(self.w("by_side_note"), lang, style="note"),
            ]
        return blocks

    def exchanges(self) -> list[Block]:
        lang = self.lang
        exchanges = self.fig.get("exchanges") or {}
        rows = exchanges.get("by_kind_and_direction") or []
        headline = exchanges.get("headline") or {}
        blocks: list[Block] = [Heading(self.w("exchanges"), lang, 2)]
        if not rows:
            blocks.append(Paragraph(self.w("no_exchanges", date=self.date(self.f.as_of)), lang))
        else:
            keys = list(headline)  # "all" first, then each direction as "CN→SU"
            header = [self.w("figure")] + [self.w("all") if k == "all" else k.replace("→", " → ") for k in keys]
            table_rows = [
                [self.w(f"h_{name}")] + [self.quantity(headline[k].get(name, 0)) for k in keys]
                for name in HEADLINE_ORDER
                if any(name in headline[k] for k in keys)
            ]
            blocks.append(self.table(header, table_rows, numbers=range(1, len(header)), widths=(4, *[1] * len(keys))))
            blocks.append(Heading(self.w("by_kind"), lang, 3))
            blocks.append(
                self.table(
                    [
                        self.w("kind"),
                        self.w("direction"),
                        self.w("count"),
                        self.w("quantity"),
                        self.w("unit"),
                        self.w("sent"),
                        self.w("received"),
                        self.w("awaiting"),
                    ],
                    [
                        [
                            choice_label(ExchangeKind, lang, r["kind"]),
                            self.direction(r["from"], r["to"]),
                            self.n(r["count"]),
                            self.quantity(r["quantity"]),
                            unit_column(lang, r["unit"]),
                            self.n(r["sent"]),
                            self.n(r["received"]),
                            self.n(r["awaiting_receipt"]),
                        ]
                        for r in rows
                    ],
                    numbers=[2, 3, 5, 6, 7],
                    widths=(5, 3, 2, 3, 3, 3, 3, 3),
                )
            )
        outstanding = exchanges.get("receipts_outstanding") or []
        if outstanding:
            blocks.append(Heading(self.w("outstanding"), lang, 3))
            blocks.append(
                self.table(
                    [
                        self.w("sent_on"),
                        self.w("direction"),
                        self.w("kind"),
                        self.w("quantity"),
                        self.w("unit"),
                        self.w("reference"),
                        self.w("project"),
                        self.w("days_waiting"),
                    ],
                    [
                        [
                            self.date(r["sent_on"]),
                            self.direction(r["from"], r["to"]),
                            choice_label(ExchangeKind, lang, r["kind"]),
                            self.quantity(r["quantity"]),
                            unit_column(lang, r["unit"]),
                            r.get("sent_reference") or "",
                            r.get("project") or "",
                            self.n(r["days_waiting"]),
                        ]
                        for r in outstanding
                    ],
                    numbers=[3, 7],
                    widths=(4, 3, 4, 3, 3, 3, 2, 2),
                )
            )
        if rows or outstanding:
            legend = ("；" if lang == "zh" else "; ").join(
                f"{code}{label_sep(lang)}{self.party(code)}" for code in self.f.party_order
            )
            blocks.append(Paragraph(legend, lang, label=self.w("parties"), style="note"))
        return blocks

    def quantity(self, value: Any) -> str:
        """A quantity from the snapshot: a decimal string ("12", "2.5") or a count."""
        if isinstance(value, int):
            return self.n(value)
        text = str(value)
        return self.n(int(text)) if text.isdigit() else format_decimal(text, self.lang)

    def shown(self, rows: list[dict[str, Any]], key: str) -> tuple[list[dict[str, Any]], int]:
        """The rows whose part (`key`: its uid) every reader may see, and how many others were left out."""
        kept = [r for r in rows if str(r.get(key)) not in self.f.hidden]
        return kept, len(rows) - len(kept)

    def overdue(self) -> list[Block]:
        lang = self.lang
        rows, left_out = self.shown(self.fig.get("overdue_deliverables") or [], "deliverable")
        blocks: list[Block] = [Heading(self.w("overdue"), lang, 2)]
        if left_out:
            blocks.append(Paragraph(withheld_deliverables_note(lang, left_out), lang, style="note"))
        if not rows:
            return [*blocks, Paragraph(self.w("no_overdue", date=self.date(self.f.as_of)), lang)]
        blocks.append(
            self.table(
                [
                    self.w("item"),
                    self.w("project"),
                    self.w("deliverable"),
                    self.w("due"),
                    self.w("days_overdue"),
                    self.w("owed_by"),
                ],
                [
                    [
                        str(r.get("position") or ""),
                        r.get("project") or "",
                        f"{deliverable_kind(lang, r['kind'])}{label_sep(lang)}{self.text(r.get('title'))}",
                        self.date(r["due_on"]),
                        self.n(r["days_overdue"]),
                        r.get("owed_by") or "",
                    ]
                    for r in rows
                ],
                numbers=[0, 4],
                widths=(2, 2, 8, 4, 2, 2),
            )
        )
        return blocks

    def carry_over(self) -> list[Block]:
        lang = self.lang
        rows, left_out = self.shown(self.fig.get("carry_over") or [], "item")
        blocks: list[Block] = [Heading(self.w("carry_over"), lang, 2)]
        if left_out:
            blocks.append(Paragraph(withheld_note(lang, left_out), lang, style="note"))
        if not rows:
            return [*blocks, Paragraph(self.w("no_carry_over"), lang)]
        blocks.append(
            self.table(
                [
                    self.w("item"),
                    self.w("project"),
                    self.w("project_title"),
                    self.w("progress_status"),
                    self.w("progress"),
                ],
                [
                    [
                        str(r.get("position") or ""),
                        r.get("project") or "",
                        self.text(r.get("title")),
                        choice_label(ProgressStatus, lang, r["status"]),
                        format_percent(str(r.get("percent", 0)), lang),
                    ]
                    for r in rows
                ],
                numbers=[0, 4],
                widths=(2, 2, 12, 4, 3),
            )
        )
        return blocks

    def statements(self) -> list[Block]:
        lang = self.lang
        blocks: list[Block] = [Heading(self.w("statements"), lang, 2)]
        for code in self.f.party_order:
            party = self.party(code)
            text = self.text(self.f.statements.get(code))
            if code in self.f.withheld:
                continue
            if not text:
                blocks.append(Paragraph(self.w("no_statement", party=party), lang, style="note"))
                continue
            blocks.append(Heading(self.w("statement_of", party=party), lang, 3))
            blocks += [Paragraph(line.strip(), lang) for line in text.splitlines() if line.strip()]
        return blocks


def build_review_report(review: Review, language: str, *, audience: Audience | None = None) -> Content:
    """The report of `review` in one language (a primary tag): front matter, figures, lists, statements.

    The lists name only the items and deliverables every reader in `audience` may see, and count the others.
    """
    lang = primary(language)
    writer = _Writer(_facts(review, audience), lang)
    blocks: list[Block] = [
        *writer.front(),
        *writer.completion(),
        *writer.items(),
        *writer.exchanges(),
        *writer.overdue(),
        *writer.carry_over(),
        *writer.statements(),
    ]
    return Content(
        kind="review_report",
        titles={lang: writer.title()},
        languages=[lang],
        blocks=blocks,
        issued_on=review.as_of,
    )
