"""The OAI-PMH 2.0 endpoint at /oai: harvesters collect every public record as CERIF-XML or Dublin Core.

Resumption tokens are stateless: the list's arguments, the kind and id reached, the cursor and the list's
size, signed with the site's key. A token is good as long as the key is; the next page starts after the last
id served, so records created meanwhile are picked up and none is served twice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import Min, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from lxml import etree

from accord.interop.standards import cerif
from accord.interop.standards.catalogue import (
    FORMATS,
    KINDS,
    SETS,
    Kind,
    envelope_start,
    find_record,
    header,
    is_domain_name,
    kind_of,
    oai_el,
    oai_identifier,
    record_element,
    repository_id,
)

PAGE_SIZE = 100
_TOKEN_SALT = "accord.interop.standards.oai.resumption"

_VERBS: dict[str, tuple[set[str], set[str]]] = {
    # verb -> (required, optional) arguments; resumptionToken is exclusive where it is allowed
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
}
# The lexical forms OAI-PMH.xsd gives request attributes: a value outside them is a bad argument.
_PREFIX = re.compile(r"[A-Za-z0-9\-_\.!~\*'\(\)]+")
_SET = re.compile(r"([A-Za-z0-9\-_\.!~\*'\(\)])+(:[A-Za-z0-9\-_\.!~\*'\(\)]+)*")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class OaiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class ListState:
    """Where a list request stands; what a resumption token carries."""

    prefix: str
    set_spec: str = ""
    since: str = ""
    until: str = ""
    kind: int = 0
    after: int = 0
    cursor: int = 0
    size: int = -1

    def token(self) -> str:
        data = [self.prefix, self.set_spec, self.since, self.until, self.kind, self.after, self.cursor, self.size]
        return signing.dumps(data, salt=_TOKEN_SALT, compress=True)

    @classmethod
    def from_token(cls, token: str) -> ListState:
        try:
            data = signing.loads(token, salt=_TOKEN_SALT)
            prefix, set_spec, since, until, kind, after, cursor, size = data
            state = cls(prefix, set_spec, since, until, int(kind), int(after), int(cursor), int(size))
        except (signing.BadSignature, ValueError, TypeError):
            raise OaiError("badResumptionToken", _("The resumption token is invalid or has been altered.")) from None
        if state.prefix not in FORMATS or not 0 <= state.kind <= len(KINDS):
            raise OaiError("badResumptionToken", _("The resumption token is invalid or has been altered."))
        return state


@csrf_exempt  # harvesters POST form-encoded requests without a session
def endpoint(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "POST", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    arguments = request.POST if request.method == "POST" else request.GET
    base_url = request.build_absolute_uri(request.path)
    repository = repository_id(request.get_host())
    try:
        verb, args = _parse(arguments)
    except OaiError as error:
        root, _request = envelope_start(base_url, {})
        _error(root, error)
        return _respond(root)
    root, _request = envelope_start(base_url, {"verb": verb, **args})
    try:
        handler = _HANDLERS[verb]
        handler(root, args, repository, base_url)
    except OaiError as error:
        if error.code in ("badArgument", "badVerb"):  # the request element then names only the base URL
            _request.attrib.clear()
        _error(root, error)
    return _respond(root)


def _respond(root: etree._Element) -> HttpResponse:
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


def _error(root: etree._Element, error: OaiError) -> None:
    element = oai_el(root, "error", error.message)
    element.set("code", error.code)


def _parse(arguments: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """The verb and its arguments, or the protocol's error for a request that cannot be answered."""
    lists = {key: arguments.getlist(key) for key in arguments} if hasattr(arguments, "getlist") else {}
    verbs = lists.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in _VERBS:
        raise OaiError("badVerb", _("The verb is missing, repeated or not an OAI-PMH verb."))
    verb = verbs[0]
    required, optional = _VERBS[verb]
    args: dict[str, str] = {}
    for key, values in lists.items():
        if key == "verb":
            continue
        if key not in required | optional:
            raise OaiError(
                "badArgument", _("%(verb)s does not take the argument %(name)s.") % _safe(verb=verb, name=key)
            )
        if len(values) != 1:
            raise OaiError("badArgument", _("The argument %(name)s is repeated.") % _safe(name=key))
        if _XML_UNSAFE.search(values[0]):
            raise OaiError("badArgument", _("The argument %(name)s has characters XML cannot carry.") % _safe(name=key))
        args[key] = values[0]
    if "resumptionToken" in args:
        if len(args) > 1:
            raise OaiError("badArgument", _("resumptionToken is an exclusive argument."))
        return verb, args
    missing = sorted(required - set(args))
    if missing:
        raise OaiError("badArgument", _("%(verb)s needs the argument %(name)s.") % _safe(verb=verb, name=missing[0]))
    if "metadataPrefix" in args and not _PREFIX.fullmatch(args["metadataPrefix"]):
        raise OaiError("badArgument", _("metadataPrefix is not a valid metadata prefix."))
    if "set" in args and not _SET.fullmatch(args["set"]):
        raise OaiError("badArgument", _("set is not a valid set spec."))
    for name in ("from", "until"):
        if name in args and not (_DAY.fullmatch(args[name]) or _SECOND.fullmatch(args[name])):
            raise OaiError("badArgument", _("%(name)s must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ.") % _safe(name=name))
    if "from" in args and "until" in args:
        if len(args["from"]) != len(args["until"]):
            raise OaiError("badArgument", _("from and until must have the same granularity."))
        if _moment(args["from"], end=False) > _moment(args["until"], end=True):
            raise OaiError("badArgument", _("from is later than until."))
    for name in ("from", "until"):
        if name in args:
            _moment(args[name], end=name == "until")  # a date that does not exist (2021-02-30) is refused here
    return verb, args


