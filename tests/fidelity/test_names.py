"""The directory of names: matching 武衡 / Wu Heng / У Хэн in texts, and building it from Accord's records."""

from __future__ import annotations

import pytest

from accord.fidelity.names import Directory, Entry, directory_from_database

DIRECTORY = Directory(
    [
        Entry("person:wu", "person", {"zh": ("武衡",), "en": ("Wu Heng",), "ru": ("У Хэн",)}),
        Entry("person:petukhov", "person", {"zh": ("佩图霍夫",), "en": ("Petukhov",), "ru": ("Петухов",)}),
        Entry("place:moscow", "place", {"zh": ("莫斯科",), "en": ("Moscow",), "ru": ("Москва",)}),
        Entry(
            "organisation:gntk",
            "organisation",
            {
                "en": ("State Scientific and Technological Committee of the USSR Council of Ministers",),
                "zh": ("苏联部长会议国家科学技术委员会", "苏联国家科学技术委员会"),
                "ru": ("Государственный научно-технический комитет Совета Министров СССР",),
            },
        ),
        Entry(
            "organisation:stc",
            "organisation",
            {"zh": ("科学技术委员会",), "en": ("Scientific and Technological Commission",)},
        ),
        Entry(
            "organisation:msu",
            "organisation",
            {"en": ("Moscow State University",), "ru": ("Московский государственный университет",)},
        ),
    ]
)


def found(text: str) -> list[tuple[str, str]]:
    return [(f.key[1], f.text) for f in DIRECTORY.find(text)]


def test_one_person_in_three_scripts() -> None:
    assert found("武衡") == [("person:wu", "武衡")]
    assert found("signed by Wu Heng.") == [("person:wu", "Wu Heng")]
    assert found("подписал У Хэн.") == [("person:wu", "У Хэн")]


def test_russian_names_in_other_cases() -> None:
    assert found("в Москве") == [("place:moscow", "Москве")]
    assert found("с Петуховым") == [("person:petukhov", "Петуховым")]
    assert found("делегация Государственного научно-технического комитета Совета Министров СССР") == [
        ("organisation:gntk", "Государственного научно-технического комитета Совета Министров СССР")
    ]


def test_longest_name_wins() -> None:
    assert found("苏联国家科学技术委员会主席") == [("organisation:gntk", "苏联国家科学技术委员会")]
    assert found("at Moscow State University") == [("organisation:msu", "Moscow State University")]
    assert found("в Московском государственном университете") == [
        ("organisation:msu", "Московском государственном университете")
    ]


def test_english_short_form_plural_and_article() -> None:
    # "X of Y" organisations are also known by X when X has three words or more
    assert found("the State Scientific and Technological Committee of the Soviet Council") == [
        ("organisation:gntk", "the State Scientific and Technological Committee")
    ]
    assert found("the Chinese and Soviet Scientific and Technological Commissions") == [
        ("organisation:stc", "Scientific and Technological Commissions")
    ]


def test_no_match_inside_other_words() -> None:
    assert found("Moscowian") == []
    assert found("Wu Hengyang") == []


def test_json_round_trip_and_loose_input() -> None:
    data = {"entries": [{"id": "p:1", "kind": "person", "names": {"en": "Liu Xiao", "zh": ["刘晓"]}}]}
    d = Directory.from_json(data)
    assert [f.key for f in d.find("刘晓 and Liu Xiao")] == [("name", "p:1"), ("name", "p:1")]
    assert Directory.from_json(d.to_json()).to_json() == d.to_json()
    with pytest.raises(ValueError):
        Directory.from_json({"entries": ["not an object"]})


@pytest.mark.django_db
def test_directory_from_the_database_knows_the_seed(seed) -> None:  # type: ignore[no-untyped-def]
    d = directory_from_database()
    ids = {f.key[1] for f in d.find("武衡 Aleksenko Лю Сяо 佩图霍夫 莫斯科 ГНТК СССР 中国科学技术委员会")}
    assert f"person:{seed.wu_heng.uid}" in ids
    assert f"person:{seed.aleksenko.uid}" in ids
    assert f"person:{seed.liu_xiao.uid}" in ids
    assert f"person:{seed.petukhov.uid}" in ids
    assert f"organisation:{seed.su_committee.uid}" in ids  # by its alias
    assert f"organisation:{seed.cn_commission.uid}" in ids
    assert any(i.startswith("place:") for i in ids)  # Moscow, from the meeting's place


def test_the_shipped_gazetteer_is_what_its_lists_and_pycountry_make() -> None:
    import json

    from accord.fidelity import gazetteer

    shipped = json.loads(gazetteer.PATH.read_text(encoding="utf-8"))
    assert shipped == json.loads(json.dumps(gazetteer.build(), ensure_ascii=False))
    names = gazetteer.gazetteer()
    found = {f.label for f in names.find("Франции, Российской Федерации и Соединенным Штатам Америки")}
    assert found == {"France", "Russian Federation", "United States"}
    # names are written with a capital: того is a pronoun, not Togo; "who" is not the WHO
    assert names.find("того, who") == []


def test_names_are_found_alike_before_and_after_the_whole_trie_is_compiled() -> None:
    # the first texts get a trie of the names they may hold (fast start-up); later ones the whole trie
    from accord.fidelity.gazetteer import PATH

    directory = Directory.load(PATH)
    texts = [
        "France and Germany, the Security Councils and the Commission on the Status of Women's report",
        "法国和德国在安全理事会和联合国大会上发言",
        "Côte d'Ivoire, the Republic of Korea's delegation and the General Assembly",
        "Мексика и Франция",
    ]
    first = [[(f.key, f.start, f.end) for f in directory.find(t)] for t in texts]
    again = [[(f.key, f.start, f.end) for f in directory.find(t)] for t in texts]
    assert first == again
    assert ("Latin",) in directory._by_forms and ("Han",) in directory._by_forms
    assert [k for k, _, _ in first[0]] == [
        ("name", "country:FR"),
        ("name", "country:DE"),
        ("name", "body:sc"),
        ("name", "body:csw"),
    ]
