"""The filters of organisations and people: one definition for their pages, API lists and exports."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accord.core.filters import VISIBILITY, Choice, Filters, Ref
from accord.directory.models import Organisation, Party


def _party_label(party: Party) -> str:
    return f"{party.code} — {str(party.name) or party.code}"


def party_param(name: str = "party", label: Any = None, lookup: Any = "party", **kwargs: Any) -> Ref:
    """A party by id or code (`?party=CN`); every party is offered: a few hundred at most (states)."""
    return Ref(
        name=name,
        label=label or _("Party"),
        lookup=lookup,
        queryset=lambda: Party.objects.only("id", "code", "name").order_by("id"),
        code="code",
        option_label=_party_label,
        bounded=False,
        **kwargs,
    )


class OrganisationFilters(Filters):
    params = (
        party_param(aliases=("party_id",)),
        Choice(name="kind", label=_("Kind"), lookup="kind", choices=Organisation.Kind.choices),
        VISIBILITY,
    )


class PersonFilters(Filters):
    params = (party_param(aliases=("party_id",)),)