def _safe(**values: str) -> dict[str, str]:
    return {key: _XML_UNSAFE.sub("", value)[:100] for key, value in values.items()}


def _moment(value: str, *, end: bool) -> dt.datetime:
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            moment = dt.datetime.combine(day, dt.time.max if end else dt.time.min, dt.UTC)
        else:
            moment = dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
            if end:  # the whole second named
                moment += dt.timedelta(microseconds=999_999)
    except ValueError:
        raise OaiError("badArgument", _("from/until is not a real date.")) from None
    return moment


# --- verbs --------------------------------------------------------------------------------------------


def _identify(root: etree._Element, args: dict[str, str], repository: str, base_url: str) -> None:
    from django.conf import settings

    element = oai_el(root, "Identify")
    oai_el(element, "repositoryName", f"Accord ({repository})")
    oai_el(element, "baseURL", base_url)
    oai_el(element, "protocolVersion", "2.0")
    oai_el(element, "adminEmail", _admin_email(settings, repository))
    oai_el(element, "earliestDatestamp", _earliest())
    oai_el(element, "deletedRecord", "no")  # records that stop being public simply leave the lists
    oai_el(element, "granularity", "YYYY-MM-DDThh:mm:ssZ")
    if is_domain_name(repository):
        ns = "http://www.openarchives.org/OAI/2.0/oai-identifier"
        described = etree.SubElement(oai_el(element, "description"), f"{{{ns}}}oai-identifier", nsmap={None: ns})
        for tag, text in (
            ("scheme", "oai"),
            ("repositoryIdentifier", repository),
            ("delimiter", ":"),
            ("sampleIdentifier", f"oai:{repository}:Projects/00000000-0000-0000-0000-000000000000"),
        ):
            etree.SubElement(described, f"{{{ns}}}{tag}").text = text
    service = etree.SubElement(oai_el(element, "description"), f"{{{cerif.NS}}}Service", nsmap={None: cerif.NS})
    service.set("id", f"Services/{repository}"[:128])
    compatibility = etree.SubElement(
        service, f"{{{cerif.SERVICE_COMPATIBILITY}}}Compatibility", nsmap={None: cerif.SERVICE_COMPATIBILITY}
    )
    compatibility.text = f"{cerif.SERVICE_COMPATIBILITY}#1.2"
    etree.SubElement(service, f"{{{cerif.NS}}}Acronym").text = "Accord"
    name = etree.SubElement(service, f"{{{cerif.NS}}}Name")
    name.set(cerif.XML_LANG, "en")
    name.text = "Accord: international science and technology cooperation programmes"
    etree.SubElement(service, f"{{{cerif.NS}}}OAIPMHBaseURL").text = base_url


def _admin_email(settings: Any, repository: str) -> str:
    """ACCORD_OAI_ADMIN_EMAIL, else the first ADMINS address, else admin@ the repository's domain."""
    import os

    email_like = re.compile(r"\S+@(\S+\.)+\S+")
    candidates = [os.environ.get("ACCORD_OAI_ADMIN_EMAIL", ""), *(a[1] for a in getattr(settings, "ADMINS", []))]
    candidates.append(f"admin@{repository}")
    return next((c for c in candidates if email_like.fullmatch(c)), "admin@localhost.localdomain")


def _earliest() -> str:
    from accord.interop.standards.catalogue import datestamp

    moments = [kind.headers().aggregate(first=Min("updated_at"))["first"] for kind in KINDS]
    known = [m for m in moments if m is not None]
    return datestamp(min(known)) if known else "1970-01-01T00:00:00Z"


