"""Checking what we write against the official schemas, offline.

The schemas are looked up in ACCORD_SCHEMAS_DIR, then in the copies vendored beside this module
(schemas/, see its PROVENANCE.md), then in ../shared/schemas next to the repository. Every remote
schemaLocation they use is mapped to a local file; the parser never reaches the network.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from pathlib import Path
from typing import Any

from lxml import etree

CERIF_DIR = Path("openaire-cerif", "schemas")
PROFILE = CERIF_DIR / "openaire-cerif-profile.xsd"
CACHED = CERIF_DIR / "cached"
IATI_ACTIVITIES = Path("iati", "iati-activities-schema.xsd")
RAID_STRICT = Path("raid", "raid-au", "api-svc", "datamodel", "generated", "v2", "raid-strict-jsonschema.json")

_REMOTE_TO_LOCAL = {
    "http://www.w3.org/2001/xml.xsd": CACHED / "xml.xsd",
    "https://www.w3.org/2001/xml.xsd": CACHED / "xml.xsd",
    "http://www.w3.org/2009/01/xml.xsd": CACHED / "xml.xsd",
    "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd": CACHED / "OAI-PMH.xsd",
    "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd": CACHED / "oai-identifier.xsd",
}

# The official oai_dc.xsd is not in the offline set: this stand-in checks the envelope (oai_dc:dc holding
# Dublin Core elements with an optional xml:lang) so that the OAI-PMH wildcard's strict check can run.
_OAI_DC_XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.openarchives.org/OAI/2.0/oai_dc/"
    xmlns:dc="http://purl.org/dc/elements/1.1/" elementFormDefault="qualified">
  <xs:import namespace="http://purl.org/dc/elements/1.1/" schemaLocation="{dc}"/>
  <xs:element name="dc"><xs:complexType><xs:choice minOccurs="0" maxOccurs="unbounded">
    <xs:any namespace="http://purl.org/dc/elements/1.1/" processContents="strict"/>
  </xs:choice></xs:complexType></xs:element>
</xs:schema>"""
_DC_XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://purl.org/dc/elements/1.1/"
    xmlns:dc="http://purl.org/dc/elements/1.1/" elementFormDefault="qualified">
  <xs:import namespace="http://www.w3.org/XML/1998/namespace" schemaLocation="{xml}"/>
  <xs:complexType name="text"><xs:simpleContent><xs:extension base="xs:string">
    <xs:attribute ref="xml:lang"/></xs:extension></xs:simpleContent></xs:complexType>
  {elements}
