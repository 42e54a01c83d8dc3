"""OpenAIRE CERIF-XML (Guidelines for CRIS Managers, profile 1.2) for projects, organisations, people, fundings.

CERIF has no entity for agreements or plans, so:
- an Agreement is a Funding of type FundingProgramme whose Funders are its parties (as OrgUnits);
- a Plan is a FundingProgramme PartOf its agreement's Funding, over the plan's period;
- a Project is a Project, Funded As each public plan it appears in (else as its agreement);
- a Party (the side, usually a state) is an OrgUnit, the funder; an Organisation is an OrgUnit;
- a Person is a Person with Affiliations from their positions at public organisations.
Every language of a localized text is written with xml:lang where the profile allows several values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import IO, Any

from lxml import etree

from accord.agreements.models import Agreement
from accord.directory.models import Organisation, Party, Person
from accord.documents.models import Document
from accord.interop.standards.selectors import is_public
from accord.programmes.choices import Modality
from accord.programmes.models import Participation, Plan, Project

NS = "https://www.openaire.eu/cerif-profile/1.2/"
FUNDING_TYPES = "https://www.openaire.eu/cerif-profile/vocab/OpenAIRE_Funding_Types"
SERVICE_COMPATIBILITY = "https://www.openaire.eu/cerif-profile/vocab/OpenAIRE_Service_Compatibility"
SCHEMA_URL = "https://www.openaire.eu/schema/cris/1.2/openaire-cerif-profile.xsd"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ORGANISATION_TYPES = "https://w3id.org/cerif/vocab/OrganisationTypes"
PROJECT_REFERENCE = "https://w3id.org/cerif/vocab/IdentifierTypes#ProjectReference"
FUNDING_PROGRAMME = f"{FUNDING_TYPES}#FundingProgramme"

# The profile's own patterns: an identifier that does not match goes out as a generic Identifier, not at all.
_ROR = re.compile(r"0[\da-hj-km-np-tv-zA-HJ-KM-NP-TV-Z]{6}\d{2}")
_ORCID = re.compile(
    r"0000-000((1-[5-9]|2-[0-9]|3-[0-4])[0-9]{3}-[0-9]{3}[0-9X]|3-5000-0001)|0009-00(0[0-9]-[0-9]{4}-[0-9]{3}[0-9X]|10-0000-0000)"
)
# Characters XML 1.0 cannot carry; a stray one in stored text must not break the whole document.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

_ORGANISATION_TYPE: dict[str, str] = {
    Organisation.Kind.GOVERNMENT: "Governmental",
    Organisation.Kind.COMMISSION: "Governmental",
    Organisation.Kind.MINISTRY: "Governmental",
    Organisation.Kind.EMBASSY: "Governmental",
    Organisation.Kind.ACADEMY: "ResearchInstitute",
    Organisation.Kind.INSTITUTE: "ResearchInstitute",
    Organisation.Kind.UNIVERSITY: "HigherEducation",
    Organisation.Kind.ENTERPRISE: "Company",
}
_PARTY_TYPE: dict[str, str] = {
    Party.Kind.STATE: "Governmental",
    Party.Kind.INTERNATIONAL_ORGANISATION: "Intergovernmental",
}
_CONSORTIUM_ROLE: dict[str, str] = {
    Participation.Role.COORDINATOR: "Coordinator",
    Participation.Role.PARTNER: "Partner",
    Participation.Role.ASSOCIATED: "Member",
}
_CONSORTIUM_ORDER = ["Coordinator", "Partner", "Member"]  # the profile's sequence


def xml_text(value: Any) -> str:
    return _NOT_XML.sub("", str(value))


def entity_id(record: Any) -> str:
    """The CERIF id of a record ("Projects/<uid>"); the OAI identifier adds the repository in front."""
    return f"{cerif_type(record)}/{record.uid}"


def cerif_type(record: Any) -> str:
    if isinstance(record, Document):
        return "Documents"  # not a CERIF entity: served in Dublin Core only (standards.catalogue)
    if isinstance(record, Project):
        return "Projects"
    if isinstance(record, Agreement | Plan):
        return "Fundings"
    if isinstance(record, Person):
        return "Persons"
    return "OrgUnits"


def ror_url(value: Any) -> str | None:
    """A ROR id in its canonical form, https://ror.org/<id>; None if it is not one."""
    ror = str(value or "").strip().rstrip("/").rsplit("/", 1)[-1]
    return f"https://ror.org/{ror.lower()}" if _ROR.fullmatch(ror) else None


