"""The OAI-PMH endpoint as a harvester sees it: every response valid, every public record, nothing else."""

from __future__ import annotations

import pytest
from django.test import Client
from lxml import etree

from accord.agreements.models import Agreement
from accord.core.models import Visibility
from accord.directory.models import Organisation, Party, Person
from accord.interop.standards.catalogue import OAI
from accord.interop.standards.cerif import NS, XML_LANG
from accord.programmes import services as programmes
from accord.programmes.models import Plan, Project

pytestmark = pytest.mark.django_db
P = f"{{{OAI}}}"
DC = "{http://purl.org/dc/elements/1.1/}"


def ask(schemas, method: str = "get", **params: str) -> etree._Element:
    response = getattr(Client(), method)("/oai", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    assert schemas.validate_xml(schemas.oai_schema(), root) == []
    assert schemas.cerif_rule_violations(root) == []
    return root


def error_code(root: etree._Element) -> str | None:
    error = root.find(f"{P}error")
    return None if error is None else error.get("code")


def harvest(schemas, verb: str, **params: str) -> tuple[list[etree._Element], list[etree._Element]]:
    """Follow resumption tokens to the end, as a harvester does: (headers, pages)."""
    headers, pages = [], []
    root = ask(schemas, verb=verb, **params)
    while True:
        pages.append(root)
        assert error_code(root) is None, etree.tostring(root)
        headers.extend(root.iter(f"{P}header"))
        token = root.find(f"{P}{verb}/{P}resumptionToken")
        if token is None or not token.text:
            return headers, pages
        root = ask(schemas, verb=verb, resumptionToken=token.text)


def public_uids() -> set[str]:
    """Computed here from the records themselves, not with the module under test."""
    public = Visibility.PUBLIC
    agreements = Agreement.objects.filter(visibility=public)
    found = {
        *Project.objects.filter(visibility=public).values_list("uid", flat=True),
        *Organisation.objects.filter(visibility=public).values_list("uid", flat=True),
        *agreements.values_list("uid", flat=True),
        *Plan.objects.filter(visibility=public, agreement__in=agreements).values_list("uid", flat=True),
        *Party.objects.filter(agreement_roles__agreement__in=agreements).values_list("uid", flat=True),
        *Person.objects.filter(positions__organisation__visibility=public).values_list("uid", flat=True),
    }
    return {str(uid) for uid in found}


def test_identify_formats_and_sets(schemas):
    identify = ask(schemas, verb="Identify").find(f"{P}Identify")
    assert identify.findtext(f"{P}baseURL") == "http://testserver/oai"
    assert identify.findtext(f"{P}granularity") == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.find(f"{{{NS}}}Service", namespaces=None) is None  # it sits inside a description
    assert identify.find(f"{P}description/{{{NS}}}Service") is not None

    formats = ask(schemas, verb="ListMetadataFormats").iter(f"{P}metadataPrefix")
    assert {f.text for f in formats} == {"oai_cerif_openaire", "oai_dc"}
    sets = {s.text for s in ask(schemas, verb="ListSets").iter(f"{P}setSpec")}
    assert sets == {
        "openaire_cris_projects",
        "openaire_cris_orgunits",
        "openaire_cris_persons",
        "openaire_cris_funding",
        "accord_documents",
    }


def test_harvest_everything_public_and_nothing_else(seed, schemas):
    hidden = [
        programmes.create_project(
            agreement=seed.protocol, number=number, title={"en": title}, visibility=visibility, owner_party=seed.cn
        )
        for number, title, visibility in (
            ("I-1", "Internal project", Visibility.INTERNAL),
            ("B-1", "Bilateral project", Visibility.BILATERAL),
        )
    ]
    expected = public_uids()

    headers, pages = harvest(schemas, "ListIdentifiers", metadataPrefix="oai_cerif_openaire")
    harvested = [h.findtext(f"{P}identifier") for h in headers]
    assert len(harvested) == len(set(harvested)), "a record served twice"
    assert {i.rsplit("/", 1)[-1] for i in harvested} == expected
    assert all(i.startswith("oai:testserver:") for i in harvested)
    assert len(pages) == 2  # 100 a page
    tokens = [p.find(f"{P}ListIdentifiers/{P}resumptionToken") for p in pages]
    assert [t.get("cursor") for t in tokens] == ["0", "100"]
    assert {t.get("completeListSize") for t in tokens} == {str(len(expected))}
    for project in hidden:
        assert str(project.uid) not in {i.rsplit("/", 1)[-1] for i in harvested}

    records, _ = harvest(schemas, "ListRecords", metadataPrefix="oai_cerif_openaire")
    assert len(records) == len(expected)
    body = b"".join(etree.tostring(p) for p in _)
    assert b"Internal project" not in body and b"Bilateral project" not in body


def test_sets_dates_and_dublin_core(seed, schemas):
    headers, pages = harvest(schemas, "ListRecords", metadataPrefix="oai_dc", set="openaire_cris_persons")
    assert {h.findtext(f"{P}setSpec") for h in headers} == {"openaire_cris_persons"}
    wu_heng = next(
        r
        for p in pages
        for r in p.iter(f"{P}record")
        if str(seed.wu_heng.uid) in r.findtext(f"{P}header/{P}identifier")
    )
    titles = {t.get(XML_LANG): t.text for t in wu_heng.iter(f"{DC}title")}
    assert titles == {"zh": "武衡", "en": "Wu Heng", "ru": "У Хэн"}

    assert error_code(ask(schemas, verb="ListIdentifiers", metadataPrefix="oai_dc", until="1900-01-01")) == (
        "noRecordsMatch"
    )
    recent, _ = harvest(
        schemas, "ListIdentifiers", metadataPrefix="oai_dc", set="openaire_cris_funding", **{"from": "2000-01-01"}
    )
    assert len(recent) == 3  # the protocol and its two plans


def test_post_and_get_record(seed, schemas):
    identifier = f"oai:testserver:Projects/{seed.protocol.projects.get(number='7').uid}"
    root = ask(schemas, method="post", verb="GetRecord", identifier=identifier, metadataPrefix="oai_cerif_openaire")
    project = root.find(f"{P}GetRecord/{P}record/{P}metadata/{{{NS}}}Project")
    assert project.findtext(f"{{{NS}}}Identifier") == "7"
    assert {t.get(XML_LANG) for t in project.iter(f"{{{NS}}}Title")} == {"en", "zh", "ru"}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2021-02-30"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2021-01-01", "until": "2020-01-01T00:00:00Z"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2020-01-01T00:00:00"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "bad prefix\x00"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        (
            {"verb": "GetRecord", "identifier": "oai:x:Projects/1", "metadataPrefix": "marc21"},
            "cannotDisseminateFormat",
        ),
        ({"verb": "GetRecord", "identifier": "oai:x:Projects/1", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
        ({"verb": "GetRecord", "identifier": "not an id", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
        (
            {"verb": "ListMetadataFormats", "identifier": "oai:x:Persons/00000000-0000-0000-0000-000000000000"},
            "idDoesNotExist",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "openaire_cris_publications"}, "noRecordsMatch"),
        ({"verb": "ListRecords", "resumptionToken": "forged"}, "badResumptionToken"),
        ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
    ],
)
def test_errors(schemas, params, code):
    assert error_code(ask(schemas, **params)) == code


def test_repeated_argument_and_other_methods(schemas):
    response = Client().get("/oai?verb=Identify&verb=Identify")
    assert error_code(etree.fromstring(response.content)) == "badVerb"
    assert Client().put("/oai").status_code == 405


def test_hidden_record_is_not_served_by_id(seed, schemas):
    hidden = programmes.create_project(
        agreement=seed.protocol, number="B-2", title={"en": "Bilateral"}, visibility=Visibility.BILATERAL
    )
    root = ask(schemas, verb="GetRecord", identifier=f"oai:testserver:Projects/{hidden.uid}", metadataPrefix="oai_dc")
    assert error_code(root) == "idDoesNotExist"


def test_queries_per_page_do_not_grow_with_the_page(seed, schemas, django_assert_max_num_queries):
    first = ask(schemas, verb="ListRecords", metadataPrefix="oai_cerif_openaire")
    token = first.find(f"{P}ListRecords/{P}resumptionToken").text
    # 100 records of six kinds: each kind's rows plus its prefetches, whatever the page holds
    with django_assert_max_num_queries(20):
        Client().get("/oai", {"verb": "ListRecords", "resumptionToken": token})
    with django_assert_max_num_queries(30):  # the first page also counts the list
        Client().get("/oai", {"verb": "ListRecords", "metadataPrefix": "oai_cerif_openaire"})


def test_only_published_documents_are_harvested_and_in_dublin_core_only(seed, schemas, settings, tmp_path):
    from accord.documents.models import Document
    from accord.documents.services import approve_document, generate_document, publish_document

    settings.MEDIA_ROOT = tmp_path
    draft = generate_document("communique", seed.meeting, "zh", "html").document  # the parties' shared draft
    approve_document(draft, seed.cn)
    published = Document.objects.filter(status="published")
    assert published.count() == 2  # the demo's: the signed 1960 plan's texts and the People's Daily report

    headers, pages = harvest(schemas, "ListRecords", metadataPrefix="oai_dc", set="accord_documents")
    harvested = {h.findtext(f"{P}identifier").rsplit("/", 1)[-1] for h in headers}
    assert harvested == {str(d.uid) for d in published}
    record = next(
        r for p in pages for r in p.iter(f"{P}record") if str(seed.press_report.uid) in etree.tostring(r).decode()
    )
    assert {e.text for e in record.iter(f"{DC}type")} == {"Text"}
    assert {e.text for e in record.iter(f"{DC}language")} == {"en", "zh"}
    assert {e.text for e in record.iter(f"{DC}date")} == {"1960-02-26"}

    draft_id = f"oai:testserver:Documents/{draft.uid}"
    assert error_code(ask(schemas, verb="GetRecord", identifier=draft_id, metadataPrefix="oai_dc")) == "idDoesNotExist"
    cerif, _ = harvest(schemas, "ListIdentifiers", metadataPrefix="oai_cerif_openaire")
    assert not any("/Documents/" in h.findtext(f"{P}identifier") for h in cerif)

    approve_document(draft, seed.su)
    publish_document(draft)
    root = ask(schemas, verb="GetRecord", identifier=draft_id, metadataPrefix="oai_dc")
    assert error_code(root) is None and str(draft.uid) in etree.tostring(root).decode()
    root = ask(schemas, verb="GetRecord", identifier=draft_id, metadataPrefix="oai_cerif_openaire")
    assert error_code(root) == "cannotDisseminateFormat"
    formats = ask(schemas, verb="ListMetadataFormats", identifier=draft_id).iter(f"{P}metadataPrefix")
    assert [f.text for f in formats] == ["oai_dc"]
