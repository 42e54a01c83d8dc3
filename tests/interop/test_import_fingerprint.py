"""A file imported again (the page, the API, `accord import`, the import job: all call import_file) with nothing it
reads or writes changed in Accord since: no record is read, compared or written, and the report counts them all
unchanged. Any change (the file, the encoding or sheet asked for, a record of the kind or of a kind the file names)
goes through the record-by-record comparison, as before (interop.sources.fingerprint)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accord.agreements.models import Agreement
from accord.core.bulk import Change, update_many
from accord.core.models import ChangeRecord
from accord.directory.models import Party
from accord.interop.mapping import Mapping, import_mapped
from accord.interop.models import ImportFingerprint
from accord.interop.report import ImportRefused
from accord.interop.services import import_file
from accord.programmes.models import Project
from accord.programmes.services import add_plan_item, create_plan, transition_plan

pytestmark = pytest.mark.django_db

HEADER = "external_id,kind,title[en],title[zh],title[ru],parties\n"


def _agreements(n: int = 30, title: str = "Agreement") -> bytes:
    rows = [f"fp:{i},agreement,{title} {i},协定{i},Соглашение {i},CN; SU\n" for i in range(n)]
    return (HEADER + "".join(rows)).encode()


def _shortcut(report) -> bool:
    return any("these files are the ones imported" in note for note in report.notes)


def test_the_same_file_again_reads_and_writes_nothing_and_counts_every_record_unchanged(seed) -> None:
    data = _agreements()
    first = import_file("agreements", io.BytesIO(data), "a.csv")
    assert first.created["agreement"] == 30 and not _shortcut(first)
    entries = ChangeRecord.objects.count()

    upload = io.BytesIO(data)
    with CaptureQueriesContext(connection) as queries:
        again = import_file("agreements", upload, "a.csv")
    assert len(queries) <= 3  # the fingerprint and the chain after it: no record read
    assert _shortcut(again)
    assert again.unchanged["agreement"] == 30 and not again.created and not again.updated
    assert ChangeRecord.objects.count() == entries
    assert again.read_as == first.read_as
    assert upload.tell() == 0  # the upload is left where it was, for whoever reads it next

    # The same file under another name, and as bytes: the same file.
    assert _shortcut(import_file("agreements", data, "a.csv"))
    assert not _shortcut(import_file("agreements", data, "renamed.csv"))  # a name is part of what was imported


def test_a_change_to_the_file_or_to_how_it_is_read_is_compared_record_by_record(seed) -> None:
    import_file("agreements", _agreements(), "a.csv")
    changed = import_file("agreements", _agreements(title="Treaty"), "a.csv")
    assert not _shortcut(changed) and changed.updated["agreement"] == 30
    again = import_file("agreements", _agreements(title="Treaty"), "a.csv", encoding="utf-8")
    assert not _shortcut(again) and again.unchanged["agreement"] == 30  # another encoding asked for: compared
    assert _shortcut(import_file("agreements", _agreements(title="Treaty"), "a.csv", encoding="utf-8"))


@pytest.mark.parametrize("changed", ["agreement", "party"])
def test_a_record_changed_in_accord_since_is_compared_and_the_file_wins_again(seed, changed: str) -> None:
    import_file("agreements", _agreements(), "a.csv")
    if changed == "agreement":  # the kind itself: the file's title is written back
        agreement = Agreement.objects.get(external_id="fp:3")
        update_many([Change(agreement, {"title": {**agreement.title, "en": "Edited"}}, agreement.version)])
    else:  # a kind the file names (its parties' codes): the rows may resolve otherwise now
        party = Party.objects.get(code="SU")
        update_many([Change(party, {"name": {**party.name, "en": "Soviet Union (renamed)"}}, party.version)])
    report = import_file("agreements", _agreements(), "a.csv")
    assert not _shortcut(report)
    assert report.updated["agreement"] == (1 if changed == "agreement" else 0)
    assert Agreement.objects.get(external_id="fp:3").title["en"] == "Agreement 3"
    assert _shortcut(import_file("agreements", _agreements(), "a.csv"))  # compared and kept again


def test_a_change_to_another_kind_keeps_the_shortcut(seed) -> None:
    import_file("agreements", _agreements(), "a.csv")
    project = Project.objects.first()
    update_many([Change(project, {"title": {**project.title, "en": "Elsewhere"}}, project.version)])
    assert _shortcut(import_file("agreements", _agreements(), "a.csv"))


def test_a_dry_run_or_a_refused_import_keeps_no_fingerprint(seed, unchanged) -> None:
    import_file("agreements", _agreements(), "a.csv", dry_run=True)
    assert not ImportFingerprint.objects.exists()
    bad = _agreements().replace(b"CN; SU", b"CN; XX", 1)
    with pytest.raises(ImportRefused):
        import_file("agreements", bad, "a.csv")
    assert not ImportFingerprint.objects.exists()
    check = unchanged(Agreement)
    with pytest.raises(ImportRefused):  # refused again: not taken for a file imported before
        import_file("agreements", bad, "a.csv")
    check()


def test_a_dry_run_of_a_file_imported_before_says_so_and_writes_nothing(seed) -> None:
    import_file("agreements", _agreements(), "a.csv")
    report = import_file("agreements", _agreements(), "a.csv", dry_run=True)
    assert report.dry_run and _shortcut(report) and report.unchanged["agreement"] == 30


def test_what_the_first_import_changed_is_not_said_again(seed) -> None:
    # A plan item added to a proposed plan sends the plan back to draft: a note of that import, not of a re-import.
    plan = create_plan(
        agreement=seed.protocol,
        title={"en": "1961 cooperation plan"},
        period_start=dt.date(1961, 1, 1),
        period_end=dt.date(1961, 12, 31),
    )
    projects = Project.objects.filter(agreement=seed.protocol).order_by("id")
    add_plan_item(plan, projects[0])
    plan.refresh_from_db()
    transition_plan(plan, "proposed", expected_version=plan.version)
    ref = seed.protocol.reference or seed.protocol.title["en"]
    data = f'agreement,plan,project\r\n"{ref}",1961,{projects[1].number}\r\n'.encode()
    first = import_file("plan-items", data, "i.csv")
    assert any("went back to draft" in note for note in first.notes)
    again = import_file("plan-items", data, "i.csv")
    assert _shortcut(again) and again.unchanged["plan item"] == 1
    assert not any("went back to draft" in note for note in again.notes)


def test_rows_through_a_column_mapping_are_always_compared(seed) -> None:
    data = b"Ref;Name (en);Parties\nm:1;Mapped agreement;CN, SU\n"
    mapping = Mapping(
        "agreements",
        columns={"Ref": "external_id", "Name (en)": "title[en]", "Parties": "parties"},
        split={"Parties": ","},
    )
    assert import_mapped(mapping, data, "m.csv").created["agreement"] == 1
    again = import_mapped(mapping, data, "m.csv")
    assert not _shortcut(again) and again.unchanged["agreement"] == 1


def test_the_job_page_shows_the_counts_of_an_import_that_created_nothing(seed) -> None:
    import_file("agreements", _agreements(), "a.csv")
    again = import_file("agreements", _agreements(), "a.csv")
    html = render_to_string("jobs/_import_report.html", {"report": again.as_dict()})
    row = re.search(r"<tr><th scope=\"row\">agreement</th>(.*?)</tr>", html)
    assert row is not None, html
    assert re.findall(r">(\d+)<", row.group(1)) == ["0", "0", "30"]  # created, updated, unchanged
    assert "agreement: 0 created, 0 updated, 30 unchanged" in again.summary()


@pytest.mark.parametrize(("language", "words"), [("zh-hans", "这些文件与"), ("ru", "эти файлы — те же")])
def test_the_note_is_in_the_readers_language(seed, language: str, words: str) -> None:
    import_file("agreements", _agreements(), "a.csv")
    with translation.override(language):
        again = import_file("agreements", _agreements(), "a.csv")
    assert again.unchanged["agreement"] == 30
    assert any(words in note for note in again.notes), again.notes


def test_the_job_page_names_each_kind_in_the_readers_language(seed) -> None:
    import_file("agreements", _agreements(), "a.csv")
    with translation.override("ru"):
        again = import_file("agreements", _agreements(), "a.csv").as_dict()
    html = render_to_string("jobs/_import_report.html", {"report": again})
    assert '<th scope="row">соглашение</th>' in html
    assert again["unchanged"] == {"agreement": 30}  # the API's keys stay as they are
