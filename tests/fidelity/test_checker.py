"""check_versions / check_localized: what is reported, where, and that bad input never crashes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accord.fidelity import check_localized, check_versions
from accord.fidelity.names import Directory

DATA = Path(__file__).resolve().parents[2] / "src" / "accord" / "demo" / "data"
CORPUS = Path(__file__).resolve().parent / "corpus"
EN = (DATA / "people-daily-1960-02-26.en.txt").read_text(encoding="utf-8")
ZH = (DATA / "people-daily-1960-02-26.zh.txt").read_text(encoding="utf-8")
NAMES = Directory.load(CORPUS / "directory.json")


def errors(findings):  # type: ignore[no-untyped-def]
    return [f for f in findings if f.severity == "error"]


def test_the_seed_pair_is_clean() -> None:
    assert check_versions({"en": EN, "zh": ZH}) == []
    assert check_versions({"en": EN, "zh": ZH}, directory=NAMES) == []
    assert check_versions({"zh": ZH, "en": EN}, context_date=dt.date(1960, 2, 26), directory=NAMES) == []


@pytest.mark.django_db
def test_the_seed_pair_is_clean_with_accords_own_directory(seed) -> None:  # type: ignore[no-untyped-def]
    from accord.fidelity.names import directory_from_database

    names = directory_from_database()
    assert check_versions({"en": EN, "zh": ZH}, directory=names) == []
    # and the directory is what catches a swapped signatory
    swapped = EN.replace("signed by Wu Heng", "signed by Liu Xiao")
    (finding,) = check_versions({"en": swapped, "zh": ZH}, directory=names)
    assert finding.kind == "name" and finding.says == {"en": "Liu Xiao", "zh": "武衡"}


@pytest.mark.django_db
def test_the_seed_documents_texts_are_clean(seed) -> None:  # type: ignore[no-untyped-def]
    from accord.fidelity.names import directory_from_database

    texts = {t.language: t.body for t in seed.press_report.texts.all()}
    assert set(texts) == {"en", "zh"}
    assert check_versions(texts, context_date=seed.press_report.issued_on, directory=directory_from_database()) == []


def test_a_changed_count_says_which_versions_where_and_what_each_says() -> None:
    en = EN.replace("of 122 major", "of 112 major")
    (f,) = check_versions({"en": en, "zh": ZH})
    assert f.kind == "number" and f.severity == "error"
    assert f.versions == ("en", "zh")
    assert f.says == {"en": "112", "zh": "一百二十二"}
    (en_span,) = f.spans["en"]
    (zh_span,) = f.spans["zh"]
    assert en[slice(*en_span)] == "112"
    assert ZH[slice(*zh_span)] == "一百二十二"
    assert f.segments["en"] == 9 and f.segments["zh"] == 11  # the fifth paragraph of the report
    assert f.message == 'number differs: en says "112" (paragraph 9), zh says "一百二十二" (122) (paragraph 11)'


def test_a_shifted_date_and_a_shifted_day() -> None:
    (f,) = check_versions({"en": EN.replace("January 18, 1958", "January 19, 1958"), "zh": ZH})
    assert f.kind == "date" and f.says == {"en": "January 19, 1958", "zh": "1958年1月18日"}
    (g,) = check_versions({"en": EN, "zh": ZH.replace("于24日在", "于23日在")})
    assert g.kind == "date" and g.says == {"en": "24th", "zh": "23日"}
    assert "1960-02-23" in g.message  # read against the report's date, found in its header


def test_a_day_alone_agrees_with_a_full_date_on_the_document_date() -> None:
    en = EN.replace("on the 24th", "on 24 February 1960")
    assert check_versions({"en": en, "zh": ZH}) == []
    # without a date to read it against, "24日" is still the 24th of some month: no disagreement either
    body_en, body_zh = "The meeting ended on 24 February 1960.", "会议于24日结束。"
    assert check_versions({"en": body_en, "zh": body_zh}) == []
    # ...but on a document of March, the 24th is the 24th of February only if the document says so
    assert errors(check_versions({"en": body_en, "zh": body_zh}, context_date=dt.date(1960, 3, 26)))


def test_equivalent_forms_are_not_flagged() -> None:
    versions = {
        "en": "Signed on 24 February 1960: one hundred and twenty-two projects, 45 per cent done, 1.2 million roubles.",
        "zh": "1960年2月24日签订：一百二十二项，完成百分之四十五，经费120万卢布。",
        "ru": "Подписан 24.02.1960: сто двадцать два проекта, выполнено 45%, 1,2 млн рублей.",
    }
    assert check_versions(versions) == []


def test_a_currency_swap_is_an_amount_finding() -> None:
    (f,) = check_versions({"en": "The budget is 1.2 million roubles.", "zh": "经费为120万美元。"})
    assert f.kind == "amount"
    assert "RUB" in f.message and "USD" in f.message


def test_a_name_changed_in_one_of_three_versions_is_one_finding() -> None:
    versions = {
        "en": "The plan was signed by Wu Heng and Aleksenko.",
        "zh": "计划由武衡和阿列克先科签署。",
        "ru": "План подписали Лю Сяо и Алексенко.",
    }
    (f,) = check_versions(versions, directory=NAMES)
    assert f.kind == "name"
    assert set(f.versions) == {"en", "zh", "ru"}
    assert f.says == {"en": "Wu Heng", "zh": "武衡", "ru": "Лю Сяо"}


def test_a_name_may_be_repeated_in_one_version() -> None:
    versions = {"en": "Wu Heng spoke. Wu Heng then signed.", "zh": "武衡讲话后签字。"}
    assert check_versions(versions, directory=NAMES) == []


def test_values_that_moved_between_paragraphs() -> None:
    en = "1. Project 17 runs in 1961 with 12 expeditions.\n\n2. Project 23 runs in 1962 with 25 trainees."
    zh = "1. 第17号项目于1962年实施，考察12次。\n\n2. 第23号项目于1961年实施，实习生25名。"
    findings = errors(check_versions({"en": en, "zh": zh}))
    assert {f.kind for f in findings} == {"moved"}
    assert any("1961" in f.message for f in findings)


def test_check_localized_skips_languages_not_filled_in() -> None:
    assert check_localized({"en": "122 projects", "zh": "", "ru": "   "}) == []
    assert check_localized(None) == []
    (f,) = check_localized({"en": "122 projects", "zh-Hans": "一百一十二项"})
    assert f.versions == ("en", "zh-Hans")


def test_input_problems_are_warnings() -> None:
    (f,) = check_versions({"en": "", "zh": "一百二十二项"})
    assert (f.kind, f.severity, f.versions) == ("empty", "warning", ("en",))
    found = check_versions({"en": "这是中文，共一百二十二项。", "zh": "一百二十二项"})
    assert [(f.kind, f.severity) for f in found] == [("language", "warning")]
    mixed = "Протокол подписан. " * 3 + "The protocol was signed by both parties in Moscow. " * 2
    assert any(f.kind == "mixed-script" for f in check_versions({"ru": mixed, "en": "The protocol was signed."}))
    german = (
        "Das Protokoll wurde von beiden Seiten unterzeichnet, und die Arbeiten werden im kommenden Jahr fortgesetzt."
    )
    assert any(f.kind == "language" for f in check_versions({"en": german, "zh": "议定书已签署。"}))
    assert any(f.kind == "language" for f in check_versions({"fr": "122 projets", "zh": "一百二十二项"}))


def test_one_version_is_nothing_to_compare() -> None:
    assert check_versions({"en": EN}) == []
    assert check_versions({}) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["zh", "ru", "en", "zh-Hans", "de", "x"]),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=200)
        | st.sampled_from(
            [EN[:400], ZH[:200], "1958年1月18日 一百二十二 廿四日 第十七", "18 января 1958 г. 24-го 45%"]
        ),
        max_size=4,
    )
)
# Found by the fuzzer: an integer longer than the decimal context's 28 digits crashed the checker.
@example({"en": "10000000000000000000000000000 samples", "zh": "122个项目"})
@example({"ru": "1" * 60 + " образцов", "en": "1" * 60 + ".5 samples"})
def test_bad_input_never_crashes(texts: dict[str, str]) -> None:
    for f in check_versions(texts, context_date=dt.date(1960, 2, 29), directory=NAMES):
        assert f.severity in ("error", "warning")
        for tag, spans in f.spans.items():
            for start, end in spans:
                assert 0 <= start < end <= len(texts[tag])


def test_a_party_left_out_is_no_error_but_another_party_named_is() -> None:
    full = "the Government of the Union of Soviet Socialist Republics"
    assert check_versions({"en": full, "zh": "苏联政府"}, directory=NAMES) == []
    (f,) = check_versions({"en": full, "zh": "中华人民共和国政府"}, directory=NAMES)
    assert f.kind == "name" and f.says == {"en": "the Union of Soviet Socialist Republics", "zh": "中华人民共和国"}


@pytest.mark.django_db
def test_every_localized_text_of_the_seed_programme_is_consistent(seed) -> None:  # type: ignore[no-untyped-def]
    """Accord's own records as data: each localized value in two or more languages comes out clean."""
    from django.apps import apps

    from accord.core.localized import LocalizedTextField
    from accord.fidelity.names import directory_from_database

    names = directory_from_database()
    checked, flagged = 0, []
    for model in apps.get_models():
        fields = [f for f in model._meta.get_fields() if isinstance(f, LocalizedTextField)]
        for obj in model._default_manager.all() if fields else []:
            for field in fields:
                value = getattr(obj, field.attname)
                if isinstance(value, dict) and sum(bool(v) for v in value.values()) >= 2:
                    checked += 1
                    flagged += [
                        (model.__name__, field.name, f.message) for f in check_localized(value, directory=names)
                    ]
    assert checked > 300
    assert flagged == []


def test_unrelated_and_truncated_long_texts_are_reported_not_stuck() -> None:
    import time

    def plan(seed: int, items: int) -> str:
        import random

        rng = random.Random(seed)
        return "\n".join(
            f"{i}. Project No. {i}: {rng.randint(3, 400)} expeditions, due {rng.randint(1, 28)} March 1961, "
            f"{rng.randint(5, 95)}% done."
            for i in range(1, items + 1)
        )

    start = time.perf_counter()
    unrelated = check_versions({"en": plan(1, 300), "en-GB": plan(2, 300)})
    truncated = check_versions({"en": plan(1, 300), "en-GB": plan(1, 150)})
    assert unrelated and truncated
    assert all(f.severity == "error" for f in unrelated + truncated)
    assert time.perf_counter() - start < 20
