"""Applying a change received from a peer: through the same writes as a local user's, as the peer's actor.

The rules, in order (each refusal names what and why, and nothing is applied):
- the body is well formed and of a kind that travels (kinds.kinds());
- every record it refers to is here (global ids mapped to our rows); one that is not means a change it depends
  on has not arrived;
- the sender keeps only its own party's side: a record on another side (its owner_party, or its party along
  party_path, before or after the change) is refused, save the receiving side's receipt of an exchange sent to
  it and, while ACCORD_FEDERATION_HANDOVER is on, records of our own side made by the installation that hosted
  both sides before the split (created or changed, never deleted);
- a shared record (no side: an agreement, a plan and its items) is changed only by a party to its agreement, and
  only on the version we hold: a change made on another version is recorded as a Conflict, not applied, and
  both sides decide it in the pages (federation.conflicts);
- recovery (apply_returned): our own party's changes, which a peer returns to this node after it was restored from
  an older backup, signed by our own key (the transport checks it), are applied as our own party's, recorded as
  returned by that peer; nothing else comes in as our own party's;
- a signature, its seal and the content it signs are checked with signing's own check once all three are here.
"""

from __future__ import annotations

import contextvars
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from accord.core import services as records
from accord.core.actor import acting_as
from accord.core.audit import chain_head, snapshot
from accord.core.bulk import RecordsInvalid, build, create_many
from accord.core.errors import DomainError, ValidationFailed
from accord.core.models import ChangeRecord, Visibility
from accord.core.permissions import agreement_id_of, asking_for_many, owning_party_id, parties_of_agreement
from accord.core.refs import unique_or_none
from accord.core.visibility import inherit_from_parents
from accord.federation import kinds as k
from accord.federation.models import Conflict, ReceivedRecord
from accord.federation.node import PeerNode, local_party_code, local_party_id, peer_actor
from accord.federation.protocol import ChangeRefused

ACTIONS = {a.value for a in ChangeRecord.Action}
# Fields the receiving side of a record writes on the sender's record (its receipt), by kind: (party column, fields).
RECEIVER_FIELDS = {"programmes.exchange": ("to_party_id", frozenset({"received_on", "received_reference"}))}


# Kinds applied one change at a time even when several creates of them arrive together: a party (its record may
# introduce the sender), an agreement's parties (what the checks of the next one ask), signatures and what they are
# checked with, conflicts.
ONE_AT_A_TIME = frozenset(
    {
        "directory.party",
        "agreements.agreementparty",
        "agreements.signature",
        "signing.signatureseal",
        "signing.signedcontent",
        "signing.signingkey",
        "federation.conflict",
    }
)
GROUP = 900  # creates applied as one group at most (ids per IN (...) well below both databases' limits)

log = logging.getLogger("accord.federation")
# While apply_returned runs: the party code of the peer returning our own changes to us.
_returned_by: contextvars.ContextVar[str] = contextvars.ContextVar("accord_federation_returned_by", default="")


def apply_change(body: dict[str, Any], sender_party: str, peer_name: str) -> None:
    """See federation.protocol. Raises ChangeRefused (nothing applied) or applies the change, or records a conflict."""
    _apply_one(_parse(body), sender_party, peer_name)


