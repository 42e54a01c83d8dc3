"""IATI 2.03 activity XML: `accord export iati` writes the public projects and plans; `accord import iati` reads
IATI activity files (2.01–2.03) into agreements, projects, organisations and participations.

How Accord's records become IATI activities (export):
- a public Plan is an activity of hierarchy 1; each public Project an activity of hierarchy 2, related to each
  public plan it appears in (related-activity type 1, parent) and named by its plans as a child (type 2);
- the agreement's public parties are the funding organisations (role 1); a project's participations are its
  other organisations: coordinator as accountable (2), associated as extending (3), partner as implementing (4);
- the project's field of science goes out twice: as the OECD DAC 5-digit research sector it falls under
  (vocabulary 1) and as the Frascati (FORD) code itself (vocabulary 99, the reporting organisation's own);
- the status comes from the project's latest public progress report (else from its dates); dates are actual
  when past, planned when to come.

And back (import), all or nothing, with the same rules as every other channel (core.bulk validates and audits):
- each activity becomes a project; an activity that other activities of the file name as their parent (or that
  names them as children) becomes an agreement of kind programme, and its children projects under it; the others
  go under one programme per reporting organisation;
- participating organisations become organisations of the party their identifier's country prefix names
  (`GB-COH-…` → GB; else ZZ, country not given), with a participation in the role above; funders (role 1) make
  their party a signatory of the agreement instead;
- an activity this installation exported (its identifier ends with a stored project's or plan's global id) is
  matched to that record and left as it is: Accord is the source of those.
A re-import of an unchanged file changes nothing (every record is keyed by its IATI identifier).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from lxml import etree

from accord.agreements.models import Agreement, AgreementParty
from accord.core.bulk import RecordsInvalid, create_many
from accord.core.localized import normalize_tag
from accord.core.models import Visibility
from accord.directory.models import Organisation, Party
from accord.interop.report import ImportRefused, ImportReport, Problem
from accord.interop.sources.common import (
    UNKNOWN_CODE,
    PartySpec,
    Wanted,
    country_name,
    ensure_parties,
    iso_country,
    normalise_name,
    remember_parties,
    stable_key,
    upsert,
)
from accord.interop.standards import selectors
from accord.interop.standards.cerif import xml_text
from accord.interop.standards.validation import SchemasMissing, iati_schema, validate_xml
from accord.programmes.choices import FieldOfScience, PlanStatus, ProgressStatus
from accord.programmes.models import Participation, Plan, ProgressReport, Project

VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FORD_VOCABULARY_URI = "https://www.oecd.org/sti/inno/frascati-manual.htm"
PARTY_REF = "ACCORD-PARTY-"  # a funder that is an Accord party (a state): its code follows

# IATI OrganisationRole codes.
FUNDING, ACCOUNTABLE, EXTENDING, IMPLEMENTING = "1", "2", "3", "4"
_ROLE_OUT = {
    Participation.Role.COORDINATOR: ACCOUNTABLE,
    Participation.Role.ASSOCIATED: EXTENDING,
    Participation.Role.PARTNER: IMPLEMENTING,
}
_ROLE_IN = {v: k for k, v in _ROLE_OUT.items()}
_ROLE_NAMES = {"funding": FUNDING, "accountable": ACCOUNTABLE, "extending": EXTENDING, "implementing": IMPLEMENTING}

# IATI OrganisationType codes, and Accord's organisation kinds.
_ORG_TYPE_OUT = {
    Organisation.Kind.GOVERNMENT: "10",
    Organisation.Kind.COMMISSION: "10",
    Organisation.Kind.MINISTRY: "10",
    Organisation.Kind.EMBASSY: "10",
    Organisation.Kind.ACADEMY: "80",
    Organisation.Kind.INSTITUTE: "80",
    Organisation.Kind.UNIVERSITY: "80",
    Organisation.Kind.ENTERPRISE: "70",
    Organisation.Kind.OTHER: "90",
}
_ORG_TYPE_IN = {
    "10": Organisation.Kind.GOVERNMENT,
    "11": Organisation.Kind.GOVERNMENT,
    "15": Organisation.Kind.GOVERNMENT,
    "70": Organisation.Kind.ENTERPRISE,
    "71": Organisation.Kind.ENTERPRISE,
    "72": Organisation.Kind.ENTERPRISE,
    "73": Organisation.Kind.ENTERPRISE,
    "80": Organisation.Kind.INSTITUTE,
}
_PARTY_TYPE = {Party.Kind.STATE: "10", Party.Kind.INTERNATIONAL_ORGANISATION: "40", Party.Kind.INSTITUTION: "90"}

# The OECD DAC 5-digit research sectors each Frascati area falls under (a field first, then its area).
_DAC_SECTOR = {
    "1": "43082",  # natural sciences: research/scientific institutions
    "1.5": "41082",  # earth and environmental sciences: environmental research
    "2": "32182",  # engineering and technology: technological research and development
    "2.7": "41082",
    "2.8": "41082",
    "3": "12182",  # medical and health sciences: medical research
    "4": "31182",  # agricultural sciences: agricultural research
    "5": "43082",
    "6": "43082",
}
_DAC_AREA = {"32182": "2", "12182": "3", "31182": "4", "31282": "4", "31382": "4", "41082": "1.5", "23182": "2"}

# IATI ActivityStatus: 1 pipeline, 2 implementation, 3 finalisation, 4 closed, 5 cancelled, 6 suspended.
_PLAN_STATUS: dict[str, str] = {
    PlanStatus.DRAFT: "1",
    PlanStatus.PROPOSED: "1",
    PlanStatus.AGREED: "1",
    PlanStatus.SIGNED: "2",
    PlanStatus.IN_FORCE: "2",
    PlanStatus.REVIEWED: "3",
    PlanStatus.CLOSED: "4",
}
_PROGRESS_STATUS: dict[str, str] = {
    ProgressStatus.NOT_STARTED: "1",
    ProgressStatus.ON_TRACK: "2",
    ProgressStatus.DELAYED: "2",
    ProgressStatus.COMPLETED: "4",
    ProgressStatus.CANCELLED: "5",
}


def reporting_org() -> tuple[str, str, str]:
    """(ref, type, name) of the organisation that publishes this installation's IATI file (settings)."""
    ref = getattr(settings, "ACCORD_IATI_REPORTING_ORG", "") or "XI-ACCORD"
    kind = getattr(settings, "ACCORD_IATI_REPORTING_ORG_TYPE", "") or "90"
    name = getattr(settings, "ACCORD_IATI_REPORTING_ORG_NAME", "") or "Accord"
    return ref, kind, name


