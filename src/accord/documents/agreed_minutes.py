"""The minutes of a meeting as a document: the meeting, the text of the current revision, the sign-offs.

The text is the delegations' own (a revision of the minutes, `accord.meetings`), one paragraph per line; what Accord
writes around it is the heading (the meeting's title, place and dates), where the minutes stand (draft,
or final since the day the last party signed off) and the sign-off block: each party's signer and date
on the current revision, which for final minutes is the revision that became final. Sign-offs given on
earlier revisions do not count for the text shown, so they are not shown.
"""

from __future__ import annotations

from accord.core.localized import LocalizedText
from accord.directory.models import Party
from accord.documents.content import Block, Content, Heading, Paragraph
from accord.documents.facts import agreement_languages, fallback_languages
from accord.documents.wording import FRAMED, format_date, format_period, label, label_sep, pick, primary
from accord.meetings.models import Minutes, MinutesRevision, MinutesSignOff
from accord.meetings.services.minutes import languages_of, meeting_parties

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "minutes": "Minutes",
        "status": "Status",
        "final": "Final (revision {revision}), agreed by all parties on {date}",
        "draft": "Draft (revision {revision}), not yet agreed by all parties",
        "made_by": "Revision {revision} by the delegation of the {party}.",
        "made_by_secretariat": "Revision {revision} by the secretariat.",
        "fallback": "This revision has no text in {missing}; the {shown} text follows.",
        "sign_offs": "Sign-off",
        "signed": "{signer}, {date}",
        "pending": "not yet signed off",
        "no_text": "This revision has no text.",
    },
    "zh": {
        "minutes": "会议纪要",
        "status": "状态",
        "final": "定稿（第{revision}稿），各方已于{date}签字确认",
        "draft": "草稿（第{revision}稿），尚未经各方签字确认",
        "made_by": "第{revision}稿由{party}代表团提出。",
        "made_by_secretariat": "第{revision}稿由秘书处提出。",
        "fallback": "本稿没有{missing}文本，以下为{shown}文本。",
        "sign_offs": "签字确认",
        "signed": "{signer}，{date}",
        "pending": "尚未签字确认",
        "no_text": "本稿没有文本。",
    },
    "ru": {
        "minutes": "Протокол совещания",
        "status": "Статус",
        "final": "Окончательный текст (редакция {revision}), согласован всеми сторонами {date}",
        "draft": "Проект (редакция {revision}), ещё не согласован всеми сторонами",
        "made_by": "Редакция {revision} внесена делегацией стороны «{party}».",
        "made_by_secretariat": "Редакция {revision} подготовлена секретариатом.",
        "fallback": "Текста этой редакции на языке «{missing}» нет; приводится текст на языке «{shown}».",
        "sign_offs": "Подписи сторон",
        "signed": "{signer}, {date}",
        "pending": "ещё не подписан",
        "no_text": "В этой редакции нет текста.",
    },
}

# Language names as the note on a missing text uses them.
_LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "en": {"en": "English", "zh": "Chinese", "ru": "Russian"},
    "zh": {"en": "英文", "zh": "中文", "ru": "俄文"},
    "ru": {"en": "английский", "zh": "китайский", "ru": "русский"},
}


def _word(lang: str, key: str, **values: str) -> str:
    table = _WORDS.get(primary(lang), _WORDS["en"])
    return table.get(key, _WORDS["en"][key]).format(**values)


def _language_name(lang: str, tag: str) -> str:
    return _LANGUAGE_NAMES.get(lang, _LANGUAGE_NAMES["en"]).get(primary(tag), tag)


def minutes_languages(minutes: Minutes) -> list[str]:
    """The agreement's and parties' languages and English, and any framed language the minutes are written in."""
    offered = agreement_languages(minutes.meeting.agreement)
    written = {primary(tag) for tag in languages_of(minutes)}
    return [lang for lang in FRAMED if lang in offered or lang in written]


