"""The words documents are written in: dates, numbers and the fixed labels of each language.

Everything variable in a document (names, places, dates, counts) comes from the records; what lives here
is only the frame around it, written once per language. A language without its own frame falls back to
English labels and ISO dates, so a record in any language still yields a readable document.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence

from django.db import models
from django.utils import translation

from accord.core.localized import LocalizedText, normalize_tag
from accord.programmes.choices import DeliverableKind, FieldOfScience, QuantityUnit

# Languages whose frame (labels, date format, sentence templates) is written out below.
FRAMED = ("en", "zh", "ru")
# Scripts that need a CJK font to print.
CJK_LANGUAGES = frozenset({"zh", "ja", "ko"})

_RU_MONTHS = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def primary(tag: str) -> str:
    """'zh-Hans' -> 'zh'."""
    return tag.split("-", 1)[0].lower()


def needs_cjk(language: str) -> bool:
    return primary(language) in CJK_LANGUAGES


def clean_language(tag: str) -> str:
    """The canonical form of a language tag; ValueError naming it when it is not one."""
    return normalize_tag(tag.strip())


def format_date(day: dt.date, language: str) -> str:
    """A date as that language writes it in an official text: 1960年2月24日, 24 февраля 1960 г., 24 February 1960."""
    lang = primary(language)
    if lang in ("zh", "ja"):
        return f"{day.year}年{day.month}月{day.day}日"
    if lang == "ko":
        return f"{day.year}년 {day.month}월 {day.day}일"
    if lang == "ru":
        return f"{day.day} {_RU_MONTHS[day.month - 1]} {day.year} г."
    if lang == "en":
        return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"
    return day.isoformat()


def format_period(start: dt.date, end: dt.date, language: str) -> str:
    lang = primary(language)
    if lang in ("zh", "ja"):
        return f"{format_date(start, lang)}至{format_date(end, lang)}"
    if lang == "ru":
        return f"с {format_date(start, lang)} по {format_date(end, lang)}"
    return f"{format_date(start, language)} – {format_date(end, language)}"


def format_number(n: int, language: str) -> str:
    """Counts in Arabic digits in every language (the records' figure, never spelled out)."""
    if primary(language) == "ru" and abs(n) >= 10000:
        return f"{n:,}".replace(",", "\u00a0")  # Russian groups thousands with a (non-breaking) space
    return f"{n:,}" if abs(n) >= 10000 else str(n)


def join_list(parts: Sequence[str], language: str) -> str:
    """'A and B', 'A, B and C'; 'A和B', 'A、B和C'; 'A и B'."""
    parts = [p for p in parts if p]
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    lang = primary(language)
    if lang in ("zh", "ja"):
        return "、".join(parts[:-1]) + "和" + parts[-1]
    conj = {"ru": " и ", "en": " and "}.get(lang, " and ")
    return ", ".join(parts[:-1]) + conj + parts[-1]


def label_sep(language: str) -> str:
    """What follows a label: '：' in Chinese and Japanese, ': ' elsewhere."""
    return "：" if primary(language) in ("zh", "ja") else ": "


def fallbacks(language: str, others: Iterable[str] = ()) -> tuple[str, ...]:
    """Which languages a missing text falls back to: English (readable by both sides), then the others."""
    return _fallbacks(language, tuple(others))


@functools.lru_cache(maxsize=256)
def _fallbacks(language: str, others: tuple[str, ...]) -> tuple[str, ...]:
    return ("en", *[o for o in others if primary(o) != primary(language)])


def pick(value: LocalizedText | dict[str, str] | None, language: str, others: Iterable[str] = ()) -> str:
    """The text of a localized value in `language`, else its fallbacks."""
    if not value:
        return ""
    text = value if isinstance(value, LocalizedText) else LocalizedText(value)
    return text.get_text(language, fallbacks(language, others))


# --- labels -------------------------------------------------------------------------------------------

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "language_name": "English",
        "communique": "Communiqué",
        "plan_text": "Plan",
        "agreement": "Agreement",
        "period": "Period",
        "signed": "Signed",
        "draft": "Draft: not signed",
        "item": "{position}. Project {number}: {title}",
        "objectives": "Objectives",
        "responsible": "Responsible organisations",
        "deliverables": "Deliverables",
        "due": "due {date}",
        "carried_over": "Carried over from the {plan}.",
        "signatures": "Signatures",
        "for_party": "For the {party}",
        "no_items": "The plan has no items.",
        "english_version": "English version (for information; not an authentic text)",
        "items_count": "{n} items",
        "no_field": "Field not recorded",
    },
    "zh": {
        "language_name": "中文",
        "communique": "公报",
        "plan_text": "计划",
        "agreement": "依据",
        "period": "期限",
        "signed": "签订",
        "draft": "草案（未签订）",
        "item": "{position}. 项目{number}：{title}",
        "objectives": "目标",
        "responsible": "负责单位",
        "deliverables": "成果",
        "due": "{date}前",
        "carried_over": "由{plan}转入。",
        "signatures": "签字",
        "for_party": "{party}代表",
        "no_items": "本计划没有项目。",
        "english_version": "英文本（仅供参考，非作准文本）",
        "items_count": "共{n}项",
        "no_field": "未注明学科",
    },
    "ru": {
        "language_name": "Русский",
        "communique": "Коммюнике",
        "plan_text": "План",
        "agreement": "Основание",
        "period": "Период",
        "signed": "Подписан",
        "draft": "Проект (не подписан)",
        "item": "{position}. Проект № {number}: {title}",
        "objectives": "Цели",
        "responsible": "Ответственные организации",
        "deliverables": "Результаты",
        "due": "срок — {date}",
        "carried_over": "Перенесено из документа «{plan}».",
        "signatures": "Подписи",
        "for_party": "От стороны «{party}»",
        "no_items": "В плане нет пунктов.",
        "english_version": "Текст на английском языке (для сведения; не является аутентичным)",
        "items_count": "пунктов: {n}",
        "no_field": "Область не указана",
    },
}


