"""The communiqué of a meeting: who met, where and when, what was reviewed and signed, the figures.

The records are read once into `MeetingFacts`; each language then has its own writer (grammar differs:
Chinese needs no articles, Russian cases are avoided by naming documents and parties in quotes or after a
colon, in the nominative the records hold). Every name, date, place and number comes from the records;
a figure that is not recorded (a review's computed totals before the review exists) is left out, never
made up.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from accord.agreements.models import Agreement, Signature
from accord.core.localized import LocalizedText
from accord.directory.models import Organisation, Party, Person
from accord.documents.content import Block, Content, Heading, Paragraph
from accord.documents.facts import DatedNames, agreement_languages, parties_in_order, plan_signatures
from accord.documents.wording import format_date, format_number, join_list, label, label_sep, pick, primary
from accord.meetings.models import AgendaItem, DelegationMember, Meeting
from accord.programmes.models import Plan


@dataclass
class Member:
    person: Person
    capacity: LocalizedText
    is_head: bool = False


@dataclass
class DelegationFacts:
    party: Party
    organisation: Organisation | None
    members: list[Member]


@dataclass
class Adoption:
    plan: Plan
    signatures: list[Signature]


@dataclass
class MeetingFacts:
    """Everything the communiqué says, read from the records in a handful of queries."""

    meeting: Meeting
    agreement: Agreement
    languages: list[str]  # the parties' and authentic languages: where missing texts fall back to
    delegations: list[DelegationFacts]
    reviewed: list[Plan]
    adopted: list[Adoption]
    other_items: list[AgendaItem]
    # Attendees grouped by occasion, in the order first recorded: (occasion, [(person, capacity)]).
    attendance: list[tuple[LocalizedText, list[Member]]]
    project_count: int
    names: DatedNames = field(repr=False)


def meeting_facts(meeting: Meeting) -> MeetingFacts:
    agreement = meeting.agreement
    parties = parties_in_order(agreement)
    order = {p.pk: i for i, p in enumerate(parties)}
    languages = [*agreement.authentic_languages, *[lang for p in parties for lang in p.languages]]

    delegations = []
    for delegation in meeting.delegations.select_related("party", "organisation").prefetch_related("members__person"):
        members = [
            Member(m.person, m.capacity, m.role == DelegationMember.Role.HEAD)
            for m in sorted(delegation.members.all(), key=lambda m: (m.role != DelegationMember.Role.HEAD, m.pk))
        ]
        delegations.append(DelegationFacts(delegation.party, delegation.organisation, members))
    delegations.sort(key=lambda d: order.get(d.party.pk, len(order)))

    reviewed, adopted, others = [], [], []
    for item in meeting.agenda_items.select_related("plan").order_by("position"):
        if item.kind == AgendaItem.Kind.REVIEW and item.plan is not None:
            reviewed.append(item.plan)
        elif item.kind == AgendaItem.Kind.ADOPTION and item.plan is not None:
            adopted.append(Adoption(item.plan, plan_signatures(item.plan)))
        else:
            others.append(item)

    groups: dict[str, tuple[LocalizedText, list[Member]]] = {}
    for attendee in meeting.attendees.select_related("person").order_by("id"):
        key = json.dumps(attendee.occasion, sort_keys=True, ensure_ascii=False)
        groups.setdefault(key, (attendee.occasion, []))[1].append(Member(attendee.person, attendee.capacity))

    return MeetingFacts(
        meeting=meeting,
        agreement=agreement,
        languages=languages,
        delegations=delegations,
        reviewed=reviewed,
        adopted=adopted,
        other_items=others,
        attendance=list(groups.values()),
        project_count=agreement.projects.count(),
        names=DatedNames(meeting.end_on, languages),
    )


def communique_languages(meeting: Meeting) -> list[str]:
    """The languages a communiqué of this meeting can be written in: the parties' and English, where framed."""
    return agreement_languages(meeting.agreement)


def build_communique(meeting: Meeting, language: str) -> Content:
    lang = primary(language)
    facts = meeting_facts(meeting)
    say = _Say(lang, facts)
    blocks: list[Block] = [
        Heading(label(lang, "communique"), lang, 1),
        Paragraph(say.text(meeting.title), lang, style="center"),
        Paragraph(_DATELINES[lang](say), lang, style="dateline"),
    ]
    blocks += [Paragraph(text, lang) for text in _WRITERS[lang](say) if text]
    for d in facts.delegations:
        line = _DELEGATION_LINES[lang](say, d)
        blocks.append(Paragraph(line[1], lang, label=line[0]))
    title = f"{label(lang, 'communique')}{label_sep(lang)}{say.text(meeting.title)}"
    return Content(kind="communique", titles={lang: title}, languages=[lang], blocks=blocks, issued_on=meeting.end_on)


