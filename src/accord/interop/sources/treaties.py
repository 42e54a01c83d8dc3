"""Treaty catalogues: the UK FCDO treaty records (flat CSV) as agreements with their parties.

Each treaty becomes an agreement keyed "fcdo:<uuid>": its English title, a kind guessed from the title,
the signature date and place, the entry into force (definitive, else provisional), the end (termination,
or the UK's withdrawal from a bilateral treaty), a status from those dates, the first citation as its
reference, and one party per name in `country_name` (states by ISO 3166 code, dissolved ones by their
withdrawn code; organisations and territories without a code as sides of their own).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import pycountry
from django.db import transaction

from accord.agreements.models import Agreement, AgreementParty
from accord.core.bulk import RecordsInvalid, create_many
from accord.core.models import Visibility
from accord.directory.models import Party
from accord.interop.report import ImportRefused, ImportReport, Problem
from accord.interop.sources import common, fingerprint
from accord.interop.sources.common import EU_CODE, PartySpec, Table, Wanted, ensure_parties, iso_country, upsert

_COLUMNS = ("uuid", "title", "country_name", "signed_event_date", "signed_event_location")

# Catalogue names pycountry does not know, by the code of the state at the time.
_STATES = {
    "SOVIET UNION": "SU",
    "UNITED KINGDOM": "GB",
    "NETHERLANDS THE": "NL",
    "TURKEY": "TR",
    "GERMANY FEDERAL REPUBLIC": "DE",
    "CZECHOSLOVAKIA": "CS",
    "CZECH AND SLOVAK FEDERAL REPUBLIC": "CS",
    "YUGOSLAVIA": "YU",
    "YUGOSLAVIA, FEDERAL REPUBLIC OF": "YU",
    "IRELAND, REPUBLIC OF": "IE",
    "EIRE": "IE",
    "ROUMANIA": "RO",
    "KOREA REPUBLIC OF": "KR",
    "KOREA DEMOCRATIC PEOPLE'S REPUBLIC OF": "KP",
    "SWAZILAND": "SZ",
    "CEYLON": "LK",
    "SIAM": "TH",
    "PERSIA": "IR",
    "ABYSSINIA": "ET",
    "HAYTI": "HT",
    "TUNIS": "TN",
    "SALVADOR": "SV",
    "MACEDONIA THE FYR OF": "MK",
    "RUSSIA": "RU",
    "BURMA": "BU",
    "UPPER VOLTA": "HV",
    "ZAIRE": "ZR",
    "IVORY COAST": "CI",
    "COTE D'IVOIRE": "CI",
    "MOLDOVA REPUBLIC OF": "MD",
    "DOMINICA, COMMONWEALTH OF": "DM",
    "ST VINCENT AND THE GRENADINES": "VC",
    "ST KITTS AND NEVIS": "KN",
    "SAINT CHRISTOPHER AND NEVIS": "KN",
    "ST LUCIA": "LC",
    "BYELORUSSIA S S R": "BY",
    "UKRAINE S S R": "UA",
    "GAMBIA THE": "GM",
    "MALAGASY REPUBLIC": "MG",
    "GUINEA BISSAU": "GW",
    "GUINEA, EQUATORIAL": "GQ",
    "VATICAN CITY": "VA",
    "HOLY SEE": "VA",
    "CAPE VERDE": "CV",
    "CONGO, DEMOCRATIC REPUBLIC OF": "CD",
    "CONGO, REPUBLIC OF": "CG",
    "CONGO, PEOPLES REPUBLIC OF": "CG",
    "UNITED ARAB REPUBLIC": "EG",
    "MALAYA": "MY",
    "HONG KONG SAR": "HK",
    "MACAU": "MO",
    "YEMEN, PEOPLES'S DEMOCRATIC REPUBLIC OF": "YD",
    "YEMEN ARAB REPUBLIC": "YE",
    "YEMEN, REPUBLIC OF": "YE",
    "WESTERN SAMOA": "WS",
    "CHINA P R": "CN",
    "CHINA REPUBLIC OF": "TW",
    "SOMALI DEMOCRATIC REPUBLIC": "SO",
    "VIETNAM, REPUBLIC OF": "VN",
    "VIETNAM, SOCIALIST REP OF": "VN",
    "VIETNAM D R": "VD",
    "KHMER REPUBLIC": "KH",
    "MICRONESIA": "FM",
    "KOSOVO": "XK",
    "PALESTINE (INCL. PLO)": "PS",
}
# International organisations met in the catalogue, by a short code.
_ORGANISATIONS = {
    "EUROPEAN UNION": EU_CODE,
    "EUROPEAN ECONOMIC COMMUNITY": "EEC",
    "EUROPEAN COMMUNITY": "EC",
    "EUROPEAN ATOMIC ENERGY COMMUNITY (EURATOM)": "EURATOM",
    "EUROPEAN COAL AND STEEL COMMUNITY": "ECSC",
    "UNITED NATIONS": "UN",
    "INTERNATIONAL BANK FOR RECONSTRUCTION AND DEVELOPMENT": "IBRD",
    "INTERNATIONAL DEVELOPMENT ASSOCIATION": "IDA",
    "INTERNATIONAL ATOMIC ENERGY AGENCY": "IAEA",
    "INTERNATIONAL LABOUR ORGANISATION": "ILO",
    "FOOD AND AGRICULTURE ORGANIZATION": "FAO",
    "INTER-AMERICAN DEVELOPMENT BANK": "IADB",
    "EUROPEAN SPACE RESEARCH ORGANISATION": "ESRO",
}
_ORGANISATION_WORDS = re.compile(
    r"\b(ORGANI[SZ]ATION|COMMUNITY|NATIONS|BANK|AGENCY|ASSOCIATION|FUND|COUNCIL|INSTITUTE|COMMISSION)\b", re.I
)

# The kind of instrument, by the first of these words in the title.
_KINDS = [
    ("memorandum", Agreement.Kind.MEMORANDUM),
    ("protocol", Agreement.Kind.PROTOCOL),
    ("programme", Agreement.Kind.PROGRAMME),
    ("agreement", Agreement.Kind.AGREEMENT),
    ("convention", Agreement.Kind.AGREEMENT),
    ("treaty", Agreement.Kind.AGREEMENT),
    ("exchange of notes", Agreement.Kind.AGREEMENT),
]


# What a fingerprint covers: the code that turns the file into records, and the kinds written.
_CODE = (sys.modules[__name__], common, fingerprint)
_WRITES = (Party, Agreement, AgreementParty)


def treaty_kind(title: str) -> str:
    """The closest Agreement.Kind: the instrument word that comes first in the title ('Protocol amending
    the Agreement ...' is a protocol); agreements, conventions, treaties and exchanges of notes are agreements."""
    lowered = title.lower()
    found = [(lowered.find(word), kind) for word, kind in _KINDS if word in lowered]
    return min(found)[1] if found else Agreement.Kind.AGREEMENT


@cache
def party_for_name(name: str) -> PartySpec:
    """A catalogue party name as a party: a state by its ISO code (current or withdrawn), else a side of its own."""
    key = re.sub(r"\s+", " ", name).strip()
    upper = key.upper()
    pretty = key.title() if key.isupper() else key
    if upper in _ORGANISATIONS:
        return PartySpec(_ORGANISATIONS[upper], Party.Kind.INTERNATIONAL_ORGANISATION, pretty)
    code = _STATES.get(upper)
    if code is None:
        for registry in (pycountry.countries, pycountry.historic_countries):
            try:
                code = registry.lookup(key).alpha_2
                break
            except LookupError:
                continue
    if code is not None and iso_country(code):
        return PartySpec(code, Party.Kind.STATE, pretty)
    # No code: an organisation, or a territory, colony or sub-national state (Party has no kind for those).
    digest = hashlib.sha1(upper.encode()).hexdigest()[:8].upper()
    if _ORGANISATION_WORDS.search(key):
        return PartySpec(f"ORG-{digest}", Party.Kind.INTERNATIONAL_ORGANISATION, pretty)
    return PartySpec(f"FCDO-{digest}", Party.Kind.INSTITUTION, pretty)


def _reference(citations: str | None) -> str:
    """The first citation, preferring the Treaty Series one, without its link; cut to the column's 100 characters."""
    if not citations:
        return ""
    items = [c.split("||", 1)[0].strip() for c in citations.split(";") if c.strip()]
    items = [c for c in items if c]
    if not items:
        return ""
    best = next((c for c in items if c.startswith("Treaty Series")), items[0])
    return best if len(best) <= 100 else best[:99] + "…"


def import_treaties(path: Path, *, dry_run: bool = False, encoding: str | None = None) -> ImportReport:
    """Import a treaty catalogue (the FCDO flat CSV or a subset of it, or the same columns in an XLSX or ODS
    workbook's first sheet); all or nothing; upsert by external id."""
    path = Path(path)
    if path.is_dir():
        for name in ("uk_treaties_flat.csv", "uk_treaties_science_tech_subset.csv"):
            if (path / name).exists():
                path = path / name
                break
        else:
            raise ImportRefused([Problem("no treaty catalogue (uk_treaties_flat.csv) in this folder", file=str(path))])
    if not path.exists():
        raise ImportRefused([Problem("no such file", file=str(path))])
    src = fingerprint.source("treaties", [path], code=_CODE, encoding=encoding, kinds=_WRITES)
    seen = fingerprint.unchanged(src, dry_run=dry_run)
    if seen is not None:
        return seen
    table = Table(path, encoding=encoding)
    problems: list[Problem] = []
    notes: Counter[str] = Counter()
    treaties: dict[str, tuple[Wanted, list[PartySpec]]] = {}
    rows = table.rows()
    first = next(rows, None)
    if table.require(*_COLUMNS) and first is not None:
        f = table.name

        def date(value: str | None, row: int, column: str) -> dt.date | None:
            if not value or not value.strip():
                return None
            try:
                return dt.datetime.strptime(value.strip(), "%d/%m/%Y").date()
            except ValueError:
                problems.append(Problem(f"{value!r} is not a date (DD/MM/YYYY)", row=row, column=column, file=f))
                return None

        for row, r in [first, *rows]:
            uuid = (r["uuid"] or "").strip()
            title = (r["title"] or "").strip()
            if not uuid:
                problems.append(Problem("the treaty's uuid is missing", row=row, column="uuid", file=f))
                continue
            if not title:
                problems.append(Problem("the treaty's title is missing", row=row, column="title", file=f))
                continue
            signed = date(r["signed_event_date"], row, "signed_event_date")
            eif = date(r.get("definative_eif_event_date"), row, "definative_eif_event_date") or date(
                r.get("provisional_eif_event_date"), row, "provisional_eif_event_date"
            )
            end = date(r.get("terminated_event_date"), row, "terminated_event_date")
            if end is None and (r.get("field3") or "") == "BI":
                end = date(r.get("withdrawn_event_date"), row, "withdrawn_event_date")
            if signed and eif and eif < signed:
                notes["retroactive"] += 1  # in force before signature (retroactive effect): Accord refuses that order
                eif = None
            if end and (eif or signed) and end < (eif or signed):  # type: ignore[operator]
                notes["end_before_start"] += 1
                end = None
            if end:
                status = Agreement.Status.TERMINATED
            elif eif and signed:
                status = Agreement.Status.IN_FORCE
            elif signed:
                status = Agreement.Status.SIGNED
            else:
                status = Agreement.Status.DRAFT
                if eif:
                    notes["in_force_unsigned"] += 1
            names = [n for n in (r["country_name"] or "").split(" ; ") if n.strip()]
            specs = list(dict.fromkeys(party_for_name(n) for n in names))
            if not specs:
                notes["no_parties"] += 1
            place = (r["signed_event_location"] or "").strip()
            fields = {
                "kind": treaty_kind(title),
                "title": {"en": title},
                "signed_on": signed,
                "signed_at": {"en": place} if place else {},
                "entry_into_force_on": eif,
                "end_on": end,
                "status": status,
                "reference": _reference(r.get("references")),
                "visibility": Visibility.PUBLIC,
            }
            key = f"fcdo:{uuid}"
            if key in treaties:
                notes["duplicate"] += 1
                continue
            treaties[key] = (Wanted(key, fields, f, row), specs)
    problems = [*table.problems, *problems]
    if problems:
        raise ImportRefused(problems)

    report = ImportReport(dry_run=dry_run, read_as=table.read_as, rows=table.count)
    all_specs = {s.code: s for _, specs in treaties.values() for s in specs}
    _notes(report, notes, all_specs)
    with transaction.atomic():
        fingerprint.lock_chain()
        parties = ensure_parties(list(all_specs.values()), report)
        agreements = upsert(
            Agreement,
            [w for w, _ in treaties.values()],
            report,
            "agreement",
            columns={
                "title": "title",
                "signed_on": "signed_event_date",
                "signed_at": "signed_event_location",
                "entry_into_force_on": "definative_eif_event_date",
                "end_on": "terminated_event_date",
                "reference": "references",
            },
        )
        _agreement_parties(agreements, treaties, parties, report)
        if dry_run:
            transaction.set_rollback(True)
        else:
            fingerprint.remember(src, report, valid_until=None)  # nothing here follows the day
    return report


def _notes(report: ImportReport, n: Counter[str], all_specs: dict[str, PartySpec]) -> None:
    if n["retroactive"]:
        report.notes.append(
            f"{n['retroactive']} treaty(ies) entered into force before their signature (retroactive effect): "
            "their entry-into-force date was left empty, since an agreement's validity starts at its signature"
        )
    if n["in_force_unsigned"]:
        report.notes.append(
            f"{n['in_force_unsigned']} treaty(ies) entered into force but the catalogue gives no signature date: "
            "kept as drafts with their entry-into-force date (Accord marks only signed agreements in force)"
        )
    if n["end_before_start"]:
        report.notes.append(f"{n['end_before_start']} end date(s) before the start were left empty")
    if n["no_parties"]:
        report.notes.append(f"{n['no_parties']} treaty(ies) name no parties in the catalogue")
    if n["duplicate"]:
        report.notes.append(f"{n['duplicate']} repeated treaty row(s) ignored (the first was kept)")
    sides = sorted(s.name_en for s in all_specs.values() if s.code.startswith("FCDO-"))
    if sides:
        report.notes.append(
            f"{len(sides)} party name(s) are territories or historical entities with no ISO code; each became a "
            "side of kind institution (code FCDO-…)"
        )


def _agreement_parties(
    agreements: dict[str, Agreement],
    treaties: dict[str, tuple[Wanted, list[PartySpec]]],
    parties: dict[str, Party],
    report: ImportReport,
) -> None:
    """The parties of each treaty, in the catalogue's order; existing ones are kept, missing ones added."""
    ids = [a.pk for a in agreements.values()]
    stored: dict[int, dict[int, int]] = {}
    for start in range(0, len(ids), 2000):
        for agreement_id, party_id, position in AgreementParty.objects.filter(
            agreement_id__in=ids[start : start + 2000]
        ).values_list("agreement_id", "party_id", "position"):
            stored.setdefault(agreement_id, {})[party_id] = position
    new: list[AgreementParty] = []
    for key, (_, specs) in treaties.items():
        agreement = agreements[key]
        have = stored.get(agreement.pk, {})
        position = max(have.values(), default=0)
        for spec in specs:
            party = parties[spec.code]
            if party.pk in have:
                report.unchanged["agreement party"] += 1
                continue
            position += 1
            have[party.pk] = position
            new.append(
                AgreementParty(
                    agreement=agreement,
                    party=party,
                    role=AgreementParty.Role.SIGNATORY,
                    position=position,
                    visibility=Visibility.PUBLIC,
                )
            )
    try:
        create_many(AgreementParty, new, related=lambda ap: ap.agreement)
    except RecordsInvalid as exc:  # pragma: no cover - built from records just read or written
        raise ImportRefused([Problem(f"agreement party: {e}") for e in exc.errors.values()]) from None
    report.created["agreement party"] += len(new)