def apply_changes(bodies: list[dict[str, Any]], sender_party: str, peer_name: str) -> None:
    """See federation.protocol: `bodies` in order, all or nothing; a refusal's `index` names the change refused.

    Set-based: a run of creates (of kinds not in ONE_AT_A_TIME) is applied by kind, one group per kind and layer
    (a record comes in a later layer than the records of the run it refers to): the records a group refers to are
    found with one query per referenced kind, the sender is checked for each record as for one change alone, then
    the group is validated, written and audited by core.bulk.create_many (the same validation, chain entries and
    search index as core.services.create, paid per group). A run of which a record is here already, or that any
    check refuses, is rolled back (its savepoint) and applied again change by change in the order sent, so that
    a refusal names the first change refused, with the reason it has alone.
    """
    run: list[tuple[int, dict[str, Any]]] = []
    with transaction.atomic():
        for index, body in enumerate(bodies):
            try:
                change = _parse(body)
            except ChangeRefused as exc:
                _apply_run(run, sender_party, peer_name)  # what comes before it is refused first
                raise _at(exc, index) from None
            groupable = change["action"] == "create" and change["kind"] not in ONE_AT_A_TIME
            if groupable and len(run) < GROUP:
                run.append((index, change))
                continue
            _apply_run(run, sender_party, peer_name)
            run = []
            if groupable:
                run = [(index, change)]
            else:
                _one(index, change, sender_party, peer_name)
        _apply_run(run, sender_party, peer_name)


def apply_returned(bodies: list[dict[str, Any]], peer_name: str, peer_party: str) -> None:
    """See federation.protocol: our own changes, returned by the peer `peer_name` (of `peer_party`), applied again
    as apply_changes applies a peer's, as our own party's."""
    code = local_party_code()
    if not code:
        raise ChangeRefused("this installation is not a node of one party: nothing can be returned to it")
    token = _returned_by.set(peer_party)
    try:
        apply_changes(bodies, code, peer_name)
    finally:
        _returned_by.reset(token)


def _at(exc: ChangeRefused, index: int) -> ChangeRefused:
    exc.index = index
    return exc


def _one(index: int, change: dict[str, Any], sender_party: str, peer_name: str) -> None:
    try:
        _apply_one(change, sender_party, peer_name)
    except ChangeRefused as exc:
        raise _at(exc, index) from None


def _groups(run: list[tuple[int, dict[str, Any]]]) -> list[list[tuple[int, dict[str, Any]]]]:
    """The run's creates by layer and kind (a record after those of the run it refers to), in the order of each
    group's first change within its layer."""
    layer_of: dict[uuid.UUID, int] = {}
    groups: dict[tuple[int, str], list[tuple[int, dict[str, Any]]]] = {}
    for index, change in run:
        if change["uid"] in layer_of:
            raise _OneByOne  # the same record twice: the second finds the first, as it would alone
        fields = change["fields"]
        below = [layer_of.get(k.parse_uid(fields.get(name))) for name in _link_names(change["kind"])]  # type: ignore[arg-type]
        layer = 1 + max((b for b in below if b is not None), default=-1)
        layer_of[change["uid"]] = layer
        groups.setdefault((layer, change["kind"]), []).append((index, change))
    return [g for (_layer, _kind), g in sorted(groups.items(), key=lambda item: item[0][0])]


@cache
def _link_names(label: str) -> tuple[str, ...]:
    """The fields of a kind that name another record (by global id)."""
    model = k.kinds()[label]
    names = {f.attname: f.name for f in model._meta.concrete_fields}
    return tuple(names[c] for c, (how, _t) in k.links(model).items() if how in ("record", "generic") and c in names)


class _OneByOne(Exception):
    """The run is applied change by change instead."""


def _apply_run(run: list[tuple[int, dict[str, Any]]], sender_party: str, peer_name: str) -> None:
    if len(run) > 1:
        try:
            with transaction.atomic():
                for group in _groups(run):
                    changes = [c for _i, c in group]
                    side, node, local_id = _sender(changes[0], sender_party, peer_name)
                    first, last = changes[0]["entry"], changes[-1]["entry"]
                    with acting_as(peer_actor(node, first if first == last else f"{first}-{last}")):
                        _ApplyMany(changes, side, node, local_id).run()
            return
        except _OneByOne:
            pass
        except (ChangeRefused, DomainError, ValidationError, ValueError, TypeError) as exc:
            log.info("federation: a run of %s changes refused as a whole (%s); applied one by one", len(run), exc)
    for index, change in run:
        _one(index, change, sender_party, peer_name)


