"""/meetings (delegations, attendees, agenda), /minutes (revisions, comparison, sign-offs), /reviews (statements,
recompute, publish): read, and every step through meetings.services, which decide who may."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status

from accord.agreements.models import Agreement
from accord.core.api import (
    errors,
    expected_version,
    list_endpoint,
    patch_endpoint,
    read_endpoints,
    readable,
    resolve_refs,
    respond_with,
)
from accord.core.errors import ValidationFailed
from accord.core.refs import NotFound, find
from accord.core.visibility import visible
from accord.directory.models import Organisation, Party, Person
from accord.meetings import services
from accord.meetings.filters import MeetingFilters, MinutesFilters, ReviewFilters
from accord.meetings.models import (
    AgendaItem,
    Delegation,
    DelegationMember,
    Meeting,
    Minutes,
    MinutesRevision,
    MinutesSignOff,
    Review,
    ReviewStatement,
)
from accord.meetings.services import minutes as minutes_services
from accord.meetings.services import reviews as review_services
from accord.programmes.api import _party
from accord.programmes.models import Plan

# --- what is read -----------------------------------------------------------------------------------------


class MemberOut(Schema):
    id: int
    person_id: int
    role: str
    capacity: dict[str, str]


class DelegationOut(Schema):
    id: int
    uid: uuid.UUID
    party_id: int
    party: str  # its code
    organisation_id: int | None
    members: list[MemberOut]

    @staticmethod
    def resolve_party(obj: Delegation) -> str:
        return obj.party.code

    @staticmethod
    def resolve_members(obj: Delegation) -> list[Any]:
        return list(obj.members.all())


class AttendeeOut(Schema):
    id: int
    uid: uuid.UUID
    person_id: int
    party_id: int | None
    capacity: dict[str, str]
    occasion: dict[str, str]


class AgendaItemOut(Schema):
    id: int
    uid: uuid.UUID
    position: int
    kind: str
    title: dict[str, str]
    plan_id: int | None
    review_id: int | None
    decision: dict[str, str]


class MeetingOut(Schema):
    id: int
    uid: uuid.UUID
    version: int
    agreement_id: int
    kind: str
    title: dict[str, str]
    place: dict[str, str]
    start_on: dt.date | None
    end_on: dt.date
    visibility: str
    delegations: list[DelegationOut]
    attendees: list[AttendeeOut]
    agenda_items: list[AgendaItemOut]

    # The parts a reader may not see are left out, as on the meeting's page.
    @staticmethod
    def resolve_delegations(obj: Meeting, context: Any) -> list[Any]:
        user = context["request"].user
        return list(readable_parts(obj.delegations.all(), user).select_related("party").prefetch_related("members"))

    @staticmethod
    def resolve_attendees(obj: Meeting, context: Any) -> list[Any]:
        return list(readable_parts(obj.attendees.all(), context["request"].user))

    @staticmethod
    def resolve_agenda_items(obj: Meeting, context: Any) -> list[Any]:
        return list(readable_parts(obj.agenda_items.all(), context["request"].user))


def readable_parts(queryset: QuerySet[Any], user: Any) -> QuerySet[Any]:
    return visible(queryset, user)


class MinutesOut(Schema):
    id: int
    uid: uuid.UUID
    version: int
    meeting_id: int
    status: str
    current_revision: int
    finalised_on: dt.date | None
    visibility: str
    awaiting: list[str]  # the parties that have not signed off the current revision

    @staticmethod
    def resolve_awaiting(obj: Minutes) -> list[str]:
        return [] if obj.is_final else [p.code for p in minutes_services.pending_parties(obj)]


class RevisionOut(Schema):
    id: int
    uid: uuid.UUID
    number: int
    based_on: int | None
    body: dict[str, str]
    party_id: int | None
    author_name: str
    note: str
    created_at: dt.datetime
    body_sha256: str  # what a sign-off of this revision agrees to

    @staticmethod
    def resolve_body_sha256(obj: MinutesRevision) -> str:
        return minutes_services.body_sha256(obj.body)


class SignOffOut(Schema):
    id: int
    uid: uuid.UUID
    revision: int
    party_id: int
    party: str
    signed_by_id: int | None
    signer_name: str
    signed_on: dt.date
    body_sha256: str

    @staticmethod
    def resolve_party(obj: MinutesSignOff) -> str:
        return obj.party.code


class ChangeOut(Schema):
    op: str
    old: list[str]
    new: list[str]
    old_line: int
    new_line: int


class ComparisonOut(Schema):
    a: int
    b: int
    language: str
    changes: list[ChangeOut]
    unified_diff: str


class StatementOut(Schema):
    id: int
    uid: uuid.UUID
    version: int
    party_id: int
    party: str
    text: dict[str, str]
    visibility: str

    @staticmethod
    def resolve_party(obj: ReviewStatement) -> str:
        return obj.party.code


class ReviewOut(Schema):
    id: int
    uid: uuid.UUID
    version: int
    plan_id: int
    as_of: dt.date
    baseline_version: int
    status: str
    figures: dict[str, Any]
    inputs_hash: str
    computed_at: dt.datetime
    published_at: dt.datetime | None
    visibility: str
    statements: list[StatementOut]

    @staticmethod
    def resolve_statements(obj: Review, context: Any) -> list[Any]:
        return list(readable_parts(obj.statements.all(), context["request"].user).select_related("party"))


router = Router()
resources: dict[str, Router] = {}
for path, model, schema, filters in (
    ("meetings", Meeting, MeetingOut, MeetingFilters),
    ("minutes", Minutes, MinutesOut, MinutesFilters),
    ("reviews", Review, ReviewOut, ReviewFilters),
):
    resource = Router(tags=[path])
    read_endpoints(resource, model, schema, name=path.replace("-", "_"), filters=filters)
    router.add_router(f"/{path}", resource)
    resources[path] = resource
meetings_w, minutes_w, reviews_w = resources["meetings"], resources["minutes"], resources["reviews"]

_REFS: dict[str, type[Model]] = {
    "agreement": Agreement,
    "organisation": Organisation,
    "person": Person,
    "plan": Plan,
    "review": Review,
    "meeting": Meeting,
    "signed_by": Person,
    "owner_party": Party,
    "party": Party,
}


def _meeting(request: HttpRequest, ref: str) -> Meeting:
    return find(readable(Meeting, request), ref, "meeting")


def _minutes(request: HttpRequest, ref: str) -> Minutes:
    return find(readable(Minutes, request), ref, "minutes")


def _review(request: HttpRequest, ref: str) -> Review:
    return find(readable(Review, request), ref, "review")


def _created(response: HttpResponse, record: Any) -> Any:
    return Status(201, respond_with(response, record))


# --- meetings ---------------------------------------------------------------------------------------------


class MeetingIn(Schema):
    agreement_id: int | str
    kind: str = Meeting.Kind.JOINT_COMMISSION
    title: dict[str, str]
    place: dict[str, str] = {}
    start_on: dt.date | None = None
    end_on: dt.date
    visibility: str = "bilateral"
    owner_party: str | None = None  # a party's code: a meeting filed under one side


class MeetingPatch(Schema):
    kind: str | None = None
    title: dict[str, str] | None = None
    place: dict[str, str] | None = None
    start_on: dt.date | None = None
    end_on: dt.date | None = None
    visibility: str | None = None


class MemberIn(Schema):
    person_id: int | str
    role: str = DelegationMember.Role.MEMBER
    capacity: dict[str, str] = {}  # the position held then


class DelegationIn(Schema):
    party: str  # its code
    organisation_id: int | str | None = None
    members: list[MemberIn] = []


class AttendeeIn(Schema):
    person_id: int | str
    party: str | None = None
    capacity: dict[str, str] = {}
    occasion: dict[str, str] = {}


class AgendaItemIn(Schema):
    kind: str = AgendaItem.Kind.OTHER
    title: dict[str, str]
    position: int | None = None
    plan_id: int | str | None = None
    review_id: int | str | None = None
    decision: dict[str, str] = {}


@meetings_w.post("", response={201: MeetingOut, **errors(401, 403, 422)}, summary="Add a meeting")
def create_meeting(request: HttpRequest, payload: MeetingIn, response: HttpResponse) -> Any:
    fields = resolve_refs(request, payload.dict(exclude_none=True), _REFS)
    if "owner_party" in fields:
        fields["owner_party"] = _party(fields["owner_party"])
    return _created(response, services.create_meeting(**fields))


patch_endpoint(meetings_w, Meeting, MeetingPatch, MeetingOut, services.update_meeting)


@meetings_w.post(
    "/{ref}/delegations", response={201: DelegationOut, **errors(401, 403, 404, 409, 422)}, summary="Add a delegation"
)
def add_delegation(request: HttpRequest, ref: str, payload: DelegationIn) -> Any:
    """A party's delegation with its members (person, role, the position held then); one head at most."""
    meeting = _meeting(request, ref)
    organisation = resolve_refs(request, {"organisation_id": payload.organisation_id}, _REFS)["organisation"]
    members = []
    for i, m in enumerate(payload.members):
        person = find_or_refuse(readable(Person, request), m.person_id, "person", f"members.{i}.person_id")
        members.append((person, m.role, m.capacity))
    delegation = services.add_delegation(meeting, _party(payload.party), organisation=organisation, members=members)
    return Status(201, delegation)


