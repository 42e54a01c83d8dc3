"""Who may read which records: the one place every page, API list, export, search and figure asks.

Rules over memberships (accounts.Membership):
- administrators (staff accounts) read everything;
- a member of a party (coordinator, reporter or observer) reads the public records, the records their
  party owns (internal ones included), and the bilateral records of every agreement their party is a
  party to;
- everyone else, signed in or not, reads public records only.

A record's agreement is found along the path its model declares (AccordModel.agreement_path). A bilateral record with no
agreement (an organisation, a person's side) is shared with the parties its owner has agreements with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet

from accord.core.models import Visibility

M = TypeVar("M", bound=Model)


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


@dataclass
class _Domain:
    """What core asks of the domain apps, registered by them at start-up (AppConfig.ready): core imports none."""

    principal_of: Callable[[Any], Principal] | None = None  # a signed-in user's principal (accounts)
    agreement_parties_model: type[Model] | None = None  # (agreement_id, party_id) rows: who is party to what

    def principal(self, user: Any) -> Principal:
        if self.principal_of is None:
            raise ImproperlyConfigured("no app registered how principals are found (register_principals)")
        return self.principal_of(user)

    def agreement_parties(self) -> Any:
        if self.agreement_parties_model is None:
            raise ImproperlyConfigured("no app registered the parties of agreements (register_agreement_parties)")
        return self.agreement_parties_model


_domain = _Domain()


def register_principals(resolve: Callable[[Any], Principal]) -> None:
    """Name the function that builds a signed-in user's Principal from their memberships."""
    _domain.principal_of = resolve


def register_agreement_parties(model: type[Model]) -> None:
    """Name the model whose rows (agreement_id, party_id) say which parties an agreement binds."""
    _domain.agreement_parties_model = model


def agreement_path(model: type[Model]) -> str | None:
    """The lookup path from `model` to its agreement, as the model declares it (None: it has none)."""
    return getattr(model, "agreement_path", None)


def principal(user: Any) -> Principal:
    """The principal for `user` (None or anonymous: the public), cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False):
        return PUBLIC
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    found = _domain.principal(user)
    setattr(user, _CACHE_ATTR, found)
    return found


def forget(user: Any) -> None:
    """Drop the cached principal (after memberships change within one request)."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _agreements_of(parties: frozenset[int]) -> QuerySet[Any]:
    return _domain.agreement_parties().objects.filter(party_id__in=parties).values("agreement_id")


def _partners_of(parties: frozenset[int]) -> QuerySet[Any]:
    """Parties that share an agreement with any of `parties` (themselves included)."""
    return _domain.agreement_parties().objects.filter(agreement_id__in=_agreements_of(parties)).values("party_id")


def visibility_filter(model: type[Model], who: Principal) -> Q | None:
    """The condition on `model`'s rows that `who` may read; None means every row."""
    if who.is_admin:
        return None
    public = Q(visibility=Visibility.PUBLIC)
    if not who.parties:
        return public
    path = agreement_path(model)
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