# --- export --------------------------------------------------------------------------------------------


def identifier(record: Any) -> str:
    """The activity's iati-identifier: the reporting organisation's ref, then the record's global id."""
    return f"{reporting_org()[0]}-{record.uid}"


def _narratives(parent: etree._Element, text: Any, fallback: str = "") -> None:
    values = {k: v for k, v in dict(text or {}).items() if v and str(v).strip()}
    if not values and fallback:
        values = {"en": fallback}
    for tag, value in sorted(values.items()):
        narrative = etree.SubElement(parent, "narrative")
        narrative.set(XML_LANG, tag)
        narrative.text = xml_text(value)


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    for name, value in attrs.items():
        element.set(name.replace("_", "-"), value)
    return element


def _dates(activity: etree._Element, start: dt.date | None, end: dt.date | None, today: dt.date) -> None:
    if start:
        _sub(activity, "activity-date", type="2" if start <= today else "1", iso_date=start.isoformat())
    if end:
        _sub(activity, "activity-date", type="4" if end <= today else "3", iso_date=end.isoformat())


def _status_from_dates(start: dt.date | None, end: dt.date | None, today: dt.date) -> str:
    if end and end < today:
        return "4"
    if start and start <= today:
        return "2"
    return "1"


def _funders(activity: etree._Element, agreement: Agreement) -> None:
    for link in getattr(agreement, "public_parties", []):
        party = link.party
        org = _sub(activity, "participating-org", ref=f"{PARTY_REF}{party.code}", role=FUNDING)
        org.set("type", _PARTY_TYPE.get(party.kind, "90"))
        _narratives(org, party.name, party.code)


def _head(activity: etree._Element, record: Any, hierarchy: str) -> None:
    activity.set("last-updated-datetime", record.updated_at.replace(microsecond=0).isoformat())
    activity.set("hierarchy", hierarchy)
    _sub(activity, "iati-identifier").text = identifier(record)
    ref, kind, name = reporting_org()
    reporter = _sub(activity, "reporting-org", ref=ref, type=kind)
    _narratives(reporter, {"en": name})