def _sender(change: dict[str, Any], sender_party: str, peer_name: str) -> tuple[_Side, PeerNode, int | None]:
    """Who sends `change`: its party (as we hold it), the node acting for it, and our own party's id."""
    sender = _party(sender_party)
    local_id = local_party_id()
    returned_by = _returned_by.get()
    if returned_by:  # the one way our own party's changes come in: returned to us, signed by our own key
        if sender is None or local_id is None or sender.pk != local_id:
            raise ChangeRefused(f"a returned change is this node's own party's, not {sender_party!r}'s")
        return sender, PeerNode(sender.pk, sender.code, peer_name, returned_by=returned_by), local_id
    introduced = _introduces_a_party(change, sender_party, known=sender is not None, local_known=local_id is not None)
    if sender is None and not introduced:
        raise ChangeRefused(f"the sending party {sender_party!r} is not known here")
    if local_id is None and not introduced:
        raise ChangeRefused(
            f"this node's own party {local_party_code()!r} is not known here"
            if local_party_code()
            else "this installation is not a node of one party (ACCORD_NODE_PARTY is not set)"
        )
    if sender is not None and sender.pk == local_id:
        raise ChangeRefused(f"the sender acts for {sender.code}, this node's own party")
    side = sender if sender is not None else _Side(None, sender_party)
    return side, PeerNode(side.pk, side.code, peer_name), local_id  # type: ignore[arg-type]


def _apply_one(change: dict[str, Any], sender_party: str, peer_name: str) -> None:
    side, node, local_id = _sender(change, sender_party, peer_name)
    try:
        with acting_as(peer_actor(node, change["entry"])), transaction.atomic():
            _Apply(change, side, node, local_id).run()
    except DomainError as exc:  # a write refused by the records' own rules: the peer's record is not valid here
        raise ChangeRefused(f"{change['kind']} {change['uid']}: {exc}") from None
    except (ValidationError, ValueError, TypeError) as exc:  # a value no column of the kind can hold
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        raise ChangeRefused(f"{change['kind']} {change['uid']}: a field's value is not valid here: {message}") from None


def _introduces_a_party(change: dict[str, Any], sender_party: str, *, known: bool, local_known: bool) -> bool:
    """A fresh node learns the parties from the first changes it receives (moving a hosted installation to two
    nodes: the installation that hosted both sides registered them): the sender's own party record introduces
    the sender, and while ACCORD_FEDERATION_HANDOVER is on, our own party's record introduces us."""
    if change["kind"] != "directory.party" or change["action"] != "create":
        return False
    code = change["fields"].get("code")
    if code == sender_party and not known:
        return True
    return code == local_party_code() and not local_known and bool(settings.ACCORD_FEDERATION_HANDOVER)


@dataclass(frozen=True)
class _Side:
    pk: int | None  # None: the sender's party is being introduced by this very change
    code: str


_sides: dict[str, _Side] = {}  # a party's id and code never change: asked once per code, not once per change


def _party(code: Any) -> _Side | None:
    from accord.directory.models import Party

    if not isinstance(code, str):
        return None
    if code not in _sides:
        pk = Party.objects.filter(code=code).values_list("pk", flat=True).first()
        if pk is None:
            return None
        side = _Side(pk, code)
        # Kept once committed: a party introduced by a batch that is then refused is rolled back with it.
        transaction.on_commit(lambda: _sides.setdefault(code, side))
        return side
    return _sides[code]


