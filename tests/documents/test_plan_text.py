"""The text of a plan in its authentic languages, side by side or one after the other."""

import datetime as dt
import io

import docx
import pytest

from accord.core.errors import ValidationFailed
from accord.directory.services import add_organisation_name
from accord.documents.renderers import Options, build, render

from .extract import contains, pdf_text, squash, text_of

pytestmark = pytest.mark.django_db


def items_of(plan):
    return list(plan.items.select_related("project").order_by("position", "id"))


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_parallel_plan_text_contains_every_item_in_both_languages(seed, fmt):
    items = items_of(seed.plan_1960)
    assert len(items) > 20  # the seed's carried-over items
    text = squash(text_of(fmt, render("plan_text", seed.plan_1960, "zh+ru", fmt)))
    for item in items:
        for lang in ("zh", "ru"):
            assert squash(item.project.title[lang]) in text, (item.position, lang)
            assert squash(item.objectives[lang]) in text, (item.position, lang)
    for phrase in ("1960年年度科学技术合作计划", "Годовой план научно-технического сотрудничества на 1960 год"):
        assert squash(phrase) in text
    for phrase in ("武衡", "阿列克先科", "У Хэн", "Алексенко", "1960年2月24日", "24 февраля 1960 г."):
        assert squash(phrase) in text  # who signed, when
    assert "Wu Heng" not in text  # no English unless asked


def test_parallel_layout_puts_each_item_beside_its_translation(seed):
    items = items_of(seed.plan_1960)
    data = render("plan_text", seed.plan_1960, "zh+ru", "docx")
    table = docx.Document(io.BytesIO(data)).tables[0]
    # A header row (the languages), the front matter, one row per item, the signatures.
    assert len(table.rows) == 1 + 1 + len(items) + 1
    first = table.rows[2].cells
    assert items[0].project.title["zh"] in first[0].text and items[0].project.title["ru"] in first[1].text
    last = table.rows[-2].cells
    assert items[-1].project.title["zh"] in last[0].text and items[-1].project.title["ru"] in last[1].text
    assert [c.text for c in table.rows[0].cells] == ["中文", "Русский"]


def test_sequential_layout_gives_one_language_after_the_other(seed):
    content = build("plan_text", seed.plan_1960, "zh+ru", Options(layout="sequential"))[2]
    text = pdf_text(render("plan_text", seed.plan_1960, "zh+ru", "pdf", layout="sequential"))
    zh_last = squash(text).rfind(squash(items_of(seed.plan_1960)[-1].project.title["zh"]))
    ru_first = squash(text).find(squash("Годовой план"))
    assert 0 < zh_last < ru_first
    # The language texts do not depend on the layout.
    parallel = build("plan_text", seed.plan_1960, "zh+ru", Options(layout="parallel"))[2]
    assert content.text_of("zh") == parallel.text_of("zh") and content.text_of("ru") == parallel.text_of("ru")
    assert content.layout == "sequential" and parallel.layout == "parallel"


def test_english_version_follows_the_authentic_texts(seed):
    content = build("plan_text", seed.plan_1960, None, Options(with_english=True))[2]
    assert content.languages == ["zh", "ru", "en"]
    en = content.text_of("en")
    assert en.startswith("English version (for information; not an authentic text)")
    assert "Wu Heng" in en and "24 February 1960" in en
    assert all(item.project.title["en"] in en for item in items_of(seed.plan_1960))
    assert "English version" in text_of("docx", render("plan_text", seed.plan_1960, "zh+ru", "docx", with_english=True))


def test_deliverables_with_due_dates_and_responsible_organisations(seed):
    content = build("plan_text", seed.plan_1959, "zh+ru", Options())[2]
    zh, ru = content.text_of("zh"), content.text_of("ru")
    assert "成果：报告：年度研究报告（1959年12月31日前）" in zh
    assert "Результаты: Отчёт: Годовой научный отчёт (срок — 31 декабря 1959 г.)" in ru
    assert "负责单位：中华人民共和国：" in zh and "苏联科学院" in zh
    assert "Ответственные организации: Китайская Народная Республика: " in ru
    assert zh.count("成果：") == len(items_of(seed.plan_1959)) == 122


def test_a_signed_plans_organisations_keep_the_name_they_were_signed_under(seed):
    signed = seed.ussr_academy.name_on(seed.plan_1960.period_start)
    # A dated name recorded after signing does not rewrite what was signed (it is stored with the signatures).
    add_organisation_name(
        seed.ussr_academy, {"zh": "苏联科学院（1960年名称）", "ru": "АН СССР (1960)"}, valid_to=dt.date(1991, 12, 25)
    )
    content = build("plan_text", seed.plan_1960, "zh+ru", Options())[2]
    assert signed["ru"] in content.text_of("ru") and "АН СССР (1960)" not in content.text_of("ru")
    assert "苏联科学院（1960年名称）" not in content.text_of("zh")


def test_single_language_and_refused_languages(seed):
    content = build("plan_text", seed.plan_1960, "ru", Options())[2]
    assert content.languages == ["ru"] and content.layout == ""
    assert not contains(text_of("html", render("plan_text", seed.plan_1960, "ru", "html")), "武衡")
    for language in ("fr", "zh+de", "zh+xx-!!"):
        with pytest.raises(ValidationFailed) as err:
            render("plan_text", seed.plan_1960, language, "html")
        assert err.value.field == "language"
    with pytest.raises(ValidationFailed) as err:
        render("plan_text", seed.plan_1960, "zh+ru", "html", layout="diagonal")
    assert err.value.field == "layout"


def test_an_unsigned_plan_says_it_is_a_draft(seed):
    from accord.programmes.services import create_plan

    draft = create_plan(
        agreement=seed.protocol,
        title={"zh": "1961年计划", "ru": "План на 1961 год"},
        period_start=dt.date(1961, 1, 1),
        period_end=dt.date(1961, 12, 31),
    )
    content = build("plan_text", draft, "zh+ru", Options())[2]
    assert "草案（未签订）" in content.text_of("zh") and "Проект (не подписан)" in content.text_of("ru")
    assert "本计划没有项目。" in content.text_of("zh") and content.issued_on is None
