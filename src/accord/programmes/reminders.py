"""What falls due in the programmes (core.reminders): progress reports for a plan's period, deliverables past
due, receipts of exchanges, plans awaiting a party's approval or signature.

Due while a plan is carried out (signed or in force): once it is reviewed, what it still lacks is the
review's business, not a reminder's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accord.agreements.models import AgreementParty
from accord.core.reminders import Due, DueKind, Scope, coordinators, register, reporters, window_end
from accord.programmes.choices import FROZEN_PLAN_STATUSES, PlanStatus
from accord.programmes.models import Deliverable, Exchange, Plan, PlanItemResponsibility, ProgressReport
from accord.programmes.services import missing_approvals, missing_signatures, signatory_parties

CARRIED_OUT = (PlanStatus.SIGNED, PlanStatus.IN_FORCE)


def _amended() -> Q:
    """Of a plan replaced by a signed amendment: the amendment's items are the ones owed."""
    return Q(amendments__status__in=FROZEN_PLAN_STATUSES)


def _parties_of(agreement_ids: set[int]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    rows = AgreementParty.objects.filter(agreement_id__in=agreement_ids).values_list("agreement_id", "party_id")
    for agreement_id, party_id in rows:
        found.setdefault(agreement_id, set()).add(party_id)
    return found


def progress_due(scope: Scope) -> Iterator[Due]:
    """Each responsible organisation of each item of a plan being carried out owes a report for the plan's period
    (one whose period reaches the plan's end), due when the period ends; its party's coordinators wait for it."""
    plans = Plan.objects.filter(status__in=CARRIED_OUT, period_end__lte=window_end(scope)).exclude(_amended())
    rows = PlanItemResponsibility.objects.filter(plan_item__plan__in=plans)
    if not scope.everybody:
        rows = rows.filter(Q(organisation_id__in=scope.organisations or ()) | Q(side_id__in=scope.parties or ()))
    reported = ProgressReport.objects.filter(
        plan_item=OuterRef("plan_item"),
        reporting_organisation=OuterRef("organisation"),
        period_end__gte=OuterRef("plan_item__plan__period_end"),
    )
    rows = rows.exclude(Exists(reported)).select_related(
        "plan_item__plan", "plan_item__project", "organisation", "side"
    )
    for row in rows.order_by("plan_item__plan__period_end", "plan_item__plan_id", "plan_item__position", "id"):
        item, plan = row.plan_item, row.plan_item.plan
        yield Due(
            key=f"progress:{item.uid}:{row.organisation.uid}:{plan.period_end.isoformat()}",
            kind="progress",
            text=_("Progress report on item “%(item)s” of “%(plan)s” by %(organisation)s, for %(start)s – %(end)s")
            % {
                "item": item,
                "plan": plan,
                "organisation": row.organisation,
                "start": plan.period_start.isoformat(),
                "end": plan.period_end.isoformat(),
            },
            record=item,
            due_on=plan.period_end,
            owed_by=reporters(row.organisation_id),
            awaited_by=coordinators(row.side_id),
        )


def deliverables_due(scope: Scope) -> Iterator[Due]:
    """A deliverable of a plan being carried out, due (within the lead time) and not delivered: owed by its party's
    coordinators and the item's responsible organisations on that side; the other parties wait for it."""
    rows = Deliverable.objects.filter(
        plan_item__plan__status__in=CARRIED_OUT, due_on__lte=window_end(scope), delivered_on__isnull=True
    ).exclude(plan_item__plan__amendments__status__in=FROZEN_PLAN_STATUSES)
    if not scope.everybody:
        mine = Q(plan_item__plan__agreement__agreement_parties__party_id__in=scope.parties or ())
        mine |= Q(plan_item__responsibilities__organisation_id__in=scope.organisations or ())
        rows = rows.filter(pk__in=Deliverable.objects.filter(mine).values("pk"))
    rows = rows.select_related("plan_item__plan", "plan_item__project").prefetch_related("plan_item__responsibilities")
    found = list(rows.order_by("due_on", "id"))
    parties = _parties_of({d.plan_item.plan.agreement_id for d in found})
    for deliverable in found:
        item = deliverable.plan_item
        side = deliverable.responsible_party_id
        on_side = [r.organisation_id for r in item.responsibilities.all() if side is None or r.side_id == side]
        owed = coordinators(side) if side else coordinators(*parties.get(item.plan.agreement_id, ()))
        others = [p for p in parties.get(item.plan.agreement_id, ()) if p != side]
        yield Due(
            key=f"deliverable:{deliverable.uid}:{deliverable.due_on.isoformat() if deliverable.due_on else ''}",
            kind="deliverable",
            text=_("Deliverable “%(deliverable)s” of item “%(item)s” of “%(plan)s”, due %(due)s")
            % {
                "deliverable": deliverable,
                "item": item,
                "plan": item.plan,
                "due": deliverable.due_on.isoformat() if deliverable.due_on else "—",
            },
            record=deliverable,
            due_on=deliverable.due_on,
            owed_by=owed | reporters(*on_side),
            awaited_by=coordinators(*others) if side else frozenset(),
        )


def receipts_due(scope: Scope) -> Iterator[Due]:
    """A transfer or shipment sent and not confirmed received: the receiving side (its coordinators, the receiving
    institution's reporters) owes the confirmation; the sending side waits for it."""
    rows = Exchange.objects.awaiting_receipt()
    if not scope.everybody:
        parties, organisations = scope.parties or (), scope.organisations or ()
        rows = rows.filter(
            Q(to_party_id__in=parties)
            | Q(from_party_id__in=parties)
            | Q(receiving_organisation_id__in=organisations)
            | Q(sending_organisation_id__in=organisations)
        )
    for exchange in rows.select_related("from_party", "to_party").order_by("sent_on", "id"):
        yield Due(
            key=f"receipt:{exchange.uid}",
            kind="receipt",
            text=_("Receipt of “%(exchange)s”, sent by %(from)s on %(sent)s, to be confirmed by %(to)s")
            % {
                "exchange": exchange,
                "from": exchange.from_party,
                "sent": exchange.sent_on.isoformat() if exchange.sent_on else "—",
                "to": exchange.to_party,
            },
            record=exchange,
            due_on=exchange.sent_on,
            owed_by=coordinators(exchange.to_party_id) | reporters(exchange.receiving_organisation_id),
            awaited_by=coordinators(exchange.from_party_id) | reporters(exchange.sending_organisation_id),
        )


def _plans_of(scope: Scope, status: str) -> list[Plan]:
    plans = Plan.objects.filter(status=status)
    if not scope.everybody:
        if not scope.parties:  # only coordinators agree and sign
            return []
        plans = plans.filter(agreement__agreement_parties__party_id__in=scope.parties).distinct()
    return list(plans.select_related("agreement").order_by("period_start", "id"))


def _parties_owing(scope: Scope, status: str, missing: Any, kind: str, text: Any) -> Iterator[Due]:
    """Plans in `status`: each signatory party in `missing(plan)` owes its act on the current version, which the
    other signatories wait for."""
    for plan in _plans_of(scope, status):
        every = {p.pk for p in signatory_parties(plan)}
        for party in missing(plan):
            yield Due(
                key=f"{kind}:{plan.uid}:v{plan.version}:{party.uid}",
                kind=kind,
                text=text % {"party": party, "plan": plan, "version": plan.version},
                record=plan,
                due_on=plan.period_start,
                owed_by=coordinators(party.pk),
                awaited_by=coordinators(*(every - {party.pk})),
            )


def plan_approvals_due(scope: Scope) -> Iterator[Due]:
    """A proposed plan: each signatory party that has not agreed to its current version owes its agreement."""
    text = _("Agreement of %(party)s to plan “%(plan)s”, version %(version)s")
    return _parties_owing(scope, PlanStatus.PROPOSED, missing_approvals, "plan-approval", text)


def plan_signatures_due(scope: Scope) -> Iterator[Due]:
    """An agreed plan: each signatory party that has not signed its current version owes its signature."""
    text = _("Signature of %(party)s on plan “%(plan)s”, version %(version)s")
    return _parties_owing(scope, PlanStatus.AGREED, missing_signatures, "plan-signature", text)


register(DueKind("progress", gettext_lazy("Progress reports"), progress_due))
register(DueKind("deliverable", gettext_lazy("Deliverables"), deliverables_due))
register(DueKind("receipt", gettext_lazy("Receipts to confirm"), receipts_due))
register(DueKind("plan-approval", gettext_lazy("Plans to agree"), plan_approvals_due))
register(DueKind("plan-signature", gettext_lazy("Plans to sign"), plan_signatures_due))
