"""The form of the signing step: the party, the signatory's key and its passphrase."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.agreements.services import signatures_of
from accord.core import clock
from accord.core.pages.forms import LocalizedTextFormField
from accord.directory.forms import PartyStepForm
from accord.directory.models import Party, Person
from accord.signing.models import SigningKey


def signatories(parties: list[Party]) -> list[Person]:
    """The people of these parties who hold an active signing key."""
    keys = SigningKey.objects.filter(revoked_on__isnull=True, person__party__in=parties).select_related("person")
    return sorted({k.person for k in keys}, key=lambda p: (p.party_id or 0, str(p)))


class SignForm(PartyStepForm):
    permission = "sign"
    signatory = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("With the key of"))
    passphrase = forms.CharField(
        label=_("Passphrase of the signing key"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )
    otp = forms.CharField(
        label=_("One-time code"),
        required=False,
        help_text=_("From your authenticator app, if your account has a second factor."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    signed_on = forms.DateField(label=_("Signed on"), required=False, help_text=_("Empty: today."))
    signed_at = LocalizedTextFormField(
        label=_("Signed at (place)"),
        required=False,
        help_text=_("Where the plan is signed, as the plan's text states it in each language (e.g. Moscow)."),
    )
    fidelity_override = forms.CharField(
        label=_("Reason to sign although the language versions disagree"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Leave empty unless Accord reports that the language versions disagree."),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        people = signatories(self.parties)
        self.signatories = people
        field = self.fields["signatory"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Person.objects.filter(pk__in=[p.pk for p in people])
        field.empty_label = None if len(people) == 1 else "—"
        field.initial = people[0].pk if people else None
        # Where and when: as the party that signed first gave them (both sign at one ceremony), else today.
        plan: Any = self.record
        first = signatures_of(plan).exclude(signed_on=None).order_by("id").first()
        self.fields["signed_on"].initial = first.signed_on if first else clock.today()
        place = self.fields["signed_at"]
        assert isinstance(place, LocalizedTextFormField)
        place.set_languages(list(dict.fromkeys([*(plan.agreement.authentic_languages or []), "en"])))
        place.initial = dict(first.signed_at or {}) if first else {}
        self.order_fields(["party", "signatory", "passphrase", "otp", "signed_on", "signed_at"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        party, person = data.get("party"), data.get("signatory")
        if party and person and person.party_id != party.pk:
            self.add_error(
                "signatory", _("%(person)s does not sign for %(party)s") % {"person": person, "party": party}
            )
        return data
