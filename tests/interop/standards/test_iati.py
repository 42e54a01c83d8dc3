"""IATI 2.03: the export is valid against the official schema and says what the records say; the import reads
activity files into agreements, projects, organisations and participations, all or nothing, and the official
conformance files behave as stated (should-fail refused by the schema; should-pass refused naming the
placeholder they carry)."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from accord.agreements.models import Agreement, AgreementParty
from accord.core.models import ChangeRecord, Visibility
from accord.directory.models import Organisation, Party
from accord.interop.report import ImportRefused
from accord.interop.standards.iati import identifier, import_iati, write_iati
from accord.programmes import services as programmes
from accord.programmes.models import Participation, Plan, Project

pytestmark = pytest.mark.django_db
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _counts() -> tuple[int, ...]:
    models = (Party, Agreement, AgreementParty, Organisation, Project, Participation, ChangeRecord)
    return tuple(m.objects.count() for m in models)


def _export() -> tuple[int, bytes, etree._Element]:
    out = io.BytesIO()
    count = write_iati(out)
    return count, out.getvalue(), etree.fromstring(out.getvalue())


def _activities(root: etree._Element) -> dict[str, etree._Element]:
    return {a.findtext("iati-identifier"): a for a in root.iterfind("iati-activity")}


def test_export_of_the_seed_is_valid_iati_and_says_what_the_records_say(seed, schemas):
    hidden = programmes.create_project(
        agreement=seed.protocol, number="I-9", title={"en": "Internal"}, visibility=Visibility.INTERNAL,
        owner_party=seed.cn,
    )  # fmt: skip
    count, data, root = _export()

    assert schemas.validate_xml(schemas.iati_schema(), data) == []
    assert root.get("version") == "2.03"
    activities = _activities(root)
    public_projects = Project.objects.filter(visibility=Visibility.PUBLIC).count()
    public_plans = Plan.objects.filter(visibility=Visibility.PUBLIC).count()
    assert count == len(activities) == public_projects + public_plans
    assert identifier(hidden) not in activities

    project = seed.protocol.projects.get(number="1")
    activity = activities[identifier(project)]
    assert activity.get("hierarchy") == "2"
    titles = {n.get(XML_LANG): n.text for n in activity.findall("title/narrative")}
    assert set(titles) == {"en", "zh", "ru"} and titles["en"] == project.title["en"]
    roles = {
        (o.get("role"), o.findtext("narrative[@{http://www.w3.org/XML/1998/namespace}lang='zh']"))
        for o in activity.findall("participating-org")
    }
    assert ("1", "中华人民共和国") in roles  # the parties fund
    assert ("2", "中国科学院") in roles  # the coordinator is accountable
    assert {s.get("vocabulary"): s.get("code") for s in activity.findall("sector")}["99"] == project.field
    parents = {r.get("ref") for r in activity.findall("related-activity[@type='1']")}
    assert identifier(seed.plan_1959) in parents
    plan = activities[identifier(seed.plan_1959)]
    assert plan.get("hierarchy") == "1"
    assert identifier(project) in {r.get("ref") for r in plan.findall("related-activity[@type='2']")}
    assert activity.find("activity-status").get("code") in {"1", "2", "3", "4", "5"}
    assert activity.findall("activity-date")


def test_cli_exports_and_reimporting_this_installations_own_file_changes_nothing(seed, schemas, tmp_path):
    out = tmp_path / "iati.xml"
    call_command("export", "iati", "-o", str(out))
    assert schemas.validate_xml(schemas.iati_schema(), out.read_bytes()) == []
    before = _counts()
    stdout = io.StringIO()
    call_command("import", "iati", str(out), stdout=stdout)
    assert _counts() == before
    assert "matched and left as stored" in stdout.getvalue()


ACTIVITIES = """<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="{version}" generated-datetime="2026-11-30T10:00:00Z">
  <iati-activity xml:lang="en" hierarchy="1">
    <iati-identifier>GB-GOV-1-PROG-7</iati-identifier>
    <reporting-org ref="GB-GOV-1" type="10"><narrative>UK Government</narrative></reporting-org>
    <title><narrative>Newton Fund: China</narrative><narrative xml:lang="zh">牛顿基金：中国</narrative></title>
    <description><narrative>Research and innovation partnership.</narrative></description>
    <participating-org ref="GB-GOV-1" role="1" type="10"><narrative>UK Government</narrative></participating-org>
    <activity-status code="2"/>
    <activity-date type="2" iso-date="2014-04-01"/>
    <related-activity ref="GB-GOV-1-PROJ-1" type="2"/>
  </iati-activity>
  <iati-activity xml:lang="en" hierarchy="2">
    <iati-identifier>GB-GOV-1-PROJ-1</iati-identifier>
    <reporting-org ref="GB-GOV-1" type="10"><narrative>UK Government</narrative></reporting-org>
    <title><narrative>{title}</narrative><narrative xml:lang="zh">抗菌素耐药性联合研究</narrative></title>
    <description><narrative>Joint research.</narrative></description>
    <participating-org ref="GB-GOV-1" role="1" type="10"><narrative>UK Government</narrative></participating-org>
    <participating-org ref="GB-COH-RC000766" role="2" type="80">
      <narrative>Medical Research Council</narrative></participating-org>
    <participating-org ref="CN-USC-12100000400012345X" role="{role}" type="80">
      <narrative>Chinese Academy of Medical Sciences</narrative><narrative xml:lang="zh">中国医学科学院</narrative>
    </participating-org>
    <participating-org role="4"><narrative>A consultancy without an identifier</narrative></participating-org>
    <activity-status code="2"/>
    <activity-date type="1" iso-date="2016-01-01"/>
    <activity-date type="2" iso-date="{start}"/>
    <activity-date type="3" iso-date="2019-12-31"/>
    <sector vocabulary="1" code="12182" percentage="100"/>
    <related-activity ref="GB-GOV-1-PROG-7" type="1"/>
  </iati-activity>
  <iati-activity xml:lang="en">
    <iati-identifier>XM-DAC-41114-PROJECT-00012345</iati-identifier>
    <reporting-org ref="XM-DAC-41114" type="40"><narrative>UNDP</narrative></reporting-org>
    <title><narrative>Low-carbon city pilots</narrative></title>
    <description><narrative>Pilots.</narrative></description>
    <participating-org ref="XM-DAC-41114" role="4" type="40"><narrative>UNDP</narrative></participating-org>
    <activity-status code="4"/>
    <activity-date type="2" iso-date="2012-01-01"/>
    <activity-date type="4" iso-date="2015-06-30"/>
  </iati-activity>