def _parse(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ChangeRefused("the change is not a JSON object")
    out: dict[str, Any] = {}
    kind = body.get("kind")
    if not isinstance(kind, str) or kind not in k.kinds():
        raise ChangeRefused(f"unknown kind of record {kind!r}")
    out["kind"] = kind
    uid = k.parse_uid(body.get("uid"))
    if uid is None:
        raise ChangeRefused(f"{kind}: 'uid' is not a global id: {body.get('uid')!r}")
    out["uid"] = uid
    action = body.get("action")
    if action not in ACTIONS:
        raise ChangeRefused(f"{kind} {uid}: unknown action {action!r}")
    out["action"] = action
    for name, required in (("entry", True), ("version", True), ("base_version", action != "create")):
        value = body.get(name)
        if value is None and not required:
            out[name] = None
            continue
        if type(value) is not int or value < 0:
            raise ChangeRefused(f"{kind} {uid}: {name!r} must be a whole number, not {value!r}")
        out[name] = value
    fields = body.get("fields")
    if action != "delete":
        if not isinstance(fields, dict):
            raise ChangeRefused(f"{kind} {uid}: 'fields' must be an object")
        expected = _expected_fields(kind)
        unknown, missing = sorted(set(fields) - expected), sorted(expected - set(fields))
        if unknown or missing:
            raise ChangeRefused(
                f"{kind} {uid}: fields do not match the kind"
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else "")
            )
    out["fields"] = fields or {}
    return out


@cache
def _expected_fields(label: str) -> frozenset[str]:
    """The fields a change of this kind carries, by name."""
    model = k.kinds()[label]
    names = {f.attname: f.name for f in model._meta.concrete_fields}
    return frozenset({names[c] for c in k.travelling_columns(model)}) - {
        names[c] for c, (how, _t) in k.links(model).items() if how == "user"
    }