def orcid_url(value: str) -> str | None:
    orcid = (value or "").strip().rsplit("/", 1)[-1].upper()
    return f"https://orcid.org/{orcid}" if orcid else None


def _el(parent: etree._Element | None, tag: str, text: Any = None, **attrs: str) -> etree._Element:
    name = f"{{{NS}}}{tag}"
    element = etree.Element(name, nsmap={None: NS}) if parent is None else etree.SubElement(parent, name)
    for key, value in attrs.items():
        element.set(XML_LANG if key == "lang" else key, xml_text(value))
    if text is not None:
        element.text = xml_text(text)
    return element


def _localized(parent: etree._Element, tag: str, value: Mapping[str, str] | None) -> None:
    for language in sorted(value or {}):
        if value and value[language]:
            _el(parent, tag, value[language], lang=language)


def _type(parent: etree._Element, kind: str | None) -> None:
    if kind:
        _el(parent, "Type", f"{ORGANISATION_TYPES}#{kind}", scheme=ORGANISATION_TYPES)


def _period(element: etree._Element, start: Any, end: Any) -> None:
    # The Schematron rule: startDate must not follow endDate (the models refuse that too; stay safe).
    if start is not None and end is not None and start > end:
        end = None
    if start is not None:
        element.set("startDate", start.isoformat())
    if end is not None:
        element.set("endDate", end.isoformat())


# --- OrgUnits -----------------------------------------------------------------------------------------


def orgunit_ref(parent: etree._Element, record: Organisation | Party) -> None:
    """A short OrgUnit inside a link: id and names, so a reader need not follow it."""
    unit = _el(parent, "OrgUnit", id=entity_id(record))
    if isinstance(record, Party):
        _el(unit, "Acronym", record.code)
    _localized(unit, "Name", record.name)


def party_cerif(party: Party) -> etree._Element:
    unit = _el(None, "OrgUnit", id=entity_id(party))
    _type(unit, _PARTY_TYPE.get(party.kind))
    _el(unit, "Acronym", party.code)
    _localized(unit, "Name", party.name)
    return unit


def organisation_cerif(organisation: Organisation) -> etree._Element:
    unit = _el(None, "OrgUnit", id=entity_id(organisation))
    _type(unit, _ORGANISATION_TYPE.get(organisation.kind))
    _localized(unit, "Name", organisation.name)
    identifiers = organisation.identifiers if isinstance(organisation.identifiers, dict) else {}
    ror = ror_url(identifiers.get("ror"))
    if ror:
        _el(unit, "RORID", ror)
    parent = organisation.parent
    if parent is not None and is_public(parent):
        orgunit_ref(_el(unit, "PartOf"), parent)
    return unit


# --- Persons ------------------------------------------------------------------------------------------


def person_name(person: Person) -> tuple[str, str]:
    """The one name form the profile has room for, and its language: English first (what international
    harvesters index), else the person's party's language, else any. The other forms go in oai_dc."""
    preferred = ["en", *(person.party.languages if person.party_id and person.party else [])]
    for language in preferred:
        if person.name.get(language):
            return language, person.name[language]
    language = sorted(person.name)[0] if person.name else ""
    return language, person.name.get(language, "")


def person_cerif(person: Person) -> etree._Element:
    element = _el(None, "Person", id=entity_id(person))
    language, name = person_name(person)
    if name:
        # Accord keeps whole names (no family/given split that holds across scripts): the whole name goes
        # where harvesters look for one.
        names = _el(element, "PersonName")
        _el(names, "FamilyNames", name, **({"lang": language} if language else {}))
    orcid = orcid_url(person.orcid)
    if orcid and _ORCID.fullmatch(orcid.rsplit("/", 1)[-1]):
        _el(element, "ORCID", orcid)
    elif orcid:
        _el(element, "Identifier", orcid, type="https://orcid.org")
    for position in getattr(person, "public_positions", []):
        affiliation = _el(element, "Affiliation")
        _period(affiliation, position.start_on, position.end_on)
        orgunit_ref(affiliation, position.organisation)
    return element