def plan_activity(plan: Plan, children: Iterable[Project], today: dt.date) -> etree._Element:
    activity = etree.Element("iati-activity")
    _head(activity, plan, "1")
    agreement = plan.agreement
    period = f"{plan.period_start.isoformat()} – {plan.period_end.isoformat()}"
    title = {tag: f"{text} ({period})" for tag, text in dict(agreement.title).items() if text}
    _narratives(_sub(activity, "title"), title, f"Plan {period}")
    _narratives(_sub(activity, "description", type="1"), agreement.title, f"Plan {period}")
    _funders(activity, agreement)
    if not getattr(agreement, "public_parties", []):
        _narratives(_sub(activity, "participating-org", role=FUNDING), {"en": reporting_org()[2]})
    _sub(activity, "activity-status", code=_PLAN_STATUS.get(plan.status, "1"))
    _dates(activity, plan.period_start, plan.period_end, today)
    for project in children:
        _sub(activity, "related-activity", ref=identifier(project), type="2")
    return activity


def project_activity(
    project: Project, plans: list[Plan], progress: str | None, objectives: dict[str, str] | None, today: dt.date
) -> etree._Element:
    activity = etree.Element("iati-activity")
    _head(activity, project, "2")
    _narratives(_sub(activity, "title"), project.title, project.number)
    _narratives(_sub(activity, "description", type="1"), objectives or project.title, project.number)
    _funders(activity, project.agreement)
    for part in getattr(project, "public_participations", []):
        org = part.organisation
        element = _sub(activity, "participating-org", role=_ROLE_OUT.get(part.role, IMPLEMENTING))
        if org.identifiers.get("iati"):
            element.set("ref", str(org.identifiers["iati"]))
        element.set("type", _ORG_TYPE_OUT.get(org.kind, "90"))
        _narratives(element, org.name, str(org.pk))
    if len(activity.findall("participating-org")) == 0:
        _narratives(_sub(activity, "participating-org", role=FUNDING), {"en": reporting_org()[2]})
    status = _PROGRESS_STATUS.get(progress or "") or _status_from_dates(project.start_on, project.end_on, today)
    _sub(activity, "activity-status", code=status)
    _dates(activity, project.start_on, project.end_on, today)
    if not (project.start_on or project.end_on):
        # IATI needs one date: the start of the first plan it is in, else the agreement's, as planned.
        fallback = plans[0].period_start if plans else project.agreement.valid_from or project.created_at.date()
        date = _sub(activity, "activity-date", type="1", iso_date=fallback.isoformat())
        _narratives(date, {"en": "The project records no start; the start of its first plan (or agreement)."})
    if project.field:
        dac = _DAC_SECTOR.get(project.field) or _DAC_SECTOR.get(project.field.split(".")[0])
        if dac:
            _sub(activity, "sector", vocabulary="1", code=dac, percentage="100")
        ford = _sub(
            activity,
            "sector",
            vocabulary="99",
            vocabulary_uri=FORD_VOCABULARY_URI,
            code=project.field,
            percentage="100",
        )
        _narratives(ford, _labels(FieldOfScience(project.field).label))
    for plan in plans:
        _sub(activity, "related-activity", ref=identifier(plan), type="1")
    return activity


def _labels(label: Any) -> dict[str, str]:
    """A translated label in each interface language, as narratives."""
    found = {}
    for tag, language in (("en", "en"), ("zh", "zh-hans"), ("ru", "ru")):
        with translation.override(language):
            found[tag] = str(label)
    return found


