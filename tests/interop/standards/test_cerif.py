"""The CERIF-XML export of the seed: valid against the official profile, complete, public only."""

from __future__ import annotations

import io

import pytest
from lxml import etree

from accord.core.models import Visibility
from accord.directory import services as directory
from accord.directory.models import Organisation
from accord.interop.standards.catalogue import OAI
from accord.interop.standards.cerif import NS, XML_LANG, organisation_cerif, person_cerif, write_cerif
from accord.programmes import services as programmes
from accord.programmes.models import Participation

pytestmark = pytest.mark.django_db
C = f"{{{NS}}}"


def export() -> tuple[int, etree._Element]:
    out = io.BytesIO()
    count = write_cerif(out)
    return count, etree.fromstring(out.getvalue())


def entities(root: etree._Element, tag: str) -> dict[str, etree._Element]:
    found = root.iterfind(f"{{{OAI}}}ListRecords/{{{OAI}}}record/{{{OAI}}}metadata/{C}{tag}")
    return {element.get("id"): element for element in found}


def names(element: etree._Element, tag: str) -> dict[str, str]:
    return {child.get(XML_LANG): child.text for child in element.findall(f"{C}{tag}")}


def test_seed_export_is_valid_complete_and_multilingual(seed, schemas):
    count, root = export()

    assert schemas.validate_xml(schemas.oai_schema(), root) == []
    assert schemas.cerif_rule_violations(root) == []
    projects, orgunits = entities(root, "Project"), entities(root, "OrgUnit")
    fundings, persons = entities(root, "Funding"), entities(root, "Person")
    assert count == len(projects) + len(orgunits) + len(fundings) + len(persons)
    assert len(projects) == 122
    # every record is itself a valid CERIF entity for the profile alone
    first = next(iter(projects.values()))
    assert schemas.cerif_schema().validate(etree.fromstring(etree.tostring(first)))

    project = projects[f"Projects/{seed.protocol.projects.get(number='1').uid}"]
    assert set(names(project, "Title")) == {"en", "zh", "ru"}
    coordinator = project.find(f"{C}Consortium/{C}Coordinator/{C}OrgUnit")
    assert names(coordinator, "Name")["zh"] == "中国科学院"  # project 1: the Chinese Academy of Sciences leads
    plan_ids = {f.get("id") for f in project.iterfind(f"{C}Funded/{C}As/{C}Funding")}
    assert f"Fundings/{seed.plan_1959.uid}" in plan_ids

    cas = orgunits[f"OrgUnits/{seed.cas.uid}"]
    assert names(cas, "Name") == {"en": "Chinese Academy of Sciences", "zh": "中国科学院", "ru": "Академия наук Китая"}
    assert f"OrgUnits/{seed.cn.uid}" in orgunits  # the party, as the funder
    protocol = fundings[f"Fundings/{seed.protocol.uid}"]
    assert names(protocol, "Name")["ru"].startswith("Протокол о совместном проведении")
    funders = {f.get("id") for f in protocol.iterfind(f"{C}Funder/{C}OrgUnit")}
    assert funders == {f"OrgUnits/{seed.cn.uid}", f"OrgUnits/{seed.su.uid}"}
    assert fundings[f"Fundings/{seed.plan_1959.uid}"].find(f"{C}PartOf/{C}Funding").get("id") == protocol.get("id")

    wu_heng = persons[f"Persons/{seed.wu_heng.uid}"]
    assert wu_heng.findtext(f"{C}PersonName/{C}FamilyNames") == "Wu Heng"
    assert wu_heng.find(f"{C}Affiliation/{C}OrgUnit").get("id") == f"OrgUnits/{seed.cn_commission.uid}"


def test_identifiers_in_canonical_url_form_and_hidden_organisations_left_out(seed, schemas):
    directory.update_organisation(seed.cas, expected_version=seed.cas.version, identifiers={"ror": "034t30j35"})
    directory.update_person(seed.wu_heng, expected_version=seed.wu_heng.version, orcid="0000-0002-1825-0097")
    secret = directory.create_organisation(
        party=seed.cn, name={"en": "Closed institute"}, visibility=Visibility.INTERNAL, owner_party=seed.cn
    )
    project = seed.protocol.projects.get(number="2")
    programmes.add_participation(project, secret, side=seed.cn, role=Participation.Role.PARTNER)

    _, root = export()

    assert schemas.validate_xml(schemas.oai_schema(), root) == []
    cas = entities(root, "OrgUnit")[f"OrgUnits/{seed.cas.uid}"]
    assert cas.findtext(f"{C}RORID") == "https://ror.org/034t30j35"
    wu_heng = entities(root, "Person")[f"Persons/{seed.wu_heng.uid}"]
    assert wu_heng.findtext(f"{C}ORCID") == "https://orcid.org/0000-0002-1825-0097"
    assert b"Closed institute" not in etree.tostring(root)
    assert f"OrgUnits/{secret.uid}" not in entities(root, "OrgUnit")


def test_identifier_that_the_profile_would_refuse_goes_out_generic(seed, schemas):
    # A valid checksum outside the ORCID blocks the profile's pattern knows.
    person = directory.create_person(name={"en": "A. Researcher"}, orcid="0000-0000-0000-0001")
    directory.add_position(person, seed.cas, {"en": "Researcher"})
    element = person_cerif(person)
    assert schemas.cerif_schema().validate(element), schemas.cerif_schema().error_log
    assert element.findtext(f"{C}Identifier") == "https://orcid.org/0000-0000-0000-0001"


def test_organisation_with_control_characters_still_valid(seed, schemas):
    organisation = Organisation(uid=seed.cas.uid, party=seed.cn, name={"en": "Bad\x01name", "zh": "名"}, kind="other")
    element = organisation_cerif(organisation)
    assert schemas.cerif_schema().validate(element)
    assert names(element, "Name")["en"] == "Badname"
