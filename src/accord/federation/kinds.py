"""Which record kinds travel between nodes, how a record is written node-independently, and who keeps it.

A change travels as its kind ("app_label.model"), global id, versions and fields, with every reference to another
record as that record's global id (each node numbers its rows itself), a content type as its label, and what is
local to one node left out: a signing key's sealed private key (it never leaves its node), the audit-chain
position of signed content, links to user accounts.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from accord.core.models import AccordModel, ChangeRecord
from accord.core.visibility import Audience, agreement_path, visibility_parents

FEDERATED_APPS = ("directory", "agreements", "programmes", "meetings", "documents", "signing", "federation")
# Set by the receiving node, never taken from a change (kept by the record's model defaults or set on arrival).
MANAGED = frozenset({"id", "uid", "version", "created_at", "updated_at"})
# Per kind: columns local to one node, left out of what travels.
LOCAL_COLUMNS: dict[str, frozenset[str]] = {
    "signing.signingkey": frozenset({"encrypted_private_key", "nonce", "kdf_salt", "kdf_params", "cipher", "kdf"}),
    "signing.signedcontent": frozenset({"chain_position"}),
}
# Kinds whose scope follows a link of their own rather than a declared path to an agreement or a party.
_LINKED_SCOPE = {
    "signing.signatureseal": "signature",
    "signing.signingkey": "person",
    "signing.signedcontent": "plan",
    "documents.documentapproval": "document",
}


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


@cache
def kinds() -> dict[str, type[models.Model]]:
    """The kinds that travel, by label: every audited record of the domain apps that reaches an agreement or a
    party (declared paths), or is a part of one that does."""
    found: dict[str, type[models.Model]] = {}
    for label in FEDERATED_APPS:
        for model in apps.get_app_config(label).get_models():
            if not issubclass(model, AccordModel):
                continue
            key = model._meta.label_lower
            reach = agreement_path(model) is not None or getattr(model, "party_path", None) is not None
            if reach or visibility_parents(model) or key in _LINKED_SCOPE or key == "agreements.signature":
                found[key] = model
    return found


def _is_user_link(field: models.Field) -> bool:
    related: Any = field.related_model
    return bool(field.is_relation and related is not None and related._meta.label == str(settings.AUTH_USER_MODEL))


@cache
def links(model: type[models.Model]) -> dict[str, tuple[str, Any]]:
    """The columns (attname) of `model` that name another record, and how: ("record", model), ("type", None),
    ("generic", type column attname), ("user", None)."""
    out: dict[str, tuple[str, Any]] = {}
    for f in model._meta.concrete_fields:
        if not f.is_relation:
            continue
        if _is_user_link(f):
            out[f.attname] = ("user", None)
        elif f.related_model is ContentType:
            out[f.attname] = ("type", None)
        else:
            out[f.attname] = ("record", f.related_model)
    for gf in model._meta.private_fields:
        if isinstance(gf, GenericForeignKey):
            id_field: Any = model._meta.get_field(gf.fk_field)
            type_field: Any = model._meta.get_field(gf.ct_field)
            out[id_field.attname] = ("generic", type_field.attname)
    return out


def travelling_columns(model: type[models.Model]) -> list[str]:
    local = LOCAL_COLUMNS.get(model._meta.label_lower, frozenset())
    return [
        f.attname
        for f in model._meta.concrete_fields
        if f.attname not in MANAGED and f.name not in local and f.attname not in local
    ]


# --- scope: what a peer may receive -----------------------------------------------------------------------


class Scope:
    """The rows of each kind a node acting for `peer` may receive from us (`local`): records of agreements both are
    parties to, readable by both sides (so never internal, nor a part of something internal), and the directory
    records of those agreements' parties. One query per kind and batch of ids."""

    def __init__(self, peer_id: int, local_id: int):
        agreement_parties = apps.get_model("agreements", "AgreementParty")
        codes = dict(
            apps.get_model("directory", "Party").objects.filter(pk__in=(peer_id, local_id)).values_list("pk", "code")
        )
        self.peer_code, self.local_code = codes.get(peer_id), codes.get(local_id)
        self.audience = Audience(public=False, parties=frozenset({peer_id, local_id}))
        own_agreements = agreement_parties.objects.filter(party_id=local_id).values("agreement_id")
        self.agreements = agreement_parties.objects.filter(party_id=peer_id, agreement_id__in=own_agreements).values(
            "agreement_id"
        )
        self.partners = agreement_parties.objects.filter(agreement_id__in=self.agreements).values("party_id")
        self._q: dict[type[models.Model], Q] = {}

    def q(self, model: type[models.Model]) -> Q:
        if model not in self._q:
            self._q[model] = self._condition(model)
        return self._q[model]

    def rows(self, model: type[models.Model]) -> models.QuerySet[Any]:
        return model._default_manager.filter(self.q(model))

    def _condition(self, model: type[models.Model]) -> Q:
        label = model._meta.label_lower
        if label == "agreements.signature":
            plan, agreement = apps.get_model("programmes", "Plan"), apps.get_model("agreements", "Agreement")
            signed = Q(
                target_type=ContentType.objects.get_for_model(plan), target_id__in=self.rows(plan).values("pk")
            ) | Q(
                target_type=ContentType.objects.get_for_model(agreement),
                target_id__in=self.rows(agreement).values("pk"),
            )
            return self.audience.condition(model) & signed
        if label in _LINKED_SCOPE:
            name = _LINKED_SCOPE[label]
            parent = model._meta.get_field(name).related_model
            return Q(**{f"{name}__in": self.rows(parent).values("pk")})  # type: ignore[arg-type]
        condition = Q()
        if _has_field(model, "visibility"):
            condition &= self.audience.condition(model)  # its own and its parents' visibility
        else:
            for name in visibility_parents(model):
                parent = model._meta.get_field(name).related_model
                condition &= Q(**{f"{name}__in": self.rows(parent).values("pk")})  # type: ignore[arg-type]
        path = agreement_path(model)
        if path is not None:
            column = f"{path}_id" if path else "pk"
            return condition & Q(**{f"{column}__in": self.agreements})
        party_path = getattr(model, "party_path", None)
        if party_path is not None:
            first = party_path.split("__")[0]
            if "__" in party_path and not _has_field(model, "visibility"):
                # A part of a directory record (an organisation's name): only where that record goes.
                parent = model._meta.get_field(first).related_model
                condition &= Q(**{f"{first}__in": self.rows(parent).values("pk")})  # type: ignore[arg-type]
            column = f"{party_path}_id" if party_path else "pk"
            return condition & (Q(**{f"{column}__in": self.partners}) | Q(**{f"{column}__isnull": True}))
        return condition


