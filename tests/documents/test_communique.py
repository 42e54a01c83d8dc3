"""The communiqué of the seed meeting, in Chinese, Russian and English, as HTML, PDF and DOCX."""

import datetime as dt

import pytest

from accord.agreements.services import create_agreement
from accord.core.errors import ValidationFailed
from accord.directory.services import add_organisation_name, update_person
from accord.documents.renderers import build, render
from accord.meetings.services import create_meeting
from accord.programmes.services import create_project

from .extract import contains, html_text, squash, text_of

pytestmark = pytest.mark.django_db

# What the People's Daily of 26 February 1960 reports, in each language, and must come out of the records.
EXPECTED = {
    "zh": {
        "place": "莫斯科",
        "date": "1960年2月24日",
        "signatories": ["武衡", "阿列克先科"],
        "attendees": ["刘晓", "佩图霍夫", "签字仪式"],
        "reviewed": "1959年合作计划",
        "signed": "1960年年度科学技术合作计划",
        "agreement_date": "1958年1月18日",
    },
    "ru": {
        "place": "Москва",
        "date": "24 февраля 1960",
        "signatories": ["У Хэн", "Алексенко"],
        "attendees": ["Лю Сяо", "Петухов", "церемония подписания"],
        "reviewed": "План сотрудничества на 1959 год",
        "signed": "Годовой план научно-технического сотрудничества на 1960 год",
        "agreement_date": "18 января 1958 г.",
    },
    "en": {
        "place": "Moscow",
        "date": "24 February 1960",
        "signatories": ["Wu Heng", "Aleksenko"],
        "attendees": ["Liu Xiao", "Petukhov", "the signing ceremony"],
        "reviewed": "1959 cooperation plan",
        "signed": "1960 annual scientific and technological cooperation plan",
        "agreement_date": "18 January 1958",
    },
}


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
@pytest.mark.parametrize("lang", ["zh", "ru", "en"])
def test_seed_communique_says_what_the_records_hold(seed, lang, fmt):
    text = text_of(fmt, render("communique", seed.meeting, lang, fmt))
    facts = EXPECTED[lang]
    for key in ("place", "date", "reviewed", "signed", "agreement_date"):
        assert contains(text, facts[key]), (key, facts[key])
    for name in [*facts["signatories"], *facts["attendees"]]:
        assert contains(text, name), name
    assert "122" in text
    # No other language leaks in: the Russian text names Wu Heng in Cyrillic, not in Chinese or Latin letters.
    foreign = [n for other, f in EXPECTED.items() if other != lang for n in f["signatories"]]
    assert not any(contains(text, n) for n in foreign)


def test_chinese_communique_reads_like_the_report(seed):
    text = squash(build("communique", seed.meeting, "zh")[2].text_of("zh"))
    # The sentences of the People's Daily report, rebuilt from the records.
    assert "于1960年2月24日在莫斯科结束" in text
    assert "中华人民共和国方面是科学技术委员会副主任武衡" in text
    assert "中国驻苏联大使刘晓和苏联国家科学技术委员会主席佩图霍夫参加了签字仪式" in text
    assert "共122项" in text


def test_the_figure_comes_from_the_records(seed):
    create_project(agreement=seed.protocol, number="123", title={"en": "Another project"})
    text = build("communique", seed.meeting, "en")[2].text_of("en")
    assert "comprises 123 scientific" in text and "122" not in text


def test_a_figure_not_in_the_records_is_left_out(seed):
    agreement = create_agreement(
        parties=[seed.cn, seed.su], title={"en": "Memorandum", "zh": "备忘录", "ru": "Меморандум"}, kind="memorandum"
    )
    meeting = create_meeting(
        agreement=agreement, title={"en": "Working meeting"}, place={"en": "Beijing"}, end_on=dt.date(1961, 5, 4)
    )
    text = build("communique", meeting, "en")[2].text_of("en")
    assert "Beijing" in text and "4 May 1961" in text
    assert "projects" not in text and "reviewed" not in text and "signed" not in text


def test_organisations_appear_under_the_name_in_force_on_the_meeting_date(seed):
    add_organisation_name(
        seed.su_committee,
        {"en": "State Committee for Science and Technology", "ru": "ГКНТ", "zh": "国家科技委员会"},
        valid_from=dt.date(1965, 1, 1),
    )
    add_organisation_name(
        seed.cn_commission,
        {"en": "Science Commission (as named in 1960)", "ru": "Комиссия по науке", "zh": "科学委员会（1960年名称）"},
        valid_from=dt.date(1958, 11, 23),
        valid_to=dt.date(1970, 12, 31),
    )
    en = build("communique", seed.meeting, "en")[2].text_of("en")
    assert "Science Commission (as named in 1960)" in en
    assert "State Committee for Science and Technology" not in en  # a later name, not yet in force
    assert "科学委员会（1960年名称）" in build("communique", seed.meeting, "zh")[2].text_of("zh")


def test_a_name_missing_in_a_language_falls_back_to_english(seed):
    name = {k: v for k, v in seed.wu_heng.name.items() if k != "ru"}
    update_person(seed.wu_heng, expected_version=seed.wu_heng.version, name=name)
    ru = build("communique", seed.meeting, "ru")[2].text_of("ru")
    assert "Wu Heng" in ru and "Алексенко" in ru


def test_the_html_is_printable_and_self_contained(seed):
    html = render("communique", seed.meeting, "zh", "html").decode()
    assert html.startswith("<!DOCTYPE html>") and '<html lang="zh">' in html
    assert "@page" in html and "Noto Serif CJK SC" in html  # the print CSS, inlined
    assert "http://" not in html and "https://" not in html and "<link" not in html
    assert "莫斯科" in html_text(html.encode())


@pytest.mark.parametrize("language", ["fr", "de-DE", "not a tag", ""])
def test_a_language_the_meeting_cannot_be_written_in_is_refused(seed, language):
    with pytest.raises(ValidationFailed) as err:
        render("communique", seed.meeting, language, "html")
    assert err.value.field == "language"


def test_unknown_kind_format_and_ref_are_refused(seed):
    with pytest.raises(ValidationFailed) as err:
        render("memo", seed.meeting, "en", "html")
    assert err.value.field == "kind"
    with pytest.raises(ValidationFailed) as err:
        render("communique", seed.meeting, "en", "rtf")
    assert err.value.field == "format"
    for ref in ("999999", "nope", "0190c4a6-0000-7000-8000-000000000000"):
        with pytest.raises(ValidationFailed) as err:
            render("communique", ref, "en", "html")
        assert err.value.field == "ref"


def test_ref_may_be_the_id_or_the_uid(seed):
    by_id = render("communique", str(seed.meeting.pk), "en", "html")
    assert by_id == render("communique", str(seed.meeting.uid), "en", "html")
    assert by_id == render("communique", seed.meeting, "en", "html")
