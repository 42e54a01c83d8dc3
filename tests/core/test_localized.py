import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from accord.core.errors import ValidationFailed
from accord.core.localized import LocalizedText, clean_localized, normalize_tag, text_for
from accord.directory.models import Person
from accord.directory.services import create_person

NAMES = LocalizedText({"zh": "武衡", "ru": "У Хэн", "en": "Wu Heng"})


@pytest.mark.parametrize(
    ("given", "expected"),
    [("zh-hans", "zh-Hans"), ("EN", "en"), ("ru", "ru"), ("zh-hant-tw", "zh-Hant-TW"), ("sr-Latn-RS", "sr-Latn-RS")],
)
def test_tags_are_normalised_to_canonical_case(given, expected):
    assert normalize_tag(given) == expected


@pytest.mark.parametrize("bad", ["", "english", "en_US", "x", " en", "zh-", "123", None, 7])
def test_invalid_tags_are_refused(bad):
    with pytest.raises(ValueError, match="BCP 47"):
        normalize_tag(bad)


def test_display_prefers_interface_language_then_fallbacks_then_english():
    assert NAMES.get_text("ru") == "У Хэн"
    assert NAMES.get_text("zh-Hans") == "武衡"  # primary-language match
    assert NAMES.get_text("fr", ["ru"]) == "У Хэн"  # parties' languages next
    assert NAMES.get_text("fr") == "Wu Heng"  # then English
    assert LocalizedText({"ru": "Москва", "zh": "莫斯科"}).get_text("fr") == "Москва"  # then first by tag, stable
    assert LocalizedText().get_text("en") == ""


def test_a_regional_value_answers_its_primary_language():
    assert LocalizedText({"zh-Hans": "莫斯科", "en": "Moscow"}).get_text("zh") == "莫斯科"


def test_the_interface_language_in_another_form_beats_the_fallbacks():
    # The interface asks for zh-hans; the record has "zh"; the party's language ru must not win.
    assert LocalizedText({"zh": "苏联", "ru": "СССР"}).get_text("zh-hans", ["ru"]) == "苏联"


def test_str_follows_the_active_interface_language():
    with translation.override("ru"):
        assert str(NAMES) == "У Хэн"
    with translation.override("zh-hans"):
        assert str(NAMES) == "武衡"


def test_clean_reports_the_bad_tag_and_drops_blank_values():
    with pytest.raises(ValidationError) as err:
        clean_localized({"en": "Moscow", "english": "Moscow"})
    assert "english" in str(err.value)
    assert clean_localized({"en": "  Moscow ", "ru": "  "}) == {"en": "Moscow"}
    with pytest.raises(ValidationError, match="at least one language"):
        clean_localized({"ru": " "})
    with pytest.raises(ValidationError, match="twice"):
        clean_localized({"zh-hans": "a", "zh-Hans": "b"})
    with pytest.raises(ValidationError, match="object"):
        clean_localized(["Moscow"])


@pytest.mark.django_db
def test_field_round_trips_as_localized_text_and_is_validated_on_save():
    person = create_person(name={"zh-hans": "刘晓", "en": "Liu Xiao"})
    stored = Person.objects.get(pk=person.pk)
    assert isinstance(stored.name, LocalizedText)
    assert stored.name == {"zh-Hans": "刘晓", "en": "Liu Xiao"}
    with translation.override("zh-hans"):
        assert str(stored) == "刘晓"
    before = Person.objects.count()
    with pytest.raises(ValidationFailed) as err:
        create_person(name={"chinese": "刘晓"})
    assert err.value.field == "name"
    assert Person.objects.count() == before


def test_template_filter_uses_fallback_languages():
    tpl = Template("{% load accord %}{{ value|loc:langs }}")
    with translation.override("en"):
        assert tpl.render(Context({"value": {"zh": "议定书", "ru": "Протокол"}, "langs": ["ru"]})) == "Протокол"
        assert tpl.render(Context({"value": {"zh": "议定书", "ru": "Протокол"}, "langs": "zh"})) == "议定书"
    assert text_for(None) == ""


@given(st.dictionaries(st.sampled_from(["en", "zh", "ru", "zh-Hans", "de", "fr-CA"]), st.text(min_size=1), min_size=1))
def test_display_always_returns_one_of_the_values(values):
    lt = LocalizedText(values)
    for lang in ["en", "zh-hans", "ru", "ja", None]:
        assert lt.get_text(lang) in values.values()