def owner_column(model: type[models.Model]) -> str | None:
    """The lookup to the code of the party whose side a record of `model` is on (None: shared records only)."""
    party_path = getattr(model, "party_path", None)
    if party_path is not None:
        return f"{party_path}__code" if party_path else "code"
    return None


def owner_codes(model: type[models.Model], pks: Iterable[int]) -> dict[int, str | None]:
    """The keeper's party code of each of `pks` (its owner_party, else along party_path; None: shared)."""
    columns = ["pk"]
    if _has_field(model, "owner_party"):
        columns.append("owner_party__code")
    path = owner_column(model)
    if path:
        columns.append(path)
    out: dict[int, str | None] = {}
    for row in model._default_manager.filter(pk__in=list(pks)).values_list(*columns):
        out[row[0]] = next((c for c in row[1:] if c), None)
    return out


# --- global ids ---------------------------------------------------------------------------------------------


def uids_of(refs: dict[type[models.Model], set[int]]) -> dict[tuple[type[models.Model], int], str]:
    """The global id of each referenced row; one query per model (rows deleted since: from the audit chain)."""
    out: dict[tuple[type[models.Model], int], str] = {}
    for model, ids in refs.items():
        ids = {i for i in ids if i is not None}
        if not ids:
            continue
        for pk, uid in model._default_manager.filter(pk__in=ids).values_list("pk", "uid"):
            out[(model, pk)] = str(uid)
        missing = [i for i in ids if (model, i) not in out]
        if missing:
            gone = ChangeRecord.objects.filter(
                object_type=model._meta.label_lower, object_id__in=[str(i) for i in missing], object_uid__isnull=False
            ).values_list("object_id", "object_uid")
            for object_id, uid in gone:
                out[(model, int(object_id))] = str(uid)
    return out


def parse_uid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None