</iati-activities>
"""


def _file(tmp_path: Path, name: str = "activities.xml", **values: str) -> Path:
    fields = {"version": "2.03", "title": "Antimicrobial resistance", "role": "4", "start": "2016-03-01"}
    fields.update(values)
    path = tmp_path / name
    path.write_text(ACTIVITIES.format(**fields), encoding="utf-8")
    return path


def test_import_reads_programmes_projects_organisations_and_roles(db, tmp_path):
    report = import_iati(_file(tmp_path))

    assert report.created["agreement"] == 2  # the parent activity, and UNDP's activities without a parent
    assert report.created["project"] == 2
    assert report.created["organisation"] == 5  # the funder too, known by its ref
    programme = Agreement.objects.get(external_id="iati:GB-GOV-1-PROG-7")
    assert programme.kind == Agreement.Kind.PROGRAMME and programme.title["zh"] == "牛顿基金：中国"
    project = Project.objects.get(external_id="iati:GB-GOV-1-PROJ-1")
    assert project.agreement == programme and project.number == "PROJ-1"
    assert project.title == {"en": "Antimicrobial resistance", "zh": "抗菌素耐药性联合研究"}
    assert (str(project.start_on), str(project.end_on)) == ("2016-03-01", "2019-12-31")  # actual before planned
    assert project.field == "3"  # DAC 12182, medical research
    assert project.visibility == Visibility.PUBLIC
    roles = {p.organisation.name["en"]: (p.role, p.side.code) for p in project.participations.all()}
    assert roles == {
        "Medical Research Council": (Participation.Role.COORDINATOR, "GB"),
        "Chinese Academy of Medical Sciences": (Participation.Role.PARTNER, "CN"),
        "A consultancy without an identifier": (Participation.Role.PARTNER, "ZZ"),
    }
    sides = {ap.party.code: ap.role for ap in AgreementParty.objects.filter(agreement=programme)}
    assert sides["GB"] == AgreementParty.Role.SIGNATORY  # the funder
    assert sides["CN"] == AgreementParty.Role.ASSOCIATE
    assert Organisation.objects.get(identifiers__iati="GB-COH-RC000766").party.code == "GB"
    undp = Project.objects.get(external_id="iati:XM-DAC-41114-PROJECT-00012345")
    assert undp.agreement.external_id == "iati-publisher:XM-DAC-41114"
    assert undp.participations.get().side.code == "ZZ"  # XM is no country


def test_reimport_unchanged_writes_nothing_and_a_change_updates_only_it(db, tmp_path):
    import_iati(_file(tmp_path))
    before = _counts()
    report = import_iati(_file(tmp_path))
    assert _counts() == before
    assert sum(report.created.values()) == sum(report.updated.values()) == 0

    report = import_iati(_file(tmp_path, title="Antimicrobial resistance (phase 2)", role="3"))
    assert report.updated["project"] == 1 and report.updated["participation"] == 1
    assert sum(report.created.values()) == 0
    project = Project.objects.get(external_id="iati:GB-GOV-1-PROJ-1")
    assert project.title["en"] == "Antimicrobial resistance (phase 2)"
    assert project.participations.get(organisation__name__en="Chinese Academy of Medical Sciences").role == "associated"


@pytest.mark.parametrize(
    ("values", "reason", "where"),
    [
        ({"role": "9"}, "role “9” is not an IATI organisation role", "line 21, role"),
        ({"start": "2016-13-01"}, "not valid IATI 2.03", "line 27"),  # the schema's xsd:date
        ({"start": "2020-03-01"}, "ends (2019-12-31) before it starts (2020-03-01)", "activity-date"),
        ({"version": "1.05"}, "IATI version “1.05” is not read", "line 2"),
    ],
)
def test_a_bad_activity_is_refused_naming_its_place_and_nothing_is_written(db, tmp_path, values, reason, where):
    before = _counts()
    with pytest.raises(ImportRefused) as refused:
        import_iati(_file(tmp_path, **values))
    assert reason in str(refused.value)
    assert where in (refused.value.problems[0].column or "")
    assert _counts() == before


def test_cli_refusal_names_the_line_and_writes_nothing(db, tmp_path):
    bad = _file(tmp_path, role="x")
    before = _counts()
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", "iati", str(bad), stderr=stderr)
    assert "activities.xml, line 21, role: participating-org: role “x”" in stderr.getvalue()
    assert _counts() == before


def test_not_xml_and_organisation_files_are_refused(db, tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text("<iati-activities version='2.03'><iati-activity>", encoding="utf-8")
    with pytest.raises(ImportRefused, match="not well-formed XML"):
        import_iati(broken)
    org = tmp_path / "org.xml"
    org.write_text("<iati-organisations version='2.03'/>", encoding="utf-8")
    with pytest.raises(ImportRefused, match="an IATI organisation file"):
        import_iati(org)


# --- the official conformance files ---------------------------------------------------------------------


def _conformance() -> Path:
    root = Path(__file__).resolve().parents[3]
    candidates = [Path(os.environ["ACCORD_SCHEMAS_DIR"])] if os.environ.get("ACCORD_SCHEMAS_DIR") else []
    candidates += [root.parent / "shared" / "schemas", root.parent.parent / "shared" / "schemas"]
    candidates += [Path("/work/shared/schemas")]  # the build machines' shared folder, as tests/shared_data.py looks
    for candidate in candidates:
        if (candidate / "iati" / "tests" / "activity-tests").is_dir():
            return candidate / "iati" / "tests"
    return Path("/nonexistent")


TESTS = _conformance()
SHOULD_PASS = sorted(
    [*TESTS.glob("activity-tests/should-pass/**/*.xml"), *TESTS.glob("should-pass/iati-activities/**/*.xml")]
)
SHOULD_FAIL = sorted(TESTS.glob("activity-tests/should-fail/**/*.xml"))


def _require_conformance() -> None:
    if not SHOULD_PASS:
        if os.environ.get("ACCORD_REQUIRE_TOOLS") == "1":
            pytest.fail("the IATI conformance files (shared/schemas/iati/tests) are missing")
        pytest.skip("the IATI conformance files (shared/schemas/iati/tests) are missing")


def test_the_conformance_set_is_the_one_described():
    _require_conformance()
    assert (len(SHOULD_PASS), len(SHOULD_FAIL)) == (58 + 157, 225)


@pytest.mark.parametrize("path", SHOULD_FAIL, ids=lambda p: str(p.relative_to(TESTS)))
def test_every_should_fail_file_is_refused_by_the_schema_naming_the_line(db, path):
    before = _counts()
    with pytest.raises(ImportRefused) as refused:
        import_iati(path)
    first = refused.value.problems[0]
    assert first.reason.startswith("not valid IATI 2.03: Element"), first
    assert re.match(r"line \d+", first.column or ""), first
    assert _counts() == before


@pytest.mark.parametrize("path", SHOULD_PASS, ids=lambda p: str(p.relative_to(TESTS)))
def test_every_should_pass_file_is_refused_for_the_placeholders_it_carries(db, path, tmp_path):
    """The should-pass files are schema tests: version "xx", an empty iati-identifier, role and date type "xx".
    As shipped each is refused for its version; with a real version, for its empty identifier. Nothing is
    written either way (the import of real activities is tested above)."""
    before = _counts()
    with pytest.raises(ImportRefused, match="IATI version “xx” is not read"):
        import_iati(path)
    fixed = tmp_path / path.name
    fixed.write_bytes(re.sub(rb'(<iati-activities[^>]*?version=")xx"', rb'\g<1>2.03"', path.read_bytes(), count=1))
    with pytest.raises(ImportRefused) as refused:
        import_iati(fixed)
    first = refused.value.problems[0]
    assert first.reason == "iati-identifier is empty: an activity needs its identifier"
    assert first.column and first.column.endswith("iati-identifier")
    assert _counts() == before
