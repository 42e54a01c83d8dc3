"""CORDIS: the EU's framework-programme projects and their participants.

Three shapes of file are read, alone or together in one folder:

- CORDIS's own `project.csv` / `organization.csv` (UTF-8 with BOM, `;`, every field quoted);
- the derived EU–China extract (`projects.csv`, `organizations.csv`: `,`, RFC 4180, no roles, no PICs);
- the derived participation table of Horizon 2020 (`h2020.csv.gz`: rcn, role, PIC, country; `NA` as
  missing; no titles or names).

Each framework programme becomes an agreement of kind programme between the European Union and the
participants' countries; each project a project under it; each organisation an organisation of its
country's party; each participation a participation with its role on its country's side.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import translation

from accord.agreements.models import Agreement, AgreementParty
from accord.core.bulk import RecordsInvalid, create_many, fewer_collections, unchanged_keys
from accord.core.localized import LocalizedText
from accord.core.models import Visibility
from accord.directory.models import Organisation, Party
from accord.interop.report import ImportRefused, ImportReport, Problem
from accord.interop.sources import common, fingerprint
from accord.interop.sources.common import (
    EU_CODE,
    TABLE_SUFFIXES,
    UNKNOWN_CODE,
    PartySpec,
    Table,
    Wanted,
    WantedRow,
    country_name,
    ensure_parties,
    header_of,
    iso_country,
    normalise_name,
    remember_parties,
    stable_key,
    upsert,
    upsert_rows,
)
from accord.programmes.models import Participation, Project

# The programmes' legal acts: what the agreement records as signature (adoption) and end of the period.
_PROGRAMMES: dict[str, tuple[str, str, dt.date, dt.date]] = {
    "FP7": (
        "Seventh Framework Programme (FP7)",
        "Decision No 1982/2006/EC",
        dt.date(2006, 12, 18),
        dt.date(2013, 12, 31),
    ),
    "H2020": ("Horizon 2020", "Regulation (EU) No 1291/2013", dt.date(2013, 12, 11), dt.date(2020, 12, 31)),
    "HORIZON": ("Horizon Europe", "Regulation (EU) 2021/695", dt.date(2021, 4, 28), dt.date(2027, 12, 31)),
}
# What a fingerprint covers: the code that turns the files into records, and the kinds written.
_CODE = (sys.modules[__name__], common, fingerprint)
_KINDS = (Party, Agreement, AgreementParty, Organisation, Project, Participation)
_PROGRAMME_ALIASES = {"HORIZON EUROPE": "HORIZON", "HE": "HORIZON", "FP7": "FP7", "H2020": "H2020"}

# CORDIS activity types.
_ORG_KINDS = {
    "HES": Organisation.Kind.UNIVERSITY,
    "REC": Organisation.Kind.INSTITUTE,
    "PRC": Organisation.Kind.ENTERPRISE,
    "PUB": Organisation.Kind.GOVERNMENT,
    "OTH": Organisation.Kind.OTHER,
}
# CORDIS roles: a beneficiary is a partner; a partner without EU funding (third party, associated or
# international partner) is associated.
_ROLES = {
    "coordinator": Participation.Role.COORDINATOR,
    "participant": Participation.Role.PARTNER,
    "beneficiary": Participation.Role.PARTNER,
    "partner": Participation.Role.ASSOCIATED,
    "thirdparty": Participation.Role.ASSOCIATED,
    "associatedpartner": Participation.Role.ASSOCIATED,
    "internationalpartner": Participation.Role.ASSOCIATED,
}
_ROLE_RANK: dict[str, int] = {
    Participation.Role.COORDINATOR: 0,
    Participation.Role.PARTNER: 1,
    Participation.Role.ASSOCIATED: 2,
}


@dataclass
class _Project:
    key: str
    programme: str
    number: str
    title: str
    start: dt.date | None
    end: dt.date | None
    file: str
    row: int
    columns: dict[str, str]


@dataclass
class _Org:
    key: str
    name: str
    country: str
    kind: str
    pic: str | None
    file: str
    row: int
    columns: dict[str, str]


@dataclass(slots=True)
class _Part:
    project: str
    org: str
    role: str
    file: str
    row: int


class _Reader:
    """Everything read from the files, and every problem found on the way."""

    def __init__(self, encoding: str | None = None) -> None:
        self.encoding = encoding
        self.read: list[str] = []  # how each file was read
        self.rows = 0  # data rows read
        self.skipped: list[str] = []  # each file of the folder not read, and why
        self.projects: dict[str, _Project] = {}
        self.orgs: dict[str, _Org] = {}
        self.parts: dict[tuple[str, str], _Part] = {}
        self.problems: list[Problem] = []
        self.notes: Counter[str] = Counter()
        self.project_by_source_id: dict[str, str] = {}
        # Each cell value already found good, and what it gave: a file repeats a few roles and countries.
        self._roles: dict[str | None, str] = {}
        self._countries: dict[str, str] = {}

    # cells ------------------------------------------------------------------------------------------

    def date(self, value: str | None, file: str, row: int, column: str) -> dt.date | None:
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            self.problems.append(Problem(f"{value!r} is not a date (YYYY-MM-DD)", row=row, column=column, file=file))
            return None

    def country(self, value: str | None, file: str, row: int, column: str) -> str | None:
        if value is None or not value.strip():
            self.notes["no_country"] += 1
            return UNKNOWN_CODE
        code = self._countries.get(value)
        if code is not None:
            return code
        code = iso_country(value)
        if code is None:
            self.problems.append(Problem(f"{value!r} is not a country code", row=row, column=column, file=file))
        else:
            self._countries[value] = code
        return code

    def org_kind(self, value: str | None, file: str, row: int, column: str) -> str:
        if value is None or not value.strip():
            return Organisation.Kind.OTHER
        kind = _ORG_KINDS.get(value.strip().upper())
        if kind is None:
            self.problems.append(
                Problem(
                    f"{value!r} is not a CORDIS activity type (HES, REC, PRC, PUB, OTH)",
                    row=row,
                    column=column,
                    file=file,
                )
            )
            return Organisation.Kind.OTHER
        return kind

    def role(self, value: str | None, file: str, row: int, column: str) -> str:
        role = self._roles.get(value)
        if role is not None:
            return role
        role = _ROLES.get((value or "").strip().lower().replace("_", ""))
        if role is None:
            self.problems.append(Problem(f"{value!r} is not a CORDIS role", row=row, column=column, file=file))
            return Participation.Role.PARTNER
        self._roles[value] = role
        return role

    def programme(self, value: str | None, file: str, row: int, column: str) -> str:
        code = (value or "").strip().upper()
        code = _PROGRAMME_ALIASES.get(code, code)
        if code not in _PROGRAMMES:
            known = ", ".join(_PROGRAMMES)
            self.problems.append(
                Problem(f"{value!r} is not a framework programme ({known})", row=row, column=column, file=file)
            )
        return code

    # records ----------------------------------------------------------------------------------------

    def add_project(self, p: _Project, source_id: str) -> None:
        if p.key in self.projects:
            self.notes["duplicate_project"] += 1
            return
        self.projects[p.key] = p
        self.project_by_source_id[source_id] = p.key

    def add_org(self, o: _Org) -> None:
        if o.key not in self.orgs:
            self.orgs[o.key] = o

    def add_part(self, part: _Part) -> None:
        pair = (part.project, part.org)
        seen = self.parts.get(pair)
        if seen is None:
            self.parts[pair] = part
            return
        self.notes["duplicate_participation"] += 1
        if _ROLE_RANK[part.role] < _ROLE_RANK[seen.role]:  # a merged row keeps the strongest role
            seen.role = part.role

    # the three shapes -------------------------------------------------------------------------------

    def read_eunets(self, path: Path) -> None:
        table = Table(path, missing=("", "NA"), encoding=self.encoding)
        rows = table.rows()
        first = next(rows, None)
        if table.require("rcn", "role", "pic", "type", "country", "start_date", "end_date") and first:
            f = table.name
            cols = {"number": "rcn", "start_on": "start_date", "end_on": "end_date"}
            org_cols = {"party": "country", "kind": "type", "name": "pic"}
            for row, r in [first, *rows]:
                rcn = (r["rcn"] or "").strip()
                pic = (r["pic"] or "").strip()
                if not rcn:
                    self.problems.append(Problem("the project's rcn is missing", row=row, column="rcn", file=f))
                    continue
                if not pic:
                    self.problems.append(Problem("the organisation's PIC is missing", row=row, column="pic", file=f))
                    continue
                key = f"cordis-rcn:{rcn}"
                if key not in self.projects:
                    self.add_project(
                        _Project(
                            key,
                            "H2020",
                            rcn,
                            f"H2020 project rcn {rcn}",
                            self.date(r["start_date"], f, row, "start_date"),
                            self.date(r["end_date"], f, row, "end_date"),
                            f,
                            row,
                            cols,
                        ),
                        rcn,
                    )
                org_key = f"cordis-pic:{pic}"
                if org_key not in self.orgs:
                    country = self.country(r["country"], f, row, "country")
                    kind = self.org_kind(r["type"], f, row, "type")
                    self.add_org(_Org(org_key, f"Organisation PIC {pic}", country or "", kind, pic, f, row, org_cols))
                self.add_part(_Part(key, org_key, self.role(r["role"], f, row, "role"), f, row))
            self.notes["placeholder_titles"] += 1
        self.problems.extend(table.problems)
        self.read.append(table.read_as)
        self.rows += table.count

    def read_china_projects(self, path: Path) -> None:
        table = Table(path, encoding=self.encoding)
        rows = table.rows()
        first = next(rows, None)
        if table.require("project_id", "title", "programme", "start_date", "end_date") and first:
            f = table.name
            cols = {"number": "project_id", "title": "title", "start_on": "start_date", "end_on": "end_date"}
            for row, r in [first, *rows]:
                pid = (r["project_id"] or "").strip()
                if not pid:
                    self.problems.append(Problem("the project id is missing", row=row, column="project_id", file=f))
                    continue
                title = (r["title"] or "").strip() or (r.get("acronym") or "").strip()
                self.add_project(
                    _Project(
                        f"cordis-project:{pid}",
                        self.programme(r["programme"], f, row, "programme"),
                        pid,
                        title,
                        self.date(r["start_date"], f, row, "start_date"),
                        self.date(r["end_date"], f, row, "end_date"),
                        f,
                        row,
                        cols,
                    ),
                    pid,
                )
        self.problems.extend(table.problems)
        self.read.append(table.read_as)
        self.rows += table.count

    def read_official_projects(self, path: Path) -> None:
        table = Table(path, encoding=self.encoding)
        rows = table.rows()
        first = next(rows, None)
        if table.require("id", "title", "startDate", "endDate", "frameworkProgramme") and first:
            f = table.name
            cols = {"number": "id", "title": "title", "start_on": "startDate", "end_on": "endDate"}
            for row, r in [first, *rows]:
                pid = (r["id"] or "").strip()
                if not pid:
                    self.problems.append(Problem("the project id is missing", row=row, column="id", file=f))
                    continue
                self.add_project(
                    _Project(
                        f"cordis-project:{pid}",
                        self.programme(r["frameworkProgramme"], f, row, "frameworkProgramme"),
                        pid,
                        (r["title"] or "").strip() or (r.get("acronym") or "").strip(),
                        self.date(r["startDate"], f, row, "startDate"),
                        self.date(r["endDate"], f, row, "endDate"),
                        f,
                        row,
                        cols,
                    ),
                    pid,
                )
        self.problems.extend(table.problems)
        self.read.append(table.read_as)
        self.rows += table.count

    def read_participants(
        self, path: Path, *, project: str, name: str, country: str, kind: str, pic: str | None, role: str | None
    ) -> None:
        """organizations.csv (derived: no PIC, no role) or organization.csv (CORDIS: both)."""
        table = Table(path, encoding=self.encoding)
        rows = table.rows()
        first = next(rows, None)
        needed = [c for c in (project, name, country, kind, pic, role) if c]
        if table.require(*needed) and first:
            f = table.name
            org_cols = {"name": name, "party": country, "kind": kind}
            for row, r in [first, *rows]:
                source_id = (r[project] or "").strip()
                project_key = self.project_by_source_id.get(source_id) or f"cordis-project:{source_id}"
                org_name = (r[name] or "").strip()
                if not org_name:
                    self.problems.append(Problem("the organisation's name is missing", row=row, column=name, file=f))
                    continue
                code = self.country(r[country], f, row, country) or ""
                the_pic = (r[pic] or "").strip() if pic else ""
                org_key = (
                    f"cordis-pic:{the_pic}" if the_pic else stable_key("cordis-org", code, normalise_name(org_name))
                )
                if org_key not in self.orgs:
                    self.add_org(
                        _Org(
                            org_key,
                            org_name,
                            code,
                            self.org_kind(r[kind], f, row, kind),
                            the_pic or None,
                            f,
                            row,
                            org_cols,
                        )
                    )
                the_role = self.role(r[role], f, row, role) if role else Participation.Role.PARTNER
                self.add_part(_Part(project_key, org_key, the_role, f, row))
        self.problems.extend(table.problems)
        self.read.append(table.read_as)
        self.rows += table.count


def _read(path: Path, encoding: str | None = None) -> _Reader:
    reader = _Reader(encoding)
    if not path.exists():
        raise ImportRefused([Problem("no such file or folder", file=str(path))])
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    kinds: dict[str, list[Path]] = {}
    for p in files:
        if not p.name.lower().endswith(TABLE_SUFFIXES):
            if not path.is_dir():
                raise ImportRefused(
                    [Problem("not a CSV, XLSX or ODS file (CORDIS publishes its dumps as these)", file=p.name)]
                )
            reader.skipped.append(f"{p.name} (not a CSV, XLSX or ODS file)")
            continue
        header = set(header_of(p, encoding=encoding))
        if {"rcn", "role", "pic"} <= header:
            kinds.setdefault("eunets", []).append(p)
        elif {"project_id", "programme"} <= header:
            kinds.setdefault("china_projects", []).append(p)
        elif {"project_id", "org_name"} <= header:
            kinds.setdefault("china_orgs", []).append(p)
        elif {"id", "frameworkProgramme"} <= header:
            kinds.setdefault("projects", []).append(p)
        elif {"projectID", "name", "activityType"} <= header:
            kinds.setdefault("orgs", []).append(p)
        elif not path.is_dir():
            raise ImportRefused([Problem("not a CORDIS file this importer knows (see the header)", row=1, file=p.name)])
        else:
            reader.skipped.append(
                f"{p.name} (not a CORDIS project or organisation table; its columns: "
                f"{', '.join(sorted(header)[:6])}{', …' if len(header) > 6 else ''})"
            )
    if not kinds:
        skipped = f"; not read: {'; '.join(reader.skipped)}" if reader.skipped else ""
        raise ImportRefused([Problem(f"no CORDIS project or participation file found{skipped}", file=str(path))])
    # Projects before their participants, so a participant row can name its project.
    for p in kinds.get("projects", []):
        reader.read_official_projects(p)
    for p in kinds.get("china_projects", []):
        reader.read_china_projects(p)
    for p in kinds.get("eunets", []):
        reader.read_eunets(p)
    for p in kinds.get("orgs", []):
        reader.read_participants(
            p,
            project="projectID",
            name="name",
            country="country",
            kind="activityType",
            pic="organisationID",
            role="role",
        )
    for p in kinds.get("china_orgs", []):
        reader.read_participants(
            p, project="project_id", name="org_name", country="country", kind="org_type", pic=None, role=None
        )
    return reader


def import_cordis(path: Path, *, dry_run: bool = False, encoding: str | None = None) -> ImportReport:
    """Import CORDIS projects and participations from a file or a folder (CSV, CSV.GZ, or the XLSX dumps'
    DATA sheets); all or nothing; upsert by external id. Every file of a folder is read or named as skipped.

    Files imported before, with no record of the kinds written here changed in Accord since, are not read into
    records: the report counts them unchanged and nothing is written (interop.sources.fingerprint)."""
    path = Path(path)
    src = None
    if path.exists():
        files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        src = fingerprint.source("cordis", files, code=_CODE, encoding=encoding, kinds=_KINDS)
        seen = fingerprint.unchanged(src, dry_run=dry_run)
        if seen is not None:
            return seen
    with fewer_collections():
        reader = _read(path, encoding)
        if reader.problems:
            raise ImportRefused(reader.problems)
        report = ImportReport(dry_run=dry_run, rows=reader.rows)
        _notes(reader, report)
        with transaction.atomic():
            fingerprint.lock_chain()
            valid_until = _write(reader, report)
            if dry_run:
                transaction.set_rollback(True)
            elif src is not None:
                fingerprint.remember(src, report, valid_until=valid_until)
    return report


def _notes(reader: _Reader, report: ImportReport) -> None:
    report.read_as = "; ".join(r for r in reader.read if r)
    for skipped in reader.skipped:
        report.notes.append(f"skipped {skipped}")
    n = reader.notes
    if n["duplicate_participation"]:
        report.notes.append(
            f"{n['duplicate_participation']} repeated (project, organisation) row(s) merged into one participation each"
        )
    if n["duplicate_project"]:
        report.notes.append(f"{n['duplicate_project']} repeated project row(s) ignored (the first was kept)")
    if n["no_country"]:
        report.notes.append(
            f"{n['no_country']} participant row(s) give no country: their organisations belong to the party "
            f"{UNKNOWN_CODE} (country not given in the source)"
        )
    if n["placeholder_titles"]:
        report.notes.append(
            "the Horizon 2020 participation table has no titles or names: projects are titled by their rcn "
            "and organisations named by their PIC until a file with names is imported"
        )
    report.notes.append("EU contributions are not stored: participations have no place for an amount")


class _Reprs:
    """str() of the imported records, the same text for the audit entries, with what repeats computed once.

    Participation.__str__ names its organisation (a localized name) and its role's display label (a
    translation looked up through the choices) for every row; here each role's label is looked up once per
    import. The language is the one active for the whole import.
    """

    def __init__(self) -> None:
        self.language = translation.get_language()
        self.roles: dict[str, str] = {}

    def text(self, value: object) -> str:
        """str() of a localized text (LocalizedText.__str__), or of any other value."""
        if isinstance(value, dict):
            value = value if type(value) is LocalizedText else LocalizedText(value)
            return value.get_text(self.language)
        return str(value)

    def participation(self, organisation: str, number: str, role: str) -> str:
        label = self.roles.get(role)
        if label is None:
            label = self.roles[role] = str(Participation.Role(role).label)
        return f"{organisation} in {number} ({label})"  # Participation.__str__


def _write(reader: _Reader, report: ImportReport) -> dt.date | None:
    """Write what was read; the last day the same files give the same records (None: no such day)."""
    # Participants name projects; a project not in these files must be stored already.
    missing = {part.project for part in reader.parts.values()} - set(reader.projects)
    stored_projects: dict[str, Project] = {
        str(p.external_id): p for p in Project.objects.filter(external_id__in=list(missing)).select_related("agreement")
    }
    problems = [
        Problem(
            f"project {part.project.split(':', 1)[1]} is neither in these files nor stored",
            row=part.row,
            file=part.file,
        )
        for part in reader.parts.values()
        if part.project in missing and part.project not in stored_projects
    ]
    if problems:
        raise ImportRefused(problems)

    # Parties: the EU as the funder, and one per participant country.
    codes = sorted({o.country for o in reader.orgs.values()})
    specs = [PartySpec(EU_CODE, Party.Kind.INTERNATIONAL_ORGANISATION, "European Union")]
    for code in codes:
        if code == UNKNOWN_CODE:
            specs.append(PartySpec(code, Party.Kind.INSTITUTION, "Country not given in the source"))
        else:
            specs.append(PartySpec(code, Party.Kind.STATE, country_name(code)))
    parties = ensure_parties(specs, report)

    # One agreement per framework programme.
    programmes = sorted(
        {p.programme for p in reader.projects.values()}
        | {str(p.agreement.external_id).split(":", 1)[1] for p in stored_projects.values()}
    )
    today = dt.date.today()
    agreements = upsert(
        Agreement,
        [
            Wanted(
                f"cordis-programme:{code}",
                {
                    "kind": Agreement.Kind.PROGRAMME,
                    "title": {"en": _PROGRAMMES[code][0]},
                    "short_title": {"en": code},
                    "reference": _PROGRAMMES[code][1],
                    "signed_on": _PROGRAMMES[code][2],
                    "end_on": _PROGRAMMES[code][3],
                    "status": Agreement.Status.IN_FORCE if _PROGRAMMES[code][3] >= today else Agreement.Status.EXPIRED,
                    "visibility": Visibility.PUBLIC,
                },
            )
            for code in programmes
        ],
        report,
        "agreement",
        columns={},
    )

    def agreement_of_project(key: str) -> Agreement:
        if key in reader.projects:
            return agreements[f"cordis-programme:{reader.projects[key].programme}"]
        return agreements[stored_projects[key].agreement.external_id]  # type: ignore[index]

    # Each agreement's parties: the EU signs; the participants' countries are associated.
    countries: dict[int, set[str]] = {a.pk: set() for a in agreements.values()}
    for part in reader.parts.values():
        countries[agreement_of_project(part.project).pk].add(reader.orgs[part.org].country)
    _agreement_parties(agreements.values(), countries, parties, report)
    reprs = _Reprs()
    party_ids = {code: p.pk for code, p in parties.items()}

    # Each record is first compared with what is stored, in the source's own terms (a related record by its
    # external id or code), a batch per query: an unchanged one is counted and nothing more is made of it.
    # Only new and changed records go on through upsert_rows: new ones as plain values (validated by column,
    # written and audited without a model instance each), changed ones updated as before.
    org_values = {
        o.key: (o.country, o.kind, {"en": o.name}, {"pic": o.pic} if o.pic else {}) for o in reader.orgs.values()
    }
    same_orgs = unchanged_keys(Organisation, "external_id", org_values, ["party__code", "kind", "name", "identifiers"])
    report.unchanged["organisation"] += len(same_orgs)
    org_ids = upsert_rows(
        Organisation,
        ["party_id", "kind", "name", "identifiers"],
        [
            WantedRow(
                o.key, (party_ids[o.country], o.kind, {"en": o.name}, {"pic": o.pic} if o.pic else {}), o.file, o.row
            )
            for o in reader.orgs.values()
            if o.key not in same_orgs
        ],
        report,
        "organisation",
        sources=next(iter(reader.orgs.values())).columns if reader.orgs else {},
        related="party_id",
        describe=lambda values: reprs.text(values[3]),  # Organisation.__str__: its name
    )
    org_ids.update(same_orgs)

    agreements_by_pk = {a.pk: a for a in agreements.values()}

    def attach_agreements(projects: list[Project]) -> None:
        for p in projects:
            p.agreement = agreements_by_pk[p.agreement_id]

    public = Visibility.PUBLIC.value
    project_values = {
        p.key: (f"cordis-programme:{p.programme}", p.number, {"en": p.title}, p.start, p.end, public)
        for p in reader.projects.values()
    }
    same_projects = unchanged_keys(
        Project,
        "external_id",
        project_values,
        ["agreement__external_id", "number", "title", "start_on", "end_on", "visibility"],
    )
    report.unchanged["project"] += len(same_projects)
    project_ids = upsert_rows(
        Project,
        ["agreement_id", "number", "title", "start_on", "end_on", "visibility"],
        [
            WantedRow(
                p.key,
                (agreements[f"cordis-programme:{p.programme}"].pk, p.number, {"en": p.title}, p.start, p.end, public),
                p.file,
                p.row,
            )
            for p in reader.projects.values()
            if p.key not in same_projects
        ],
        report,
        "project",
        sources=next(iter(reader.projects.values())).columns if reader.projects else {},
        related="agreement_id",
        prepare=attach_agreements,
        describe=lambda values: f"{values[2]}. {reprs.text(values[3])}",  # Project.__str__
    )
    project_ids.update(same_projects)
    # A participation's audit entry names its organisation and its project's number: those read here, or stored
    # (a project not in these files); looked up by id when the first participation is written.
    numbers = {key: p.number for key, p in reader.projects.items()}
    for key, p in stored_projects.items():
        project_ids[key] = p.pk
        numbers[key] = p.number
    names: dict[str, dict[int, str]] = {}

    def describe_participation(values: Sequence[Any]) -> str:
        if not names:
            names["organisation"] = {org_ids[key]: reprs.text({"en": o.name}) for key, o in reader.orgs.items()}
            names["project"] = {project_ids[key]: number for key, number in numbers.items()}
        return reprs.participation(names["organisation"][values[2]], names["project"][values[1]], values[4])

    def attach_projects(parts: list[Participation]) -> None:
        # The changed participations' projects, read together, each with its agreement (whose parties were just
        # written) in memory: their validation reads none of them back one by one.
        stored = Project.objects.in_bulk({part.project_id for part in parts})
        for p in stored.values():
            p.agreement = agreements_by_pk[p.agreement_id]
        for part in parts:
            part.project = stored[part.project_id]

    # A participation is compared by its project's, organisation's and side's ids (no join): those of the
    # unchanged ones as just compared, of the others as written.
    orgs = reader.orgs
    part_values = {
        stable_key("cordis-participation", part.project.split(":", 1)[1], part.org.split(":", 1)[1]): (
            project_ids[part.project],
            org_ids[part.org],
            party_ids[orgs[part.org].country],
            part.role,
            public,
        )
        for part in reader.parts.values()
    }
    same_parts = unchanged_keys(
        Participation, "external_id", part_values, ["project", "organisation", "side", "role", "visibility"]
    )
    report.unchanged["participation"] += len(same_parts)
    upsert_rows(
        Participation,
        ["project_id", "organisation_id", "side_id", "role", "visibility"],
        [
            WantedRow(key, part_values[key], part.file, part.row)
            for key, part in zip(part_values, reader.parts.values(), strict=True)
            if key not in same_parts
        ],
        report,
        "participation",
        sources={"side": "country", "role": "role", "organisation": "org_name", "project": "project_id"},
        related="project_id",
        prepare=attach_projects,
        describe=describe_participation,
    )
    # A programme's status follows the day: the same files give an expired one after its end.
    return min((_PROGRAMMES[code][3] for code in programmes if _PROGRAMMES[code][3] >= today), default=None)


def _agreement_parties(
    agreements: Any, countries: dict[int, set[str]], parties: dict[str, Party], report: ImportReport
) -> None:
    new: list[AgreementParty] = []
    for agreement in agreements:
        stored = {ap.party_id: ap.position for ap in AgreementParty.objects.filter(agreement=agreement)}
        position = max(stored.values(), default=0)
        wanted = [parties[EU_CODE]] + [parties[c] for c in sorted(countries[agreement.pk])]
        for party in wanted:
            if party.pk in stored:
                report.unchanged["agreement party"] += 1
                continue
            position += 1
            role = AgreementParty.Role.SIGNATORY if party.code == EU_CODE else AgreementParty.Role.ASSOCIATE
            new.append(
                AgreementParty(
                    agreement=agreement, party=party, role=role, position=position, visibility=Visibility.PUBLIC
                )
            )
            stored[party.pk] = position
        remember_parties(agreement, set(stored))
    try:
        create_many(AgreementParty, new, related=lambda ap: ap.agreement)
    except RecordsInvalid as exc:  # pragma: no cover - built from parties just read or written
        raise ImportRefused([Problem(f"agreement party: {e}") for e in exc.errors.values()]) from None
    report.created["agreement party"] += len(new)