def label(language: str, key: str, **values: str) -> str:
    """A fixed label in `language` (English where the language has no frame), filled with `values`."""
    table = LABELS.get(primary(language), LABELS["en"])
    return table.get(key, LABELS["en"][key]).format(**values)


def choice_label(choices: type[models.Choices], language: str, value: str) -> str:
    """A stored value (a status, a kind, a field code, a unit) named in `language` by its choice's gettext label:
    the one vocabulary pages, API and documents share. English where the catalogues lack the language; as
    stored when it is not a choice."""
    labels = dict(choices.choices)
    if value not in labels:
        return value
    with translation.override(_CATALOGUES.get(primary(language), primary(language))):
        return str(labels[value])


# Django's catalogue of each primary language a document may be written in (settings.LANGUAGES).
_CATALOGUES = {"zh": "zh-hans"}


def deliverable_kind(language: str, kind: str) -> str:
    return choice_label(DeliverableKind, language, kind)


def format_decimal(text: str, language: str) -> str:
    """A quantity the records store as a decimal string ("2.5"): Russian writes a decimal comma."""
    return text.replace(".", ",") if primary(language) == "ru" else text


def format_percent(text: str, language: str) -> str:
    """A percentage stored as a decimal string ("65.6"): 65.6%, 65,6 % (Russian puts a space before the sign)."""
    if primary(language) == "ru":
        return f"{format_decimal(text, language)}\u00a0%"
    return f"{text}%"


# --- vocabularies of the records, as documents name them ------------------------------------------------
# Statuses, kinds, modalities, fields and units are the model choices' gettext labels (choice_label above).
# What follows is phrasing only documents use.

# A unit as the heading of a table's column: Chinese names it without the measure word its label carries
# for a count ("3 个数据集"), as nothing stands before it.
UNIT_COLUMNS: dict[str, dict[str, str]] = {
    "zh": {"data_sets": "数据集", "documents": "文件", "samples": "样品"},
}


def unit_column(language: str, unit: str) -> str:
    return UNIT_COLUMNS.get(primary(language), {}).get(unit) or choice_label(QuantityUnit, language, unit)


def field_of_science(language: str, code: str) -> str:
    """An OECD field by its code (accord.programmes.choices.FieldOfScience); a record without one says so."""
    return choice_label(FieldOfScience, language, code) if code else label(language, "no_field")