class _Say:
    """The records' words in one language: names, dated organisation names, places, dates."""

    def __init__(self, lang: str, facts: MeetingFacts):
        self.lang = lang
        self.f = facts

    def text(self, value: LocalizedText | dict[str, str] | None) -> str:
        return pick(value, self.lang, self.f.languages)

    def person(self, person: Person) -> str:
        return self.text(person.name)

    def org(self, organisation: Organisation) -> str:
        return self.f.names(organisation, self.lang)

    def party(self, party: Party) -> str:
        return self.text(party.name)

    def date(self, day: dt.date) -> str:
        return format_date(day, self.lang)

    @property
    def place(self) -> str:
        return self.text(self.f.meeting.place)

    @property
    def agreement(self) -> str:
        return self.text(self.f.agreement.title)

    def orgs(self) -> list[str]:
        return [self.org(d.organisation) for d in self.f.delegations if d.organisation is not None]


# --- English ------------------------------------------------------------------------------------------


def _the(title: str) -> str:
    return title if title[:4].lower() == "the " else f"the {title}"


def _en(say: _Say) -> list[str]:
    f, m = say.f, say.f.meeting
    out = []
    orgs = join_list([_the(o) for o in say.orgs()], "en")
    who = f"The meeting of the delegations of {orgs}" if orgs else "The meeting of the delegations"
    if m.start_on and m.start_on != m.end_on:
        out.append(f"{who} was held in {say.place} from {say.date(m.start_on)} to {say.date(m.end_on)}.")
    else:
        out.append(f"{who} concluded in {say.place} on {say.date(m.end_on)}.")
    if f.reviewed:
        signed = f", signed on {say.date(f.agreement.signed_on)}" if f.agreement.signed_on else ""
        plans = join_list([_the(say.text(p.title)) for p in f.reviewed], "en")
        out.append(
            f"The delegations reviewed the results of the implementation of {plans} "
            f"under {_the(say.agreement)}{signed}."
        )
    for a in f.adopted:
        plan = _the(say.text(a.plan.title))
        if not a.signatures:
            out.append(f"They discussed {plan}.")
            continue
        out.append(f"They discussed and signed {plan}.")
        signers = [
            ", ".join(filter(None, [say.person(s.signatory), say.text(s.capacity), f"for the {say.party(s.party)}"]))
            for s in a.signatures
            if s.signatory is not None
        ]
        if signers:
            out.append(f"{plan[0].upper()}{plan[1:]} was signed by " + ", and by ".join(signers) + ".")
    for occasion, people in f.attendance:
        out.append(f"{_en_people(say, people)} attended {say.text(occasion) or 'the meeting'}.")
    for item in f.other_items:
        out.append(f"The delegations also considered: {say.text(item.title)}. {say.text(item.decision)}".strip())
    if f.project_count:
        kind = f.agreement.get_kind_display()
        out.append(
            f"The cooperation under the {kind} comprises {format_number(f.project_count, 'en')} "
            f"scientific and technological projects."
        )
    return out


def _en_people(say: _Say, people: list[Member]) -> str:
    """'Liu Xiao, Chinese Ambassador to the Soviet Union, and Petukhov, Chairman of ...,': capacities in commas."""
    parts = [", ".join(filter(None, [say.person(p.person), say.text(p.capacity)])) for p in people]
    if not any(say.text(p.capacity) for p in people):
        return join_list(parts, "en")
    head = ", ".join(parts[:-1])
    return f"{head}, and {parts[-1]}," if head else f"{parts[-1]},"


def _en_delegation(say: _Say, d: DelegationFacts) -> tuple[str, str]:
    members = "; ".join(_member(say, m, ", ", " (head of the delegation)") for m in d.members)
    org = f"{say.org(d.organisation)}. " if d.organisation else ""
    return f"Delegation of the {say.party(d.party)}", f"{org}Members: {members}." if members else org.strip()


# --- Chinese ------------------------------------------------------------------------------------------


def _zh(say: _Say) -> list[str]:
    f, m = say.f, say.f.meeting
    out = []
    orgs = join_list(say.orgs(), "zh")
    who = f"{orgs}的代表团会议" if orgs else "双方代表团会议"
    if m.start_on and m.start_on != m.end_on:
        out.append(f"{who}，于{say.date(m.start_on)}至{say.date(m.end_on)}在{say.place}举行。")
    else:
        out.append(f"{who}，于{say.date(m.end_on)}在{say.place}结束。")
    if f.reviewed:
        signed = f"{say.date(f.agreement.signed_on)}签订的" if f.agreement.signed_on else ""
        plans = join_list([say.text(p.title) for p in f.reviewed], "zh")
        out.append(f"双方在会议中讨论了关于执行{signed}《{say.agreement}》的{plans}的执行结果。")
    for a in f.adopted:
        plan = say.text(a.plan.title)
        if not a.signatures:
            out.append(f"双方商谈了{plan}。")
            continue
        out.append(f"双方商谈和签订了{plan}。")
        signers = [
            f"{say.party(s.party)}方面是{say.text(s.capacity)}{say.person(s.signatory)}"
            for s in a.signatures
            if s.signatory is not None
        ]
        if signers:
            out.append(f"在{plan}上签字的，" + "，".join(signers) + "。")
    for occasion, people in f.attendance:
        names = join_list([f"{say.text(p.capacity)}{say.person(p.person)}" for p in people], "zh")
        what = say.text(occasion) or "会议"
        out.append(f"{names}参加了{what}。")
    for item in f.other_items:
        out.append(f"双方还讨论了{say.text(item.title)}。{say.text(item.decision)}")
    if f.project_count:
        kind = {"protocol": "议定书", "agreement": "协定", "memorandum": "谅解备忘录", "programme": "合作纲要"}
        out.append(
            f"双方根据{kind.get(f.agreement.kind, '协定')}进行合作的科学技术项目"
            f"共{format_number(f.project_count, 'zh')}项。"
        )
    return out