def _text(revision: MinutesRevision, lang: str, others: list[str]) -> tuple[str, str]:
    """The revision's text in `lang` (any tag of that language), else its fallback, and the tag it is in."""
    body = {k: v for k, v in (revision.body or {}).items() if v}
    for tag in sorted(body):
        if primary(tag) == lang:
            return body[tag], lang
    text = pick(body, lang, others)
    shown = next((tag for tag in sorted(body) if body[tag] == text), "")
    return text, primary(shown) if shown else ""


def _signer(sign_off: MinutesSignOff, lang: str, others: list[str]) -> str:
    """The signer as the document's language writes the name; the name frozen at signing otherwise."""
    if sign_off.signed_by is not None:
        name = pick(sign_off.signed_by.name, lang, others)
        if name:
            return name
    return sign_off.signer_name


def build_minutes(minutes: Minutes, language: str) -> Content:
    """The minutes in one language (a primary tag): heading, status, the current revision's text, sign-offs."""
    lang = primary(language)
    meeting = minutes.meeting
    others = fallback_languages(meeting.agreement)

    def text(value: LocalizedText | dict[str, str] | None) -> str:
        return pick(value, lang, others)

    revision = (
        MinutesRevision.objects.filter(minutes=minutes, number=minutes.current_revision).select_related("party").first()
    )
    title = text(meeting.title)
    place = text(meeting.place)
    if meeting.start_on and meeting.start_on != meeting.end_on:
        when = format_period(meeting.start_on, meeting.end_on, lang)
    else:
        when = format_date(meeting.end_on, lang)
    comma = "，" if lang == "zh" else ", "
    blocks: list[Block] = [
        Heading(_word(lang, "minutes"), lang, 1),
        Paragraph(title, lang, style="center"),
        Paragraph(f"{place}{comma}{when}" if place else when, lang, style="dateline"),
    ]
    number = str(minutes.current_revision)
    if minutes.is_final and minutes.finalised_on:
        status = _word(lang, "final", revision=number, date=format_date(minutes.finalised_on, lang))
    else:
        status = _word(lang, "draft", revision=number)
    blocks.append(Paragraph(status, lang, label=_word(lang, "status")))
    if revision is not None:
        if revision.party is not None:
            made = _word(lang, "made_by", revision=number, party=text(revision.party.name))
        else:
            made = _word(lang, "made_by_secretariat", revision=number)
        blocks.append(Paragraph(made, lang, style="note"))
        body, shown = _text(revision, lang, others)
        if body and shown and shown != lang:
            missing, shown_name = _language_name(lang, lang), _language_name(lang, shown)
            blocks.append(Paragraph(_word(lang, "fallback", missing=missing, shown=shown_name), lang, style="note"))
        lines = [line.strip() for line in body.splitlines() if line.strip()]
        blocks += [Paragraph(line, lang) for line in lines] or [Paragraph(_word(lang, "no_text"), lang, style="note")]
    blocks += _sign_offs(minutes, lang, others)
    return Content(
        kind="minutes",
        titles={lang: f"{_word(lang, 'minutes')}{label_sep(lang)}{title}"},
        languages=[lang],
        blocks=blocks,
        issued_on=minutes.finalised_on or meeting.end_on,
    )


def _sign_offs(minutes: Minutes, lang: str, others: list[str]) -> list[Block]:
    """Each party's sign-off on the current revision (the final one, once final), in the parties' order."""
    parties: list[Party] = meeting_parties(minutes.meeting)
    signed = {
        s.party_id: s
        for s in MinutesSignOff.objects.filter(minutes=minutes, revision=minutes.current_revision)
        .select_related("signed_by")
        .order_by("id")
    }
    blocks: list[Block] = [Heading(_word(lang, "sign_offs"), lang, 2)]
    for party in parties:
        sign_off = signed.get(party.pk)
        if sign_off is None:
            line = _word(lang, "pending")
        else:
            signer, day = _signer(sign_off, lang, others), format_date(sign_off.signed_on, lang)
            line = _word(lang, "signed", signer=signer, date=day) if signer else day
        blocks.append(Paragraph(line, lang, label=label(lang, "for_party", party=pick(party.name, lang, others))))
    return blocks
