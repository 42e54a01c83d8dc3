"""What the OAI-PMH endpoint and the CERIF export serve: the kinds of record, their sets, formats and headers."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils import timezone
from lxml import etree

from accord.agreements.models import Agreement
from accord.directory.models import Organisation, Party, Person
from accord.documents.models import Document
from accord.interop.standards import cerif, selectors
from accord.programmes.models import Plan, Project

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

CERIF_PREFIX = "oai_cerif_openaire"
DC_PREFIX = "oai_dc"


@dataclass(frozen=True)
class Format:
    prefix: str
    schema: str
    namespace: str
    element: Callable[[Any], etree._Element]


@dataclass(frozen=True)
class Kind:
    """One kind of record served: where its rows come from and which set it belongs to."""

    key: str
    model: type[Model]
    set_spec: str
    rows: Callable[[], QuerySet[Any]]
    formats: tuple[str, ...] = ()  # the metadata prefixes it is served in; empty: every format

    def serves(self, prefix: str) -> bool:
        return not self.formats or prefix in self.formats

    def headers(self) -> QuerySet[Any]:
        """The rows without what only the metadata needs: enough for identifiers and datestamps."""
        return self.rows().select_related(None).prefetch_related(None).only("id", "uid", "updated_at")


SETS: dict[str, str] = {
    # setSpec -> setName, as the guidelines' ListSets sample spells them (funding in the singular).
    "openaire_cris_projects": "OpenAIRE_CRIS_projects",
    "openaire_cris_orgunits": "OpenAIRE_CRIS_orgunits",
    "openaire_cris_persons": "OpenAIRE_CRIS_persons",
    "openaire_cris_funding": "OpenAIRE_CRIS_funding",
    "accord_documents": "Accord_published_documents",
}

# Referenced entities before the records that reference them, as a harvester may resolve links in order.
KINDS: tuple[Kind, ...] = (
    Kind("party", Party, "openaire_cris_orgunits", selectors.parties),
    Kind("organisation", Organisation, "openaire_cris_orgunits", selectors.organisations),
    Kind("person", Person, "openaire_cris_persons", selectors.people),
    Kind("agreement", Agreement, "openaire_cris_funding", selectors.agreements),
    Kind("plan", Plan, "openaire_cris_funding", selectors.plans),
    Kind("project", Project, "openaire_cris_projects", selectors.projects),
    # Published documents (communiqués, minutes, plan texts, review reports) in Dublin Core only: the CERIF
    # profile's Publication is for research outputs, and a draft is never harvested.
    Kind("document", Document, "accord_documents", selectors.documents, formats=(DC_PREFIX,)),
)
KIND_BY_KEY = {kind.key: kind for kind in KINDS}
KINDS_BY_TYPE: dict[str, tuple[Kind, ...]] = {
    "OrgUnits": (KIND_BY_KEY["party"], KIND_BY_KEY["organisation"]),
    "Persons": (KIND_BY_KEY["person"],),
    "Fundings": (KIND_BY_KEY["agreement"], KIND_BY_KEY["plan"]),
    "Projects": (KIND_BY_KEY["project"],),
    "Documents": (KIND_BY_KEY["document"],),
}


def kind_of(record: Any) -> Kind:
    return next(kind for kind in KINDS if isinstance(record, kind.model))


# --- oai_dc -------------------------------------------------------------------------------------------

_DC_TYPE = {
    "party": "Organisation",
    "organisation": "Organisation",
    "person": "Person",
    "project": "Project",
    "document": "Text",
}


def dc_element(record: Any) -> etree._Element:
    """A simple Dublin Core record (the protocol requires oai_dc): every language of the name or title."""
    root = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC})

    def add(tag: str, text: Any, language: str | None = None) -> None:
        element = etree.SubElement(root, f"{{{DC}}}{tag}")
        element.text = cerif.xml_text(text)
        if language:
            element.set(cerif.XML_LANG, language)

    names: dict[str, str] = record.title if isinstance(record, Agreement | Plan | Project | Document) else record.name
    for language in sorted(names or {}):
        add("title", names[language], language)
    add("type", _DC_TYPE.get(kind_of(record).key, "Funding programme"))
    add("identifier", f"urn:uuid:{record.uid}")
    if isinstance(record, Person) and record.orcid:
        add("identifier", cerif.orcid_url(record.orcid))
    if isinstance(record, Organisation) and isinstance(record.identifiers, dict):
        ror = cerif.ror_url(record.identifiers.get("ror"))
        if ror:
            add("identifier", ror)
    if isinstance(record, Party):
        add("coverage", record.code)
    start = getattr(record, "start_on", None) or getattr(record, "period_start", None)
    if isinstance(record, Agreement):
        start = record.valid_from
    if isinstance(record, Document):
        start = record.issued_on
        for language in sorted({t.language for t in record.texts.all()}):
            add("language", language)
    if start:
        add("date", start.isoformat())
    return root


FORMATS: dict[str, Format] = {
    CERIF_PREFIX: Format(CERIF_PREFIX, cerif.SCHEMA_URL, cerif.NS, cerif.cerif_element),
    DC_PREFIX: Format(DC_PREFIX, OAI_DC_SCHEMA, OAI_DC, dc_element),
}


# --- identifiers and headers --------------------------------------------------------------------------

_DOMAIN = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+")


def repository_id(host: str | None = None) -> str:
    """The repository part of OAI identifiers: ACCORD_OAI_REPOSITORY_ID, else the host asked, else the first
    configured host name."""
    configured = os.environ.get("ACCORD_OAI_REPOSITORY_ID", "").strip()
    if configured:
        return configured
    if host:
        return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    named = [h.lstrip(".") for h in settings.ALLOWED_HOSTS if h and "*" not in h and not h.startswith("[")]
    return named[0] if named else "localhost"


def is_domain_name(value: str) -> bool:
    """What oai-identifier.xsd accepts as a repositoryIdentifier (a dotted domain name)."""
    return bool(_DOMAIN.fullmatch(value))


def oai_identifier(record: Any, repository: str) -> str:
    return f"oai:{repository}:{cerif.entity_id(record)}"


def find_record(identifier: str) -> Any | None:
    """The public record an OAI identifier names (any repository part: proxies rename hosts), or None."""
    if not identifier.startswith("oai:"):
        return None
    local = identifier.rsplit(":", 1)[-1]
    entity_type, _, uid = local.partition("/")
    kinds = KINDS_BY_TYPE.get(entity_type)
    if not kinds or not re.fullmatch(r"[0-9a-fA-F-]{32,36}", uid):
        return None
    for kind in kinds:
        try:
            found = kind.rows().filter(uid=uid).first()
        except Exception:  # a malformed UUID that slipped the pattern: it names nothing
            return None
        if found is not None:
            return found
    return None


def datestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def oai_el(parent: etree._Element | None, tag: str, text: str | None = None) -> etree._Element:
    name = f"{{{OAI}}}{tag}"
    element = etree.Element(name, nsmap={None: OAI}) if parent is None else etree.SubElement(parent, name)
    if text is not None:
        element.text = text
    return element


def header(parent: etree._Element | None, kind: Kind, record: Any, repository: str) -> etree._Element:
    element = oai_el(parent, "header")
    oai_el(element, "identifier", oai_identifier(record, repository))
    oai_el(element, "datestamp", datestamp(record.updated_at))
    oai_el(element, "setSpec", kind.set_spec)
    return element


def record_element(kind: Kind, record: Any, repository: str, prefix: str) -> etree._Element:
    element = oai_el(None, "record")
    header(element, kind, record, repository)
    oai_el(element, "metadata").append(FORMATS[prefix].element(record))
    return element


def envelope_start(request_url: str, attrs: dict[str, str]) -> tuple[etree._Element, etree._Element]:
    """The OAI-PMH root with its responseDate and request elements (returned: root, request)."""
    root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI} {OAI_SCHEMA}")
    oai_el(root, "responseDate", datestamp(timezone.now()))
    request = oai_el(root, "request", request_url)
    for key, value in attrs.items():
        request.set(key, value)
    return root, request


def all_records(prefix: str) -> Iterator[tuple[Kind, Any]]:
    for kind in KINDS:
        if not kind.serves(prefix):
            continue
        for record in kind.rows().iterator(chunk_size=500):
            yield kind, record


def write_records(out: IO[bytes], prefix: str) -> int:
    """Stream every public record in `prefix` as one OAI-PMH ListRecords document; return how many."""
    repository = repository_id()
    count = 0
    root, _ = envelope_start(f"https://{repository}/oai", {"verb": "ListRecords", "metadataPrefix": prefix})
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(root.tag, nsmap=root.nsmap, attrib=dict(root.attrib)):
            for child in root:
                xf.write(child)
            records = all_records(prefix)
            first = next(records, None)
            if first is None:  # ListRecords needs at least one record; say so the protocol's way
                error = oai_el(None, "error", "There are no public records.")
                error.set("code", "noRecordsMatch")
                xf.write(error)
                return 0
            with xf.element(f"{{{OAI}}}ListRecords"):
                for kind, record in [first]:
                    xf.write(record_element(kind, record, repository, prefix))
                    count += 1
                for kind, record in records:
                    xf.write(record_element(kind, record, repository, prefix))
                    count += 1
    return count