def write_iati(out: IO[bytes]) -> int:
    """Write every public plan and project as an IATI 2.03 activity file; the number of activities written."""
    today = timezone.localdate()
    projects = list(selectors.projects().select_related("agreement"))
    agreement_ids = {p.agreement_id for p in projects}
    plans = {p.pk: p for p in selectors.plans()}
    agreements = {a.pk: a for a in selectors.agreements().filter(pk__in=agreement_ids)}
    for project in projects:
        project.agreement = agreements.get(project.agreement_id, project.agreement)
    progress = _latest_progress({p.pk for p in projects})
    plans_of: dict[int, list[Plan]] = {}
    objectives: dict[int, dict[str, str]] = {}
    children: dict[int, list[Project]] = {}
    for project in projects:
        for item in getattr(project, "public_items", []):
            if item.plan_id in plans:
                if item.plan_id not in {p.pk for p in plans_of.get(project.pk, [])}:
                    plans_of.setdefault(project.pk, []).append(plans[item.plan_id])
                    children.setdefault(item.plan_id, []).append(project)
                if item.objectives:
                    objectives[project.pk] = dict(item.objectives)
    root = etree.Element("iati-activities", version=VERSION)
    root.set("generated-datetime", timezone.now().replace(microsecond=0).isoformat())
    count = 0
    for plan in plans.values():
        root.append(plan_activity(plan, children.get(plan.pk, []), today))
        count += 1
    for project in projects:
        root.append(
            project_activity(
                project, plans_of.get(project.pk, []), progress.get(project.pk), objectives.get(project.pk), today
            )
        )
        count += 1
    if not count:
        raise ImportRefused([Problem("there is no public plan or project to publish; IATI needs one activity")])
    out.write(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    return count


def _latest_progress(project_ids: set[int]) -> dict[int, str]:
    """Each project's latest public progress report's status (the last period wins)."""
    from accord.core.visibility import visible

    found: dict[int, str] = {}
    reports = (
        visible(ProgressReport.objects.all(), None)
        .filter(plan_item__project_id__in=project_ids)
        .order_by("period_end", "id")
        .values_list("plan_item__project_id", "status")
    )
    for project_id, status in reports:
        found[project_id] = status
    return found


# --- import --------------------------------------------------------------------------------------------

_UUID_TAIL = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", re.I)


@dataclass
class _Org:
    role: str
    ref: str
    kind: str
    name: dict[str, str]
    line: int
    party_code: str = ""  # an Accord party named by ref (ACCORD-PARTY-XX)


@dataclass
class _Activity:
    identifier: str
    line: int
    title: dict[str, str]
    reporter_ref: str
    reporter_name: dict[str, str]
    orgs: list[_Org]
    start: dt.date | None
    end: dt.date | None
    science: str  # the field of science
    parents: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=512)
def _tag(lang: str) -> str:
    """normalize_tag, once per tag a file uses (a file repeats a few tags on every narrative)."""
    return normalize_tag(lang)


class _Reader:
    def __init__(self, name: str):
        self.name = name
        self.problems: list[Problem] = []
        self.notes: dict[str, int] = {}

    def refuse(self, reason: str, line: int | None, column: str | None = None) -> None:
        self.problems.append(
            Problem(reason, row=None, column=f"line {line}" + (f", {column}" if column else ""), file=self.name)
        )

    def note(self, key: str) -> None:
        self.notes[key] = self.notes.get(key, 0) + 1

    def texts(self, element: etree._Element | None, default_lang: str | None, where: str) -> dict[str, str]:
        found: dict[str, str] = {}
        if element is None:
            return found
        for narrative in element.findall("narrative"):
            text = " ".join((narrative.text or "").split())
            if not text:
                continue
            lang = narrative.get(XML_LANG) or default_lang
            if not lang:
                self.refuse(
                    f"{where}: a narrative gives no language (xml:lang) and the activity declares no default",
                    narrative.sourceline,
                    where,
                )
                continue
            try:
                tag = _tag(lang.strip())
            except ValueError:
                self.refuse(f"{where}: “{lang}” is not a language tag", narrative.sourceline, where)
                continue
            found.setdefault(tag, text)
        return found

    def date(self, element: etree._Element) -> dt.date | None:
        value = (element.get("iso-date") or "").strip()
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            self.refuse(f"activity-date: “{value}” is not a date (YYYY-MM-DD)", element.sourceline, "iso-date")
            return None

    def activity(self, element: etree._Element) -> _Activity | None:
        before = len(self.problems)
        line = element.sourceline
        lang = element.get(XML_LANG)
        ident = " ".join((element.findtext("iati-identifier") or "").split())
        if not ident:
            self.refuse("iati-identifier is empty: an activity needs its identifier", line, "iati-identifier")
        reporter = element.find("reporting-org")
        reporter_ref = (reporter.get("ref") or "").strip() if reporter is not None else ""
        if not reporter_ref:
            self.refuse("reporting-org has no ref (the publisher's organisation identifier)", line, "reporting-org")
        reporter_name = self.texts(reporter, lang, "reporting-org")
        title = self.texts(element.find("title"), lang, "title")
        if not title and len(self.problems) == before:
            self.refuse("title has no text", line, "title")
        orgs: list[_Org] = []
        for org in element.findall("participating-org"):
            role = (org.get("role") or "").strip().casefold()
            role = _ROLE_NAMES.get(role, role)  # 1.0x wrote the role's name
            if role not in (FUNDING, ACCOUNTABLE, EXTENDING, IMPLEMENTING):
                self.refuse(
                    f"participating-org: role “{org.get('role')}” is not an IATI organisation role (1–4)",
                    org.sourceline,
                    "role",
                )
                continue
            ref = (org.get("ref") or "").strip()
            name = self.texts(org, lang, "participating-org")
            if not name and not ref:
                self.note("nameless_org")
                continue
            party_code = ref[len(PARTY_REF) :] if ref.startswith(PARTY_REF) else ""
            orgs.append(
                _Org(role, ref, (org.get("type") or "").strip(), name or {"en": ref}, org.sourceline, party_code)
            )
        dates: dict[str, dt.date] = {}
        for date in element.findall("activity-date"):
            kind = (date.get("type") or "").strip()
            kind = {"start-planned": "1", "start-actual": "2", "end-planned": "3", "end-actual": "4"}.get(kind, kind)
            if kind not in ("1", "2", "3", "4"):
                self.refuse(
                    f"activity-date: type “{date.get('type')}” is not an IATI date type (1–4)", date.sourceline, "type"
                )
                continue
            value = self.date(date)
            if value is not None:
                dates.setdefault(kind, value)
        start = dates.get("2") or dates.get("1")
        end = dates.get("4") or dates.get("3")
        if start and end and end < start:
            self.refuse(f"the activity ends ({end}) before it starts ({start})", line, "activity-date")
        act = _Activity(ident, line, title, reporter_ref, reporter_name, orgs, start, end, self.sector(element))
        for related in element.findall("related-activity"):
            ref, kind = (related.get("ref") or "").strip(), (related.get("type") or "").strip()
            if ref and kind == "1":
                act.parents.append(ref)
            elif ref and kind == "2":
                act.children.append(ref)
        return act if len(self.problems) == before else None

    def sector(self, element: etree._Element) -> str:
        """The field of science: a FORD code in the reporting organisation's vocabulary, else the DAC research area."""
        codes = FieldOfScience.values
        dac = ""
        for sector in element.findall("sector"):
            vocabulary, code = (sector.get("vocabulary") or "1").strip(), (sector.get("code") or "").strip()
            if vocabulary in ("98", "99") and sector.get("vocabulary-uri") == FORD_VOCABULARY_URI and code in codes:
                return code
            if vocabulary == "1" and code in _DAC_AREA and not dac:
                dac = _DAC_AREA[code]
        return dac