@meetings_w.post(
    "/{ref}/delegations/{party}/members",
    response={201: MemberOut, **errors(401, 403, 404, 409, 422)},
    summary="Add a member to a party's delegation",
)
def add_delegation_member(request: HttpRequest, ref: str, party: str, payload: MemberIn) -> Any:
    meeting = _meeting(request, ref)
    delegation = readable(Delegation, request).filter(meeting=meeting, party=_party(party)).first()
    if delegation is None:
        raise NotFound(f"{party} sent no delegation to “{meeting}”", field="party")
    person = resolve_refs(request, {"person_id": payload.person_id}, _REFS)["person"]
    return Status(201, services.add_delegation_member(delegation, person, role=payload.role, capacity=payload.capacity))


@meetings_w.post(
    "/{ref}/attendees", response={201: AttendeeOut, **errors(401, 403, 404, 422)}, summary="Add an attendee"
)
def add_attendee(request: HttpRequest, ref: str, payload: AttendeeIn) -> Any:
    """Someone present who is not a delegation member (an ambassador at the signing ceremony)."""
    meeting = _meeting(request, ref)
    fields = resolve_refs(request, payload.dict(exclude_none=True), _REFS)
    person = fields.pop("person")
    if "party" in fields:
        fields["party"] = _party(fields["party"])
    return Status(201, services.add_attendee(meeting, person, **fields))


