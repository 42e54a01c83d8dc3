"""Domain operations on plans, projects, plan items, progress and exchanges.

The rules of the cooperation cycle live here: the plan lifecycle, the frozen baseline once signed,
the two-sided confirmation of transfers and shipments, and who may do each (the acting account, checked
here so that the pages, the API, the admin, the CLI and the importers all meet the same rule).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accord.agreements.models import AgreementParty
from accord.agreements.services import check_owner, check_parties, signatures_of
from accord.core import services as records
from accord.core.bulk import Change, RecordsInvalid, create_many, delete_many, update_many
from accord.core.errors import Forbidden, TransitionRefused, ValidationFailed
from accord.core.permissions import acting_user, node_party_id, require_actor, require_actor_create
from accord.core.visibility import inherit_from_parents, principal
from accord.directory.models import Organisation, Party, Person
from accord.programmes.choices import (
    FINISHED_PROGRESS,
    FROZEN_PLAN_STATUSES,
    PLAN_TRANSITIONS,
    CarryOver,
    PlanStatus,
)
from accord.programmes.models import (
    Deliverable,
    Exchange,
    ExchangePerson,
    Participation,
    Plan,
    PlanApproval,
    PlanItem,
    PlanItemResponsibility,
    ProgressReport,
    Project,
)
from accord.programmes.selectors import latest_progress

# Fields of a plan that may still change after signature (they describe the lifecycle, not the content).
_PLAN_LIFECYCLE_FIELDS = frozenset({"status", "visibility"})
_SIGNATORY_ROLES = (AgreementParty.Role.SIGNATORY, AgreementParty.Role.PARTY)


def frozen_reason(plan: Plan, what: str | None = None) -> str | None:
    """Why `what` of `plan` can no longer change (it is signed: amend it instead), or None if it can.

    In the active language; `what` is a phrase already translated by the caller (the plan's content by default)."""
    if plan.status in FROZEN_PLAN_STATUSES:
        return _("“%(plan)s” is %(status)s: %(what)s can no longer change; amend it with a new revision instead") % {
            "plan": plan,
            "status": plan.get_status_display().lower(),
            "what": what if what is not None else _("the plan's content"),
        }
    return None


def _status_word(value: str) -> str:
    """A plan status as a refusal names it: its code in English (as the API's values read), its label otherwise."""
    try:
        label = str(PlanStatus(value).label).lower()
    except ValueError:
        return value
    return value if label.replace(" ", "_") == value else label


def open_for_change(plan: Plan, what: str | None = None) -> bool:
    """Make `plan` ready for a change of its content; True if it went back to draft.

    A signed plan is frozen (amend it instead). A proposed or agreed plan goes back to draft: the change
    makes a new version, and the parties must agree to that one. Every writer of a plan's content (the
    services below, the importer) calls this one rule.
    """
    reason = frozen_reason(plan, what)
    if reason:
        raise TransitionRefused(reason, field="plan")
    if plan.status in (PlanStatus.PROPOSED, PlanStatus.AGREED):
        records.update(plan, expected_version=plan.version, related=plan.agreement, status=PlanStatus.DRAFT)
        return True
    return False


def _open_for_change(plan: Plan, what: str | None = None) -> Plan:
    open_for_change(plan, what)
    return plan


# --- who may: the rules over the acting account that are the programme's own ------------------------------


def signatory_parties(plan: Plan) -> list[Party]:
    """The parties whose agreement and signature a plan needs, in the agreement's order."""
    return [
        ap.party for ap in plan.agreement.agreement_parties.filter(role__in=_SIGNATORY_ROLES).select_related("party")
    ]


# --- plans -----------------------------------------------------------------------------------------


def create_plan(**fields: Any) -> Plan:
    """Draft a plan under an agreement (its coordinators draft plans)."""
    require_actor_create(_("a plan"), agreement=fields.get("agreement"))
    check_owner(fields.get("owner_party"), fields.get("agreement"), _("a plan"))
    return _create_plan(**fields)


def _create_plan(**fields: Any) -> Plan:
    fields.setdefault("status", PlanStatus.DRAFT)
    if fields["status"] != PlanStatus.DRAFT:
        raise ValidationFailed({"status": [_("a plan starts as a draft; use the lifecycle to move it on")]})
    return records.create(Plan, related=fields.get("agreement"), **fields)


@transaction.atomic
def update_plan(plan: Plan, *, expected_version: int, **changes: Any) -> Plan:
    require_actor("change", plan)
    if "owner_party" in changes:
        check_owner(changes["owner_party"], plan.agreement_id, f"“{plan}”")
    if "status" in changes:
        raise ValidationFailed({"status": [_("change the status with transition_plan")]})
    if set(changes) - _PLAN_LIFECYCLE_FIELDS:
        if plan.version != expected_version:  # refuse before reopening, so a stale edit changes nothing
            records.ensure_version(plan, expected_version)
        _open_for_change(plan)
        expected_version = plan.version
    return records.update(plan, expected_version=expected_version, related=plan.agreement, **changes)


def missing_signatures(plan: Plan) -> list[Party]:
    """The signatory parties that have not yet signed the plan's current version."""
    signed = set(signatures_of(plan).values_list("party_id", flat=True))
    return [p for p in signatory_parties(plan) if p.pk not in signed]


def missing_approvals(plan: Plan) -> list[Party]:
    """The signatory parties that have not yet agreed to the plan's current version."""
    approved = set(plan.approvals.filter(plan_version=plan.version).values_list("party_id", flat=True))
    return [p for p in signatory_parties(plan) if p.pk not in approved]


_content_hash: list[Callable[[Plan], str]] = []


def register_content_hash(function: Callable[[Plan], str]) -> None:
    """The SHA-256 of a plan's content as signed content holds it (signing.content registers it: this layer is
    below signing)."""
    _content_hash[:] = [function]


def content_hash(plan: Plan) -> str:
    """The SHA-256 of `plan`'s content as stored now (what an approval records); "" when no hash is registered."""
    return _content_hash[0](plan) if _content_hash else ""


def approvals_of_other_content(plan: Plan, content: str | None = None) -> list[PlanApproval]:
    """The approvals of the plan's current version whose content hash is not the content it holds now: on two
    nodes, a party that approved other content than this node holds under the same version (approvals recorded
    before hashes were kept carry none and are taken as they are)."""
    content = content_hash(plan) if content is None else content
    approvals = plan.approvals.filter(plan_version=plan.version).exclude(content_sha256="").select_related("party")
    return [a for a in approvals if content and a.content_sha256 != content]


def _refuse_other_content(plan: Plan, content: str | None = None) -> None:
    differing = approvals_of_other_content(plan, content)
    if differing:
        raise TransitionRefused(
            _(
                "%(parties)s agreed to other content than this version holds here (content SHA-256 %(theirs)s, "
                "here %(ours)s): compare the plan on both sides before agreeing"
            )
            % {
                "parties": ", ".join(a.party.code for a in differing),
                "theirs": ", ".join(a.content_sha256[:16] + "…" for a in differing),
                "ours": (content or content_hash(plan))[:16] + "…",
            },
            field="status",
            code="approval_content_differs",
        )


@transaction.atomic
def transition_plan(plan: Plan, to_status: str, *, expected_version: int, **extra: Any) -> Plan:
    """Move a plan along its lifecycle; refuse transitions the lifecycle does not allow.

    Proposing needs items and no undecided carry-over proposals. Agreeing needs every signatory party's
    approval of the current version (see approve_plan, which moves the plan on by itself). Signing needs
    a signature of every signatory party on the current version; `signed_on` and `signed_at` are taken
    from the last dated signature unless given.
    """
    require_actor("propose", plan)
    return _transition_plan(plan, to_status, expected_version=expected_version, **extra)


def _transition_plan(plan: Plan, to_status: str, *, expected_version: int, **extra: Any) -> Plan:
    if to_status not in PlanStatus.values:
        raise ValidationFailed({"status": [_("%(status)s is not a plan status") % {"status": repr(to_status)}]})
    if to_status not in PLAN_TRANSITIONS[plan.status]:
        allowed = ", ".join(_status_word(s) for s in sorted(PLAN_TRANSITIONS[plan.status])) or _("none")
        raise TransitionRefused(
            _("a %(status)s plan cannot become %(to)s (allowed: %(allowed)s)")
            % {"status": _status_word(plan.status), "to": _status_word(to_status), "allowed": allowed},
            field="status",
        )
    changes: dict[str, Any] = {"status": to_status}
    if to_status == PlanStatus.PROPOSED:
        if not plan.items.exists():
            raise TransitionRefused(_("a plan without items cannot be proposed"), field="status")
        undecided = plan.items.filter(carry_over=CarryOver.PROPOSED).count()
        if undecided:
            raise TransitionRefused(
                _("decide on the carried-over items first: %(count)s still proposed") % {"count": undecided},
                field="status",
                code="carry_over_undecided",
            )
    if to_status == PlanStatus.AGREED:
        missing = missing_approvals(plan)
        if missing:
            raise TransitionRefused(
                _("not agreed yet by: %(parties)s") % {"parties": ", ".join(p.code for p in missing)},
                field="status",
                code="approvals_missing",
            )
        _refuse_other_content(plan)
    if to_status == PlanStatus.SIGNED:
        missing = missing_signatures(plan)
        if missing:
            raise TransitionRefused(
                _("not signed yet by: %(parties)s") % {"parties": ", ".join(p.code for p in missing)},
                field="status",
                code="signatures_missing",
            )
        dated = signatures_of(plan).exclude(signed_on=None).order_by("-signed_on", "-id").first()
        changes["signed_on"] = extra.pop("signed_on", dated.signed_on if dated else None)
        changes["signed_at"] = extra.pop("signed_at", dated.signed_at if dated else {})
        changes["signed_version"] = plan.version
    if extra:
        raise ValidationFailed({k: [_("cannot be set by a status change")] for k in extra})
    return records.update(plan, expected_version=expected_version, related=plan.agreement, **changes)


@transaction.atomic
def approve_plan(
    plan: Plan,
    *,
    party: Party,
    expected_version: int,
    approved_on: dt.date | None,
    approved_by: Person | None = None,
    note: str = "",
    fidelity_override: str = "",
) -> PlanApproval:
    """`party` agrees to the version of the plan it has seen; the last approval makes the plan agreed.

    The language versions of the plan's texts are checked first (numbers, dates, names): disagreements
    block the approval unless the coordinator overrides them with a reason, which is kept in the note.
    """
    require_actor("agree", plan, party=party)
    if plan.status != PlanStatus.PROPOSED:
        raise TransitionRefused(
            _("only a proposed plan can be agreed to (this one is %(status)s)") % {"status": _status_word(plan.status)},
            field="status",
        )
    if expected_version != plan.version:
        records.ensure_version(plan, expected_version)
    if party.pk not in {p.pk for p in signatory_parties(plan)}:
        raise ValidationFailed(
            {
                "party": [
                    _("%(party)s is not a signatory party of “%(agreement)s”")
                    % {"party": party.code, "agreement": plan.agreement}
                ]
            }
        )
    if plan.approvals.filter(party=party, plan_version=plan.version).exists():
        raise ValidationFailed(
            {
                "party": [
                    _("%(party)s has already agreed to version %(version)s")
                    % {"party": party.code, "version": plan.version}
                ]
            }
        )
    from accord.fidelity.records import gate

    note = "\n".join(filter(None, [note, gate(plan, fidelity_override, acting="agree")]))
    content = content_hash(plan)
    _refuse_other_content(plan, content)  # another party agreed to other content under this version
    approval = records.create(
        PlanApproval,
        related=plan,
        plan=plan,
        party=party,
        plan_version=plan.version,
        content_sha256=content,
        owner_party=party,
        approved_on=approved_on or dt.date.today(),
        approved_by=approved_by,
        note=note,
    )
    if not missing_approvals(plan):
        _transition_plan(plan, PlanStatus.AGREED, expected_version=plan.version)
    return approval


@transaction.atomic
def amend_plan(plan: Plan, **fields: Any) -> Plan:
    """Start an amendment of a signed plan: a new revision, a draft, with a copy of its items.

    The signed revision stays as it was, readable and verifiable; the amendment needs its own
    agreement and signatures.
    """
    require_actor("propose", plan)
    if plan.status not in (PlanStatus.SIGNED, PlanStatus.IN_FORCE):
        raise TransitionRefused(_("only a signed or in-force plan is amended"), field="status")
    if plan.amendments.exclude(status__in=FROZEN_PLAN_STATUSES).exists():
        raise TransitionRefused(_("an amendment of this plan is already being drafted"), field="plan")
    latest = Plan.objects.filter(agreement=plan.agreement, period_start=plan.period_start, period_end=plan.period_end)
    revision = (latest.order_by("-revision").values_list("revision", flat=True).first() or plan.revision) + 1
    amendment = _create_plan(
        agreement=plan.agreement,
        title=fields.pop("title", plan.title),
        kind=plan.kind,
        period_start=plan.period_start,
        period_end=plan.period_end,
        revision=revision,
        supersedes=plan,
        previous=plan.previous,
        visibility=plan.visibility,
        owner_party=plan.owner_party,
        **fields,
    )
    items = plan.items.select_related("project").prefetch_related(_RESPONSIBILITIES, "deliverables")
    _copy_items(
        amendment,
        [(item, {"carried_over_from": item.carried_over_from, "carry_over": item.carry_over}) for item in items],
    )
    return amendment


# An item's responsibilities with their organisation and side, as _copy_item copies them.
_RESPONSIBILITIES = Prefetch(
    "responsibilities", queryset=PlanItemResponsibility.objects.select_related("organisation", "side")
)


def _copy_items(plan: Plan, items: list[tuple[PlanItem, dict[str, Any]]]) -> list[PlanItem]:
    """Copies in `plan` of each (item, what the copy sets: position, carry-over...), with their responsibilities (on a
    node, this side's only) and, unless proposed for carry-over, their deliverables. Each kind is one batch
    (core.bulk.create_many: the same rules, an audit entry per record, the foreign keys checked once per batch), not
    one record at a time: a 1,000-item plan took 31,015 statements to carry over and 38,017 to amend."""
    node = node_party_id()
    copies = [
        _new(
            PlanItem,
            **{
                "plan": plan,
                "project": item.project,
                "position": item.position,
                "objectives": item.objectives,
                "is_illustrative": item.is_illustrative,
                **fields,
            },
        )
        for item, fields in items
    ]
    with _refused_naming_the_item([item for item, _fields in items]):
        create_many(PlanItem, copies, related=lambda _copy: plan)
    responsibilities: list[PlanItemResponsibility] = []
    deliverables: list[Deliverable] = []
    of_resp: list[PlanItem] = []  # the item each was copied from
    of_deliv: list[PlanItem] = []
    for copy, (item, fields) in zip(copies, items, strict=True):
        for resp in item.responsibilities.all():
            if node is not None and resp.side_id != node:
                # On a federation node the other side's responsibilities are kept by its own node: that side names
                # its own for the new item there (each side owns its side).
                continue
            # The records themselves (read with the items), not their ids: validating and labelling the copy
            # would otherwise read the organisation and the side again, once per responsibility.
            responsibilities.append(
                _new(
                    PlanItemResponsibility,
                    plan_item=copy,
                    organisation=resp.organisation,
                    side=resp.side,
                    owner_party=resp.side,
                    is_illustrative=resp.is_illustrative,
                )
            )
            of_resp.append(item)
        if fields.get("carry_over") == CarryOver.PROPOSED:
            continue
        for d in item.deliverables.all():
            deliverables.append(
                _new(
                    Deliverable,
                    plan_item=copy,
                    kind=d.kind,
                    title=d.title,
                    responsible_party_id=d.responsible_party_id,
                    due_on=d.due_on,
                    is_illustrative=d.is_illustrative,
                )
            )
            of_deliv.append(item)
    # Each responsibility's side and deliverable's party is checked against the agreement's parties (clean()):
    # read once for the batch, not once a record, and forgotten after it (the agreement is the caller's instance).
    agreement = plan.agreement
    had_parties = "agreement_parties" in getattr(agreement, "_prefetched_objects_cache", {})
    prefetch_related_objects([agreement], "agreement_parties")
    try:
        with _refused_naming_the_item(of_resp):
            create_many(PlanItemResponsibility, responsibilities, related=lambda r: r.plan_item)
        with _refused_naming_the_item(of_deliv):
            create_many(Deliverable, deliverables, related=lambda d: d.plan_item)
    finally:
        if not had_parties:
            getattr(agreement, "_prefetched_objects_cache", {}).pop("agreement_parties", None)
    return copies


def _new(model: type[Any], **fields: Any) -> Any:
    """An unsaved record as core.services.create would make it: a part takes its parent's visibility if not given."""
    inherit_from_parents(model, fields)
    return model(**fields)


@contextmanager
def _refused_naming_the_item(items: list[PlanItem]) -> Iterator[None]:
    """A batch of a plan's records (the i-th belonging to items[i]) the rules refuse is refused as ValidationFailed
    naming the item, by its number, of the first record refused: every channel then says where."""
    try:
        yield
    except RecordsInvalid as exc:
        index = min(exc.errors)
        where = _("item %(number)s") % {"number": items[index].position}
        raise ValidationFailed({f: [f"{where}: {m}" for m in ms] for f, ms in exc.errors[index].items()}) from exc


def _add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole calendar months (to the month's last day when it has no such day)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def next_period(plan: Plan) -> tuple[dt.date, dt.date]:
    """The period after `plan`'s, as long in calendar terms: the year after a calendar year (1960 → 1961-01-01 –
    1961-12-31, leap year or not), the quarter after a quarter; a period of odd length, as many days again."""
    start = plan.period_end + dt.timedelta(days=1)
    months = (start.year - plan.period_start.year) * 12 + start.month - plan.period_start.month
    if months > 0 and start.day == plan.period_start.day:
        return start, _add_months(start, months) - dt.timedelta(days=1)
    return start, start + (plan.period_end - plan.period_start)


@transaction.atomic
def draft_next_plan(previous: Plan, **fields: Any) -> Plan:
    """Draft the plan that follows `previous`, proposing to carry over every item not completed or cancelled.

    The new plan takes the previous one's kind, visibility and owner (the one default every channel gets).
    Each proposal links to the item it continues; the coordinators accept or drop each before the new
    plan can be proposed. New items are added as usual.
    """
    require_actor("propose", previous)
    if previous.status not in FROZEN_PLAN_STATUSES:
        raise TransitionRefused(
            _("“%(plan)s” is %(status)s: the next plan is drafted from a signed plan")
            % {"plan": previous, "status": previous.get_status_display().lower()},
            field="previous",
        )
    fields.setdefault("kind", previous.kind)
    if not fields.get("period_start") and not fields.get("period_end"):
        fields["period_start"], fields["period_end"] = next_period(previous)
    fields.setdefault("visibility", previous.visibility)
    fields.setdefault("owner_party", previous.owner_party)
    if fields["owner_party"] != previous.owner_party:
        check_owner(fields["owner_party"], previous.agreement_id, _("a plan"))
    plan = _create_plan(agreement=previous.agreement, previous=previous, **fields)
    statuses = latest_progress(previous)
    unfinished = [
        item
        for item in previous.items.select_related("project").prefetch_related(_RESPONSIBILITIES).order_by("position")
        if statuses.get(item.pk, ("not_started", 0))[0] not in FINISHED_PROGRESS
    ]
    proposed = {"carry_over": CarryOver.PROPOSED}
    _copy_items(
        plan,
        [(item, {**proposed, "position": n, "carried_over_from": item}) for n, item in enumerate(unfinished, start=1)],
    )
    return plan


@transaction.atomic
def accept_carry_over(item: PlanItem, *, expected_version: int) -> PlanItem:
    require_actor("change", item)
    if item.carry_over != CarryOver.PROPOSED:
        raise TransitionRefused(_("only a proposed carry-over is accepted"), field="carry_over")
    plan = _open_for_change(item.plan, _("its items"))
    return records.update(item, expected_version=expected_version, related=plan, carry_over=CarryOver.ACCEPTED)


@transaction.atomic
def drop_carry_over(item: PlanItem, *, expected_version: int) -> None:
    """Leave a proposed item out of the new plan; the old plan's item keeps its history."""
    require_actor("change", item)
    if item.carry_over != CarryOver.PROPOSED:
        raise TransitionRefused(
            _("only a proposed carry-over is dropped; remove other items instead"), field="carry_over"
        )
    remove_plan_item(item, expected_version=expected_version)


@transaction.atomic
def remove_plan_item(item: PlanItem, *, expected_version: int) -> None:
    """Remove an item from a plan that can still change; the items after it move up (numbers stay 1..N)."""
    require_actor("delete", item)
    plan = _open_for_change(item.plan, _("its items"))
    _delete_item(item, plan, expected_version=expected_version)
    renumber_items(plan)


def _delete_items(items: list[PlanItem], plan: Plan) -> None:
    """Delete `items` (each at the version it was read at) with their responsibilities and deliverables, a kind at a
    time (core.bulk.delete_many: an audit entry per record, as _delete_item gives one item)."""
    prefetch_related_objects(items, _RESPONSIBILITIES, "deliverables")  # with what their entries' reprs read
    delete_many([r for item in items for r in item.responsibilities.all()], related=lambda r: r.plan_item)
    delete_many([d for item in items for d in item.deliverables.all()], related=lambda d: d.plan_item)
    delete_many(items, related=lambda _item: plan)


def _delete_item(item: PlanItem, plan: Plan, *, expected_version: int) -> None:
    for resp in item.responsibilities.all():
        records.delete(resp, related=item)
    for deliverable in item.deliverables.all():
        records.delete(deliverable, related=item)
    records.delete(item, expected_version=expected_version, related=plan)


def renumber_items(plan: Plan) -> int:
    """Number the items of `plan` 1..N in their present order; returns how many items got a new number.

    An item's number is its place in the plan, as the parties read it in the plan's text: when items are
    removed or left out, those after them move up, so the text never reads 1, 2, 43, 44. Only an open plan
    is renumbered (a signed plan's numbers are what was signed); each renumbered item gets its audit entry.
    """
    items = (
        plan.items.select_for_update(of=("self",))
        .select_related("project", "plan", "carried_over_from")  # what each item's validation reads
        .order_by("position", "id")
    )
    moved = [Change(item, {"position": n}, item.version) for n, item in enumerate(items, start=1) if item.position != n]
    update_many(moved, related=lambda _item: plan)  # one batch, an audit entry per item moved
    return len(moved)


@dataclass(frozen=True)
class CarryOverDecision:
    """What decide_carry_over did: the items carried over and the number left out."""

    accepted: list[PlanItem]
    dropped: int


@transaction.atomic
def decide_carry_over(
    plan: Plan,
    *,
    expected_version: int,
    accept: Iterable[PlanItem] = (),
    drop: Iterable[PlanItem] = (),
) -> CarryOverDecision:
    """Decide on many proposed carry-overs of `plan` at once: carry `accept` over, leave `drop` out.

    All or nothing, in one transaction: one check of the plan's version (the one the coordinator saw when
    choosing), each item still a proposal of this plan, each decided once; an audit entry per changed item.
    The items left out are removed as drop_carry_over removes one, and the rest renumbered 1..N once.
    """
    require_actor("change", plan)
    current = Plan.objects.select_for_update().get(pk=plan.pk)
    if current.version != expected_version:
        records.ensure_version(current, expected_version)
    accept_ids = [i.pk for i in accept]
    drop_ids = [i.pk for i in drop]
    both = set(accept_ids) & set(drop_ids)
    if both:
        raise ValidationFailed({"items": [_("an item is either carried over or left out, not both")]})
    if not accept_ids and not drop_ids:
        raise ValidationFailed({"items": [_("choose at least one carried-over item")]})
    chosen = {
        i.pk: i
        # With what each item's validation reads (its plan, project and the item it continues), locking the items only.
        for i in PlanItem.objects.select_for_update(of=("self",))
        .filter(pk__in=[*accept_ids, *drop_ids])
        .select_related("project", "plan", "carried_over_from")
    }
    errors: list[str] = []
    for pk in [*accept_ids, *drop_ids]:
        item = chosen.get(pk)
        if item is None or item.plan_id != current.pk:
            errors.append(_("item %(item)s is not an item of “%(plan)s”") % {"item": pk, "plan": current})
        elif item.carry_over != CarryOver.PROPOSED:
            errors.append(
                _("“%(item)s” is no longer a proposed carry-over (%(decision)s)")
                % {"item": item, "decision": item.get_carry_over_display().lower()}
            )
    if errors:
        raise TransitionRefused("; ".join(errors), field="items", code="carry_over_decided")
    for pk in [*accept_ids, *drop_ids]:
        require_actor("change", chosen[pk])
    current = _open_for_change(current, _("its items"))
    accepted = [chosen[pk] for pk in accept_ids]
    # One batch (validated together, an audit entry per item): accepting 1,000 items was 9,004 statements.
    with _refused_naming_the_item(accepted):
        changes = [Change(i, {"carry_over": CarryOver.ACCEPTED}, i.version) for i in accepted]
        update_many(changes, related=lambda _item: current)
    dropped = [chosen[pk] for pk in drop_ids]
    for item in dropped:
        require_actor("delete", item)
    _delete_items(dropped, current)
    if drop_ids:
        renumber_items(current)
    for f in Plan._meta.concrete_fields:  # hand the caller's instance the stored state
        setattr(plan, f.attname, getattr(current, f.attname))
    return CarryOverDecision(accepted, len(drop_ids))


# --- projects --------------------------------------------------------------------------------------


@transaction.atomic
def create_project(*, participations: Iterable[tuple[Organisation, Party, str]] = (), **fields: Any) -> Project:
    """A project under an agreement, added by its coordinators: shared, or owned by the coordinator's party."""
    require_actor_create(_("a project"), agreement=fields.get("agreement"))
    check_owner(
        fields.get("owner_party"),
        fields.get("agreement"),
        (_("project %(number)s") % {"number": fields.get("number", "")}).strip(),
    )
    project = records.create(Project, related=fields.get("agreement"), **fields)
    for organisation, side, role in participations:
        add_participation(project, organisation, side=side, role=role)
    return project


def update_project(project: Project, *, expected_version: int, **changes: Any) -> Project:
    require_actor("change", project)
    if "owner_party" in changes:
        check_owner(changes["owner_party"], project.agreement_id, f"“{project}”")
    return records.update(project, expected_version=expected_version, related=project.agreement, **changes)


def add_participation(
    project: Project,
    organisation: Organisation,
    *,
    side: Party | None = None,
    role: str = Participation.Role.PARTNER,
    **fields: Any,
) -> Participation:
    """An organisation joins a project; its side defaults to the organisation's party. Each side owns its rows."""
    require_actor("change", project)
    side = side or organisation.party
    fields.setdefault("owner_party", side)
    check_participation_sides(project, organisation, side=side, owner_party=fields["owner_party"])
    return records.create(
        Participation, related=project, project=project, organisation=organisation, side=side, role=role, **fields
    )


def check_participation_sides(project: Project, organisation: Organisation, *, side: Any, owner_party: Any) -> None:
    """A participation's side is a party of the project's agreement; its owner too, and for a coordinator their own
    (add_participation and the participations import call this one rule)."""
    check_parties(project.agreement, side=side)
    check_owner(
        owner_party,
        project.agreement_id,
        _("the participation of %(organisation)s in “%(project)s”")
        % {"organisation": organisation, "project": project},
    )


# --- plan items ------------------------------------------------------------------------------------


@transaction.atomic
def add_plan_item(plan: Plan, project: Project, **fields: Any) -> PlanItem:
    require_actor("change", plan)
    plan = _open_for_change(plan, _("its items"))
    if "position" not in fields:
        last = plan.items.order_by("-position").values_list("position", flat=True).first()
        fields["position"] = (last or 0) + 1
    return records.create(PlanItem, related=plan, plan=plan, project=project, **fields)


@transaction.atomic
def update_plan_item(item: PlanItem, *, expected_version: int, **changes: Any) -> PlanItem:
    require_actor("change", item)
    plan = _open_for_change(item.plan, _("its items"))
    return records.update(item, expected_version=expected_version, related=plan, **changes)


@transaction.atomic
def add_responsibility(item: PlanItem, organisation: Organisation, side: Party | None = None) -> PlanItemResponsibility:
    require_actor("change", item)
    _open_for_change(item.plan, _("its items"))
    side = side or organisation.party
    check_owner(
        side,
        item.plan.agreement_id,
        _("the responsibility of %(organisation)s for “%(item)s”") % {"organisation": organisation, "item": item},
        field="side",
    )
    return records.create(
        PlanItemResponsibility,
        related=item,
        plan_item=item,
        organisation=organisation,
        side=side,
        owner_party=side,
    )


@transaction.atomic
def add_deliverable(item: PlanItem, **fields: Any) -> Deliverable:
    require_actor("change", item)
    _open_for_change(item.plan, _("its deliverables"))
    return records.create(Deliverable, related=item, plan_item=item, **fields)


def mark_delivered(deliverable: Deliverable, *, delivered_on: dt.date, expected_version: int) -> Deliverable:
    """Delivery is what was done, not what was planned: allowed on a signed plan."""
    require_actor("change", deliverable)
    return records.update(
        deliverable, expected_version=expected_version, related=deliverable.plan_item, delivered_on=delivered_on
    )


# --- progress --------------------------------------------------------------------------------------


def reporting_organisations(user: Any, item: PlanItem) -> QuerySet[Organisation]:
    """The organisations `user` may report for on `item` (None: a system actor, any of them).

    Those taking part in the item's project or responsible for the item; of these, a coordinator reports
    for their party's, a reporter for their own institution (an administrator for any).
    """
    taking_part = Organisation.objects.filter(
        Q(pk__in=Participation.objects.filter(project_id=item.project_id).values("organisation_id"))
        | Q(pk__in=PlanItemResponsibility.objects.filter(plan_item=item).values("organisation_id"))
    ).order_by("id")
    if user is None or principal(user).is_admin:
        return taking_part
    who = principal(user)
    return taking_part.filter(Q(pk__in=list(who.reports_for)) | Q(party_id__in=list(who.coordinates)))


def record_progress(item: PlanItem, *, reporting_organisation: Organisation, **fields: Any) -> ProgressReport:
    """A report by an organisation taking part in the item's project, owned by that organisation's side.

    A party records progress only for its own institutions: a coordinator for their party's organisations,
    a reporter for their own institution; and only an organisation taking part reports, whoever records it.
    """
    require_actor("report", item)
    user = acting_user()
    if not reporting_organisations(user, item).filter(pk=reporting_organisation.pk).exists():
        if user is not None:
            raise Forbidden(
                _(
                    "You may not record progress on “%(item)s” for %(organisation)s: a party reports for its "
                    "own institutions taking part in the item's project"
                )
                % {"item": item, "organisation": reporting_organisation},
                field="reporting_organisation",
            )
        raise ValidationFailed(
            {
                "reporting_organisation": [
                    _("%(organisation)s takes no part in the project of “%(item)s”")
                    % {"organisation": reporting_organisation, "item": item}
                ]
            }
        )
    if fields.get("owner_party") not in (None, reporting_organisation.party):
        raise ValidationFailed({"owner_party": [_("a progress report is owned by its reporting organisation's party")]})
    fields["owner_party"] = reporting_organisation.party
    return records.create(
        ProgressReport, related=item, plan_item=item, reporting_organisation=reporting_organisation, **fields
    )


# --- exchanges -------------------------------------------------------------------------------------


RECEIPT_FIELDS = ("received_on", "received_reference")
RECEIPT_BY_RECEIVER = gettext_noop("only the receiving side confirms receipt (confirm receipt on the exchange)")


def receipt_refusals(values: dict[str, Any], *, changed: bool = False) -> dict[str, list[str]]:
    """The receipt fields `values` sets (`changed`: the changes of a stored exchange, any of them) other than
    through the receiving side's confirm_receipt: recording or importing an exchange never confirms receipt."""
    return {
        name: [_(RECEIPT_BY_RECEIVER)] for name in RECEIPT_FIELDS if (name in values if changed else values.get(name))
    }


def check_exchange_sides(agreement: Any, *, from_party: Any, to_party: Any, owner_party: Any) -> None:
    """An exchange goes between parties of its agreement, recorded by the sending side (a coordinator, for their
    own party): record_exchange and the exchanges import call this one rule."""
    check_parties(agreement, to_party=to_party)
    check_owner(from_party, agreement, _("an exchange"), field="from_party")
    if owner_party != from_party:
        check_owner(owner_party, agreement, _("an exchange"))


@transaction.atomic
def record_exchange(*, people: Iterable[Any] = (), **fields: Any) -> Exchange:
    """Record an exchange (by the sending side). People travelling or training are listed with it."""
    require_actor_create(_("an exchange"), agreement=fields.get("agreement"))
    refused = receipt_refusals(fields)
    if refused:
        raise ValidationFailed(refused)
    fields.setdefault("owner_party", fields.get("from_party"))
    check_exchange_sides(
        fields.get("agreement"),
        from_party=fields.get("from_party"),
        to_party=fields.get("to_party"),
        owner_party=fields["owner_party"],
    )
    exchange = records.create(Exchange, related=fields.get("agreement"), **fields)
    for person in people:
        records.create(
            ExchangePerson,
            related=exchange,
            exchange=exchange,
            person=person,
            owner_party=exchange.owner_party,
        )
    return exchange


def confirm_receipt(
    exchange: Exchange, *, received_on: dt.date, expected_version: int, reference: str = ""
) -> Exchange:
    """The receiving side confirms a transfer or shipment arrived, with its MTA or permit reference."""
    require_actor("confirm_receipt", exchange)
    if not exchange.needs_receipt:
        raise TransitionRefused(
            _("a %(kind)s is not confirmed as received") % {"kind": exchange.get_kind_display().lower()}, field="kind"
        )
    if exchange.received_on:
        raise TransitionRefused(
            _("receipt was already confirmed on %(date)s") % {"date": exchange.received_on}, field="received_on"
        )
    if not exchange.sent_on:
        raise TransitionRefused(_("the sending side has not recorded it as sent"), field="sent_on")
    return records.update(
        exchange,
        expected_version=expected_version,
        related=exchange.agreement,
        received_on=received_on,
        received_reference=reference,
    )


# --- exchanges: the sending side's corrections ----------------------------------------------------------


def update_exchange(exchange: Exchange, *, expected_version: int, **changes: Any) -> Exchange:
    """Correct what the sending side recorded; the receipt is the receiving side's act (confirm_receipt)."""
    receipt = sorted(set(changes) & {"received_on", "received_reference"})
    if receipt:
        raise ValidationFailed(
            {name: [_("the receiving side confirms receipt with confirm_receipt")] for name in receipt}
        )
    return records.update(exchange, expected_version=expected_version, related=exchange.agreement, **changes)
