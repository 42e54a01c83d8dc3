"""Which changes of our audit chain travel to a peer, written so that another node can apply them.

Set-based: the chain is read in batches, and for each batch one query per kind says which of its records the
peer may receive (kinds.Scope), one per referenced kind gives the global ids; nothing is asked per change.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from accord.core.models import ChangeRecord, Visibility
from accord.federation import kinds as k
from accord.federation.node import local_party_id, peer_actor_prefix

BATCH = 2000  # entries read at once; ids per IN (...) stay well below both databases' parameter limits
FORMAT = "accord-change/1"


def outgoing_changes(peer_party: str, after_entry: int, limit: int) -> list[dict[str, Any]]:
    """See federation.protocol: our changes after `after_entry` that the node of `peer_party` may receive."""
    from accord.directory.models import Party

    local_id = local_party_id()
    peer_id = Party.objects.filter(code=peer_party).values_list("pk", flat=True).first()
    if local_id is None or peer_id is None or peer_id == local_id or limit <= 0:
        return []  # a hosted installation (no node party) or an unknown peer party sends nothing
    scope = k.Scope(peer_id, local_id)
    labels = list(k.kinds())
    out: list[dict[str, Any]] = []
    cursor = after_entry
    while len(out) < limit:
        rows = list(
            ChangeRecord.objects.filter(id__gt=cursor, object_type__in=labels)
            # Never echo a peer's own changes back to it (its node already holds them).
            .exclude(actor_name__startswith=peer_actor_prefix(peer_party))
            .order_by("id")
            .values_list("id", "action", "object_type", "object_id", "object_uid", "object_version", "before", "after")[
                :BATCH
            ]
        )
        if not rows:
            break
        cursor = rows[-1][0]
        out.extend(_bodies(rows, scope)[: limit - len(out)])
        if len(rows) < BATCH:
            break
    return out


def _chunks(values: list[Any], size: int = 900) -> Any:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _bodies(rows: list[tuple[Any, ...]], scope: k.Scope) -> list[dict[str, Any]]:
    registry = k.kinds()
    # The records each entry is about that exist now and the peer may receive: one query per kind.
    by_kind: dict[str, set[int]] = defaultdict(set)
    for _id, _action, label, object_id, *_rest in rows:
        by_kind[label].add(int(object_id))
    existing: dict[str, set[int]] = {}
    shareable: dict[str, set[int]] = {}
    for label, ids in by_kind.items():
        model = registry[label]
        existing[label], shareable[label] = set(), set()
        for part in _chunks(sorted(ids)):
            existing[label].update(model._default_manager.filter(pk__in=part).values_list("pk", flat=True))
            shareable[label].update(scope.rows(model).filter(pk__in=part).values_list("pk", flat=True))
    deletes = _shareable_deletes([r for r in rows if r[1] == ChangeRecord.Action.DELETE], scope)
    chosen = []
    for row in rows:
        entry_id, action, label, object_id, _uid, _version, before, after = row
        snap = after if after is not None else before
        if (snap or {}).get("visibility") == Visibility.INTERNAL:
            continue  # what it was when this entry was written was internal: that state never travels
        pk = int(object_id)
        if action == ChangeRecord.Action.DELETE:
            if entry_id in deletes and pk not in existing[label]:
                chosen.append(row)
        elif pk in shareable[label]:
            chosen.append(row)
    # A third party's records are its own node's to send: relayed, the peer would rightly refuse them.
    return [b for b in _write(chosen) if b["owner"] in (None, scope.local_code, scope.peer_code)]


def _shareable_deletes(rows: list[tuple[Any, ...]], scope: k.Scope) -> set[int]:
    """Deletions the peer may hear of: of a record that was not internal, whose parent (the first step of its path
    to the agreement or party) the peer may receive; one query per parent kind."""
    registry = k.kinds()
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    link_of: dict[int, tuple[type[models.Model], int] | None] = {}
    for entry_id, _action, label, _object_id, _uid, _version, before, _after in rows:
        model = registry[label]
        path = k.agreement_path(model)
        if path is None:
            path = getattr(model, "party_path", None)
        first = (path or "").split("__")[0]
        if not first:
            link_of[entry_id] = None  # an agreement or a party itself: its own visibility decides
            continue
        parent = model._meta.get_field(first).related_model
        parent_id = (before or {}).get(f"{first}_id")
        if parent_id is None:
            continue
        wanted[parent].add(parent_id)  # type: ignore[index]
        link_of[entry_id] = (parent, parent_id)  # type: ignore[assignment]
    ok: set[tuple[type[models.Model], int]] = set()
    for parent, ids in wanted.items():
        rows_q = scope.rows(parent) if parent._meta.label_lower in registry else None
        if rows_q is None:
            continue
        for part in _chunks(sorted(ids)):
            ok.update((parent, pk) for pk in rows_q.filter(pk__in=part).values_list("pk", flat=True))
    return {e for e, link in link_of.items() if link is None or link in ok}


def _write(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """The bodies of the chosen entries: references as global ids (one query per referenced kind)."""
    registry = k.kinds()
    refs: dict[type[models.Model], set[int]] = defaultdict(set)
    owners_wanted: dict[str, set[int]] = defaultdict(set)
    party_ids: set[int] = set()
    for _entry, action, label, object_id, _uid, _version, before, after in rows:
        model = registry[label]
        snap = after if after is not None else before
        for column, (how, target) in k.links(model).items():
            value = (snap or {}).get(column)
            if value is None:
                continue
            if how == "record":
                refs[target].add(value)
            elif how == "generic":
                type_id = (snap or {}).get(target)
                if type_id is not None:
                    refs[ContentType.objects.get_for_id(type_id).model_class()].add(value)  # type: ignore[index]
        if action == ChangeRecord.Action.DELETE:
            if (before or {}).get("owner_party_id"):
                party_ids.add(before["owner_party_id"])
        else:
            owners_wanted[label].add(int(object_id))
    uids = k.uids_of(refs)
    owners: dict[tuple[str, int], str | None] = {}
    for label, pks in owners_wanted.items():
        for part in _chunks(sorted(pks)):
            for pk, code in k.owner_codes(registry[label], part).items():
                owners[(label, pk)] = code
    from accord.directory.models import Party

    codes = dict(Party.objects.filter(pk__in=party_ids).values_list("pk", "code")) if party_ids else {}
    bodies = []
    for entry_id, action, label, object_id, uid, version, before, after in rows:
        model = registry[label]
        body: dict[str, Any] = {
            "format": FORMAT,
            "entry": entry_id,
            "kind": label,
            "uid": str(uid),
            "action": action,
            "base_version": (before or {}).get("version"),
            "version": version,
        }
        if action == ChangeRecord.Action.DELETE:
            body["owner"] = codes.get((before or {}).get("owner_party_id") or 0)
        else:
            body["owner"] = owners.get((label, int(object_id)))
            body["fields"] = _fields(model, after or {}, uids)
        bodies.append(body)
    return bodies


def _fields(model: type[models.Model], snap: dict[str, Any], uids: dict[Any, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    link = k.links(model)
    names = {f.attname: f.name for f in model._meta.concrete_fields}
    for column in k.travelling_columns(model):
        value = snap.get(column)
        how, target = link.get(column, ("", None))
        if how == "user":
            continue  # accounts are each node's own
        if how == "type":
            value = ContentType.objects.get_for_id(value).model_class()._meta.label_lower if value else None  # type: ignore[union-attr]
        elif how == "record" and value is not None:
            value = uids.get((target, value))
        elif how == "generic" and value is not None:
            type_id = snap.get(target)
            value = uids.get((ContentType.objects.get_for_id(type_id).model_class(), value)) if type_id else None
        fields[names[column]] = value
    return fields