</xs:schema>"""
_DC_ELEMENTS = [
    "title",
    "creator",
    "subject",
    "description",
    "publisher",
    "contributor",
    "date",
    "type",
    "format",
    "identifier",
    "source",
    "language",
    "relation",
    "coverage",
    "rights",
]


class SchemasMissing(RuntimeError):
    """The official schema files are not where Accord looks for them."""


def schemas_dir() -> Path:
    candidates = []
    if os.environ.get("ACCORD_SCHEMAS_DIR"):
        candidates.append(Path(os.environ["ACCORD_SCHEMAS_DIR"]))
    candidates.append(Path(__file__).resolve().parent / "schemas")
    candidates.append(Path(__file__).resolve().parents[3] / ".." / "shared" / "schemas")
    for candidate in candidates:
        if (candidate / PROFILE).is_file() and (candidate / RAID_STRICT).is_file():
            return candidate.resolve()
    raise SchemasMissing("official schemas not found in: " + ", ".join(str(c) for c in candidates))


class _Local(etree.Resolver):
    def __init__(self, root: Path):
        super().__init__()
        self.root = root

    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:
        local = _REMOTE_TO_LOCAL.get(system_url)
        return self.resolve_filename(str(self.root / local), context) if local else None


def _parser(root: Path) -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_Local(root))
    return parser


@functools.cache
def cerif_schema() -> etree.XMLSchema:
    """The OpenAIRE CERIF profile: validates one CERIF entity (Project, OrgUnit, Person, Funding ...)."""
    root = schemas_dir()
    return etree.XMLSchema(etree.parse(str(root / PROFILE), _parser(root)))


class _Memory(etree.Resolver):
    """Serves the Dublin Core stand-ins from memory, by their urn: names."""

    def __init__(self, documents: dict[str, bytes]):
        super().__init__()
        self.documents = documents

    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:
        text = self.documents.get(system_url)
        return self.resolve_string(text, context) if text is not None else None


@functools.cache
def oai_schema() -> etree.XMLSchema:
    """A driver over OAI-PMH.xsd, oai-identifier.xsd, the CERIF profile and a stand-in for oai_dc."""
    root = schemas_dir()
    xml_xsd = (root / CACHED / "xml.xsd").as_uri()
    elements = "\n  ".join(f'<xs:element name="{name}" type="dc:text"/>' for name in _DC_ELEMENTS)
    parser = _parser(root)
    parser.resolvers.add(
        _Memory(
            {
                "urn:accord:dc.xsd": _DC_XSD.format(xml=xml_xsd, elements=elements).encode(),
                "urn:accord:oai_dc.xsd": _OAI_DC_XSD.format(dc="urn:accord:dc.xsd").encode(),
            }
        )
    )
    imports = {
        "http://www.openarchives.org/OAI/2.0/": (root / CACHED / "OAI-PMH.xsd").as_uri(),
        "http://www.openarchives.org/OAI/2.0/oai-identifier": (root / CACHED / "oai-identifier.xsd").as_uri(),
        "https://www.openaire.eu/cerif-profile/1.2/": (root / PROFILE).as_uri(),
        "http://www.openarchives.org/OAI/2.0/oai_dc/": "urn:accord:oai_dc.xsd",
    }
    driver = "".join(
        [
            '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:accord:oai-driver">',
            *(f'<xs:import namespace="{ns}" schemaLocation="{url}"/>' for ns, url in imports.items()),
            "</xs:schema>",
        ]
    )
    return etree.XMLSchema(etree.fromstring(driver.encode(), parser))


def validate_xml(schema: etree.XMLSchema, document: bytes | etree._Element) -> list[str]:
    """The schema's complaints (line: message), empty when the document is valid."""
    tree = etree.fromstring(document, etree.XMLParser(no_network=True)) if isinstance(document, bytes) else document
    if schema.validate(tree):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def cerif_rule_violations(tree: etree._Element) -> list[str]:
    """The profile's Schematron rules (XSLT 2, which lxml cannot run), checked here.

    - an OAMandate with a uri is mandated;
    - an Access element has no startDate, and an endDate only when embargoed (c_f1cf);
    - a startDate does not follow the end of its endDate period.
    """
    problems = []
    ns = "https://www.openaire.eu/cerif-profile/1.2/"
    for mandate in tree.iter(f"{{{ns}}}OAMandate"):
        if mandate.get("uri") and mandate.get("mandated") != "true":
            problems.append(f"line {mandate.sourceline}: OAMandate with a uri must be mandated")
    for access in tree.iter("{http://purl.org/coar/access_right}Access"):
        if access.get("startDate"):
            problems.append(f"line {access.sourceline}: Access must not have a startDate")
        if access.get("endDate") and "c_f1cf" not in (access.text or ""):
            problems.append(f"line {access.sourceline}: Access has an endDate only when embargoed")
    for element in tree.iter():
        start, end = element.get("startDate"), element.get("endDate")
        if start and end and _period_start(start) > _period_end(end):
            problems.append(f"line {element.sourceline}: startDate {start} follows endDate {end}")
    return problems


def _period_start(value: str) -> dt.date:
    parts = [int(p) for p in value[:10].split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _period_end(value: str) -> dt.date:
    parts = [int(p) for p in value[:10].split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        following = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return dt.date(*parts)


@functools.cache
def iati_schema() -> etree.XMLSchema:
    """IATI 2.03 activities (iati-activities-schema.xsd with iati-common.xsd; xml.xsd beside them, no network)."""
    candidates = [schemas_dir()] if _has_cerif() else []
    candidates.append(Path(__file__).resolve().parent / "schemas")
    for root in candidates:
        if (root / IATI_ACTIVITIES).is_file():
            parser = etree.XMLParser(no_network=True, resolve_entities=False)
            return etree.XMLSchema(etree.parse(str(root / IATI_ACTIVITIES), parser))
    raise SchemasMissing("the IATI activity schema is not in: " + ", ".join(str(c) for c in candidates))


def _has_cerif() -> bool:
    try:
        schemas_dir()
    except SchemasMissing:
        return False
    return True


@functools.cache
def raid_schema() -> dict[str, Any]:
    """The strict RAiD schema, aimed at its RaidDto definition (its root accepts anything)."""
    definitions = json.loads((schemas_dir() / RAID_STRICT).read_text(encoding="utf-8"))["$defs"]
    return {"$ref": "#/$defs/RaidDto", "$defs": definitions}


def raid_errors(record: dict[str, Any]) -> list[str]:
    from jsonschema import Draft201909Validator, FormatChecker

    validator = Draft201909Validator(raid_schema(), format_checker=FormatChecker())
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(record)'}: {e.message}" for e in validator.iter_errors(record)
    ]