@meetings_w.post(
    "/{ref}/agenda-items", response={201: AgendaItemOut, **errors(401, 403, 404, 422)}, summary="Add an agenda item"
)
def add_agenda_item(request: HttpRequest, ref: str, payload: AgendaItemIn) -> Any:
    """A point on the agenda: the review of a plan, the adoption of a plan, other business; and its decision."""
    meeting = _meeting(request, ref)
    fields = resolve_refs(request, payload.dict(exclude_none=True), _REFS)
    return Status(201, services.add_agenda_item(meeting, **fields))


# --- minutes ----------------------------------------------------------------------------------------------


class MinutesIn(Schema):
    meeting_id: int | str
    body: dict[str, str]  # the first draft, by language
    party: str | None = None  # the delegation that drafted it; none: the secretariat
    note: str = ""


class AmendIn(Schema):
    based_on: int  # the revision the amendment was made from: a newer one makes it stale (409)
    body: dict[str, str]  # the languages it changes ("" removes one)
    party: str
    note: str = ""


class SignOffIn(Schema):
    party: str
    revision: int  # the revision agreed to: it must be the current one (409 otherwise)
    signed_on: dt.date
    signed_by_id: int | str | None = None


class CompareQuery(Schema):
    a: int
    b: int
    language: str


@minutes_w.post("", response={201: RevisionOut, **errors(401, 403, 404, 422)}, summary="Start the minutes")
def start_minutes(request: HttpRequest, payload: MinutesIn) -> Any:
    """Open a meeting's minutes with their first draft (revision 1); one minutes per meeting."""
    meeting = _meeting(request, str(payload.meeting_id))
    party = _party(payload.party) if payload.party else None
    return Status(201, minutes_services.start_minutes(meeting, payload.body, party=party, note=payload.note))


def _revisions(request: HttpRequest, ref: str) -> QuerySet[Any]:
    return MinutesRevision.objects.filter(minutes=_minutes(request, ref)).select_related("party")


list_endpoint(
    minutes_w,
    "/{ref}/revisions",
    RevisionOut,
    name="minutes_revisions",
    summary="Every revision of the minutes' text",
    records=_revisions,
)


@minutes_w.get("/{ref}/revisions/{number}", response={200: RevisionOut, **errors(404, 422)}, summary="One revision")
def get_revision(request: HttpRequest, ref: str, number: int) -> Any:
    return minutes_services.get_revision(_minutes(request, ref), number)


@minutes_w.post(
    "/{ref}/revisions", response={201: RevisionOut, **errors(401, 403, 404, 409, 422)}, summary="Amend the minutes"
)
def amend_minutes(request: HttpRequest, ref: str, payload: AmendIn) -> Any:
    """A delegation's amendment: a new revision made from `based_on`, which must still be the current one."""
    minutes = _minutes(request, ref)
    revision = minutes_services.amend_minutes(
        minutes, based_on=payload.based_on, body=payload.body, party=_party(payload.party), note=payload.note
    )
    return Status(201, revision)


