"""Treaty catalogue import: parties by name, dates, status, the S&T subset usable for plans, re-import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from accord.agreements.models import Agreement
from accord.directory.models import Party
from accord.interop.report import ImportRefused
from accord.interop.sources.treaties import import_treaties, party_for_name, treaty_kind
from accord.programmes import services as programmes
from tests.shared_data import require_shared_data

SUBSET = require_shared_data("uk-fcdo-treaties", "uk_treaties_science_tech_subset.csv")
ROMANIA_1967 = "fcdo:117f04f3-f9f8-49e5-aeb0-a341e8d19479"

pytestmark = pytest.mark.django_db


def test_names_and_kinds() -> None:
    assert party_for_name("SOVIET UNION").code == "SU"
    assert party_for_name("UNITED KINGDOM").code == "GB"
    assert party_for_name("SPAIN").code == "ES"
    assert party_for_name("UNITED NATIONS").kind == Party.Kind.INTERNATIONAL_ORGANISATION
    assert party_for_name("Land Berlin").code.startswith("FCDO-")
    assert treaty_kind("Protocol amending the Agreement on ...") == Agreement.Kind.PROTOCOL
    assert treaty_kind("Exchange of Notes concerning ...") == Agreement.Kind.AGREEMENT
    assert treaty_kind("Memorandum of Understanding on ...") == Agreement.Kind.MEMORANDUM


def test_science_subset_gives_agreements_a_coordinator_can_plan_under(seed) -> None:
    su = Party.objects.get(code="SU").pk
    report = import_treaties(SUBSET)
    assert report.created["agreement"] == 416
    assert Party.objects.get(code="SU").pk == su  # the seed's USSR is reused
    romania = Agreement.objects.get(external_id=ROMANIA_1967)
    assert romania.title["en"].startswith("Agreement for Science and Technological Co-operation")
    assert romania.signed_on == dt.date(1967, 3, 9)
    assert romania.status == Agreement.Status.IN_FORCE
    assert set(romania.agreement_parties.values_list("party__code", flat=True)) == {"GB", "RO"}
    plan = programmes.create_plan(
        agreement=romania,
        title={"en": "UK–Romania scientific co-operation, 1968"},
        period_start=dt.date(1968, 1, 1),
        period_end=dt.date(1968, 12, 31),
    )
    assert (plan.pk and [p.code for p in programmes.signatory_parties(plan)] == ["RO", "GB"]) or ["GB", "RO"]
    spain = Agreement.objects.get(external_id="fcdo:6519a48e-6551-4a85-873d-fe73612f8547")
    assert spain.signed_at == {"en": "Madrid"} and spain.entry_into_force_on == dt.date(1961, 3, 29)
    assert spain.reference.startswith("Treaty Series 050/1961")

    again = import_treaties(SUBSET)
    assert sum(again.created.values()) == 0 and sum(again.updated.values()) == 0
    assert again.unchanged["agreement"] == 416


def test_bad_date_is_refused_with_row_and_column(tmp_path: Path) -> None:
    lines = SUBSET.read_text(encoding="utf-8").splitlines()[:4]
    lines[3] = lines[3].replace("09/03/1967", "31/02/1967") if "09/03/1967" in lines[3] else lines[3]
    lines[2] = lines[2].replace(",12/07/1960,", ",1960-07-12,")
    path = tmp_path / "treaties.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = Agreement.objects.count()
    with pytest.raises(ImportRefused) as caught:
        import_treaties(path)
    assert ("treaties.csv", 3, "signed_event_date") in {(p.file, p.row, p.column) for p in caught.value.problems}
    assert Agreement.objects.count() == before


def test_the_catalogue_saved_as_xlsx_imports_like_the_csv(tmp_path: Path) -> None:
    """Issue 16: `import treaties` on an XLSX said "not UTF-8 text (byte 15)"; the workbook is now read."""
    import csv

    from openpyxl import Workbook

    with SUBSET.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))[:41]
    book = Workbook()
    for row in rows:
        book.active.append(row)
    path = tmp_path / "treaties.xlsx"
    book.save(path)
    from_xlsx = import_treaties(path, dry_run=True)
    csv_path = tmp_path / "treaties.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    from_csv = import_treaties(csv_path, dry_run=True)
    assert from_xlsx.created == from_csv.created and from_xlsx.created["agreement"] > 0
    assert "treaties.xlsx: XLSX, sheet Sheet" in from_xlsx.read_as


def test_reimport_of_the_same_catalogue_compares_nothing_unless_accord_changed_since() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accord.core.bulk import Change, update_many
    from accord.core.models import ChangeRecord

    first = import_treaties(SUBSET)
    entries = ChangeRecord.objects.count()
    with CaptureQueriesContext(connection) as queries:
        again = import_treaties(SUBSET)
    assert len(queries) <= 3 and ChangeRecord.objects.count() == entries
    assert again.unchanged["agreement"] == 416 and again.records == first.records and again.rows == first.rows
    assert any("nothing was written" in n for n in again.notes)
    # An agreement edited in Accord since: the catalogue's value is put back.
    romania = Agreement.objects.get(external_id=ROMANIA_1967)
    update_many([Change(romania, {"reference": "edited"})])
    back = import_treaties(SUBSET)
    assert back.updated["agreement"] == 1 and sum(back.created.values()) == 0
    assert Agreement.objects.get(pk=romania.pk).reference != "edited"
    assert not any("nothing was written" in n for n in back.notes)
