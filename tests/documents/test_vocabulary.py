"""Documents name statuses, kinds, modalities, fields and units by the model choices' gettext labels: one vocabulary."""

import pytest
from django.utils import translation

from accord.documents.renderers import build
from accord.documents.wording import choice_label, deliverable_kind, field_of_science, unit_column
from accord.programmes.choices import (
    DeliverableKind,
    ExchangeKind,
    FieldOfScience,
    Modality,
    ProgressStatus,
    QuantityUnit,
)

CATALOGUES = {"en": "en", "zh": "zh-hans", "ru": "ru"}


@pytest.mark.parametrize("choices", [ProgressStatus, DeliverableKind, ExchangeKind, Modality, FieldOfScience])
@pytest.mark.parametrize("lang", ["en", "zh", "ru"])
def test_each_word_is_the_choice_label_in_that_language(choices, lang):
    with translation.override(CATALOGUES[lang]):
        expected = {value: str(label) for value, label in choices.choices}
    assert {value: choice_label(choices, lang, value) for value in expected} == expected


def test_the_words_pages_and_documents_once_disagreed_on_are_the_catalogues_now():
    assert choice_label(ProgressStatus, "zh", "on_track") == "按计划推进"  # wording.py said 按计划进行
    assert deliverable_kind("zh-Hans", "trained_specialists") == "培养的专业人员"  # it said 培养的专门人才
    assert choice_label(ProgressStatus, "de", "delayed") == "Delayed"  # no catalogue: English
    assert choice_label(ProgressStatus, "en", "unknown") == "unknown"  # not a choice: as stored


def test_document_only_phrasing_stays_in_the_documents():
    assert unit_column("zh", "data_sets") == "数据集"  # a column heading: no measure word
    assert unit_column("ru", "persons") == choice_label(QuantityUnit, "ru", "persons")
    assert field_of_science("ru", "") == "Область не указана"
    assert field_of_science("zh", "1.1") == choice_label(FieldOfScience, "zh", "1.1")


def test_the_review_report_uses_the_catalogues_status_words(seed):
    zh = build("review_report", seed.review_1959, "zh")[2].text_of("zh")
    with translation.override("zh-hans"):
        words = [str(label) for _, label in ProgressStatus.choices]
    assert any(w in zh for w in words)
    assert "按计划进行" not in zh
