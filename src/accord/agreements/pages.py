"""The pages of agreements: their list and detail (parties, plans, meetings, documents, projects)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from accord.agreements.filters import AgreementFilters
from accord.agreements.forms import AgreementForm
from accord.agreements.models import Agreement, AgreementParty
from accord.agreements.services import create_agreement, update_agreement
from accord.core.pages.listing import Column
from accord.core.pages.records import EditSpec, NewSpec, RecordType, register
from accord.core.permissions import may_create
from accord.core.visibility import count_parts, visible


def _agreement_related(agreement: Agreement, user: Any, params: Any) -> dict[str, Any]:
    return {
        "parties": list(agreement.agreement_parties.select_related("party").order_by("position")),
        "texts": list(visible(agreement.texts.all(), user).order_by("language")),
        "plans": list(plans_counted(visible(agreement.plans.all(), user), user)),
        "meetings": list(visible(agreement.meetings.all(), user)),
        "documents": list(visible(agreement.documents.all(), user)),
        "project_count": visible(agreement.projects.all(), user).count(),
    }


AGREEMENTS = RecordType(
    kind="agreements",
    model=Agreement,
    label=_("Agreement"),
    label_plural=_("Agreements"),
    list_queryset=lambda: Agreement.objects.prefetch_related(
        Prefetch("agreement_parties", queryset=AgreementParty.objects.select_related("party"))
    ),
    columns=[
        Column(_("Title"), "title", ("id",)),
        Column(_("Kind"), "kind", ("kind",)),
        Column(_("Parties")),
        Column(_("Signed"), "signed", ("signed_on",)),
        Column(_("Status"), "status", ("status",)),
    ],
    filters=AgreementFilters,
    search=("title", "short_title"),
    search_exact=("reference",),
    default_sort="signed",
    related=_agreement_related,
    edit=EditSpec(
        ("title", "short_title", "reference", "signed_on", "entry_into_force_on", "end_on", "visibility"),
        update_agreement,
    ),
    # Registered by a coordinator of one of its parties (the service checks the parties named).
    create=NewSpec(
        ("title", "short_title", "reference", "kind", "signed_on", "entry_into_force_on", "end_on", "visibility"),
        create_agreement,
        offered=lambda user: may_create(user, anywhere=True),
        form=AgreementForm,
    ),
)

register(AGREEMENTS)


def plans_counted(plans: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """Plans with the number of their items `user` may see (item_count) and of those withheld (items_withheld):
    a count of every item would tell how many internal items one side has. Per row, not a join with GROUP BY: a
    list reads its page in sort order (an index) and counts its plans' items. (The plans are a queryset of a higher
    app: their model is taken from it, not imported.)"""
    shown, hidden = count_parts(plans.model, "items", user)
    return plans.annotate(item_count=shown, items_withheld=hidden)
