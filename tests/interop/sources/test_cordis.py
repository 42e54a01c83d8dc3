"""CORDIS import: the three file shapes, upsert on re-import, and refusals that name file, row and column."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from accord.agreements.models import Agreement, AgreementParty
from accord.core.models import ChangeRecord
from accord.directory.models import Organisation, Party
from accord.interop.report import ImportRefused
from accord.interop.sources.common import iso_country
from accord.interop.sources.cordis import import_cordis
from accord.programmes.models import Participation, Project
from tests.shared_data import require_shared_data

DATA = require_shared_data()
CHINA = DATA / "cordis-eu-china-projects"
EUNETS = DATA / "h2020-participations-eunets" / "h2020.csv.gz"
FP7 = DATA / "cordis-fp7-format-samples" / "fp7_test_projects.csv"

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (Party, Agreement, AgreementParty, Organisation, Project, Participation, ChangeRecord)
    )


def _eunets_slice(tmp_path: Path, lines: int) -> Path:
    with gzip.open(EUNETS, "rt", encoding="utf-8") as src:
        head = [next(src) for _ in range(lines)]
    path = tmp_path / "h2020.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.writelines(head)
    return path


def test_cordis_country_codes_map_to_iso() -> None:
    assert iso_country("EL") == "GR"
    assert iso_country("UK") == "GB"
    assert iso_country("SU") == "SU"  # withdrawn codes stay valid
    assert iso_country("QQ") is None


def test_china_extract_imports_completely_and_reimport_changes_nothing(seed) -> None:
    cn_before = Party.objects.get(code="CN").pk
    report = import_cordis(CHINA)
    assert report.created["project"] == 383
    assert report.created["participation"] == 7259 - 14  # the 14 repeated rows are merged
    assert any("14 repeated" in n for n in report.notes)
    assert Project.objects.filter(external_id__startswith="cordis-project:").count() == 383
    h2020 = Agreement.objects.get(external_id="cordis-programme:H2020")
    assert h2020.kind == Agreement.Kind.PROGRAMME
    assert Project.objects.filter(agreement=h2020).count() == 281
    assert Project.objects.filter(agreement__external_id="cordis-programme:HORIZON").count() == 102
    leon = Project.objects.get(external_id="cordis-project:955387")
    assert leon.title["en"] == "Low particle Emissions and lOw Noise Tyres"
    assert str(leon.start_on) == "2021-06-01"
    # The seed's China is reused, Greece arrives as GR, and the EU signs the programme.
    assert Party.objects.get(code="CN").pk == cn_before
    assert Party.objects.filter(code="GR").exists() and not Party.objects.filter(code="EL").exists()
    roles = dict(h2020.agreement_parties.values_list("party__code", "role"))
    assert roles["EU"] == AgreementParty.Role.SIGNATORY and roles["CN"] == AgreementParty.Role.ASSOCIATE
    tno = Participation.objects.get(project=leon, organisation__name__en__startswith="NEDERLANDSE ORGANISATIE")
    assert tno.side.code == "NL" and tno.organisation.kind == Organisation.Kind.INSTITUTE
    # Every record written is audited.
    assert ChangeRecord.objects.filter(object_type="programmes.participation", action="create").count() >= 7245

    before = _counts()
    again = import_cordis(CHINA)
    assert sum(again.created.values()) == 0 and sum(again.updated.values()) == 0
    assert again.unchanged["participation"] == 7245 and again.unchanged["project"] == 383
    assert _counts() == before


def test_reimport_updates_only_what_changed(tmp_path: Path) -> None:
    lines = FP7.read_text(encoding="utf-8-sig").splitlines(keepends=True)[:4]
    path = tmp_path / "project.csv"
    path.write_text("\ufeff" + "".join(lines), encoding="utf-8")
    import_cordis(path)
    lines[1] = lines[1].replace('"Roadmap for Music Information ReSearch"', '"Roadmap for MIR"')
    path.write_text("\ufeff" + "".join(lines), encoding="utf-8")
    report = import_cordis(path)
    assert report.updated["project"] == 1 and report.unchanged["project"] == 2
    project = Project.objects.get(external_id="cordis-project:287711")
    assert project.title == {"en": "Roadmap for MIR"} and project.version == 2
    assert project.agreement.external_id == "cordis-programme:FP7"


def test_eunets_slice_roles_pics_and_missing_values(tmp_path: Path) -> None:
    report = import_cordis(_eunets_slice(tmp_path, 2001))
    assert report.created["participation"] == 2000
    assert report.records > 2000
    first = Participation.objects.get(
        project__external_id="cordis-rcn:221856", organisation__external_id="cordis-pic:984516342"
    )
    assert first.role == Participation.Role.COORDINATOR
    assert first.side.code == "ES"
    assert first.organisation.identifiers == {"pic": "984516342"}
    assert first.organisation.kind == Organisation.Kind.ENTERPRISE
    greek = Participation.objects.get(
        project__external_id="cordis-rcn:221856", organisation__external_id="cordis-pic:998802502"
    )
    assert greek.side.code == "GR" and greek.role == Participation.Role.PARTNER
    assert Participation.objects.filter(role=Participation.Role.ASSOCIATED).exists()  # H2020 "partner" rows


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    before = _counts()
    report = import_cordis(_eunets_slice(tmp_path, 301), dry_run=True)
    assert report.dry_run and report.created["participation"] == 300
    assert _counts() == before


def test_truncated_file_is_refused_with_its_row(tmp_path: Path) -> None:
    text = (CHINA / "projects.csv").read_text(encoding="utf-8")
    path = tmp_path / "projects.csv"
    path.write_text(text[: len(text) // 2], encoding="utf-8")  # cut inside a row
    before = _counts()
    with pytest.raises(ImportRefused) as caught:
        import_cordis(path)
    problem = caught.value.problems[-1]
    assert problem.file == "projects.csv" and problem.row is not None and problem.row > 1
    assert "cut off" in problem.reason
    assert _counts() == before


def test_truncated_gzip_is_refused(tmp_path: Path) -> None:
    data = _eunets_slice(tmp_path, 500).read_bytes()
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportRefused) as caught:
        import_cordis(path)
    assert "cut off" in str(caught.value)


def test_unknown_country_and_bad_date_are_refused_with_row_and_column(tmp_path: Path) -> None:
    with gzip.open(EUNETS, "rt", encoding="utf-8") as src:
        lines = src.read(4000).splitlines()[:6]
    lines[2] = lines[2].replace(",ES,", ",QQ,")
    lines[1] = lines[1].replace("2019-05-01", "2019-13-45")
    path = tmp_path / "h2020.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = _counts()
    with pytest.raises(ImportRefused) as caught:
        import_cordis(path)
    where = {(p.file, p.row, p.column) for p in caught.value.problems}
    assert ("h2020.csv", 3, "country") in where
    assert ("h2020.csv", 2, "start_date") in where
    assert _counts() == before


def test_invalid_record_is_refused_by_validation_naming_its_cell(tmp_path: Path) -> None:
    lines = FP7.read_text(encoding="utf-8-sig").splitlines()[:3]
    lines[2] = lines[2].replace('"2013-04-01";"2017-07-21"', '"2017-07-21";"2013-04-01"')  # ends before it starts
    path = tmp_path / "project.csv"
    path.write_text("\ufeff" + "\n".join(lines), encoding="utf-8")
    before = _counts()
    with pytest.raises(ImportRefused) as caught:
        import_cordis(path)
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("project.csv", 3, "endDate")
    assert _counts() == before


def test_audit_entries_name_the_records_as_str_does(tmp_path: Path) -> None:
    from accord.core.models import ChangeRecord
    from accord.directory.models import Organisation
    from accord.programmes.models import Participation, Project

    import_cordis(_eunets_slice(tmp_path, 301))
    for model in (Organisation, Project, Participation):
        label = model._meta.label_lower
        reprs = dict(ChangeRecord.objects.filter(object_type=label).values_list("object_id", "object_repr"))
        objs = model.objects.all()
        assert objs
        for obj in objs:
            assert reprs[str(obj.pk)] == str(obj)[:300]


def test_eunets_reimport_writes_only_the_changed_rows_and_puts_back_what_was_edited(tmp_path: Path) -> None:
    from accord.core.bulk import Change, update_many
    from accord.core.verify import verify

    path = _eunets_slice(tmp_path, 301)
    import_cordis(path)
    with gzip.open(path, "rt", encoding="utf-8") as f:
        lines = f.readlines()
    # Row 2 (the first data row): a participant becomes the coordinator.
    assert lines[1].startswith("221856,participant,998616262,")
    lines[1] = lines[1].replace(",participant,", ",coordinator,", 1)
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.writelines(lines)
    # An organisation edited in Accord since the import: the file's value is written back.
    org = Organisation.objects.get(external_id="cordis-pic:984516342")
    update_many([Change(org, {"kind": Organisation.Kind.UNIVERSITY})])
    entries = ChangeRecord.objects.count()

    report = import_cordis(path)
    assert report.updated["participation"] == 1 and report.updated["organisation"] == 1
    assert report.updated["project"] == 0 and sum(report.created.values()) == 0
    assert report.unchanged["participation"] == 299
    assert ChangeRecord.objects.count() == entries + 2
    changed = Participation.objects.get(external_id="cordis-participation:221856:998616262")
    assert changed.role == Participation.Role.COORDINATOR and changed.version == 2
    assert Organisation.objects.get(pk=org.pk).kind == Organisation.Kind.ENTERPRISE
    again = import_cordis(path)
    assert sum(again.updated.values()) == 0 and ChangeRecord.objects.count() == entries + 2
    assert verify().ok
