"""Domain operations on agreements, their parties and texts, and signatures."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext

from accord.agreements.models import Agreement, AgreementParty, AuthenticText, Signature
from accord.core import services as records
from accord.core.errors import Forbidden, ValidationFailed
from accord.core.permissions import acting_user, parties_of_agreement, require_actor, require_actor_create
from accord.core.visibility import principal
from accord.directory.models import Party, Person

# --- whose side a record is on: the rule every service that files a record under a party calls -------------------


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _party_named(value: Any) -> str:
    party = value if isinstance(value, Party) else Party.objects.filter(pk=value).first()
    return party.code if party is not None else str(value)


def check_owner(owner: Any, agreement: Any, what: str, *, field: str = "owner_party") -> None:
    """A record's owner is a party of its agreement and, for a coordinator, their own party.

    Bad input (a party outside the agreement: then only the administrator would see the record) is refused
    for everyone; filing a record under the other side is refused to a coordinator (administrators and system
    actors may file under either side). A record without an owner is shared by the agreement's parties.
    Programmes, meetings, reviews, documents and the importers call this one rule.
    """
    if owner is None:
        return
    check_parties(agreement, **{field: owner})
    user = acting_user()
    if user is None:
        return
    who = principal(user)
    if not who.is_admin and _pk(owner) not in who.coordinates:
        raise Forbidden(
            gettext("You may not file %(what)s under %(party)s: each side records its own side")
            % {"what": what, "party": _party_named(owner)},
            field=field,
        )


def check_parties(agreement: Any, **parties: Any) -> None:
    """Each named party (from, to, side) is a party of the agreement: bad input otherwise, for everyone."""
    members = parties_of_agreement(_pk(agreement))
    shown = agreement if isinstance(agreement, models.Model) else _pk(agreement)
    errors = {
        name: [
            gettext("%(party)s is not a party of “%(agreement)s”") % {"party": _party_named(party), "agreement": shown}
        ]
        for name, party in parties.items()
        if party is not None and _pk(party) not in members
    }
    if errors:
        raise ValidationFailed(errors)


_SIGNING_ROLES = (AgreementParty.Role.SIGNATORY, AgreementParty.Role.PARTY)


@transaction.atomic
def create_agreement(
    *,
    parties: Sequence[Party | tuple[Party, str] | tuple[Party, str, dict[str, str]]],
    texts: Mapping[str, str] | None = None,
    **fields: Any,
) -> Agreement:
    """Create an agreement with its parties, in order (the first is side A), and its language versions (`texts`:
    {language: text}). Each party is a party, or (party, role), or (party, role, whom its signatory represents).
    Needs two distinct parties that sign; a coordinator registers agreements of their party."""
    named: list[tuple[Any, ...]] = [
        (p, AgreementParty.Role.SIGNATORY) if isinstance(p, Party) else tuple(p) for p in parties
    ]
    pairs: list[tuple[Party, str]] = [(p[0], p[1]) for p in named]
    represented = {p[0].pk: p[2] for p in named if len(p) > 2 and p[2]}
    require_actor_create(gettext("an agreement"), parties=[p for p, _ in pairs])
    if len({p.pk for p, _ in pairs}) != len(pairs):
        raise ValidationFailed({"parties": [gettext("a party is named twice")]})
    if len(pairs) < 2:
        raise ValidationFailed({"parties": [gettext("an agreement needs at least two parties")]})
    if sum(1 for _, role in pairs if role in _SIGNING_ROLES) < 2:
        raise ValidationFailed({"parties": [gettext("an agreement needs at least two parties that sign it")]})
    agreement = records.create(Agreement, **fields)
    for position, (party, role) in enumerate(pairs, start=1):
        records.create(
            AgreementParty,
            related=agreement,
            agreement=agreement,
            party=party,
            role=role,
            position=position,
            represented_by=represented.get(party.pk, {}),
        )
    for language, body in (texts or {}).items():
        add_authentic_text(agreement, language=language, body=body)
    return agreement


def update_agreement(agreement: Agreement, *, expected_version: int, **changes: Any) -> Agreement:
    require_actor("change", agreement)
    return records.update(agreement, expected_version=expected_version, **changes)


def add_party(agreement: Agreement, party: Party, role: str = AgreementParty.Role.SIGNATORY) -> AgreementParty:
    require_actor("change", agreement)
    if agreement.agreement_parties.filter(party=party).exists():
        raise ValidationFailed(
            {
                "party": [
                    gettext("%(party)s is already a party to “%(agreement)s”")
                    % {"party": party, "agreement": agreement}
                ]
            }
        )
    position = (agreement.agreement_parties.aggregate(m=models.Max("position"))["m"] or 0) + 1
    return records.create(
        AgreementParty,
        related=agreement,
        agreement=agreement,
        party=party,
        role=role,
        position=position,
    )


def set_represented_by(
    link: AgreementParty, represented_by: dict[str, str], *, expected_version: int
) -> AgreementParty:
    """Name whom a party's signatory represents (e.g. "the Government of ..."), as the agreement's texts say."""
    require_actor("change", link.agreement)
    return records.update(
        link, expected_version=expected_version, related=link.agreement, represented_by=represented_by
    )


def add_authentic_text(agreement: Agreement, *, language: str, body: str = "", **fields: Any) -> AuthenticText:
    """Attach one language version. An authentic version must be in one of the agreement's authentic languages."""
    require_actor("change", agreement)
    text = AuthenticText(agreement=agreement, language=language, body=body, **fields)
    records.validate(text)
    if text.is_authentic and agreement.authentic_languages and text.language not in agreement.authentic_languages:
        raise ValidationFailed(
            {
                "language": [
                    gettext("%(language)s is not an authentic language of this agreement (%(languages)s)")
                    % {"language": text.language, "languages": ", ".join(agreement.authentic_languages)}
                ]
            }
        )
    content = text.file.read() if text.file else body.encode()
    return records.create(
        AuthenticText,
        related=agreement,
        agreement=agreement,
        language=text.language,
        body=body,
        sha256=hashlib.sha256(content).hexdigest(),
        **fields,
    )