def _zh_delegation(say: _Say, d: DelegationFacts) -> tuple[str, str]:
    members = "；".join(
        f"{say.text(m.capacity)}{say.person(m.person)}{'（团长）' if m.is_head else ''}" for m in d.members
    )
    org = f"{say.org(d.organisation)}。" if d.organisation else ""
    return f"{say.party(d.party)}代表团", f"{org}成员：{members}。" if members else org


# --- Russian ------------------------------------------------------------------------------------------

# The agreement's kind as the genitive after "в рамках" (the records hold no case forms of titles).
_RU_KIND_GENITIVE = {
    "protocol": "Протокола",
    "agreement": "Соглашения",
    "memorandum": "Меморандума",
    "programme": "Программы",
}


def _ru(say: _Say) -> list[str]:
    f, m = say.f, say.f.meeting
    out = []
    orgs = say.orgs()
    sent = f" Делегации направили: {join_list(orgs, 'ru')}." if orgs else ""
    if m.start_on and m.start_on != m.end_on:
        out.append(
            f"С {say.date(m.start_on)} по {say.date(m.end_on)} в г. {say.place} проходило совещание делегаций.{sent}"
        )
    else:
        out.append(f"{say.date(m.end_on)} в г. {say.place} завершилось совещание делегаций.{sent}")
    if f.reviewed:
        signed = f", подписанного {say.date(f.agreement.signed_on)}" if f.agreement.signed_on else ""
        plans = join_list([f"«{say.text(p.title)}»" for p in f.reviewed], "ru")
        noun, participle = ("документов", "принятых") if len(f.reviewed) > 1 else ("документа", "принятого")
        out.append(
            _full_stop(
                f"Стороны рассмотрели итоги выполнения {noun} {plans}, {participle} в рамках документа "
                f"«{say.agreement}»{signed}"
            )
        )
    for a in f.adopted:
        plan = say.text(a.plan.title)
        if not a.signatures:
            out.append(f"Стороны обсудили документ «{plan}».")
            continue
        out.append(f"Стороны обсудили и подписали документ «{plan}».")
        signers = [
            f"от стороны «{say.party(s.party)}» — "
            + ", ".join(filter(None, [say.person(s.signatory), say.text(s.capacity)]))
            for s in a.signatures
            if s.signatory is not None
        ]
        if signers:
            out.append(f"Документ «{plan}» подписали: " + "; ".join(signers) + ".")
    for occasion, people in f.attendance:
        names = "; ".join(_member(say, p, ", ", "") for p in people)
        what = say.text(occasion)
        out.append(f"Присутствовали ({what}): {names}." if what else f"На совещании присутствовали также: {names}.")
    for item in f.other_items:
        out.append(f"Стороны рассмотрели также вопрос «{say.text(item.title)}». {say.text(item.decision)}".strip())
    if f.project_count:
        kind = _RU_KIND_GENITIVE.get(f.agreement.kind, "Соглашения")
        out.append(
            f"Число научно-технических проектов, осуществляемых в рамках {kind}: "
            f"{format_number(f.project_count, 'ru')}."
        )
    return out


def _ru_delegation(say: _Say, d: DelegationFacts) -> tuple[str, str]:
    members = "; ".join(_member(say, m, ", ", " (глава делегации)") for m in d.members)
    org = f"{say.org(d.organisation)}. " if d.organisation else ""
    return f"Делегация стороны «{say.party(d.party)}»", f"{org}Состав: {members}." if members else org.strip()


def _full_stop(sentence: str) -> str:
    """End with one full stop, also after an abbreviation that has its own ('1958 г.')."""
    return sentence if sentence.endswith(".") else f"{sentence}."


def _member(say: _Say, m: Member, sep: str, head: str) -> str:
    return sep.join(filter(None, [say.person(m.person), say.text(m.capacity)])) + (head if m.is_head else "")


# --- datelines and dispatch ---------------------------------------------------------------------------

_DATELINES: dict[str, Callable[[_Say], str]] = {
    "en": lambda s: f"{s.place}, {s.date(s.f.meeting.end_on)}",
    "zh": lambda s: f"{s.place}，{s.date(s.f.meeting.end_on)}",
    "ru": lambda s: f"{s.place}, {s.date(s.f.meeting.end_on)}",
}
_WRITERS: dict[str, Callable[[_Say], list[str]]] = {"en": _en, "zh": _zh, "ru": _ru}
_DELEGATION_LINES: dict[str, Callable[[_Say, DelegationFacts], tuple[str, str]]] = {
    "en": _en_delegation,
    "zh": _zh_delegation,
    "ru": _ru_delegation,
}