def _parse(data: bytes, name: str) -> tuple[etree._Element, _Reader]:
    reader = _Reader(name)
    parser = etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ImportRefused(
            [Problem(f"not well-formed XML: {exc.msg}", column=f"line {exc.lineno}", file=name)]
        ) from None
    if root.tag != "iati-activities":
        what = "an IATI organisation file" if root.tag == "iati-organisations" else f"<{root.tag}>"
        raise ImportRefused([Problem(f"{what}, not an IATI activity file (<iati-activities>)", file=name)])
    version = (root.get("version") or "").strip()
    supported = re.fullmatch(r"2\.0[1-3]", version) is not None
    # A 1.0x file would only meet the 2.03 schema's complaints: its version is the clearer reason.
    if version.startswith("1."):
        raise ImportRefused([Problem(_version_reason(version), column=f"line {root.sourceline}", file=name)])
    try:
        schema = iati_schema()
    except SchemasMissing:  # pragma: no cover - vendored with the package
        schema = None
    if schema is not None:
        complaints = validate_xml(schema, root)
        if complaints:
            raise ImportRefused(
                [
                    Problem(f"not valid IATI 2.03: {c.split(': ', 1)[-1]}", column=c.split(":")[0], file=name)
                    for c in complaints
                ]
            )
    if not supported:
        raise ImportRefused([Problem(_version_reason(version), column=f"line {root.sourceline}", file=name)])
    return root, reader


def _version_reason(version: str) -> str:
    if not version:
        return "iati-activities gives no version"
    return f"IATI version “{version}” is not read: Accord reads 2.01, 2.02 and 2.03"


def read_iati(data: bytes, name: str) -> tuple[list[_Activity], _Reader]:
    root, reader = _parse(data, name)
    activities: list[_Activity] = []
    seen: dict[str, int] = {}
    for element in root.iterfind("iati-activity"):
        act = reader.activity(element)
        if act is None:
            continue
        if act.identifier in seen:
            reader.refuse(
                f"iati-identifier “{act.identifier}” repeats the activity at line {seen[act.identifier]}",
                act.line,
                "iati-identifier",
            )
            continue
        seen[act.identifier] = act.line
        activities.append(act)
    if reader.problems:
        raise ImportRefused(reader.problems)
    return activities, reader


