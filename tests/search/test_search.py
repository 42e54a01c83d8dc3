"""Full-text search: Chinese, Russian and English terms, short terms, kept in step by the services, visibility."""

from __future__ import annotations

import functools
import io
import re
import sys
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import QuerySet
from hypothesis import given
from hypothesis import strategies as st

from accord.accounts.models import Role
from accord.accounts.services import grant
from accord.agreements.models import Agreement
from accord.core import bulk, services
from accord.core import search as core_search
from accord.core.models import SearchEntry, Visibility
from accord.core.pages.listing import COUNT_CAP
from accord.core.search import grams, normalise, rebuild_index, search, search_ids
from accord.core.visibility import visible
from accord.directory.models import Organisation, Party, Person
from accord.programmes.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["by the index", "record by record"])
def way(request: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test here runs both ways a query can be served (core.search.record_by_record chooses one per query by
    its share of the records; here few records match, so it would choose the index): each must find the same.
    The tests' own calls read as a list page does (`reads`), so that the way forced is the way taken."""
    by_record = request.param == "record by record"
    monkeypatch.setattr(core_search, "record_by_record", lambda *args, **kwargs: by_record)
    monkeypatch.setattr(sys.modules[__name__], "search", functools.partial(core_search.search, reads=COUNT_CAP + 1))
    return str(request.param)


def found(qs: QuerySet[Any], q: str) -> set[int]:
    return set(search(qs, q).values_list("pk", flat=True))


@pytest.fixture
def project(seed: Any) -> Project:
    return services.create(
        Project,
        agreement=seed.protocol,
        number="S-77",
        title={
            "zh": "稀土元素分离工艺研究",
            "ru": "Исследование технологии разделения редкоземельных элементов",
            "en": "Separation of rare-earth elements",
        },
        visibility=Visibility.BILATERAL,
    )


def test_chinese_two_and_four_characters(seed: Any, project: Project) -> None:
    people = Person.objects.all()
    assert found(people, "武衡") == {seed.wu_heng.pk}  # a two-character name: no trigram can serve it
    assert seed.wu_heng.pk in found(people, "武")
    assert found(Project.objects.all(), "稀土") == {project.pk}
    assert found(Project.objects.all(), "分离工艺") == {project.pk}  # four characters, inside the title
    assert found(Project.objects.all(), "工艺分离") == set()  # characters present, not in this order


def test_russian_whatever_the_case(seed: Any) -> None:
    orgs = Organisation.objects.all()
    upper, lower = found(orgs, "Академия"), found(orgs, "академия")
    assert upper == lower
    assert seed.ussr_academy.pk in upper
    assert seed.tsinghua.pk not in upper
    assert seed.ussr_academy.pk in found(orgs, "АКАДЕМИЯ НАУК")  # two terms, both must match


def test_russian_yo_and_ye_are_one_letter(seed: Any) -> None:
    person = services.create(Person, name={"ru": "Пётр Семёнов"})
    assert found(Person.objects.all(), "семенов") == {person.pk}
    assert found(Person.objects.all(), "Семёнов") == {person.pk}


def test_english_substring_and_number(seed: Any, project: Project) -> None:
    projects = Project.objects.all()
    assert found(projects, "rare-ear") == {project.pk}
    assert found(projects, "ARATION OF RA") == {project.pk}
    assert found(projects, "S-77") == {project.pk}
    assert found(projects, "разделения") == {project.pk}
    assert found(projects, "separation zzzz") == set()


def test_short_latin_terms_match_the_start_of_words(seed: Any, project: Project) -> None:
    projects = Project.objects.all()
    assert project.pk in found(projects, "ra")  # "rare-earth"
    assert project.pk not in found(projects, "ar")  # inside "separation": not the start of a word


def test_organisation_aliases_and_agreement_reference(seed: Any) -> None:
    org = services.create(Organisation, party=seed.cn, name={"en": "Institute of Physics"}, aliases=["IOP", "物理所"])
    assert found(Organisation.objects.all(), "物理所") == {org.pk}
    assert found(Organisation.objects.all(), "iop") == {org.pk}
    services.update(seed.protocol, expected_version=seed.protocol.version, reference="UNTS-4417")
    assert found(Agreement.objects.all(), "unts-4417") == {seed.protocol.pk}


def test_update_changes_what_is_found(seed: Any, project: Project) -> None:
    services.update(project, expected_version=project.version, title={"en": "Tokamak plasma confinement"})
    projects = Project.objects.all()
    assert found(projects, "稀土") == set()
    assert found(projects, "tokamak") == {project.pk}


def test_bulk_writes_are_indexed(seed: Any) -> None:
    made = bulk.create_many(
        Person, [Person(name={"zh": "钱学森", "en": "Qian Xuesen"}), Person(name={"ru": "Курчатов"})]
    )
    assert found(Person.objects.all(), "学森") == {made[0].pk}
    changed = bulk.update_many([bulk.Change(made[1], {"name": {"ru": "Игорь Курчатов"}})])
    assert changed and found(Person.objects.all(), "игорь") == {made[1].pk}


def test_delete_removes_it(seed: Any, project: Project) -> None:
    services.delete(project, expected_version=project.version)
    assert found(Project.objects.all(), "稀土") == set()
    assert not SearchEntry.objects.filter(model="programmes.project", object_id=project.pk).exists()


def test_rolled_back_write_leaves_no_entry(seed: Any) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        services.create(Person, name={"en": "Ephemeral Person"})
        raise RuntimeError("abort")
    assert found(Person.objects.all(), "ephemeral") == set()


def test_visibility_still_applies(seed: Any) -> None:
    internal = services.create(
        Project,
        agreement=seed.protocol,
        number="S-78",
        title={"en": "Heavy water moderation"},
        visibility=Visibility.INTERNAL,
        owner_party=seed.cn,
    )
    public = services.create(
        Project,
        agreement=seed.protocol,
        number="S-79",
        title={"en": "Heavy water production"},
        visibility=Visibility.PUBLIC,
    )
    outsider_party = services.create(Party, code="FR", kind="state", name={"en": "France"}, languages=["fr"])
    users = get_user_model().objects
    cn_user = users.create_user("cn-searcher")  # no password: hashing one costs a second
    su_user = users.create_user("su-searcher")  # no password: hashing one costs a second
    fr_user = users.create_user("fr-searcher")  # no password: hashing one costs a second
    grant(cn_user, seed.cn, Role.OBSERVER)
    grant(su_user, seed.su, Role.OBSERVER)
    grant(fr_user, outsider_party, Role.OBSERVER)
    qs = Project.objects.all()
    for user, expected in [
        (cn_user, {internal.pk, public.pk}),
        (su_user, {public.pk}),  # internal to China
        (fr_user, {public.pk}),
        (None, {public.pk}),
    ]:
        assert set(visible(search(qs, "heavy water"), user).values_list("pk", flat=True)) == expected
        assert set(search(visible(qs, user), "heavy water").values_list("pk", flat=True)) == expected


def test_blank_query_narrows_nothing_and_others_refuse(seed: Any) -> None:
    qs = Person.objects.all()
    assert search(qs, "  ").count() == qs.count()
    assert search(qs, "—").count() == qs.count()  # punctuation only
    with pytest.raises(TypeError):
        search(Party.objects.all(), "china")


def test_quotes_and_wildcards_are_literal(seed: Any) -> None:
    person = services.create(Person, name={"en": 'Ann "50%_off" Lee'})
    assert found(Person.objects.all(), '"50%_o') == {person.pk}
    assert found(Person.objects.all(), "0%_") == {person.pk}
    assert found(Person.objects.all(), "0_%") == set()  # a LIKE wildcard would match it


def test_rebuild_reproduces_the_same_index(seed: Any, project: Project) -> None:
    def entries() -> set[tuple[str, int, str, str]]:
        return set(SearchEntry.objects.values_list("model", "object_id", "body", "grams"))

    before = entries()
    assert ("programmes.project", project.pk) in {(m, i) for m, i, _, _ in before}
    SearchEntry.objects.all().delete()  # lost or damaged: rebuilt from the records
    assert found(Project.objects.all(), "稀土") == set()
    counts = rebuild_index()
    assert entries() == before
    assert counts["programmes.project"] == Project.objects.count()
    assert found(Project.objects.all(), "稀土") == {project.pk}
    call_command("search-index", "rebuild", stdout=io.StringIO())
    assert entries() == before


def test_search_ids_is_the_index_alone(seed: Any, project: Project) -> None:
    assert search_ids(Project, "稀土元素") == [project.pk]
    assert len(search_ids(Project, "part", limit=3)) == 3


def test_normalise_and_grams() -> None:
    assert normalise("  ＡＢＣ  Академия\tЁЖ ") == "abc академия еж"  # full-width, case, ё, spaces
    g = grams("武衡 wu heng 1960年")
    for gram in ("武", "武衡", "衡", "w", "wu", "h", "he", "1", "19", "年"):
        assert gram.ljust(3, "\ue000") in g.split(" ")
    assert "en\ue000" not in g.split(" ")  # not the start of a word


def _grams_by_definition(body: str) -> str:
    """grams() as its docstring defines it, a character at a time: each word's runs of CJK characters give every
    character and every pair; a run of other characters gives its first one and two."""
    cjk = re.compile(
        "[\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
        "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]"
    )
    out: dict[str, None] = {}
    for word in re.findall(r"\w+", body):
        runs: list[str] = []
        for ch in word:
            if runs and bool(cjk.match(runs[-1][-1])) == bool(cjk.match(ch)):
                runs[-1] += ch
            else:
                runs.append(ch)
        for run in runs:
            if cjk.match(run):
                for i in range(len(run)):
                    out.setdefault(run[i], None)
                    out.setdefault(run[i : i + 2], None)
            else:
                out.setdefault(run[:1], None)
                out.setdefault(run[:2], None)
    return " ".join(g.ljust(3, "\ue000") for g in out)


@given(
    st.text(alphabet=st.sampled_from([*"ab0_ -.,\n中国科学院合作ёжй\u30fb\u2ff0\u3005\u0301ｱ가\u2e80ß²", "\U00020001"]))
)
def test_grams_are_each_words_runs_in_order(body: str) -> None:
    # grams() finds the runs with one regex (the index is written for every record): the same grams, in the
    # same order, as walking each word a character at a time. Punctuation-like characters inside the CJK blocks
    # (・, ⿰) are no word characters and give nothing.
    assert grams(body) == _grams_by_definition(body)


# --- accents, Russian word forms, people and organisations by every name ------------------------------------


def test_accents_are_folded_both_ways(seed: Any) -> None:
    org = services.create(
        Organisation, party=seed.cn, name={"es": "INSTITUTO DE LA NIÑEZ"}, aliases=["Universität Wien"]
    )
    orgs = Organisation.objects.all()
    assert found(orgs, "ninez") == {org.pk}
    assert found(orgs, "NIÑEZ") == {org.pk}
    assert found(orgs, "niñez") == {org.pk}
    assert found(orgs, "universitat") == {org.pk}
    assert found(orgs, "Universität") == {org.pk}


def test_russian_short_i_is_not_folded_into_i(seed: Any) -> None:
    person = services.create(Person, name={"ru": "Андрей Иванов"})
    assert found(Person.objects.all(), "андрей") == {person.pk}
    assert normalise("Андрей Ёлкин") == "андрей елкин"  # й is a letter of its own; ё is written е
    assert normalise("Niñez Universität") == "ninez universitat"


def test_russian_word_forms_find_each_other(seed: Any) -> None:
    project = services.create(
        Project,
        agreement=seed.protocol,
        number="S-78",
        title={"ru": "Научно-техническое сотрудничество в области геологии"},
        visibility=Visibility.BILATERAL,
    )
    projects = Project.objects.all()
    for form in ("сотрудничество", "сотрудничества", "сотрудничеству", "Сотрудничеством", "геология", "геологией"):
        assert project.pk in found(projects, form), form
    assert found(projects, "сотрудничества геологии") == {project.pk}
    assert found(projects, "научно-технического сотрудничества") == {project.pk}  # a compound's last word
    assert found(projects, "сотрудничества минералогии") == set()


def test_people_found_by_every_script_and_their_positions(seed: Any) -> None:
    people = Person.objects.all()
    for q in ("Wu Heng", "武衡", "У Хэн", "wu heng", "у хэн"):
        assert seed.wu_heng.pk in found(people, q), q
    assert seed.wu_heng.pk not in found(people, "Aleksenko")


def test_a_position_written_or_removed_changes_what_finds_the_person(seed: Any) -> None:
    from accord.directory.models import Position

    person = services.create(Person, name={"en": "Lin Ping"})
    assert found(Person.objects.all(), "glaciologist") == set()
    position = services.create(Position, person=person, organisation=seed.tsinghua, title={"en": "Chief glaciologist"})
    assert found(Person.objects.all(), "glaciologist") == {person.pk}
    services.delete(position, expected_version=position.version)
    assert found(Person.objects.all(), "glaciologist") == set()


def test_organisations_found_by_former_names(seed: Any) -> None:
    from accord.directory.models import OrganisationName

    org = services.create(Organisation, party=seed.cn, name={"en": "Ministry of Science and Technology"})
    services.create(OrganisationName, organisation=org, name={"zh": "国家科学技术委员会", "en": "State S&T Commission"})
    assert org.pk in found(Organisation.objects.all(), "国家科学技术委员会")
    assert found(Organisation.objects.all(), "state s&t") == {org.pk}
    counts = rebuild_index()  # a rebuild finds the same
    assert counts["directory.organisation"] >= 1
    assert found(Organisation.objects.all(), "state s&t") == {org.pk}


def test_the_search_page_lists_people(client: Any, seed: Any) -> None:
    from django.urls import reverse

    client.force_login(get_user_model().objects.get(username="cn-coordinator"))
    for q in ("Wu Heng", "武衡", "У Хэн"):
        page = client.get(reverse("web:search"), {"q": q}).content.decode()
        assert reverse("directory:people-detail", args=[seed.wu_heng.pk]) in page, q


def test_the_migration_folds_entries_written_before_it(seed: Any) -> None:
    """core 0007 normalises the stored texts again, so an index built before folding finds ninez too."""
    import importlib
    from types import SimpleNamespace

    from django.db import connection

    org = services.create(Organisation, party=seed.cn, name={"es": "Consejo de la Niñez"})
    # As the index stored it before: casefolded, accents kept.
    SearchEntry.objects.filter(model="directory.organisation", object_id=org.pk).update(
        body="consejo de la niñez", grams=grams("consejo de la niñez")
    )
    assert found(Organisation.objects.all(), "ninez") == set()
    migration = importlib.import_module("accord.core.migrations.0007_search_folded")
    migration.refold(None, SimpleNamespace(connection=connection))
    assert found(Organisation.objects.all(), "ninez") == {org.pk}
    assert found(Organisation.objects.all(), "Niñez") == {org.pk}
