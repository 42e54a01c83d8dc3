"""The filters of documents: one definition for their page and their API list."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accord.agreements.filters import agreement_param
from accord.core.filters import VISIBILITY, Choice, Filters
from accord.documents.models import Document


class DocumentFilters(Filters):
    params = (
        agreement_param(),
        Choice(name="kind", label=_("Kind"), lookup="kind", choices=Document.Kind.choices),
        Choice(name="status", label=_("Status"), lookup="status", choices=Document.Status.choices),
        VISIBILITY,
    )
