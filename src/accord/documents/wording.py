"""The words documents are written in: dates, numbers and the fixed labels of each language.

Everything variable in a document (names, places, dates, counts) comes from the records; what lives here
is only the frame around it, written once per language. A language without its own frame falls back to
English labels and ISO dates, so a record in any language still yields a readable document.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence

from accord.core.localized import LocalizedText, normalize_tag

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
    },
}

# Deliverable kinds (accord.programmes.choices.DeliverableKind) as each language names them in a plan text.
DELIVERABLE_KINDS: dict[str, dict[str, str]] = {
    "en": {
        "report": "Report",
        "data_set": "Data set",
        "samples": "Samples",
        "prototype": "Prototype",
        "trained_specialists": "Trained specialists",
        "publication": "Publication",
        "other": "Other",
    },
    "zh": {
        "report": "报告",
        "data_set": "数据集",
        "samples": "样品",
        "prototype": "样机",
        "trained_specialists": "培养的专门人才",
        "publication": "出版物",
        "other": "其他",
    },
    "ru": {
        "report": "Отчёт",
        "data_set": "Набор данных",
        "samples": "Образцы",
        "prototype": "Опытный образец",
        "trained_specialists": "Подготовленные специалисты",
        "publication": "Публикация",
        "other": "Другое",
    },
}


def label(language: str, key: str, **values: str) -> str:
    """A fixed label in `language` (English where the language has no frame), filled with `values`."""
    table = LABELS.get(primary(language), LABELS["en"])
    return table.get(key, LABELS["en"][key]).format(**values)


def deliverable_kind(language: str, kind: str) -> str:
    table = DELIVERABLE_KINDS.get(primary(language), DELIVERABLE_KINDS["en"])
    return table.get(kind, kind)


def format_decimal(text: str, language: str) -> str:
    """A quantity the records store as a decimal string ("2.5"): Russian writes a decimal comma."""
    return text.replace(".", ",") if primary(language) == "ru" else text


def format_percent(text: str, language: str) -> str:
    """A percentage stored as a decimal string ("65.6"): 65.6%, 65,6 % (Russian puts a space before the sign)."""
    if primary(language) == "ru":
        return f"{format_decimal(text, language)}\u00a0%"
    return f"{text}%"


# --- vocabularies of the records, as documents name them ------------------------------------------------
# The keys are the stored values (accord.programmes.choices); a value not listed is shown as stored.

PROGRESS_STATUSES: dict[str, dict[str, str]] = {
    "en": {
        "not_started": "Not started",
        "on_track": "On track",
        "delayed": "Delayed",
        "completed": "Completed",
        "cancelled": "Cancelled",
    },
    "zh": {
        "not_started": "未启动",
        "on_track": "按计划进行",
        "delayed": "延误",
        "completed": "已完成",
        "cancelled": "已取消",
    },
    "ru": {
        "not_started": "Не начато",
        "on_track": "Идёт по плану",
        "delayed": "С отставанием",
        "completed": "Выполнено",
        "cancelled": "Отменено",
    },
}

MODALITIES: dict[str, dict[str, str]] = {
    "en": {"joint": "Joint research", "assistance": "Assistance from one party to the other", "exchange": "Exchange"},
    "zh": {"joint": "联合研究", "assistance": "一方向另一方提供援助", "exchange": "交流"},
    "ru": {"joint": "Совместные исследования", "assistance": "Содействие одной стороны другой", "exchange": "Обмен"},
}

EXCHANGE_KINDS: dict[str, dict[str, str]] = {
    "en": {
        "delegation_visit": "Delegation visit",
        "expert_secondment": "Expert secondment",
        "trainee": "Trainees",
        "data_transfer": "Data or documentation transfer",
        "sample_shipment": "Samples or materials shipment",
        "joint_experiment": "Joint experiment",
        "conference": "Conference",
    },
    "zh": {
        "delegation_visit": "代表团访问",
        "expert_secondment": "专家派遣",
        "trainee": "进修人员",
        "data_transfer": "数据或文件资料移交",
        "sample_shipment": "样品或材料寄送",
        "joint_experiment": "联合实验",
        "conference": "学术会议",
    },
    "ru": {
        "delegation_visit": "Визит делегации",
        "expert_secondment": "Командирование экспертов",
        "trainee": "Стажёры",
        "data_transfer": "Передача данных или документации",
        "sample_shipment": "Отправка образцов или материалов",
        "joint_experiment": "Совместный эксперимент",
        "conference": "Конференция",
    },
}

# Units as a column of a table names them (no number before them, so no agreement of case).
UNITS: dict[str, dict[str, str]] = {
    "en": {
        "persons": "persons",
        "person_months": "person-months",
        "data_sets": "data sets",
        "documents": "documents",
        "samples": "samples",
        "items": "items",
    },
    "zh": {
        "persons": "人",
        "person_months": "人月",
        "data_sets": "数据集",
        "documents": "文件",
        "samples": "样品",
        "items": "件",
    },
    "ru": {
        "persons": "чел.",
        "person_months": "чел.-мес.",
        "data_sets": "наборы данных",
        "documents": "документы",
        "samples": "образцы",
        "items": "шт.",
    },
}

# OECD Fields of Research and Development (Frascati 2015), the codes accord.programmes.choices.FieldOfScience stores.
FIELDS_OF_SCIENCE: dict[str, dict[str, str]] = {
    "en": {
        "1": "Natural sciences",
        "1.1": "Mathematics",
        "1.2": "Computer and information sciences",
        "1.3": "Physical sciences",
        "1.4": "Chemical sciences",
        "1.5": "Earth and related environmental sciences",
        "1.6": "Biological sciences",
        "1.7": "Other natural sciences",
        "2": "Engineering and technology",
        "2.1": "Civil engineering",
        "2.2": "Electrical, electronic and information engineering",
        "2.3": "Mechanical engineering",
        "2.4": "Chemical engineering",
        "2.5": "Materials engineering",
        "2.6": "Medical engineering",
        "2.7": "Environmental engineering",
        "2.8": "Environmental biotechnology",
        "2.9": "Industrial biotechnology",
        "2.10": "Nano-technology",
        "2.11": "Other engineering and technologies",
        "3": "Medical and health sciences",
        "3.1": "Basic medicine",
        "3.2": "Clinical medicine",
        "3.3": "Health sciences",
        "3.4": "Medical biotechnology",
        "3.5": "Other medical sciences",
        "4": "Agricultural and veterinary sciences",
        "4.1": "Agriculture, forestry and fisheries",
        "4.2": "Animal and dairy science",
        "4.3": "Veterinary science",
        "4.4": "Agricultural biotechnology",
        "4.5": "Other agricultural sciences",
        "5": "Social sciences",
        "5.1": "Psychology and cognitive sciences",
        "5.2": "Economics and business",
        "5.3": "Education",
        "5.4": "Sociology",
        "5.5": "Law",
        "5.6": "Political science",
        "5.7": "Social and economic geography",
        "5.8": "Media and communications",
        "5.9": "Other social sciences",
        "6": "Humanities and the arts",
        "6.1": "History and archaeology",
        "6.2": "Languages and literature",
        "6.3": "Philosophy, ethics and religion",
        "6.4": "Arts",
        "6.5": "Other humanities",
        "": "Field not recorded",
    },
    "zh": {
        "1": "自然科学",
        "1.1": "数学",
        "1.2": "计算机与信息科学",
        "1.3": "物理科学",
        "1.4": "化学科学",
        "1.5": "地球及相关环境科学",
        "1.6": "生物科学",
        "1.7": "其他自然科学",
        "2": "工程与技术",
        "2.1": "土木工程",
        "2.2": "电气、电子与信息工程",
        "2.3": "机械工程",
        "2.4": "化学工程",
        "2.5": "材料工程",
        "2.6": "医学工程",
        "2.7": "环境工程",
        "2.8": "环境生物技术",
        "2.9": "工业生物技术",
        "2.10": "纳米技术",
        "2.11": "其他工程与技术",
        "3": "医学与健康科学",
        "3.1": "基础医学",
        "3.2": "临床医学",
        "3.3": "健康科学",
        "3.4": "医学生物技术",
        "3.5": "其他医学科学",
        "4": "农业与兽医科学",
        "4.1": "农业、林业与渔业",
        "4.2": "畜牧与乳品科学",
        "4.3": "兽医学",
        "4.4": "农业生物技术",
        "4.5": "其他农业科学",
        "5": "社会科学",
        "5.1": "心理学与认知科学",
        "5.2": "经济学与商学",
        "5.3": "教育学",
        "5.4": "社会学",
        "5.5": "法学",
        "5.6": "政治学",
        "5.7": "社会与经济地理学",
        "5.8": "媒体与传播学",
        "5.9": "其他社会科学",
        "6": "人文与艺术",
        "6.1": "历史学与考古学",
        "6.2": "语言与文学",
        "6.3": "哲学、伦理学与宗教学",
        "6.4": "艺术学",
        "6.5": "其他人文学科",
        "": "未注明学科",
    },
    "ru": {
        "1": "Естественные науки",
        "1.1": "Математика",
        "1.2": "Компьютерные и информационные науки",
        "1.3": "Физические науки",
        "1.4": "Химические науки",
        "1.5": "Науки о Земле и смежные экологические науки",
        "1.6": "Биологические науки",
        "1.7": "Другие естественные науки",
        "2": "Техника и технологии",
        "2.1": "Гражданское строительство",
        "2.2": "Электротехника, электроника и информационные технологии",
        "2.3": "Машиностроение",
        "2.4": "Химические технологии",
        "2.5": "Материаловедение и технологии материалов",
        "2.6": "Медицинская техника",
        "2.7": "Инженерная экология",
        "2.8": "Экологическая биотехнология",
        "2.9": "Промышленная биотехнология",
        "2.10": "Нанотехнологии",
        "2.11": "Другие технические науки и технологии",
        "3": "Медицинские науки и науки о здоровье",
        "3.1": "Фундаментальная медицина",
        "3.2": "Клиническая медицина",
        "3.3": "Науки о здоровье",
        "3.4": "Медицинская биотехнология",
        "3.5": "Другие медицинские науки",
        "4": "Сельскохозяйственные и ветеринарные науки",
        "4.1": "Сельское, лесное и рыбное хозяйство",
        "4.2": "Животноводство и молочное дело",
        "4.3": "Ветеринария",
        "4.4": "Сельскохозяйственная биотехнология",
        "4.5": "Другие сельскохозяйственные науки",
        "5": "Социальные науки",
        "5.1": "Психология и когнитивные науки",
        "5.2": "Экономика и бизнес",
        "5.3": "Науки об образовании",
        "5.4": "Социология",
        "5.5": "Право",
        "5.6": "Политология",
        "5.7": "Социальная и экономическая география",
        "5.8": "СМИ и коммуникации",
        "5.9": "Другие социальные науки",
        "6": "Гуманитарные науки и искусство",
        "6.1": "История и археология",
        "6.2": "Языки и литература",
        "6.3": "Философия, этика и религиоведение",
        "6.4": "Искусствоведение",
        "6.5": "Другие гуманитарные науки",
        "": "Область не указана",
    },
}


def term(vocabulary: dict[str, dict[str, str]], language: str, value: str) -> str:
    """A stored value (a status, a kind, a field code) named in `language`, else in English, else as stored."""
    table = vocabulary.get(primary(language), vocabulary["en"])
    return table.get(value) or vocabulary["en"].get(value) or value