# --- Fundings -----------------------------------------------------------------------------------------


def _funding_head(parent: etree._Element | None, record: Agreement | Plan) -> etree._Element:
    funding = _el(parent, "Funding", id=entity_id(record))
    kind = etree.SubElement(funding, f"{{{FUNDING_TYPES}}}Type", nsmap={None: FUNDING_TYPES})
    kind.text = FUNDING_PROGRAMME
    _localized(funding, "Name", record.title)
    return funding


def _funders(funding: etree._Element, agreement: Agreement) -> None:
    for row in getattr(agreement, "public_parties", []):
        orgunit_ref(_el(funding, "Funder"), row.party)


def agreement_cerif(agreement: Agreement) -> etree._Element:
    funding = _funding_head(None, agreement)
    _funders(funding, agreement)
    parent = agreement.parent
    if parent is not None and is_public(parent):
        _funding_head(_el(funding, "PartOf"), parent)
    if agreement.valid_from or agreement.end_on:
        _period(_el(funding, "Duration"), agreement.valid_from, agreement.end_on)
    return funding


def plan_cerif(plan: Plan) -> etree._Element:
    funding = _funding_head(None, plan)
    _funders(funding, plan.agreement)
    _funding_head(_el(funding, "PartOf"), plan.agreement)
    _period(_el(funding, "Duration"), plan.period_start, plan.period_end)
    return funding


# --- Projects -----------------------------------------------------------------------------------------


def _funded(project: Project) -> Iterable[tuple[Party | None, Agreement | Plan]]:
    """(funder, funding) pairs: each public plan the project is in, else its agreement, if public."""
    agreement = project.agreement
    if not is_public(agreement):
        return []
    by = project.provider_party if project.modality == Modality.ASSISTANCE else None
    plans: dict[int, Plan] = {}
    for item in getattr(project, "public_items", []):
        if item.plan.agreement_id == agreement.pk:
            plans.setdefault(item.plan_id, item.plan)
    return [(by, plan) for plan in plans.values()] or [(by, agreement)]


def project_cerif(project: Project) -> etree._Element:
    element = _el(None, "Project", id=entity_id(project))
    _localized(element, "Title", project.title)
    _el(element, "Identifier", project.number, type=PROJECT_REFERENCE)
    if project.start_on:
        _el(element, "StartDate", project.start_on.isoformat())
    if project.end_on:
        _el(element, "EndDate", project.end_on.isoformat())
    participations = getattr(project, "public_participations", [])
    if participations:
        consortium = _el(element, "Consortium")
        for role in _CONSORTIUM_ORDER:
            for participation in participations:
                if _CONSORTIUM_ROLE.get(participation.role) == role:
                    orgunit_ref(_el(consortium, role), participation.organisation)
    for by, funding in _funded(project):
        funded = _el(element, "Funded")
        if by is not None:
            orgunit_ref(_el(funded, "By"), by)
        _funding_head(_el(funded, "As"), funding)
    if project.field:
        _el(element, "Keyword", _english(project.get_field_display()), lang="en")
    return element


def _english(label: Any) -> str:
    from django.utils import translation

    with translation.override("en"):
        return str(label)


def cerif_element(record: Any) -> etree._Element:
    if isinstance(record, Project):
        return project_cerif(record)
    if isinstance(record, Plan):
        return plan_cerif(record)
    if isinstance(record, Agreement):
        return agreement_cerif(record)
    if isinstance(record, Person):
        return person_cerif(record)
    if isinstance(record, Party):
        return party_cerif(record)
    return organisation_cerif(record)


def write_cerif(out: IO[bytes]) -> int:
    """Write every public record as one CERIF-XML document; return the number of entities written.

    The document has the form of the OpenAIRE guidelines' own samples: an OAI-PMH ListRecords response
    whose records carry the CERIF entities, so it validates against OAI-PMH.xsd and the profile together
    and a harvester's tools read it as they read the endpoint.
    """
    from accord.interop.standards.catalogue import CERIF_PREFIX, write_records

    return write_records(out, CERIF_PREFIX)