def _list_metadata_formats(root: etree._Element, args: dict[str, str], repository: str, base_url: str) -> None:
    served = list(FORMATS.values())
    if "identifier" in args:
        record = find_record(args["identifier"])
        if record is None:
            raise OaiError("idDoesNotExist", _("No public record has this identifier."))
        served = [fmt for fmt in served if kind_of(record).serves(fmt.prefix)]
    element = oai_el(root, "ListMetadataFormats")
    for fmt in served:
        described = oai_el(element, "metadataFormat")
        oai_el(described, "metadataPrefix", fmt.prefix)
        oai_el(described, "schema", fmt.schema)
        oai_el(described, "metadataNamespace", fmt.namespace)


def _list_sets(root: etree._Element, args: dict[str, str], repository: str, base_url: str) -> None:
    if "resumptionToken" in args:  # the list of sets is always complete in one response
        raise OaiError("badResumptionToken", _("ListSets has no further pages."))
    element = oai_el(root, "ListSets")
    for spec, name in SETS.items():
        described = oai_el(element, "set")
        oai_el(described, "setSpec", spec)
        oai_el(described, "setName", name)


def _get_record(root: etree._Element, args: dict[str, str], repository: str, base_url: str) -> None:
    if args["metadataPrefix"] not in FORMATS:
        raise OaiError("cannotDisseminateFormat", _("This metadata format is not served."))
    record = find_record(args["identifier"])
    if record is None:
        raise OaiError("idDoesNotExist", _("No public record has this identifier."))
    if not kind_of(record).serves(args["metadataPrefix"]):
        raise OaiError("cannotDisseminateFormat", _("This metadata format is not served."))
    oai_el(root, "GetRecord").append(record_element(kind_of(record), record, repository, args["metadataPrefix"]))


def _list(root: etree._Element, args: dict[str, str], repository: str, *, records: bool) -> None:
    if "resumptionToken" in args:
        state = ListState.from_token(args["resumptionToken"])
    else:
        if args["metadataPrefix"] not in FORMATS:
            raise OaiError("cannotDisseminateFormat", _("This metadata format is not served."))
        state = ListState(args["metadataPrefix"], args.get("set", ""), args.get("from", ""), args.get("until", ""))
        if state.set_spec and state.set_spec not in SETS:
            raise OaiError("noRecordsMatch", _("There is no such set."))
    kinds = [
        i
        for i, kind in enumerate(KINDS)
        if (not state.set_spec or kind.set_spec == state.set_spec) and kind.serves(state.prefix)
    ]
    if state.size < 0:
        state.size = sum(_filtered(KINDS[i].headers(), state).count() for i in kinds)
        if state.size == 0:
            raise OaiError("noRecordsMatch", _("No public records match this request."))
    page: list[tuple[Kind, Any]] = []
    for i in kinds:
        if i < state.kind:
            continue
        kind = KINDS[i]
        rows = kind.rows() if records else kind.headers()
        rows = _filtered(rows, state)
        if i == state.kind:
            rows = rows.filter(id__gt=state.after)
        page.extend((kind, row) for row in rows.order_by("id")[: PAGE_SIZE + 1 - len(page)])
        if len(page) > PAGE_SIZE:
            break
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    if not page:
        raise OaiError("noRecordsMatch", _("No public records match this request."))
    element = oai_el(root, "ListRecords" if records else "ListIdentifiers")
    for kind, row in page:
        if records:
            element.append(record_element(kind, row, repository, state.prefix))
        else:
            header(element, kind, row, repository)
    if not more and state.cursor == 0:
        return  # complete in one response: no token at all
    token = oai_el(element, "resumptionToken")
    token.set("completeListSize", str(state.size))
    token.set("cursor", str(state.cursor))
    if more:
        last_kind, last = page[-1]
        following = ListState(
            state.prefix, state.set_spec, state.since, state.until, KINDS.index(last_kind), last.id,
            state.cursor + len(page), state.size,
        )  # fmt: skip
        token.text = following.token()


def _filtered(rows: QuerySet[Any], state: ListState) -> QuerySet[Any]:
    if state.since:
        rows = rows.filter(updated_at__gte=_moment(state.since, end=False))
    if state.until:
        rows = rows.filter(updated_at__lte=_moment(state.until, end=True))
    return rows


def _list_identifiers(root: etree._Element, args: dict[str, str], repository: str, base_url: str) -> None:
    _list(root, args, repository, records=False)


def _list_records(root: etree._Element, args: dict[str, str], repository: str, base_url: str) -> None:
    _list(root, args, repository, records=True)


_HANDLERS = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "GetRecord": _get_record,
    "ListIdentifiers": _list_identifiers,
    "ListRecords": _list_records,
}

__all__ = ["PAGE_SIZE", "endpoint", "oai_identifier"]
