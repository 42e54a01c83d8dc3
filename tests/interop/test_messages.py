"""Messages that help (issue 16): spreadsheet row numbers, the column's header as written, the nearest known
codes rather than all of them, the true count of problems; and imported data never breaks a page."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from accord.directory.models import Party, Person
from accord.interop.report import ImportRefused
from accord.interop.services import import_file


def test_rows_are_numbered_as_a_spreadsheet_shows_them(seed, unchanged):
    """A quoted cell spanning three lines is one row; an empty line is an empty row (as Excel shows them)."""
    data = (
        b'external_id,name[en],party\r\n'
        b'p:1,"Wu Heng\r\nsecond line\r\nthird line",CN\r\n'
        b'\r\n'
        b'p:2,Aleksenko,XYZ\r\n'
    )  # fmt: skip
    check = unchanged(Person)
    with pytest.raises(ImportRefused) as refused:
        import_file("people", data, "people.csv")
    assert [(p.row, p.column) for p in refused.value.problems] == [(4, "party")]
    check()


def test_the_column_is_named_by_its_header_as_written(seed):
    data = b"Name [EN],Party\r\nWu Heng,QQ\r\n"
    with pytest.raises(ImportRefused) as refused:
        import_file("people", data, "people.csv")
    assert [(p.row, p.column) for p in refused.value.problems] == [(2, "Party")]


def test_an_unknown_party_names_at_most_five_nearest_codes_not_the_whole_list(seed):
    Party.objects.bulk_create(
        [Party(code=f"P{i:03d}", kind=Party.Kind.INSTITUTION, name={"en": f"Party {i}"}) for i in range(600)]
    )
    with pytest.raises(ImportRefused) as refused:
        import_file("people", b"name[en],party\r\nWu Heng,SUN\r\nAnn,P0001\r\n", "people.csv")
    first, second = (p.reason for p in refused.value.problems)
    assert "nearest: SU" in first and len(first) < 200
    near = second.split("nearest: ", 1)[1].split(", ")
    assert 1 <= len(near) <= 5 and near[0].startswith("P00") and len(second) < 300


def test_an_unknown_party_is_found_by_its_name(seed):
    with pytest.raises(ImportRefused) as refused:
        import_file("people", b"name[en],party\r\nWu Heng,china\r\n", "people.csv")
    assert "nearest: CN" in refused.value.problems[0].reason


@override_settings(ACCORD_IMPORT_MAX_PROBLEMS=3)
def test_the_headline_counts_every_problem_not_only_those_listed(seed, tmp_path: Path):
    lines = "".join(f"Person {i},XX\r\n" for i in range(10))
    with pytest.raises(ImportRefused) as refused:
        import_file("people", f"name[en],party\r\n{lines}".encode(), "people.csv")
    assert refused.value.total == 10 and len(refused.value.problems) == 3
    assert "(and 9 more)" in refused.value.message
    path = tmp_path / "people.csv"
    path.write_text(f"name[en],party\r\n{lines}", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported: 10 problem"):
        call_command("import", "people", str(path), stderr=io.StringIO())


def test_people_list_renders_with_a_person_imported_without_a_party(seed, client):
    import_file("people", "external_id,name[en],name[ru]\r\nnp:1,Ivan Petrov,Иван Петров\r\n".encode(), "p.csv")
    assert Person.objects.get(external_id="np:1").party is None
    client.force_login(get_user_model().objects.get(username="admin"))
    for language in ("en", "zh-hans", "ru"):
        response = client.get("/people/", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, language
    assert "Ivan Petrov" in client.get("/people/?q=Petrov").content.decode()
    detail = client.get(f"/people/{Person.objects.get(external_id='np:1').pk}/")
    assert detail.status_code == 200
