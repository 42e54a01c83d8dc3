"""The public records the standards serve, with what each needs to be written in a constant number of queries.

Records with a visibility field pass through `visible(queryset, None)`, the public's view. Records without
one are published only through a public record:
- a Party (a side, usually a state) when it is a party to a public agreement: it is the funder there;
- a Person when they hold a position at a public organisation or signed something publicly
  (their official capacity is what is public, not the person's whole directory entry).
Related rows (participations, plan items, positions, agreement parties) are filtered the same way.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from accord.agreements.models import Agreement, AgreementParty, Signature
from accord.core.models import Visibility
from accord.core.visibility import visible
from accord.directory.models import Organisation, Party, Person, Position
from accord.documents.models import Document
from accord.programmes.models import Participation, Plan, PlanItem, Project


def public_agreements() -> QuerySet[Agreement]:
    return visible(Agreement.objects.all(), None)


def public_organisations() -> QuerySet[Organisation]:
    return visible(Organisation.objects.all(), None)


def agreements() -> QuerySet[Agreement]:
    funders = visible(AgreementParty.objects.select_related("party").order_by("position"), None)
    return (
        public_agreements()
        .select_related("parent")
        .prefetch_related(Prefetch("agreement_parties", queryset=funders, to_attr="public_parties"))
        .order_by("id")
    )


def plans() -> QuerySet[Plan]:
    rows = visible(Plan.objects.all(), None).filter(agreement__in=public_agreements())
    funders = visible(AgreementParty.objects.select_related("party").order_by("position"), None)
    return (
        rows.select_related("agreement")
        .prefetch_related(Prefetch("agreement__agreement_parties", queryset=funders, to_attr="public_parties"))
        .order_by("id")
    )


def parties() -> QuerySet[Party]:
    funders = visible(AgreementParty.objects.filter(agreement__in=public_agreements()), None)
    return Party.objects.filter(id__in=funders.values("party_id")).order_by("id")


def organisations() -> QuerySet[Organisation]:
    return public_organisations().select_related("parent").order_by("id")


def people() -> QuerySet[Person]:
    at_public = Position.objects.filter(organisation__in=public_organisations())
    signed = visible(Signature.objects.filter(signatory__isnull=False), None)
    rows = Person.objects.filter(Q(id__in=at_public.values("person_id")) | Q(id__in=signed.values("signatory_id")))
    positions = at_public.select_related("organisation").order_by("start_on", "id")
    return (
        rows.select_related("party")
        .prefetch_related(Prefetch("positions", queryset=positions, to_attr="public_positions"))
        .order_by("id")
    )


def project_prefetches() -> list[Prefetch[Any]]:
    """What a project's CERIF and RAiD records read beside the project: its public participations and items."""
    participations = (
        visible(Participation.objects.all(), None)
        .filter(organisation__in=public_organisations())
        .select_related("organisation")
        .order_by("id")
    )
    items = visible(PlanItem.objects.all(), None).filter(plan__in=visible(Plan.objects.all(), None))
    items = items.select_related("plan").order_by("plan__period_start", "plan__revision", "id")
    return [
        Prefetch("participations", queryset=participations, to_attr="public_participations"),
        Prefetch("plan_items", queryset=items, to_attr="public_items"),
    ]


def projects() -> QuerySet[Project]:
    return (
        visible(Project.objects.all(), None)
        .select_related("agreement", "provider_party")
        .prefetch_related(*project_prefetches())
        .order_by("id")
    )


def is_public(record: Any) -> bool:
    """For a related record already loaded: whether the public may see it."""
    return getattr(record, "visibility", Visibility.PUBLIC) == Visibility.PUBLIC


def documents() -> QuerySet[Document]:
    """Published documents only: a draft stays with the parties, whatever its visibility says."""
    published = Document.objects.filter(status=Document.Status.PUBLISHED)
    return visible(published, None).prefetch_related("texts").order_by("id")