def import_iati(path: Path, *, dry_run: bool = False) -> ImportReport:
    """Import an IATI activity file (2.01–2.03): all or nothing; re-importing an unchanged file changes nothing."""
    path = Path(path)
    if path.is_dir():
        raise ImportRefused([Problem("is a folder; give an IATI activity file (.xml)", file=path.name)])
    activities, reader = read_iati(path.read_bytes(), path.name)
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        _write(activities, reader, report)
        if dry_run:
            transaction.set_rollback(True)
    if reader.notes.get("nameless_org"):
        report.notes.append(
            f"{reader.notes['nameless_org']} participating organisation(s) with neither a name nor a ref left out"
        )
    if reader.notes.get("own"):
        report.notes.append(
            f"{reader.notes['own']} activity(ies) exported by this installation matched and left as stored"
        )
    report.notes.append("activity status, budgets and transactions are not stored: Accord has no place for them")
    return report


def _own_record(ident: str) -> Any:
    """The stored project or plan an activity names by its global id (an IATI file Accord exported)."""
    match = _UUID_TAIL.search(ident)
    if not match:
        return None
    uid = uuid.UUID(match.group(1))
    return Project.objects.filter(uid=uid).first() or Plan.objects.filter(uid=uid).first()


def _party_of(org: _Org) -> str:
    if org.party_code:
        return org.party_code
    prefix = org.ref.split("-", 1)[0] if "-" in org.ref else ""
    if len(prefix) != 2:
        return UNKNOWN_CODE
    return iso_country(prefix) or UNKNOWN_CODE


