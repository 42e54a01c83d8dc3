"""What falls due in documents (core.reminders): a document's current text awaiting a party's approval."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accord.core.reminders import Due, DueKind, Scope, coordinators, register
from accord.documents.models import Document
from accord.documents.services import approving_parties, missing_approvals


def approvals_due(scope: Scope) -> Iterator[Due]:
    """A draft document: each approving party that has not approved its current text owes its approval (a new
    text needs approving again, so it is a new reminder); the parties that approved it wait."""
    documents = Document.objects.filter(status=Document.Status.DRAFT)
    if not scope.everybody:
        if not scope.parties:  # only coordinators approve
            return
        documents = documents.filter(agreement__agreement_parties__party_id__in=scope.parties).distinct()
    for document in documents.order_by("issued_on", "id"):
        every = {p.pk for p in approving_parties(document)}
        for party in missing_approvals(document):
            yield Due(
                key=f"document-approval:{document.uid}:{document.content_sha256[:16]}:{party.uid}",
                kind="document-approval",
                text=_("Approval by %(party)s of the text of “%(document)s”") % {"party": party, "document": document},
                record=document,
                due_on=document.issued_on,
                owed_by=coordinators(party.pk),
                awaited_by=coordinators(*(every - {party.pk})),
            )


register(DueKind("document-approval", gettext_lazy("Documents to approve"), approvals_due))
