"""The form of a new agreement: its own fields, its parties in order with their roles, its language versions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.agreements.models import AgreementParty
from accord.core.errors import DomainError, ValidationFailed
from accord.core.pages.forms import NewRecordForm, StepForm, language_choices
from accord.core.pages.languages import editor_languages
from accord.core.visibility import principal
from accord.directory.models import Party

PARTY_ROWS = 4  # sides offered at once: two signatories, and room for associates or observers


class AgreementForm(NewRecordForm):
    """Parties are rows (party, role) in the order of sides; texts one per language, for the authentic ones."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        own = sorted(principal(self.user).coordinates)
        for row in range(1, PARTY_ROWS + 1):
            party = forms.ModelChoiceField(
                queryset=Party.objects.order_by("code"),
                label=_("Party %(n)s") % {"n": row},
                required=False,
                initial=own[0] if row == 1 and own else None,
            )
            role = forms.ChoiceField(
                label=_("Role of party %(n)s") % {"n": row},
                choices=AgreementParty.Role.choices,
                initial=AgreementParty.Role.SIGNATORY,
            )
            self.fields[f"party_{row}"] = party
            self.fields[f"role_{row}"] = role
        self.text_languages = list(kwargs["languages"])
        self.fields["authentic_languages"] = forms.MultipleChoiceField(
            label=_("Authentic languages"),
            choices=language_choices(self.text_languages),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("The language versions that are equally binding."),
        )
        for tag in self.text_languages:
            self.fields[f"text_{tag}"] = forms.CharField(
                label=_("Text (%(language)s)") % {"language": dict(language_choices([tag]))[tag]},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Optional: the text of this language version, if you have it."),
            )
        rows = [f"{what}_{n}" for n in range(1, PARTY_ROWS + 1) for what in ("party", "role")]
        self.order_fields(["title", "short_title", "reference", "kind", *rows])

    def parties(self) -> list[tuple[Party, str]]:
        rows = (
            (self.cleaned_data.get(f"party_{n}"), self.cleaned_data.get(f"role_{n}")) for n in range(1, PARTY_ROWS + 1)
        )
        return [(party, role or AgreementParty.Role.SIGNATORY) for party, role in rows if party is not None]

    def changes(self, record: Any) -> dict[str, Any]:
        fields = super().changes(record)
        fields["authentic_languages"] = list(self.cleaned_data.get("authentic_languages") or [])
        fields["parties"] = self.parties()
        fields["texts"] = {
            tag: body for tag in self.text_languages if (body := self.cleaned_data.get(f"text_{tag}", "").strip())
        }
        return fields

    def apply_error(self, exc: DomainError) -> None:
        """The service names `parties` and a text's `language`/`body`: shown beside the rows they are about."""
        if isinstance(exc, ValidationFailed):
            moved: dict[str, list[str]] = {}
            for name, messages in exc.errors.items():
                target = {"parties": "party_1", "language": "authentic_languages", "body": "authentic_languages"}
                moved.setdefault(target.get(name, name), []).extend(messages)
            exc = ValidationFailed(moved)
        super().apply_error(exc)


# --- the agreement's steps: a party joins, a language version is attached ------------------------------------


class AddPartyForm(StepForm):
    party = forms.ModelChoiceField(queryset=Party.objects.none(), label=_("Party"))
    role = forms.ChoiceField(
        label=_("Role"), choices=AgreementParty.Role.choices, initial=AgreementParty.Role.ASSOCIATE
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["party"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Party.objects.exclude(agreement_roles__agreement_id=self.record.pk).order_by("code")


class AddTextForm(StepForm):
    language = forms.ChoiceField(label=_("Language"))
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))
    is_authentic = forms.BooleanField(
        label=_("Authentic"),
        required=False,
        initial=True,
        help_text=_("Equally binding with the other authentic texts."),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        agreement: Any = self.record
        tags = list(dict.fromkeys([*(agreement.authentic_languages or []), *editor_languages(agreement)]))
        have = set(agreement.texts.values_list("language", flat=True))
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = language_choices([t for t in tags if t not in have] or tags)
