"""Stored values in the history and stale-version notes: localized texts say which language each part is in."""

from __future__ import annotations

from accord.core.templatetags.accord_web import display_value


def test_a_localized_text_marks_each_part_with_its_language():
    shown = display_value({"ru": "Геология", "en": "Geology <1>", "zh-Hans": "地质"})
    assert shown == (
        'en: <span lang="en">Geology &lt;1&gt;</span>; ru: <span lang="ru">Геология</span>; '
        'zh-Hans: <span lang="zh-Hans">地质</span>'
    )


def test_other_mappings_stay_plain_text():
    assert display_value({"as_of": "1960-02-24", "agreement_projects": 122}) == (
        "agreement_projects: 122; as_of: 1960-02-24"
    )
    assert display_value({}) == "—"
    assert display_value(["a", "b"]) == "a, b"


def test_filter_options_are_escaped_and_only_the_chosen_one_is_selected():
    from accord.core.templatetags.accord_web import select_options

    html = select_options([("1", "CN — <China & co>"), ("12", 'RU — "Russia"')], "1")
    assert html == (
        '<option value="1" selected>CN — &lt;China &amp; co&gt;</option>'
        '<option value="12">RU — &quot;Russia&quot;</option>'
    )
    assert "selected" not in select_options([("1", "a")], "")
