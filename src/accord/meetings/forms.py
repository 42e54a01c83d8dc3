"""The forms of the steps on reviews and minutes, and of the parts of a meeting added on its page.

Forms only parse what was typed and offer sensible choices; who may add or remove what is the services' rule
(meetings.services), and their refusals come back on these forms, beside the field they name."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.core import clock
from accord.core.localized import text_for
from accord.core.pages.forms import LocalizedTextFormField, StepForm, language_choices
from accord.core.pages.languages import editor_languages
from accord.core.pages.lookup import bound_choices
from accord.core.permissions import parties_of_agreement
from accord.core.visibility import principal
from accord.directory.forms import PartyStepForm, party_field
from accord.directory.models import Organisation, Party, Person
from accord.meetings.models import AgendaItem, DelegationMember, Meeting
from accord.meetings.services.minutes import current_revision
from accord.programmes.models import Plan

ISO_DATE = "%Y-%m-%d"  # what <input type="date"> sends and shows, whatever the interface language


class ReviewForm(StepForm):
    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        plan: Any = self.record
        self.fields["as_of"].initial = min(plan.period_end, clock.today())


class StatementForm(PartyStepForm):
    permission = "review"
    language = forms.ChoiceField(label=_("Language"), choices=())
    text = forms.CharField(label=_("Statement"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        review: Any = self.record
        who = principal(self.user)
        # A party speaks for itself: a coordinator states only for the parties they coordinate.
        if not who.is_admin:
            mine = [p for p in self.parties if p.pk in who.coordinates]
            self.parties = mine
            self.fields["party"] = party_field(mine)
            self.order_fields(["party"])
        langs = list(dict.fromkeys([*(review.plan.agreement.authentic_languages or []), "en"]))
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = language_choices(langs)


class SignOffForm(PartyStepForm):
    permission = "sign_off"
    revision = forms.IntegerField(widget=forms.HiddenInput)
    signed_on = forms.DateField(
        label=_("Approved on"), initial=clock.today, widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        minutes: Any = self.record
        self.fields["revision"].initial = minutes.current_revision


# --- the minutes: started and amended in the pages ----------------------------------------------------------------


def _minutes_languages(meeting: Meeting, body: dict[str, str] | None = None) -> list[str]:
    """The languages the minutes are written in: the parties' (agreement order), English, and any already there."""
    return editor_languages(meeting, extra=list(body or {}))


class _TextForm(StepForm):
    """The text of the minutes, one box per language, and a note saying why."""

    body = LocalizedTextFormField(label=_("Text of the minutes"), multiline=True)
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, help_text=_("Why, e.g. amendments to item 2.")
    )

    def set_languages(self, languages: list[str]) -> None:
        field = self.fields["body"]
        assert isinstance(field, LocalizedTextFormField)
        field.set_languages(languages)
        self.languages = languages

    def body_by_language(self) -> dict[str, str]:
        """Every language sent, an emptied one as '' (the service then removes that language's text); a language
        not sent at all keeps its text."""
        body = self.cleaned_data["body"]
        sent = [tag for tag in self.languages if self.add_prefix(f"body__{tag}") in self.data]
        return {tag: body.get(tag, "") for tag in sent}


