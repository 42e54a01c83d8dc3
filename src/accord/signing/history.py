"""A plan's content as its records were at a point of the audit chain, and what has changed since signing.

The audit chain keeps every record's state after each change (`after` snapshots), so the content
`plan_content` would have produced at any earlier moment can be rebuilt from it: the state of each record
is its last entry at or before that point. `accord verify` uses this to check stored signed content against
the records as they were when signed; the signed plan's page uses the chain to say who changed what since.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models

from accord.agreements.models import Agreement, AgreementParty
from accord.core.models import ChangeRecord
from accord.directory.models import Organisation, OrganisationName, Party
from accord.programmes.models import Deliverable, Plan, PlanItem, PlanItemResponsibility, Project
from accord.signing.content import UnsignableContent, _text

_CHUNK = 900  # ids per IN list: well under every database's limit on parameters
_DELETE = ChangeRecord.Action.DELETE.value


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _chunks(values: Iterable[Any]) -> Iterable[list[str]]:
    ids = sorted({str(v) for v in values})
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _states(model: type[models.Model], ids: Iterable[Any], position: int | None) -> dict[int, dict[str, Any]]:
    """Each record's snapshot as of `position` (None: the chain's head), by primary key; deleted ones left out."""
    out: dict[int, dict[str, Any] | None] = {}
    for chunk in _chunks(ids):
        entries = ChangeRecord.objects.filter(object_type=_label(model), object_id__in=chunk)
        if position is not None:
            entries = entries.filter(id__lte=position)
        for object_id, action, after in entries.order_by("id").values_list("object_id", "action", "after"):
            out[int(object_id)] = None if action == _DELETE else after
    return {pk: state for pk, state in out.items() if state is not None}


def _children(
    model: type[models.Model], fk: str, parent: type[models.Model], parent_ids: set[int], position: int | None
) -> dict[int, dict[str, Any]]:
    """The records of `model` whose `fk` named one of `parent_ids` as of `position`.

    Candidates are the rows that name a parent now and every record whose entries name the parent as their
    related record (services write children with `related=` their parent), so a child removed since is found.
    """
    if not parent_ids:
        return {}
    candidates: set[int] = set(model._base_manager.filter(**{f"{fk}__in": parent_ids}).values_list("pk", flat=True))
    for chunk in _chunks(parent_ids):
        entries = ChangeRecord.objects.filter(
            object_type=_label(model), related_type=_label(parent), related_id__in=chunk
        )
        if position is not None:
            entries = entries.filter(id__lte=position)
        candidates.update(int(pk) for pk in entries.values_list("object_id", flat=True).distinct())
    return {pk: s for pk, s in _states(model, candidates, position).items() if s.get(fk) in parent_ids}


def _name_on(organisation: dict[str, Any], names: list[dict[str, Any]], day: str | None) -> Any:
    """Organisation.name_on, over snapshots (ISO dates compare as text)."""
    for dated in sorted(names, key=lambda n: (n["valid_from"] is not None, n["valid_from"] or "")):
        starts = dated["valid_from"] is None or (day is not None and dated["valid_from"] <= day)
        if starts and (dated["valid_to"] is None or (day is not None and day <= dated["valid_to"])):
            return dated["name"]
    return organisation["name"]


def content_at(plan_id: int, position: int | None) -> dict[str, Any]:
    """What `plan_content` gave for the plan when the chain ended at entry `position` (None: as the chain is now).

    Built from the audit chain's snapshots only, never from the stored rows, so it holds for what Accord
    wrote: a row changed behind its back does not show here (and `accord verify` names that row).
    """
    plan = _states(Plan, [plan_id], position).get(plan_id)
    if plan is None:
        raise UnsignableContent(f"the audit chain has no plan {plan_id} at entry #{position}")
    agreement = _states(Agreement, [plan["agreement_id"]], position).get(plan["agreement_id"])
    if agreement is None:
        raise UnsignableContent(f"the audit chain has no agreement {plan['agreement_id']} at entry #{position}")
    roles = _children(AgreementParty, "agreement_id", Agreement, {plan["agreement_id"]}, position)
    items = _children(PlanItem, "plan_id", Plan, {plan_id}, position)
    resps = _children(PlanItemResponsibility, "plan_item_id", PlanItem, set(items), position)
    delivs = _children(Deliverable, "plan_item_id", PlanItem, set(items), position)
    projects = _states(Project, {i["project_id"] for i in items.values()}, position)
    sources = _states(
        PlanItem, {i["carried_over_from_id"] for i in items.values() if i["carried_over_from_id"]}, position
    )
    org_ids = {r["organisation_id"] for r in resps.values()}
    orgs = _states(Organisation, org_ids, position)
    names: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for name in _children(OrganisationName, "organisation_id", Organisation, org_ids, position).values():
        names[name["organisation_id"]].append(name)
    party_ids = {r["party_id"] for r in roles.values()} | {r["side_id"] for r in resps.values()}
    party_ids |= {d["responsible_party_id"] for d in delivs.values() if d["responsible_party_id"]}
    parties = _states(Party, party_ids, position)
    try:
        return _assemble(plan, agreement, roles, items, resps, delivs, projects, sources, orgs, names, parties)
    except KeyError as exc:
        raise UnsignableContent(f"the audit chain lacks a record the plan names ({exc}) at entry #{position}") from None


def _assemble(
    plan: dict[str, Any],
    agreement: dict[str, Any],
    roles: dict[int, dict[str, Any]],
    items: dict[int, dict[str, Any]],
    resps: dict[int, dict[str, Any]],
    delivs: dict[int, dict[str, Any]],
    projects: dict[int, dict[str, Any]],
    sources: dict[int, dict[str, Any]],
    orgs: dict[int, dict[str, Any]],
    names: dict[int, list[dict[str, Any]]],
    parties: dict[int, dict[str, Any]],
) -> dict[str, Any]:
    """The content object, in plan_content's shape and order."""
    day = plan["period_start"]
    org_entries = {pk: {"uid": o["uid"], "name": _text(_name_on(o, names.get(pk, []), day))} for pk, o in orgs.items()}
    responsibilities: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in sorted(
        resps.values(),
        key=lambda r: (r["plan_item_id"], parties[r["side_id"]]["code"], orgs[r["organisation_id"]]["uid"]),
    ):
        responsibilities[r["plan_item_id"]].append(
            {"organisation": org_entries[r["organisation_id"]], "side": parties[r["side_id"]]["code"]}
        )
    deliverables: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for _pk, d in sorted(delivs.items(), key=lambda kv: (kv[1]["due_on"] is None, kv[1]["due_on"] or "", kv[0])):
        party = d["responsible_party_id"]
        deliverables[d["plan_item_id"]].append(
            {
                "uid": d["uid"],
                "kind": d["kind"],
                "title": _text(d["title"]),
                "due_on": d["due_on"],
                "responsible_party": parties[party]["code"] if party else None,
            }
        )
    return {
        "uid": plan["uid"],
        "title": _text(plan["title"]),
        "kind": plan["kind"],
        "period": {"start": plan["period_start"], "end": plan["period_end"]},
        "revision": plan["revision"],
        "agreement": {"uid": agreement["uid"], "title": _text(agreement["title"])},
        "parties": [
            {"code": parties[r["party_id"]]["code"], "name": _text(parties[r["party_id"]]["name"]), "role": r["role"]}
            for _pk, r in sorted(roles.items(), key=lambda kv: (kv[1]["position"], kv[0]))
        ],
        "items": [
            {
                "uid": i["uid"],
                "position": i["position"],
                "project": {
                    "uid": projects[i["project_id"]]["uid"],
                    "number": projects[i["project_id"]]["number"],
                    "title": _text(projects[i["project_id"]]["title"]),
                },
                "objectives": _text(i["objectives"]),
                "carried_over_from": sources[i["carried_over_from_id"]]["uid"] if i["carried_over_from_id"] else None,
                "responsibilities": responsibilities.get(pk, []),
                "deliverables": deliverables.get(pk, []),
            }
            for pk, i in sorted(items.items(), key=lambda kv: (kv[1]["position"], kv[0]))
        ],
    }