def _write(activities: list[_Activity], reader: _Reader, report: ImportReport) -> None:
    own = {a.identifier: _own_record(a.identifier) for a in activities}
    theirs = [a for a in activities if own[a.identifier] is None]
    for a in activities:
        if own[a.identifier] is not None:
            reader.note("own")
            report.unchanged["project" if isinstance(own[a.identifier], Project) else "plan"] += 1
    if not theirs:
        return
    idents = {a.identifier for a in theirs}
    parent_ids = {p for a in theirs for p in a.parents if p in idents} | {
        a.identifier for a in theirs if any(c in idents for c in a.children)
    }
    parent_of: dict[str, str] = {}
    for a in theirs:
        for p in a.parents:
            if p in parent_ids:
                parent_of.setdefault(a.identifier, p)
        for c in a.children:
            if c in idents:
                parent_of.setdefault(c, a.identifier)
    programmes = [a for a in theirs if a.identifier in parent_ids]
    projects = [a for a in theirs if a.identifier not in parent_ids]

    # Parties: every participant's country (ZZ when its identifier names none), and the Accord parties named.
    named = {o.party_code for a in theirs for o in a.orgs if o.party_code}
    stored_named = {p.code for p in Party.objects.filter(code__in=named)}
    missing = sorted(named - stored_named)
    if missing:
        lines = {o.party_code: o.line for a in theirs for o in a.orgs if o.party_code}
        raise ImportRefused(
            [
                Problem(
                    f"participating-org names the party “{c}”, which is not stored",
                    column=f"line {lines[c]}",
                    file=reader.name,
                )
                for c in missing
            ]
        )
    codes = sorted({_party_of(o) for a in theirs for o in a.orgs} - stored_named)
    specs = [
        PartySpec(c, Party.Kind.INSTITUTION, "Country not given in the source")
        if c == UNKNOWN_CODE
        else PartySpec(c, Party.Kind.STATE, country_name(c))
        for c in codes
    ]
    parties = ensure_parties(specs, report)
    parties.update({p.code: p for p in Party.objects.filter(code__in=stored_named)})

    # Agreements: the parent activities, and one programme per publisher for the rest.
    publishers = {a.reporter_ref: a.reporter_name for a in projects if a.identifier not in parent_of}
    wanted_agreements = [
        Wanted(
            stable_key("iati", a.identifier),
            {
                "kind": Agreement.Kind.PROGRAMME,
                "title": a.title,
                "entry_into_force_on": None,
                "end_on": a.end,
                "reference": a.identifier[:100],
                "visibility": Visibility.PUBLIC,
            },
            reader.name,
            a.line,
        )
        for a in programmes
    ] + [
        Wanted(
            stable_key("iati-publisher", ref),
            {
                "kind": Agreement.Kind.PROGRAMME,
                "title": {tag: f"{text} (IATI)" for tag, text in (name or {"en": ref}).items()},
                "reference": ref[:100],
                "visibility": Visibility.PUBLIC,
            },
            reader.name,
        )
        for ref, name in sorted(publishers.items())
    ]
    agreements = upsert(Agreement, wanted_agreements, report, "agreement", columns={"title": "title"})

    def agreement_of(a: _Activity) -> Agreement:
        if a.identifier in parent_ids:
            return agreements[stable_key("iati", a.identifier)]
        parent = parent_of.get(a.identifier)
        return agreements[stable_key("iati", parent) if parent else stable_key("iati-publisher", a.reporter_ref)]

    # Organisations: by IATI ref, else by name; one known to Accord already is used as it is.
    org_key: dict[tuple[str, str], str] = {}
    wanted_orgs: dict[str, Wanted] = {}
    known = _known_organisations([o for a in theirs for o in a.orgs if not o.party_code])
    for a in theirs:
        for o in a.orgs:
            if o.party_code:
                continue
            key = stable_key("iati-org", o.ref) if o.ref else stable_key("iati-org-name", _name_key(o.name))
            org_key[(a.identifier, o.ref or _name_key(o.name))] = key
            if key in known or key in wanted_orgs:
                continue
            wanted_orgs[key] = Wanted(
                key,
                {
                    "party": parties[_party_of(o)],
                    "kind": _ORG_TYPE_IN.get(o.kind, Organisation.Kind.OTHER),
                    "name": o.name,
                    "identifiers": {"iati": o.ref} if o.ref else {},
                    "visibility": Visibility.PUBLIC,
                },
                reader.name,
                o.line,
            )
    organisations = dict(known)
    organisations.update(
        upsert(
            Organisation,
            list(wanted_orgs.values()),
            report,
            "organisation",
            columns={"name": "participating-org", "party": "participating-org/@ref", "kind": "participating-org/@type"},
            related=lambda o: o.party,
        )
    )

    # Each organisation's party in memory (one query for those not just read), not read back one by one.
    party_by_pk = {p.pk: p for p in parties.values()}
    unknown = {o.party_id for o in organisations.values()} - set(party_by_pk)
    party_by_pk.update({p.pk: p for p in Party.objects.filter(pk__in=unknown)})
    for org in organisations.values():
        org.party = party_by_pk[org.party_id]

    # Each agreement's parties: funders sign, participants' countries are associated.
    sides: dict[int, dict[int, str]] = {}
    for a in theirs:
        agreement = agreement_of(a)
        roles = sides.setdefault(agreement.pk, {})
        for o in a.orgs:
            party = (
                parties[o.party_code]
                if o.party_code
                else organisations[org_key[(a.identifier, o.ref or _name_key(o.name))]].party
            )
            if o.role == FUNDING:
                roles[party.pk] = AgreementParty.Role.SIGNATORY
            else:
                roles.setdefault(party.pk, AgreementParty.Role.ASSOCIATE)
    _agreement_parties({a.pk: a for a in agreements.values()}, sides, report)

    # Projects, under their parent's agreement or their publisher's.
    stored_numbers = _numbers({agreement_of(a).pk for a in projects})
    projects_by_key = upsert(
        Project,
        [
            Wanted(
                stable_key("iati", a.identifier),
                {
                    "agreement": agreement_of(a),
                    "number": _number(a, stored_numbers.get(stable_key("iati", a.identifier))),
                    "title": a.title,
                    "field": a.science,
                    "start_on": a.start,
                    "end_on": a.end,
                    "visibility": Visibility.PUBLIC,
                },
                reader.name,
                a.line,
            )
            for a in projects
        ],
        report,
        "project",
        columns={"title": "title", "number": "iati-identifier", "start_on": "activity-date", "end_on": "activity-date"},
        related=lambda p: p.agreement,
    )

    # Participations: one per organisation and project, in the first non-funding role the activity gives it.
    wanted_parts: dict[str, Wanted] = {}
    for a in projects:
        project = projects_by_key[stable_key("iati", a.identifier)]
        for o in a.orgs:
            if o.party_code or o.role == FUNDING:
                continue
            org = organisations[org_key[(a.identifier, o.ref or _name_key(o.name))]]
            key = stable_key("iati-participation", a.identifier, str(org.uid))
            if key in wanted_parts:
                continue
            wanted_parts[key] = Wanted(
                key,
                {
                    "project": project,
                    "organisation": org,
                    "side": org.party,
                    "role": _ROLE_IN[o.role],
                    "visibility": Visibility.PUBLIC,
                },
                reader.name,
                o.line,
            )
    upsert(
        Participation,
        list(wanted_parts.values()),
        report,
        "participation",
        columns={"role": "participating-org/@role", "side": "participating-org/@ref"},
        related=lambda part: part.project,
    )