def agreement_of(target: models.Model) -> Agreement:
    if isinstance(target, Agreement):
        return target
    agreement = getattr(target, "agreement", None)
    if not isinstance(agreement, Agreement):
        raise ValidationFailed({"target": [gettext("can only sign agreements and records under an agreement")]})
    return agreement


@transaction.atomic
def record_signature(
    target: models.Model,
    *,
    party: Party,
    signatory: Person | None,
    signed_on: dt.date | None,
    signed_at: dict[str, str] | None = None,
    capacity: dict[str, str] | None = None,
    **fields: Any,
) -> Signature:
    """Record that `signatory` signed the current version of `target` on behalf of `party`."""
    agreement = agreement_of(target)
    if party.pk not in agreement.party_ids():
        raise ValidationFailed(
            {
                "party": [
                    gettext("%(party)s is not a party to “%(agreement)s”") % {"party": party, "agreement": agreement}
                ]
            }
        )
    version = target.version  # type: ignore[attr-defined]
    ct = ContentType.objects.get_for_model(target)
    if Signature.objects.filter(target_type=ct, target_id=target.pk, target_version=version, party=party).exists():
        message = gettext("%(party)s has already signed version %(version)s of “%(record)s”")
        raise ValidationFailed({"party": [message % {"party": party, "version": version, "record": target}]})
    return records.create(
        Signature,
        related=target,
        target_type=ct,
        target_id=target.pk,
        target_version=version,
        party=party,
        signatory=signatory,
        signed_on=signed_on,
        signed_at=signed_at or {},
        capacity=capacity or {},
        visibility=getattr(target, "visibility", agreement.visibility),
        **fields,
    )


def signatures_of(target: models.Model) -> models.QuerySet[Signature]:
    """The signatures on the current version of `target`."""
    ct = ContentType.objects.get_for_model(target)
    return Signature.objects.filter(target_type=ct, target_id=target.pk, target_version=target.version)  # type: ignore[attr-defined]