def local_values(
    model: type[models.Model], fields: dict[str, Any], *, what: str, rows: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The change's fields as our columns (attname → value): global ids mapped to our rows, one query per kind.
    ChangeRefused when a referenced record is not here. `rows` receives the referenced records by field name
    (the writes and checks that follow read them from there instead of asking again)."""
    values, found = local_values_many(model, [fields], [what])[0]
    if rows is not None:
        rows.update(found)
    return values


def local_values_many(
    model: type[models.Model], many: list[dict[str, Any]], whats: list[str]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """local_values of several changes of one kind: one query per referenced kind (and chunk) for all of them, each
    referenced record one instance shared by the changes naming it. Each: (columns, referenced records by field)."""
    link = k.links(model)
    by_name = {f.name: f for f in model._meta.concrete_fields}
    names = {f.attname: f.name for f in model._meta.concrete_fields}
    wanted: dict[type[models.Model], set[uuid.UUID]] = defaultdict(set)
    out: list[tuple[dict[str, Any], dict[str, Any]]] = []
    pending: list[list[tuple[str, type[models.Model], uuid.UUID]]] = []
    for fields, what in zip(many, whats, strict=True):
        values: dict[str, Any] = {}
        refs: list[tuple[str, type[models.Model], uuid.UUID]] = []
        for name, value in fields.items():
            f = by_name[name]
            how, target = link.get(f.attname, ("", None))
            if how == "type":
                values[f.attname] = _content_type_id(value, what, name) if value is not None else None
            elif how in ("record", "generic") and value is not None:
                uid = k.parse_uid(value)
                if uid is None:
                    raise ChangeRefused(f"{what}: {name!r} is not a global id: {value!r}")
                if how == "record":
                    ref_model = target
                else:  # the generic link's kind is in its type column
                    type_name = by_name[model._meta.get_field(target).name].name
                    ref_model = _model_of(fields.get(type_name), what, type_name)
                wanted[ref_model].add(uid)
                refs.append((f.attname, ref_model, uid))
            else:
                values[f.attname] = value
        out.append((values, {}))
        pending.append(refs)
    found: dict[tuple[type[models.Model], uuid.UUID], Any] = {}
    for ref_model, uids in wanted.items():
        ordered = sorted(uids)
        for at in range(0, len(ordered), GROUP):
            for row in ref_model._default_manager.filter(uid__in=ordered[at : at + GROUP]).order_by():
                found[(ref_model, row.uid)] = row  # type: ignore[attr-defined]
    for (values, rows), refs, what in zip(out, pending, whats, strict=True):
        for attname, ref_model, uid in refs:
            if (ref_model, uid) not in found:
                raise ChangeRefused(
                    f"{what}: {attname.removesuffix('_id')} refers to {ref_model._meta.label_lower} {uid}, which this "
                    "node does not hold (a change it depends on has not arrived)"
                )
            row = found[(ref_model, uid)]
            values[attname] = row.pk
            if names[attname] != attname:  # a foreign key (a generic link's id is no field)
                rows[names[attname]] = row
        for column, (how, _t) in link.items():
            if how == "user":
                values[column] = None  # accounts are each node's own
    return out


def _model_of(label: Any, what: str, name: str) -> type[models.Model]:
    try:
        return apps.get_model(str(label))
    except (LookupError, ValueError):
        raise ChangeRefused(f"{what}: {name!r} names no kind of record here: {label!r}") from None


def _content_type_id(label: Any, what: str, name: str) -> int:
    return ContentType.objects.get_for_model(_model_of(label, what, name)).pk


class _Apply:
    def __init__(self, change: dict[str, Any], sender: Any, node: PeerNode, local_id: int | None):
        self.change, self.sender, self.node, self.local_id = change, sender, node, local_id
        self.model: type[models.Model] = k.kinds()[change["kind"]]
        self.what = f"{change['kind']} {change['uid']}"

    def run(self) -> None:
        change, model = self.change, self.model
        existing = unique_or_none(model._default_manager.filter(uid=change["uid"]))
        if change["action"] == "delete":
            self._delete(existing)
            return
        rows: dict[str, Any] = {}
        values = local_values(model, change["fields"], what=self.what, rows=rows)
        self._fill_local(values)
        candidate = model(**values)
        for name, row in rows.items():
            setattr(candidate, name, row)  # the parents at hand: the checks walk them without asking again
        differing = self._differing(existing, values) if existing is not None else values
        if existing is not None and not differing and change["version"] <= existing.version:  # type: ignore[attr-defined]
            return  # already here: delivered again, or a state we hold (whoever keeps it, nothing changes)
        self._check_keeper(existing, candidate, values)
        if existing is None:
            linked = {f.attname for f in model._meta.concrete_fields if f.name in rows}  # given as the rows themselves
            columns = {c: v for c, v in values.items() if c not in linked}
            obj = records.create(model, uid=change["uid"], version=change["version"], **columns, **rows)
            if self.sender.pk is None:  # the sender's party just introduced: it keeps what it sent
                self.sender = _Side(obj.pk, self.sender.code)
        else:
            self._check_plan_step(existing, differing)
            obj = self._update(existing, differing)
            if obj is None:
                return  # recorded as a conflict
        self._mark(obj.version)  # type: ignore[attr-defined]
        self._check_signatures(obj)

    # --- what is local to this node ----------------------------------------------------------------------

    def _fill_local(self, values: dict[str, Any]) -> None:
        label = self.change["kind"]
        if label == "signing.signingkey":
            # The private key never leaves its node: here the key only verifies what its holder signed.
            values.update(encrypted_private_key="", nonce="", kdf_salt="", kdf="", kdf_params={}, cipher="")
        elif label == "signing.signedcontent":
            values["chain_position"] = chain_head()  # the records it was checked against: ours, as of now

    # --- who may change what -----------------------------------------------------------------------------

    def _check_keeper(self, existing: Any, candidate: Any, values: dict[str, Any]) -> None:
        found = [owning_party_id(candidate), owning_party_id(existing) if existing is not None else None]
        keepers = {pk for pk in found if pk is not None}
        if keepers == {self.sender.pk}:
            return
        if keepers:
            if self._is_receipt(existing, values) or self._is_handover(existing, keepers):
                return
            from accord.directory.models import Party

            codes = ", ".join(sorted(Party.objects.filter(pk__in=keepers).values_list("code", flat=True)))
            raise ChangeRefused(
                f"{self.what} is on {codes}'s side: the node of {self.sender.code} may change only its own party's "
                "records"
            )
        agreement_id = agreement_id_of(existing if existing is not None else candidate)
        parties = parties_of_agreement(agreement_id) if agreement_id is not None else set()
        # A new agreement arrives before its parties: the first of them are written by whoever registers it.
        if parties and self.sender.pk not in parties:
            raise ChangeRefused(f"{self.what}: {self.sender.code} is not a party to the agreement this record is under")

    def _is_receipt(self, existing: Any, values: dict[str, Any]) -> bool:
        rule = RECEIVER_FIELDS.get(self.change["kind"])
        if rule is None or existing is None or getattr(existing, rule[0]) != self.sender.pk:
            return False
        return set(self._differing(existing, values)) <= rule[1]

    def _is_handover(self, existing: Any, keepers: set[int]) -> bool:
        """While the operator takes over our side from an installation that hosted both, its records of our side
        (made there before the split) are taken as they come; never deleted this way."""
        return keepers == {self.local_id} and bool(settings.ACCORD_FEDERATION_HANDOVER)

    # --- writing -----------------------------------------------------------------------------------------

    def _differing(self, existing: Any, values: dict[str, Any]) -> dict[str, Any]:
        """The columns whose received value differs from ours (compared as the audit chain writes them)."""
        before = snapshot(existing)
        merged = {f.attname: getattr(existing, f.attname) for f in self.model._meta.concrete_fields}
        merged.update(values)
        after = snapshot(self.model(**merged))
        return {c: values[c] for c in values if before.get(c) != after.get(c)}

    def _update(self, existing: Any, differing: dict[str, Any]) -> Any:
        change = self.change
        ours = existing.version
        if not differing:  # the same content at a later count (a decision on a conflict taken on the other side)
            return records.update(existing, expected_version=ours, new_version=change["version"])
        shared = owning_party_id(existing) is None
        if shared and change["base_version"] != ours and not self._resolution_for(existing):
            self._conflict(existing, ours)
            return None
        return records.update(existing, expected_version=ours, new_version=change["version"], **differing)

    def _resolution_for(self, existing: Any) -> bool:
        """The sender decided a conflict on this record (kept its own) over the version we hold."""
        return Conflict.objects.filter(
            object_uid=existing.uid,
            owner_party_id=self.sender.pk,
            status=Conflict.Status.KEPT_OURS,
            theirs_version=existing.version,
        ).exists()

    def _conflict(self, existing: Any, ours: int) -> None:
        change = self.change
        fields = {
            "base_version": change["base_version"] or 0,
            "ours_version": ours,
            "theirs_version": change["version"],
            "theirs": change["fields"],
            "object_repr": str(existing)[:300],
        }
        open_one = Conflict.objects.filter(
            object_uid=existing.uid, owner_party_id=self.local_id, status=Conflict.Status.OPEN
        ).first()
        # Recorded as this node's own act (the conflict is ours to decide), not the peer's.
        from accord.core.actor import SYSTEM, Actor

        actor = Actor(None, f"federation (from {self.node.get_username()})"[:200], SYSTEM.request_id, system=True)
        with acting_as(actor):
            if open_one is not None:
                records.update(open_one, expected_version=open_one.version, **fields)
            else:
                records.create(
                    Conflict,
                    owner_party_id=self.local_id,
                    visibility=Visibility.BILATERAL,
                    agreement_id=agreement_id_of(existing),
                    object_type=change["kind"],
                    object_uid=existing.uid,
                    from_party_id=self.sender.pk,
                    **fields,
                )

    def _delete(self, existing: Any) -> None:
        change = self.change
        if existing is None:
            self._mark(change["version"], deleted=True)
            return  # never here (never shared with us, or deleted already)
        keeper = owning_party_id(existing)
        if keeper is not None and keeper != self.sender.pk:
            raise ChangeRefused(
                f"{self.what} is on another side: the node of {self.sender.code} may delete only its own records"
            )
        if keeper is None:
            agreement_id = agreement_id_of(existing)
            if agreement_id is not None and self.sender.pk not in parties_of_agreement(agreement_id):
                raise ChangeRefused(f"{self.what}: {self.sender.code} is not a party to its agreement")
            if change["base_version"] != existing.version:
                self._conflict(existing, existing.version)
                return
        records.delete(existing, expected_version=existing.version)
        self._mark(change["version"], deleted=True)

    def _mark(self, version: int, *, deleted: bool = False) -> None:
        if self.node.returned_by:
            return  # our own record, returned: not one kept by another party's node
        _received([self.change], self.sender.pk, self.node.peer_name, [version], deleted=deleted)

    # --- joint acts --------------------------------------------------------------------------------------

    def _check_plan_step(self, existing: Any, differing: dict[str, Any]) -> None:
        """A plan arrives agreed (or signed) only when every signatory party's approval (signature) of the version
        it leaves is here too, and no conflict on a record under its agreement is undecided: both nodes then hold
        the same approvals of the same content (versions are counted alike on both)."""
        if self.change["kind"] != "programmes.plan" or "status" not in differing:
            return
        from accord.programmes.choices import PlanStatus
        from accord.programmes.services import missing_approvals, missing_signatures

        step = {
            PlanStatus.AGREED: (missing_approvals, "approval"),
            PlanStatus.SIGNED: (missing_signatures, "signature"),
        }
        if differing["status"] not in step:
            return
        missing, what = step[differing["status"]]
        absent = missing(existing)
        if absent:
            codes = ", ".join(p.code for p in absent)
            raise ChangeRefused(
                f"{self.what} arrives {differing['status']}, but the {what} of {codes} on version {existing.version} "
                "is not here"
            )
        if differing["status"] == PlanStatus.AGREED:
            from accord.programmes.services import approvals_of_other_content

            other = approvals_of_other_content(existing)
            if other:
                raise ChangeRefused(
                    f"{self.what} arrives agreed, but the approval of {', '.join(a.party.code for a in other)} on "
                    f"version {existing.version} is of other content than this node holds (content SHA-256 "
                    f"{', '.join(a.content_sha256[:16] for a in other)}…)"
                )
        if Conflict.objects.filter(agreement_id=existing.agreement_id, status=Conflict.Status.OPEN).exists():
            raise ChangeRefused(
                f"{self.what} arrives {differing['status']} while a conflict under its agreement is undecided"
            )

    # --- signatures --------------------------------------------------------------------------------------

    def _check_signatures(self, obj: Any) -> None:
        """A received signature is checked with signing's own check as soon as its seal and content are here."""
        from accord.agreements.models import Signature
        from accord.signing.models import SignatureSeal, SignedContent

        label = self.change["kind"]
        if label == "agreements.signature":
            found = [obj] if SignatureSeal.objects.filter(signature=obj).exists() else []
        elif label == "signing.signatureseal":
            found = [obj.signature]
        elif label == "signing.signedcontent":
            plan_type = ContentType.objects.get_for_model(obj.plan)
            found = list(
                Signature.objects.filter(
                    target_type=plan_type, target_id=obj.plan_id, target_version=obj.plan_version, seal__isnull=False
                )
            )
        else:
            return
        for signature in found:
            self._verify(signature, SignedContent)

    def _verify(self, signature: Any, signed_content: Any) -> None:
        from accord.signing.services import check_signature

        if not signature.signature:
            return  # a historical signature recorded without a key: nothing to verify
        if signature.target_type.model_class()._meta.label_lower != "programmes.plan":
            return
        if not signed_content.objects.filter(
            plan_id=signature.target_id, plan_version=signature.target_version
        ).exists():
            return  # its content has not arrived yet: checked when it does
        result = check_signature(signature)
        if not result.ok and not result.superseded:
            raise ChangeRefused(
                f"the signature of {signature.party.code} ({signature.uid}) does not verify: {result.reason}"
            )


def _received(
    changes: list[dict[str, Any]], party_id: Any, peer_name: str, versions: list[int], *, deleted: bool = False
) -> None:
    """Note where each record came from and at which version (shown on its page): insert, or update its row."""
    now = timezone.now()
    rows = [
        ReceivedRecord(
            object_type=change["kind"],
            object_uid=change["uid"],
            party_id=party_id,
            peer_name=peer_name[:100],
            received_at=now,
            remote_entry=change["entry"],
            version=version,
            deleted=deleted,
        )
        for change, version in zip(changes, versions, strict=True)
    ]
    ReceivedRecord.objects.bulk_create(  # one statement per batch: insert, or update the record's row
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["object_type", "object_uid"],
        update_fields=["party", "peer_name", "received_at", "remote_entry", "version", "deleted"],
    )


class _ApplyMany:
    """A run of creates of one kind whose records are not here yet: _Apply.run's create, for all of them at once."""

    def __init__(self, changes: list[dict[str, Any]], sender: _Side, node: PeerNode, local_id: int | None):
        self.changes, self.sender, self.node, self.local_id = changes, sender, node, local_id
        self.model: type[models.Model] = k.kinds()[changes[0]["kind"]]

    def run(self) -> None:
        model, changes = self.model, self.changes
        if len(changes) == 1:  # alone: as it would be applied alone
            _Apply(changes[0], self.sender, self.node, self.local_id).run()
            return
        if model._default_manager.filter(uid__in=[c["uid"] for c in changes]).exists():
            raise _OneByOne  # some are here already (delivered again): each is compared with ours alone
        appliers = [_Apply(change, self.sender, self.node, self.local_id) for change in changes]
        resolved = local_values_many(model, [c["fields"] for c in changes], [a.what for a in appliers])
        _prefetch_parents(model, [rows for _values, rows in resolved])
        made = []
        for one, (values, rows) in zip(appliers, resolved, strict=True):
            one._fill_local(values)
            linked = {f.attname for f in model._meta.concrete_fields if f.name in rows}  # given as the rows
            fields = {c: v for c, v in values.items() if c not in linked}
            fields.update(rows, uid=one.change["uid"], version=one.change["version"])
            inherit_from_parents(model, fields)  # as core.services.create does
            made.append(fields)
        objs = build(model, made)
        # An agreement's parties asked once per group (no record of this group changes them: ONE_AT_A_TIME).
        with asking_for_many(self.node, []):
            for one, obj, (values, _rows) in zip(appliers, objs, resolved, strict=True):
                one._check_keeper(None, obj, values)
        try:
            create_many(model, objs)
        except RecordsInvalid as exc:
            first = min(exc.errors)
            raise ChangeRefused(f"{appliers[first].what}: {ValidationFailed(exc.errors[first])}") from None
        if not self.node.returned_by:  # our own records, returned, are not another node's
            _received(changes, self.sender.pk, self.node.peer_name, [o.version for o in objs])  # type: ignore[attr-defined]


def _prefetch_parents(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """The records a group refers to, with their own parents (one query per kind of parent): the checks walk to the
    agreement and the party, and a record's clean() and name read its parents' parents."""
    by_field: dict[str, list[Any]] = defaultdict(list)
    for found in rows:
        for name, row in found.items():
            by_field[name].append(row)
    for instances in by_field.values():
        distinct = list({id(r): r for r in instances}.values())
        parents = [f.name for f in type(distinct[0])._meta.concrete_fields if isinstance(f, models.ForeignKey)]
        parents = [p for p in parents if not _is_user_field(type(distinct[0]), p)]
        if parents:
            prefetch_related_objects(distinct, *parents)


def _is_user_field(model: type[models.Model], name: str) -> bool:
    column = model._meta.get_field(name).attname  # type: ignore[union-attr]
    return k.links(model).get(column, ("", None))[0] == "user"
