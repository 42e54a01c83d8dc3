"""The filters of agreements (and the `?agreement=` every kind under an agreement takes)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accord.agreements.models import Agreement, AgreementParty
from accord.core.filters import VISIBILITY, Choice, Filters, Ref
from accord.directory.filters import party_param


def agreement_param(lookup: str = "agreement") -> Ref:
    """An agreement by id; a page offers the newest first, as the ones most often looked for."""
    return Ref(
        name="agreement",
        label=_("Agreement"),
        lookup=lookup,
        aliases=("agreement_id",),
        queryset=lambda: Agreement.objects.only("id", "title", "short_title").order_by("-signed_on", "-id"),
    )


def _with_party(queryset: QuerySet[Any], party: Any) -> QuerySet[Any]:
    # A subquery, not a join: an agreement is listed once whatever the number of its rows for that party.
    return queryset.filter(pk__in=AgreementParty.objects.filter(party=party).values("agreement_id"))


class AgreementFilters(Filters):
    params = (
        Choice(name="kind", label=_("Kind"), lookup="kind", choices=Agreement.Kind.choices),
        Choice(name="status", label=_("Status"), lookup="status", choices=Agreement.Status.choices),
        party_param(lookup=_with_party, aliases=("party_id",)),
        VISIBILITY,
    )
