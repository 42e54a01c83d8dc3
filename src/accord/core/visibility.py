"""Who may read which records: the one place every page, API list, export, search and figure asks.

Rules over memberships (accounts.Membership):
- administrators (staff accounts) read everything;
- a member of a party (coordinator, reporter or observer) reads the public records, the records their
  party owns (internal ones included), and the bilateral records of every agreement their party is a
  party to;
- everyone else, signed in or not, reads public records only.

A record's agreement is found along a path per model (AGREEMENT_PATHS). A bilateral record with no
agreement (an organisation, a person's side) is shared with the parties its owner has agreements with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from accord.core.models import Visibility

M = TypeVar("M", bound=Model)

# model label -> the path from it to its agreement (None: it has none).
AGREEMENT_PATHS: dict[str, str | None] = {
    "agreements.agreement": "",
    "agreements.agreementparty": "agreement",
    "agreements.authentictext": "agreement",
    "agreements.signature": None,
    "programmes.plan": "agreement",
    "programmes.project": "agreement",
    "programmes.participation": "project__agreement",
    "programmes.planitem": "plan__agreement",
    "programmes.planapproval": "plan__agreement",
    "programmes.planitemresponsibility": "plan_item__plan__agreement",
    "programmes.deliverable": "plan_item__plan__agreement",
    "programmes.progressreport": "plan_item__plan__agreement",
    "programmes.exchange": "agreement",
    "programmes.exchangeperson": "exchange__agreement",
    "meetings.meeting": "agreement",
    "meetings.delegation": "meeting__agreement",
    "meetings.delegationmember": "delegation__meeting__agreement",
    "meetings.meetingattendee": "meeting__agreement",
    "meetings.agendaitem": "meeting__agreement",
    "reviews.review": "plan__agreement",
    "reviews.reviewstatement": "review__plan__agreement",
    "minutes.minutes": "meeting__agreement",
    "minutes.minutessignoff": "minutes__meeting__agreement",
    "documents.document": "agreement",
    "documents.documenttext": "document__agreement",
    "documents.documentfile": "document__agreement",
    "documents.documentapproval": "document__agreement",
    "directory.organisation": None,
    "core.journalentry": None,
}


@dataclass(frozen=True)
class Principal:
    """What one account may do, resolved once per request from its memberships."""

    is_admin: bool = False
    is_authenticated: bool = False
    parties: frozenset[int] = frozenset()  # any role
    coordinates: frozenset[int] = frozenset()
    signs_for: frozenset[int] = frozenset()
    reports_for: frozenset[int] = frozenset()  # organisations
    user_id: int | None = None
    roles: tuple[tuple[str, int, int | None], ...] = field(default=())  # (role, party, organisation)


PUBLIC = Principal()
_CACHE_ATTR = "_accord_principal"


def principal(user: Any) -> Principal:
    """The principal for `user` (None or anonymous: the public), cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False):
        return PUBLIC
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from accord.accounts.models import Membership, Role

    rows = list(
        Membership.objects.filter(user_id=user.pk).values_list("role", "party_id", "organisation_id", "may_sign")
    )
    found = Principal(
        is_admin=bool(user.is_active and user.is_staff),
        is_authenticated=True,
        parties=frozenset(r[1] for r in rows),
        coordinates=frozenset(r[1] for r in rows if r[0] == Role.COORDINATOR),
        signs_for=frozenset(r[1] for r in rows if r[0] == Role.COORDINATOR and r[3]),
        reports_for=frozenset(r[2] for r in rows if r[0] == Role.REPORTER and r[2]),
        user_id=user.pk,
        roles=tuple((r[0], r[1], r[2]) for r in rows),
    )
    setattr(user, _CACHE_ATTR, found)
    return found


def forget(user: Any) -> None:
    """Drop the cached principal (after memberships change within one request)."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _agreements_of(parties: frozenset[int]) -> QuerySet[Any]:
    from accord.agreements.models import AgreementParty

    return AgreementParty.objects.filter(party_id__in=parties).values("agreement_id")


def _partners_of(parties: frozenset[int]) -> QuerySet[Any]:
    """Parties that share an agreement with any of `parties` (themselves included)."""
    from accord.agreements.models import AgreementParty

    return AgreementParty.objects.filter(agreement_id__in=_agreements_of(parties)).values("party_id")


def visibility_filter(model: type[Model], who: Principal) -> Q | None:
    """The condition on `model`'s rows that `who` may read; None means every row."""
    if who.is_admin:
        return None
    public = Q(visibility=Visibility.PUBLIC)
    if not who.parties:
        return public
    label = model._meta.label_lower
    path = AGREEMENT_PATHS.get(label)
    own = Q(owner_party_id__in=who.parties)
    if path is None:
        # No agreement of its own: shared with the owner's partners; records nobody owns stay bilateral-wide.
        bilateral = Q(visibility=Visibility.BILATERAL) & (
            Q(owner_party_id__in=_partners_of(who.parties)) | Q(owner_party__isnull=True)
        )
    else:
        column = f"{path}_id" if path else "id"
        bilateral = Q(visibility=Visibility.BILATERAL) & Q(**{f"{column}__in": _agreements_of(who.parties)})
    return public | own | bilateral


def visible(queryset: QuerySet[M], user: Any) -> QuerySet[M]:
    """`queryset` narrowed to what `user` may read (records without a visibility pass unchanged)."""
    model = queryset.model
    if not any(f.name == "visibility" for f in model._meta.concrete_fields):
        return queryset
    condition = visibility_filter(model, principal(user))
    return queryset if condition is None else queryset.filter(condition)


def can_read(user: Any, record: Model) -> bool:
    model = type(record)
    return visible(model._default_manager.filter(pk=record.pk), user).exists()
