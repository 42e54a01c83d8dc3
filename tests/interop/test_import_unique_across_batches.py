"""Two rows sharing a unique value that is not the record's key (a project's agreement and number, a party's
code, a person's ORCID), far apart in the file: the bulk validation sees one batch and the stored records, so
across batches it caught them only once the first was written, and a dry run let them through. Both the dry run
and the import refuse the second row, naming both rows as a spreadsheet numbers them (header = row 1)."""

from __future__ import annotations

from typing import Any

import pytest

from accord.core.models import ChangeRecord
from accord.directory.models import Party, Person
from accord.interop import services
from accord.interop.report import ImportRefused
from accord.interop.services import import_file
from accord.programmes.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_batches(monkeypatch: Any) -> None:
    # 2,000 rows a batch in production; 5 here, so rows 3 and 14 are in different batches (3 apart).
    monkeypatch.setattr(services._Stored, "BATCH", 5)


def projects(seed: Any, rows: int, *, same: tuple[int, int]) -> bytes:
    ref = seed.protocol.reference or seed.protocol.title["en"]
    lines = ["external_id,agreement,number,title[en],modality"]
    for n in range(1, rows + 1):
        number = f"U{same[0]}" if n == same[1] else f"U{n}"
        lines.append(f'test:u{n},"{ref}",{number},Unique project {n},joint')
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_shared_agreement_and_number_in_another_batch_is_refused_naming_both_rows(seed: Any, dry_run: bool) -> None:
    # Data rows 2 and 13 (spreadsheet rows 3 and 14) share agreement and number; their external ids differ.
    data = projects(seed, 20, same=(2, 13))
    before = (Project.objects.count(), ChangeRecord.objects.count())
    with pytest.raises(ImportRefused) as refused:
        import_file("projects", data, "p.csv", dry_run=dry_run)
    assert [(p.row, p.column, p.reason) for p in refused.value.problems] == [
        (14, "number", "has the same agreement, number as row 3")
    ]
    assert refused.value.total == 1
    assert (Project.objects.count(), ChangeRecord.objects.count()) == before  # the first batches were rolled back


def test_a_shared_party_code_under_two_global_ids_is_refused_in_a_dry_run(db: Any) -> None:
    import uuid

    lines = ["uid,code,kind,name[en]"] + [
        f"{uuid.uuid4()},TORG{n:02d},international_organisation,Test organisation {n}" for n in range(1, 13)
    ]
    lines[11] = lines[11].replace("TORG11", "TORG02")  # spreadsheet row 12: the code of row 3
    before = Party.objects.count()
    with pytest.raises(ImportRefused) as refused:
        import_file("parties", ("\n".join(lines) + "\n").encode(), "parties.csv", dry_run=True)
    assert [(p.row, p.column, p.reason) for p in refused.value.problems] == [(12, "code", "has the same code as row 3")]
    assert Party.objects.count() == before


def test_a_shared_orcid_in_another_batch_is_refused_in_a_dry_run(seed: Any) -> None:
    lines = ["external_id,name[en],orcid"] + [f"test:p{n},Person {n}," for n in range(1, 13)]
    lines[2] = "test:p2,Person 2,0000-0002-1825-0097"
    lines[10] = "test:p10,Person 10,0000-0002-1825-0097"
    before = Person.objects.count()
    with pytest.raises(ImportRefused) as refused:
        import_file("people", ("\n".join(lines) + "\n").encode(), "people.csv", dry_run=True)
    assert [(p.row, p.column, p.reason) for p in refused.value.problems] == [
        (11, "orcid", "has the same orcid as row 3")
    ]
    assert Person.objects.count() == before


def test_the_same_values_in_different_batches_pass_when_they_differ(seed: Any) -> None:
    report = import_file("projects", projects(seed, 12, same=(5, 5)), "p.csv", dry_run=True)
    assert report.created["project"] == 12
