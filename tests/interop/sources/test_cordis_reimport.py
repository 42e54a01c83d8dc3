"""CORDIS re-import by fingerprint: the same files with nothing changed in Accord since write nothing and compare
nothing; any change (to the file, or in Accord to a kind the import writes) goes through the full comparison."""

from __future__ import annotations

import datetime as dt
import gzip
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.core.bulk import Change, update_many
from accord.core.models import ChangeRecord
from accord.core.verify import verify
from accord.directory.models import Organisation
from accord.interop.models import ImportFingerprint, ImportMapping
from accord.interop.sources.cordis import import_cordis
from accord.programmes.models import Participation, Project
from tests.shared_data import require_shared_data

EUNETS = require_shared_data() / "h2020-participations-eunets" / "h2020.csv.gz"

pytestmark = pytest.mark.django_db

ROWS = 2300  # more than one batch of 2,000 keys


def _lines(rows: int = ROWS) -> list[str]:
    with gzip.open(EUNETS, "rt", encoding="utf-8") as src:
        return [next(src) for _ in range(rows + 1)]


def _write(path: Path, lines: list[str]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.writelines(lines)
    return path


def _written(report) -> int:
    return sum(report.created.values()) + sum(report.updated.values())


def test_unchanged_reimport_reads_no_records_writes_nothing_and_reports_them_unchanged(tmp_path: Path) -> None:
    path = _write(tmp_path / "h2020.csv.gz", _lines())
    first = import_cordis(path)
    assert first.rows == ROWS and ImportFingerprint.objects.count() == 1
    entries = ChangeRecord.objects.count()

    with CaptureQueriesContext(connection) as queries:
        again = import_cordis(path)
    assert len(queries) <= 3  # the fingerprint, the chain after it: no record compared
    assert _written(again) == 0 and ChangeRecord.objects.count() == entries
    assert again.rows == ROWS
    assert again.records == first.records
    assert again.unchanged["participation"] == first.created["participation"]
    assert again.unchanged["project"] == first.created["project"]
    assert again.unchanged["organisation"] == first.created["organisation"]
    assert any("nothing was written" in n for n in again.notes)
    assert again.read_as == first.read_as

    # The command says the same: rows read, every record unchanged.
    out = io.StringIO()
    call_command("import", "cordis", str(path), stdout=out)
    text = out.getvalue()
    assert f"Read {ROWS} row(s)" in text
    assert f"participation: 0 created, 0 updated, {first.created['participation']} unchanged" in text
    assert ChangeRecord.objects.count() == entries


def test_a_changed_row_reimports_just_that_row(tmp_path: Path) -> None:
    lines = _lines()
    path = _write(tmp_path / "h2020.csv.gz", lines)
    first = import_cordis(path)
    # The last data row (in the second batch of keys): its role changes.
    row = lines[-1].split(",")
    key = f"cordis-participation:{row[0]}:{row[2]}"
    before = Participation.objects.get(external_id=key)
    row[1] = "coordinator" if row[1] != "coordinator" else "participant"
    lines[-1] = ",".join(row)
    _write(path, lines)
    entries = ChangeRecord.objects.count()

    again = import_cordis(path)
    assert again.updated["participation"] == 1 and _written(again) == 1
    assert again.unchanged["participation"] == first.created["participation"] - 1
    assert ChangeRecord.objects.count() == entries + 1
    after = Participation.objects.get(external_id=key)
    assert after.role != before.role and after.version == 2
    # Now this file's fingerprint is kept: the next re-import compares nothing.
    assert _written(import_cordis(path)) == 0 and ChangeRecord.objects.count() == entries + 1
    assert verify().ok


def test_a_record_edited_in_accord_after_the_import_is_put_back(tmp_path: Path) -> None:
    path = _write(tmp_path / "h2020.csv.gz", _lines())
    import_cordis(path)
    org = Organisation.objects.get(external_id="cordis-pic:984516342")
    assert org.kind == Organisation.Kind.ENTERPRISE
    update_many([Change(org, {"kind": Organisation.Kind.UNIVERSITY})])
    project = Project.objects.get(external_id="cordis-rcn:221856")
    update_many([Change(project, {"start_on": dt.date(2001, 1, 1)})])
    entries = ChangeRecord.objects.count()

    again = import_cordis(path)  # the same file: its fingerprint matches, but the chain has moved on those kinds
    assert again.updated["organisation"] == 1 and again.updated["project"] == 1 and _written(again) == 2
    assert Organisation.objects.get(pk=org.pk).kind == Organisation.Kind.ENTERPRISE
    assert Project.objects.get(pk=project.pk).start_on != dt.date(2001, 1, 1)
    assert ChangeRecord.objects.count() == entries + 2
    assert _written(import_cordis(path)) == 0 and ChangeRecord.objects.count() == entries + 2


def test_a_deleted_record_is_created_again(tmp_path: Path) -> None:
    from accord.core import services as records

    path = _write(tmp_path / "h2020.csv.gz", _lines(300))
    import_cordis(path)
    part = Participation.objects.get(external_id="cordis-participation:221856:998616262")
    records.delete(part, expected_version=part.version)
    again = import_cordis(path)
    assert again.created["participation"] == 1 and _written(again) == 1
    assert Participation.objects.filter(external_id="cordis-participation:221856:998616262").exists()


def test_a_change_to_another_kind_of_record_does_not_stop_the_shortcut(tmp_path: Path) -> None:
    from accord.core import services as records

    path = _write(tmp_path / "h2020.csv.gz", _lines(300))
    import_cordis(path)
    records.create(ImportMapping, name="Monthly", kind="projects", definition={"columns": {"Title": "title"}})
    with CaptureQueriesContext(connection) as queries:
        again = import_cordis(path)
    assert len(queries) <= 3 and _written(again) == 0
    assert any("nothing was written" in n for n in again.notes)


def test_a_row_inserted_at_the_top_shifts_every_batch_and_still_gives_the_right_records(tmp_path: Path) -> None:
    lines = _lines()
    path = _write(tmp_path / "h2020.csv.gz", lines)
    first = import_cordis(path)
    # A new participant of the first file row's project, inserted above every row: each later row moves down one.
    rcn = lines[1].split(",")[0]
    new = f"{rcn},participant,999999999,REC,0,FR,{','.join(lines[1].rstrip().split(',')[6:])}\n"
    _write(path, [lines[0], new, *lines[1:]])
    entries = ChangeRecord.objects.count()

    again = import_cordis(path)
    assert +again.created == {"organisation": 1, "participation": 1}
    assert sum(again.updated.values()) == 0
    assert again.unchanged["participation"] == first.created["participation"]
    assert again.rows == ROWS + 1
    added = Participation.objects.get(external_id=f"cordis-participation:{rcn}:999999999")
    assert added.side.code == "FR" and added.organisation.kind == Organisation.Kind.INSTITUTE
    assert ChangeRecord.objects.count() == entries + 2
    # And the shifted file, imported again, is recognised.
    with CaptureQueriesContext(connection) as queries:
        assert _written(import_cordis(path)) == 0
    assert len(queries) <= 3
    assert verify().ok


def test_dry_run_keeps_no_fingerprint_and_a_past_day_bound_compares_again(tmp_path: Path) -> None:
    path = _write(tmp_path / "h2020.csv.gz", _lines(300))
    import_cordis(path, dry_run=True)
    assert not ImportFingerprint.objects.exists()
    import_cordis(path)
    seen = ImportFingerprint.objects.get()
    assert seen.valid_until is None  # Horizon 2020 ended: its status no longer follows the day
    assert seen.rows == 300 and seen.records["participation"] == 300
    assert [f["name"] for f in seen.files] == ["h2020.csv.gz"]
    dry = import_cordis(path, dry_run=True)
    assert dry.dry_run and any("nothing was written" in n for n in dry.notes)
    # A day-bound fingerprint past its day: the records are compared one by one (and found unchanged).
    ImportFingerprint.objects.update(valid_until=dt.date(2020, 1, 1))
    with CaptureQueriesContext(connection) as queries:
        again = import_cordis(path)
    assert len(queries) > 3 and _written(again) == 0
    assert not any("nothing was written" in n for n in again.notes)
    assert ImportFingerprint.objects.get().valid_until is None  # kept again, as of this import
