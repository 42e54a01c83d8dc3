"""The forms of the document steps: generate a document, approve its text."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from accord.core.pages.forms import StepForm
from accord.core.permissions import can
from accord.directory.models import Party
from accord.documents.renderers import FORMATS


class ApproveDocumentForm(StepForm):
    """Approve a document's text for a party. The parties the account may act for are offered; any other party
    of the document is still accepted here, so that the service refuses it (403) as every channel does."""

    content_sha256 = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, record: Model, parties: list[Party], **kwargs: Any):
        super().__init__(*args, user=user, record=record, **kwargs)
        allowed = [p for p in parties if can(user, "approve", record, party=p)]
        self.parties = allowed
        field = forms.ModelChoiceField(
            queryset=Party.objects.filter(pk__in=[p.pk for p in parties]),
            label=_("On behalf of"),
            empty_label=None if len(allowed) == 1 else "—",
        )
        field.widget.choices = [("", "—")] * (len(allowed) != 1) + [(p.pk, str(p)) for p in allowed]
        field.initial = allowed[0].pk if allowed else None
        self.fields["party"] = field
        self.fields["content_sha256"].initial = getattr(record, "content_sha256", "")
        self.order_fields(["party"])


class DocumentForm(StepForm):
    language = forms.ChoiceField(label=_("Language"), choices=())
    format = forms.ChoiceField(label=_("Format"), choices=[(f, f.upper()) for f in FORMATS], initial="pdf")

    def __init__(self, *args: Any, languages: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = languages