class StartMinutesForm(_TextForm):
    """The first draft: by a delegation (a party the account may sign off for) or by the secretariat."""

    party = forms.ModelChoiceField(
        queryset=Party.objects.none(), label=_("Drafted by"), required=False, empty_label=_("the secretariat")
    )

    def __init__(self, *args: Any, parties: list[Party], **kwargs: Any):
        super().__init__(*args, **kwargs)
        meeting: Any = self.record
        self.set_languages(_minutes_languages(meeting))
        who = principal(self.user)
        mine = [p for p in parties if who.is_admin or p.pk in who.coordinates]
        field = self.fields["party"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Party.objects.filter(pk__in=[p.pk for p in parties])
        field.initial = mine[0].pk if len(mine) == 1 else None
        self.order_fields(["party", "body", "note"])


class AmendMinutesForm(PartyStepForm):
    """A delegation's amendment, made from the revision the page showed (based_on): a stale one is refused."""

    permission = "sign_off"
    based_on = forms.IntegerField(widget=forms.HiddenInput)
    body = LocalizedTextFormField(label=_("Text of the minutes"), multiline=True)
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, help_text=_("Why, e.g. amendments to item 2.")
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        minutes: Any = self.record
        text = current_revision(minutes).body
        self.languages = _minutes_languages(minutes.meeting, text)
        field = self.fields["body"]
        assert isinstance(field, LocalizedTextFormField)
        field.set_languages(self.languages)
        field.initial = dict(text)
        self.fields["based_on"].initial = minutes.current_revision
        self.order_fields(["party", "body", "note"])

    body_by_language = _TextForm.body_by_language


# --- the parts of a meeting, added on its page ---------------------------------------------------------------------


class _PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return text_for(obj.name, None, ["en"]) or str(obj.pk)


def _people(party_ids: list[int]) -> Any:
    """The people of the given parties, and those filed under none (a guest, an interpreter)."""
    from django.db.models import Q

    return Person.objects.filter(Q(party_id__in=party_ids) | Q(party__isnull=True)).order_by("id")


class MeetingPartForm(forms.Form):
    """A part of `meeting`: the texts in the parties' languages, the choices among the agreement's parties."""

    def __init__(
        self,
        *args: Any,
        meeting: Meeting,
        party_ids: Iterable[int] | None = None,
        languages: list[str] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        # A page with several of these forms reads the agreement's parties and languages once, and hands them in.
        self.party_ids = sorted(party_ids if party_ids is not None else parties_of_agreement(meeting.agreement_id))
        languages = languages or editor_languages(meeting)
        for field in self.fields.values():
            if isinstance(field, LocalizedTextFormField):
                field.set_languages(languages)
        bound_choices(self)  # people and organisations: the first few and a search box, not every one


class DelegationForm(MeetingPartForm):
    party = forms.ModelChoiceField(queryset=Party.objects.none(), label=_("Party"))
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Sent by"), required=False)
    head = _PersonChoice(queryset=Person.objects.none(), label=_("Head of delegation"), required=False)
    head_capacity = LocalizedTextFormField(label=_("Position of the head"), required=False)

    def __init__(self, *args: Any, mine: set[int] | None = None, sent: set[int] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if sent is None:
            sent = set(self.meeting.delegations.values_list("party_id", flat=True))
        open_ids = [pk for pk in self.party_ids if pk not in sent]
        party = self.fields["party"]
        assert isinstance(party, forms.ModelChoiceField)
        party.queryset = Party.objects.filter(pk__in=open_ids)
        # The account's own side first: each side adds its own delegation (the service refuses the other's).
        own = [pk for pk in open_ids if mine is None or pk in mine]
        party.initial = own[0] if own else None
        organisation = self.fields["organisation"]
        assert isinstance(organisation, forms.ModelChoiceField)
        organisation.queryset = Organisation.objects.filter(party_id__in=open_ids, parent__isnull=True).order_by("id")
        head = self.fields["head"]
        assert isinstance(head, forms.ModelChoiceField)
        head.queryset = _people(open_ids)


class MemberForm(MeetingPartForm):
    person = _PersonChoice(queryset=Person.objects.none(), label=_("Person"))
    role = forms.ChoiceField(
        label=_("Role"), choices=DelegationMember.Role.choices, initial=DelegationMember.Role.MEMBER
    )
    capacity = LocalizedTextFormField(label=_("Position"), required=False)

    def __init__(self, *args: Any, party_id: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        assert isinstance(person, forms.ModelChoiceField)
        person.queryset = _people([party_id])


class AttendeeForm(MeetingPartForm):
    person = _PersonChoice(queryset=Person.objects.none(), label=_("Person"))
    party = forms.ModelChoiceField(queryset=Party.objects.none(), label=_("Party"), required=False)
    capacity = LocalizedTextFormField(label=_("Attended as"), required=False)
    occasion = LocalizedTextFormField(label=_("Occasion"), required=False, help_text=_("e.g. the signing ceremony"))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        assert isinstance(person, forms.ModelChoiceField)
        person.queryset = _people(self.party_ids)
        party = self.fields["party"]
        assert isinstance(party, forms.ModelChoiceField)
        party.queryset = Party.objects.filter(pk__in=self.party_ids)


class AgendaItemForm(MeetingPartForm):
    title = LocalizedTextFormField(label=_("Title"))
    kind = forms.ChoiceField(label=_("Kind"), choices=AgendaItem.Kind.choices, initial=AgendaItem.Kind.OTHER)
    plan = forms.ModelChoiceField(queryset=Plan.objects.none(), label=_("Plan"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        from accord.core.visibility import visible

        plan = self.fields["plan"]
        assert isinstance(plan, forms.ModelChoiceField)
        plan.queryset = visible(Plan.objects.filter(agreement_id=self.meeting.agreement_id), user).order_by(
            "period_start", "revision"
        )


class AgendaItemEditForm(AgendaItemForm):
    """An agenda item changed on its meeting's page: the version seen travels with the form (no lost updates)."""

    decision = LocalizedTextFormField(label=_("Decision"), required=False, multiline=True)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, item: AgendaItem, **kwargs: Any):
        kwargs.setdefault(
            "initial",
            {
                "title": dict(item.title),
                "kind": item.kind,
                "plan": item.plan_id,
                "decision": dict(item.decision or {}),
                "version": item.version,
            },
        )
        super().__init__(*args, **kwargs)
        self.item = item

    def changes(self) -> dict[str, Any]:
        """What the user changed (an unchanged field is not sent to the service)."""
        out: dict[str, Any] = {}
        for name in ("title", "kind", "plan", "decision"):
            new, old = self.cleaned_data.get(name), getattr(self.item, name)
            if isinstance(old, dict) or isinstance(new, dict):
                new, old = dict(new or {}), dict(old or {})
            if new != old:
                out[name] = self.cleaned_data.get(name)
        return out