# --- changes since signing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One value of the signed content that the records now give otherwise, and who changed it when."""

    model: type[models.Model]
    pk: int | None  # the changed record (None when it no longer exists)
    field: str  # the model field, e.g. "title"
    item_uid: str | None  # the signed plan item it concerns, if any
    subject: str  # what the record is, e.g. "Project 1-3" (not translated: numbers and codes)
    signed: Any  # the value as signed (a localized text, a string or None)
    now: Any  # the value the records give now
    at: dt.datetime | None  # the last change of that field after signing, from the audit chain
    by: str

    @property
    def field_label(self) -> str:
        return str(getattr(self.model._meta.get_field(self.field), "verbose_name", self.field))

    @property
    def kind_label(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def localized(self) -> bool:
        return isinstance(self.signed, dict) or isinstance(self.now, dict)

    @property
    def language_changes(self) -> list[tuple[str, str, str]]:
        """(language, as signed, now) for each language version that differs: a change to the English title
        is shown as such to a Russian reader, not as two identical Russian titles."""
        signed = self.signed if isinstance(self.signed, dict) else {}
        now = self.now if isinstance(self.now, dict) else {}
        return [
            (tag, signed.get(tag, ""), now.get(tag, ""))
            for tag in sorted(set(signed) | set(now))
            if signed.get(tag, "") != now.get(tag, "")
        ]


def _pks(model: type[models.Model], uids: Iterable[str]) -> dict[str, int]:
    return {str(uid): pk for uid, pk in model._base_manager.filter(uid__in=list(uids)).values_list("uid", "pk")}


def _last_change(
    model: type[models.Model], pk: int | None, field: str, position: int, also: tuple[type[models.Model], str] | None
) -> tuple[dt.datetime | None, str]:
    """When and by whom `field` of the record last changed after entry `position` (or a child of `also`)."""
    if pk is None:
        return None, ""
    query = models.Q(object_type=_label(model), object_id=str(pk))
    if also is not None:  # e.g. an organisation's dated names, written with the organisation as related record
        query |= models.Q(object_type=_label(also[0]), related_type=_label(model), related_id=str(pk))
    for entry in ChangeRecord.objects.filter(query, id__gt=position).order_by("-id"):
        if entry.object_type != _label(model) or field in entry.changed_fields():
            return entry.at, entry.actor_name
    return None, ""


def changes_since_signing(signed: dict[str, Any], now: dict[str, Any], position: int) -> list[Change]:
    """What the records give otherwise than the signed content `signed` (both in plan_content's shape).

    The plan itself is frozen once signed; what may differ are the records it names: its agreement, the
    parties, the projects, the responsible organisations and the deliverables.
    """
    found: list[tuple[type[models.Model], str, str, str | None, str, Any, Any]] = []

    def compare(
        model: type[models.Model], uid: str, field: str, item: str | None, subject: str, a: Any, b: Any
    ) -> None:
        if a != b:
            found.append((model, uid, field, item, subject, a, b))

    compare(
        Agreement,
        signed["agreement"]["uid"],
        "title",
        None,
        "",
        signed["agreement"]["title"],
        now["agreement"]["title"],
    )
    now_parties = {p["code"]: p for p in now["parties"]}
    for party in signed["parties"]:
        current = now_parties.get(party["code"], {})
        compare(Party, party["code"], "name", None, party["code"], party["name"], current.get("name"))
    now_items = {i["uid"]: i for i in now["items"]}
    seen_orgs: set[str] = set()
    for item in signed["items"]:
        current = now_items.get(item["uid"]) or {}
        project, now_project = item["project"], current.get("project") or {}
        subject = project["number"]
        compare(Project, project["uid"], "number", item["uid"], subject, project["number"], now_project.get("number"))
        compare(Project, project["uid"], "title", item["uid"], subject, project["title"], now_project.get("title"))
        compare(
            PlanItem, item["uid"], "objectives", item["uid"], subject, item["objectives"], current.get("objectives")
        )
        now_orgs = {r["organisation"]["uid"]: r["organisation"] for r in current.get("responsibilities", [])}
        for resp in item["responsibilities"]:
            org = resp["organisation"]
            if org["uid"] in seen_orgs:
                continue
            seen_orgs.add(org["uid"])
            other = now_orgs.get(org["uid"]) or _organisation_now(org["uid"], now)
            compare(Organisation, org["uid"], "name", None, "", org["name"], (other or {}).get("name"))
        now_delivs = {d["uid"]: d for d in current.get("deliverables", [])}
        for d in item["deliverables"]:
            now_d = now_delivs.get(d["uid"]) or {}
            for key in ("title", "due_on"):
                compare(Deliverable, d["uid"], key, item["uid"], subject, d[key], now_d.get(key))
    by_model: dict[type[models.Model], set[str]] = defaultdict(set)
    for model, uid, *_rest in found:
        if model is not Party:
            by_model[model].add(uid)
    pks = {model: _pks(model, uids) for model, uids in by_model.items()}
    party_pks = dict(Party.objects.filter(code__in=[f[1] for f in found if f[0] is Party]).values_list("code", "pk"))
    changes = []
    for model, uid, field, item, subject, was, is_now in found:
        pk = party_pks.get(uid) if model is Party else pks[model].get(uid)
        also = (OrganisationName, "name") if model is Organisation else None
        at, by = _last_change(model, pk, field, position, also)
        changes.append(Change(model, pk, field, item, subject, was, is_now, at, by))
    return changes


def _organisation_now(uid: str, now: dict[str, Any]) -> dict[str, Any] | None:
    for item in now["items"]:
        for resp in item["responsibilities"]:
            if resp["organisation"]["uid"] == uid:
                return resp["organisation"]
    return None
