"""RAiD (Research Activity Identifier, ISO 23527) metadata for projects, in the RAiD v2 RaidDto form.

Accord is not a RAiD registration agency: a project's record is ready for registration, and its identifier
block names the project by its Accord uid (urn:uuid:...) until an agency mints a RAiD. The agency and the
owner must be ROR-identified; they come from ACCORD_RAID_AGENCY_ROR (default: ARDC, the RAiD agency of
the reference implementation) and the coordinating organisation's ROR, else ACCORD_RAID_OWNER_ROR, else the
agency. Organisations go in only when they have a ROR id (the schema admits no other scheme); Accord
records no persons on projects, so the contributor list is empty.
"""

from __future__ import annotations

import json
import os
from typing import IO, Any

import langcodes
from django.db.models import prefetch_related_objects

from accord.directory.models import Organisation
from accord.interop.standards import selectors
from accord.interop.standards.cerif import ror_url
from accord.programmes.models import Participation, Project

VOCABULARY = "https://vocabulary.raid.org"
TITLE_TYPES = f"{VOCABULARY}/title.type.schema/376"
PRIMARY_TITLE = f"{VOCABULARY}/title.type.schema/5"
ALTERNATIVE_TITLE = f"{VOCABULARY}/title.type.schema/4"
DESCRIPTION_TYPES = f"{VOCABULARY}/description.type.schema/320"
PRIMARY_DESCRIPTION = f"{VOCABULARY}/description.type.schema/318"
ALTERNATIVE_DESCRIPTION = f"{VOCABULARY}/description.type.schema/319"
ORGANISATION_ROLES = f"{VOCABULARY}/organisation.role.schema/359"
ORGANISATION_ROLE: dict[str, str] = {
    Participation.Role.COORDINATOR: f"{VOCABULARY}/organisation.role.schema/182",  # lead research organisation
    Participation.Role.PARTNER: f"{VOCABULARY}/organisation.role.schema/184",  # partner organisation
    Participation.Role.ASSOCIATED: f"{VOCABULARY}/organisation.role.schema/183",  # other research organisation
}
ISO_639_3 = "https://www.iso.org/standard/74575.html"
OPEN_ACCESS = "https://vocabularies.coar-repositories.org/access_rights/c_abf2/"
ACCESS_RIGHTS = "https://vocabularies.coar-repositories.org/access_rights/"
ARDC_ROR = "https://ror.org/038sjwq14"
METADATA_LICENCE = "Creative Commons CC-0"


def language_id(tag: str) -> str:
    """ISO 639-3 for a BCP 47 tag ('zh-Hans' -> 'zho', 'ru' -> 'rus')."""
    try:
        return str(langcodes.Language.get(tag).to_alpha3())
    except (LookupError, ValueError):
        return "und"


def _language(tag: str) -> dict[str, str]:
    return {"id": language_id(tag), "schemaUri": ISO_639_3}


def _primary_first(languages: list[str]) -> list[str]:
    """English first (one primary title is required, and English is what registries index), then by tag."""
    return sorted(languages, key=lambda tag: (tag.split("-")[0] != "en", tag))


def project_raid(project: Project) -> dict[str, Any]:
    """The RAiD metadata record of one project. Only its public participations and plan items are read."""
    if not hasattr(project, "public_participations"):
        prefetch_related_objects([project], *selectors.project_prefetches())
    participations: list[Participation] = project.public_participations  # type: ignore[attr-defined]
    start = project.start_on or project.agreement.valid_from or project.created_at.date()
    titles = []
    for n, tag in enumerate(_primary_first(project.title.languages())):
        titles.append(
            {
                "text": project.title[tag],
                "type": {"id": PRIMARY_TITLE if n == 0 else ALTERNATIVE_TITLE, "schemaUri": TITLE_TYPES},
                "language": _language(tag),
                "startDate": start.isoformat(),
            }
        )
    return {
        "metadata": {
            "created": int(project.created_at.timestamp()),
            "updated": int(project.updated_at.timestamp()),
        },
        "identifier": _identifier(project, participations),
        "title": titles,
        "date": {"startDate": start.isoformat(), **({"endDate": project.end_on.isoformat()} if project.end_on else {})},
        "description": _descriptions(project),
        "access": {"type": {"id": OPEN_ACCESS, "schemaUri": ACCESS_RIGHTS}},
        "contributor": [],
        "organisation": _organisations(participations, start.isoformat()),
        "alternateIdentifier": [
            {"id": f"urn:uuid:{project.uid}", "type": "Accord uid"},
            {"id": project.number, "type": f"project number under agreement {project.agreement.uid}"},
            *([{"id": project.external_id, "type": "external id"}] if project.external_id else []),
        ],
    }


def _identifier(project: Project, participations: list[Participation]) -> dict[str, Any]:
    agency = ror_url(os.environ.get("ACCORD_RAID_AGENCY_ROR")) or ARDC_ROR
    coordinators = [p.organisation for p in participations if p.role == Participation.Role.COORDINATOR]
    owner = next(filter(None, (_ror(o) for o in coordinators)), None)
    owner = owner or ror_url(os.environ.get("ACCORD_RAID_OWNER_ROR")) or agency
    return {
        "id": f"urn:uuid:{project.uid}",
        "schemaUri": "https://raid.org/",
        "registrationAgency": {"id": agency, "schemaUri": "https://ror.org/"},
        "owner": {"id": owner, "schemaUri": "https://ror.org/", "servicePoint": 0},
        "license": METADATA_LICENCE,
        "version": project.version,
    }


def _ror(organisation: Organisation) -> str | None:
    identifiers = organisation.identifiers if isinstance(organisation.identifiers, dict) else {}
    return ror_url(identifiers.get("ror"))


def _organisations(participations: list[Participation], start: str) -> list[dict[str, Any]]:
    rows = []
    for participation in participations:
        ror = _ror(participation.organisation)
        if ror:
            role = {"id": ORGANISATION_ROLE[participation.role], "schemaUri": ORGANISATION_ROLES, "startDate": start}
            rows.append({"id": ror, "schemaUri": "https://ror.org/", "role": [role]})
    return rows


def _descriptions(project: Project) -> list[dict[str, Any]]:
    """The objectives of the project's latest public plan item, every language."""
    items = getattr(project, "public_items", [])
    objectives = items[-1].objectives if items else {}
    return [
        {
            "text": objectives[tag],
            "type": {"id": PRIMARY_DESCRIPTION if n == 0 else ALTERNATIVE_DESCRIPTION, "schemaUri": DESCRIPTION_TYPES},
            "language": _language(tag),
        }
        for n, tag in enumerate(_primary_first([t for t in objectives if objectives[t]]))
    ]


def write_raid(out: IO[bytes]) -> int:
    """Write a JSON array of RAiD records, one per public project; return how many."""
    count = 0
    out.write(b"[")
    for project in selectors.projects().iterator(chunk_size=500):
        out.write(b",\n" if count else b"\n")
        out.write(json.dumps(project_raid(project), ensure_ascii=False, indent=1).encode())
        count += 1
    out.write(b"\n]\n" if count else b"]\n")
    return count
