"""Who may read which records: the one place every page, API list, export, search and figure asks.

Rules over memberships (accounts.Membership):
- administrators (staff accounts) read everything;
- a member of a party (coordinator, reporter or observer) reads the public records, the records their
  party owns (internal ones included), and the bilateral records of every agreement their party is a
  party to;
- everyone else, signed in or not, reads public records only.

A record's agreement is found along the path its model declares (AccordModel.agreement_path). A bilateral record with no
agreement (an organisation, a person's side) is shared with the parties its owner has agreements with.

Composites: a model declares the records it is a part of (`visibility_parents = ("plan", "project")`) and
is read only where each of them is read too, checked when the rows are read (so a plan made bilateral hides
its items at once). A model may declare `public_only_when` (a review: once published): before, it is at
most bilateral. What a composite leaves out is counted (`withheld`, `count_withheld`) so lists say "1 item
not shown"; a generated document is made for its readers (`Audience`). New parts take their first parent's
visibility and illustrative flag when made without them (`inherit_from_parents`, in core.services.create).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

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


def agreement_languages(agreement_id: int) -> list[str]:
    """The languages of an agreement's parties, in the agreement's order of parties (repeats kept)."""
    rows = _domain.agreement_parties().objects.filter(agreement_id=agreement_id).order_by("position")
    return [tag for langs in rows.values_list("party__languages", flat=True) for tag in (langs or [])]


def party_languages() -> set[str]:
    """Every language any party writes in (the parties are the model the agreements' parties point at)."""
    party = _domain.agreement_parties()._meta.get_field("party").related_model
    return {tag for langs in party.objects.values_list("languages", flat=True) for tag in (langs or [])}


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


def _party_to_agreement(agreement: str, parties: frozenset[int]) -> Q:
    """Rows whose agreement (the field `agreement` names) has one of `parties` among its parties: a correlated EXISTS,
    one probe of the (agreement, party) index per row read. Not `agreement IN (every agreement of the parties)`:
    a national party is party to tens of thousands, and SQLite built that list again for each subquery of a statement
    (a plans page counting each plan's readable items built it six times: 73 of its 86 ms at 61,340 agreements)."""
    rows = _domain.agreement_parties().objects.filter(agreement_id=OuterRef(agreement), party_id__in=parties)
    return Q(Exists(rows))


def _partners_of(parties: frozenset[int]) -> QuerySet[Any]:
    """Parties that share an agreement with any of `parties` (themselves included)."""
    return _domain.agreement_parties().objects.filter(agreement_id__in=_agreements_of(parties)).values("party_id")


def visibility_filter(model: type[Model], who: Principal) -> Q | None:
    """The condition on `model`'s rows that `who` may read; None means every row.

    A composite's part is read only where its own visibility AND each of its parents' allows it (the
    model's `visibility_parents`, followed up to the top): the effective visibility is the stricter one,
    decided when the rows are read, so a parent made bilateral hides its parts at once.
    """
    if who.is_admin:
        return None
    return _readable(model, who, "")


def visibility_parents(model: type[Model]) -> tuple[str, ...]:
    """The foreign keys whose readability `model`'s rows need (declared by the model)."""
    return tuple(getattr(model, "visibility_parents", ()))


def parent_model(model: type[Model], name: str) -> type[Model]:
    """The model a declared parent link `name` of `model` points to."""
    link = model._meta.get_field(name)
    related = link.related_model
    if related is None or isinstance(related, str):
        raise TypeError(f"{model._meta.label}.{name} is not a link to a parent record")
    return related


def _has_visibility(model: type[Model]) -> bool:
    return any(f.name == "visibility" for f in model._meta.concrete_fields)


def _readable(model: type[Model], who: Principal, prefix: str) -> Q:
    """`visibility_filter` for rows reached along `prefix` (e.g. "plan__" from a plan item)."""
    condition = _own_rule(model, who, prefix)
    for name in visibility_parents(model):
        parent = parent_model(model, name)
        if not _has_visibility(parent):
            continue
        above = _readable(parent, who, f"{prefix}{name}__")
        if getattr(model._meta.get_field(name), "null", False):  # no parent: nothing above to follow
            above = Q(**{f"{prefix}{name}__isnull": True}) | above
        condition &= above
    return condition


def _own_rule(model: type[Model], who: Principal, prefix: str) -> Q:
    """What `who` may read of `model`'s rows by their own visibility and owner alone."""
    # A record public only once some condition holds (a review once published) is at most bilateral before.
    public_when: Q | None = getattr(model, "public_only_when", None)
    public = Q(**{f"{prefix}visibility": Visibility.PUBLIC})
    if public_when is not None:
        public &= _prefixed(public_when, prefix)
    if not who.parties:
        return public
    shared = Q(**{f"{prefix}visibility": Visibility.BILATERAL})
    if public_when is not None:
        shared = Q(**{f"{prefix}visibility__in": (Visibility.BILATERAL, Visibility.PUBLIC)})
    path = agreement_path(model)
    own = Q(**{f"{prefix}owner_party_id__in": who.parties})
    if path is None:
        # No agreement of its own: shared with the owner's partners; records nobody owns stay bilateral-wide.
        bilateral = shared & (
            Q(**{f"{prefix}owner_party_id__in": _partners_of(who.parties)})
            | Q(**{f"{prefix}owner_party__isnull": True})
        )
    else:
        column = f"{path}_id" if path else "id"
        bilateral = shared & _party_to_agreement(f"{prefix}{column}", who.parties)
    return public | own | bilateral


def _prefixed(condition: Q, prefix: str) -> Q:
    """`condition` with every lookup moved to the rows reached along `prefix`."""
    if not prefix:
        return condition
    moved = Q()
    moved.connector, moved.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            moved.children.append(_prefixed(child, prefix))
        else:
            lookup, value = child  # type: ignore[misc]
            moved.children.append((f"{prefix}{lookup}", value))
    return moved


def inherit_from_parents(model: type[Model], fields: dict[str, Any]) -> None:
    """Fill in what a new part made without them takes from its first parent: visibility, illustrative flag.

    The first of the model's `visibility_parents` is the record it is made in (a plan item's plan); the flag
    marking demo records is taken from any parent that has it (an item of an illustrative project is one).
    An internal part stays internal to its parent's party. Given values are kept.
    """
    given = [_given_parent(model, name, fields) for name in visibility_parents(model)]
    if not given:
        return
    first: Any = given[0]
    owner_given = "owner_party" in fields or "owner_party_id" in fields
    if first is not None and "visibility" not in fields and _has_visibility(model) and hasattr(first, "visibility"):
        fields["visibility"] = first.visibility
        if first.visibility == Visibility.INTERNAL and not owner_given:
            fields["owner_party_id"] = first.owner_party_id
    if "is_illustrative" not in fields:
        fields["is_illustrative"] = any(getattr(p, "is_illustrative", False) for p in given if p is not None)


def _given_parent(model: type[Model], name: str, fields: dict[str, Any]) -> Model | None:
    if fields.get(name) is not None:
        return fields[name]
    pk = fields.get(f"{name}_id")
    return None if pk is None else parent_model(model, name)._default_manager.filter(pk=pk).first()


def visible(queryset: QuerySet[M], user: Any) -> QuerySet[M]:
    """`queryset` narrowed to what `user` may read (records without a visibility pass unchanged)."""
    model = queryset.model
    if not _has_visibility(model):
        return queryset
    condition = visibility_filter(model, principal(user))
    return queryset if condition is None else queryset.filter(condition)


def withheld(queryset: QuerySet[Any], user: Any) -> int:
    """How many of `queryset`'s rows `user` may not read: what a composite shows as "2 items not shown"."""
    model = queryset.model
    return _withheld(queryset, visibility_filter(model, principal(user)) if _has_visibility(model) else None)


def shown_and_withheld(queryset: QuerySet[Any], user: Any) -> tuple[int, int]:
    """How many of `queryset`'s rows `user` may read, and how many not: one query, whatever the number of rows."""
    model = queryset.model
    return _counts(queryset, visibility_filter(model, principal(user)) if _has_visibility(model) else None)


def count_withheld(model: type[Model], parts: str, user: Any) -> Any:
    """An annotation of `model`'s rows: how many of their `parts` (a reverse relation: a plan's "items") `user`
    may not read. For lists, where `withheld` would cost a query per row."""
    return count_parts(model, parts, user)[1]


def count_parts(model: type[Model], parts: str, user: Any) -> tuple[Any, Any]:
    """Annotations of `model`'s rows: how many of their `parts` (a reverse relation: a plan's "items") `user` may
    read, and how many not — a list shows the first and says "n not shown" of the second, never a total that
    counts what the reader may not see. One subquery per row each: a page of a long list counts its rows only."""
    part = parent_model(model, parts)
    link = model._meta.get_field(parts).field.name  # type: ignore[union-attr]
    rows = part._default_manager.filter(**{link: OuterRef("pk")}).order_by().values(link)

    def number(queryset: QuerySet[Any]) -> Any:
        return Coalesce(Subquery(queryset.annotate(n=Count("pk")).values("n")), 0)

    condition = visibility_filter(part, principal(user)) if _has_visibility(part) else None
    if condition is None:
        return number(rows), Value(0)
    return number(rows.filter(condition)), number(rows) - number(rows.filter(condition))


def _withheld(queryset: QuerySet[Any], condition: Q | None) -> int:
    return 0 if condition is None else _counts(queryset, condition)[1]


def _counts(queryset: QuerySet[Any], condition: Q | None) -> tuple[int, int]:
    if condition is None:
        return queryset.count(), 0
    counts = queryset.order_by().aggregate(total=Count("pk"), shown=Count("pk", filter=condition))
    return int(counts["shown"]), int(counts["total"] - counts["shown"])


_REACH = {Visibility.INTERNAL.value: 0, Visibility.BILATERAL.value: 1, Visibility.PUBLIC.value: 2}


def stricter(*levels: str) -> str:
    """The narrowest of visibility levels ("internal" of "bilateral" and "internal")."""
    return min(levels, key=lambda level: _REACH.get(str(level), 0))


def effective_visibility(record: Model) -> str:
    """How widely `record` may be read: the stricter of its own visibility and its parents' (see the module)."""
    model = type(record)
    level = str(getattr(record, "visibility", Visibility.PUBLIC))
    public_when: Q | None = getattr(model, "public_only_when", None)
    if level == Visibility.PUBLIC and public_when is not None:  # a draft review: the parties only, as yet
        rows = model._default_manager.filter(pk=record.pk)
        level = Visibility.PUBLIC if rows.filter(public_when).exists() else Visibility.BILATERAL
    for name in visibility_parents(model):
        parent = getattr(record, name)
        if parent is not None and _has_visibility(type(parent)):
            level = stricter(level, effective_visibility(parent))
    return level


@dataclass(frozen=True)
class Audience:
    """The readers a generated document is made for: what every one of them may read goes in, the rest is withheld.

    `public`: anyone; otherwise each of `parties` (the agreement's parties for a bilateral document, the
    owner for an internal one) must be able to read a part for it to be shown.
    """

    public: bool
    parties: frozenset[int] = frozenset()

    @classmethod
    def of(cls, visibility: str, *, parties: Any = (), owner: int | None = None) -> Audience:
        """The readers of a record of `visibility` under an agreement of `parties`, owned by `owner`."""
        if visibility == Visibility.PUBLIC:
            return cls(public=True)
        if visibility == Visibility.INTERNAL and owner is not None:
            return cls(public=False, parties=frozenset({owner}))
        return cls(public=False, parties=frozenset(parties))

    def condition(self, model: type[Model]) -> Q:
        if self.public or not self.parties:
            return _readable(model, PUBLIC, "")
        condition = Q()
        for party in sorted(self.parties):
            condition &= _readable(model, Principal(is_authenticated=True, parties=frozenset({party})), "")
        return condition

    def narrow(self, queryset: QuerySet[M]) -> QuerySet[M]:
        """`queryset` narrowed to what every reader in the audience may read."""
        return queryset.filter(self.condition(queryset.model)) if _has_visibility(queryset.model) else queryset

    def withheld(self, queryset: QuerySet[Any]) -> int:
        """How many of `queryset`'s rows some reader in the audience may not read."""
        return _withheld(queryset, self.condition(queryset.model) if _has_visibility(queryset.model) else None)


def can_read(user: Any, record: Model) -> bool:
    model = type(record)
    return visible(model._default_manager.filter(pk=record.pk), user).exists()