def _name_key(name: dict[str, str]) -> str:
    return normalise_name(name.get("en") or next(iter(sorted(name.items())))[1])


def _known_organisations(orgs: list[_Org]) -> dict[str, Organisation]:
    """Stored organisations an IATI participant is: by external id or IATI ref, else by exactly one equal name."""
    keys = {stable_key("iati-org", o.ref) for o in orgs if o.ref}
    keys |= {stable_key("iati-org-name", _name_key(o.name)) for o in orgs if not o.ref}
    found: dict[str, Organisation] = {}
    refs = {o.ref for o in orgs if o.ref}
    for org in Organisation.objects.filter(external_id__in=keys).select_related("party"):
        found[org.external_id] = org  # type: ignore[index]
    by_ref = Organisation.objects.filter(identifiers__iati__in=sorted(refs)).select_related("party") if refs else []
    for org in by_ref:
        found.setdefault(stable_key("iati-org", str(org.identifiers["iati"])), org)
    wanted_names = {_name_key(o.name): o for o in orgs if not o.ref}
    if wanted_names:
        matches: dict[str, list[Organisation]] = {}
        for org in Organisation.objects.select_related("party").only(
            "id", "uid", "name", "party", "external_id", "version"
        ):
            for text in dict(org.name).values():
                key = normalise_name(str(text))
                if key in wanted_names:
                    matches.setdefault(key, []).append(org)
                    break
        for key, orgs_found in matches.items():
            if len(orgs_found) == 1:
                found.setdefault(stable_key("iati-org-name", key), orgs_found[0])
    # Those upsert keys itself (external id = the key) are left to it, so they are updated when they changed.
    return {k: v for k, v in found.items() if v.external_id != k}


def _numbers(agreement_ids: set[int]) -> dict[str, str]:
    return {
        str(ext): number
        for ext, number in Project.objects.filter(
            agreement_id__in=agreement_ids, external_id__startswith="iati"
        ).values_list("external_id", "number")
    }


def _number(a: _Activity, stored: str | None) -> str:
    """A project number from its identifier (the publisher's prefix left off), kept as stored once given."""
    if stored:
        return stored
    number = a.identifier
    if a.reporter_ref and number.startswith(a.reporter_ref) and len(number) > len(a.reporter_ref) + 1:
        number = number[len(a.reporter_ref) :].lstrip("-")
    if len(number) > 32:
        import hashlib

        number = f"{number[:21]}~{hashlib.sha1(a.identifier.encode()).hexdigest()[:10]}"
    return number


def _agreement_parties(
    agreements: dict[int, Agreement], sides: dict[int, dict[int, str]], report: ImportReport
) -> None:
    new: list[AgreementParty] = []
    for pk, roles in sides.items():
        agreement = agreements[pk]
        stored = {ap.party_id: ap.position for ap in AgreementParty.objects.filter(agreement=agreement)}
        position = max(stored.values(), default=0)
        order = sorted(roles, key=lambda party_id: (roles[party_id] != AgreementParty.Role.SIGNATORY, party_id))
        for party_id in order:
            if party_id in stored:
                report.unchanged["agreement party"] += 1
                continue
            position += 1
            new.append(
                AgreementParty(
                    agreement=agreement,
                    party_id=party_id,
                    role=roles[party_id],
                    position=position,
                    visibility=Visibility.PUBLIC,
                )
            )
            stored[party_id] = position
        remember_parties(agreement, set(stored))
    try:
        create_many(AgreementParty, new, related=lambda ap: ap.agreement)
    except RecordsInvalid as exc:  # pragma: no cover - built from parties just read or written
        raise ImportRefused([Problem(f"agreement party: {e}") for e in exc.errors.values()]) from None
    report.created["agreement party"] += len(new)