list_endpoint(
    minutes_w,
    "/{ref}/sign-offs",
    SignOffOut,
    name="minutes_sign_offs",
    summary="The parties' sign-offs, of every revision",
    records=lambda request, ref: (
        readable(MinutesSignOff, request).filter(minutes=_minutes(request, ref)).select_related("party")
    ),
)


@minutes_w.post(
    "/{ref}/sign-offs", response={201: SignOffOut, **errors(401, 403, 404, 409, 422)}, summary="Sign off (one party)"
)
def sign_off(request: HttpRequest, ref: str, payload: SignOffIn) -> Any:
    """A party agrees to the current revision; when every party has, the minutes are final."""
    minutes = _minutes(request, ref)
    signed_by = resolve_refs(request, {"signed_by_id": payload.signed_by_id}, _REFS).get("signed_by")
    signed = minutes_services.sign_off(
        minutes,
        party=_party(payload.party),
        revision=payload.revision,
        signed_on=payload.signed_on,
        signed_by=signed_by,
    )
    return Status(201, signed)


@minutes_w.get("/{ref}/compare", response={200: ComparisonOut, **errors(404, 422)}, summary="Compare two revisions")
def compare(request: HttpRequest, ref: str, query: Query[CompareQuery]) -> Any:
    """What changed in one language from revision `a` to revision `b`, line by line and as a unified diff."""
    minutes = _minutes(request, ref)
    changes = minutes_services.compare(minutes, query.a, query.b, query.language)
    diff = minutes_services.unified_diff(minutes, query.a, query.b, query.language)
    return {"a": query.a, "b": query.b, "language": query.language, "changes": changes, "unified_diff": diff}


# --- reviews ----------------------------------------------------------------------------------------------


class ReviewIn(Schema):
    plan_id: int | str
    as_of: dt.date


class StatementIn(Schema):
    party: str
    text: dict[str, str]


class StatementPatch(Schema):
    text: dict[str, str] | None = None
    visibility: str | None = None


@reviews_w.post("", response={201: ReviewOut, **errors(401, 403, 404, 409, 422)}, summary="Review a signed plan")
def create_review(request: HttpRequest, payload: ReviewIn, response: HttpResponse) -> Any:
    """Compute the figures of a signed plan as of a date and store them as a draft review."""
    plan = find(readable(Plan, request), payload.plan_id, "plan")
    return _created(response, review_services.create_review(plan, payload.as_of))


@reviews_w.post(
    "/{ref}/recompute", response={200: ReviewOut, **errors(401, 403, 404, 409, 412, 428)}, summary="Recompute"
)
def recompute_review(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
    """Compute a draft's figures again from the records as they are now."""
    review = _review(request, ref)
    version = expected_version(request, review)
    return respond_with(response, review_services.recompute_review(review, expected_version=version))


@reviews_w.post("/{ref}/publish", response={200: ReviewOut, **errors(401, 403, 404, 409, 412, 428)}, summary="Publish")
def publish_review(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
    """Publish the review: its figures and statements are frozen from then on."""
    review = _review(request, ref)
    version = expected_version(request, review)
    return respond_with(response, review_services.publish_review(review, expected_version=version))


@reviews_w.post(
    "/{ref}/statements",
    response={201: StatementOut, **errors(401, 403, 404, 409, 422)},
    summary="Add your party's statement",
)
def add_statement(request: HttpRequest, ref: str, payload: StatementIn, response: HttpResponse) -> Any:
    review = _review(request, ref)
    return _created(response, review_services.add_statement(review, _party(payload.party), payload.text))


@reviews_w.patch(
    "/{review}/statements/{ref}",
    response={200: StatementOut, **errors(401, 403, 404, 409, 412, 422, 428)},
    summary="Change your party's statement",
)
def update_statement(
    request: HttpRequest, review: str, ref: str, payload: StatementPatch, response: HttpResponse
) -> Any:
    """Change a statement (its text or visibility) while the review is a draft."""
    statement = find(readable(ReviewStatement, request).filter(review=_review(request, review)), ref, "statement")
    version = expected_version(request, statement)
    changes = payload.dict(exclude_unset=True)
    return respond_with(response, review_services.update_statement(statement, expected_version=version, **changes))


def find_or_refuse(queryset: QuerySet[Any], ref: int | str, what: str, field: str) -> Any:
    """The record `ref` names among those the caller may read, or bad input naming `field`."""
    try:
        return find(queryset, ref, what)
    except NotFound:
        raise ValidationFailed({field: [f"no {what} {ref} that you may see"]}) from None
