"""Meetings of the parties: sessions of a joint commission or delegations' meetings."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accord.agreements.models import Agreement
from accord.core.localized import LocalizedTextField
from accord.core.models import PartyOwned
from accord.core.validators import check_period, raise_if
from accord.directory.models import Organisation, Party, Person
from accord.programmes.models import Plan


class Meeting(PartyOwned):
    """A session where the parties review what was done and agree what comes next."""

    agreement_path = "agreement"  # core.visibility: how it reaches its agreement

    class Kind(models.TextChoices):
        JOINT_COMMISSION = "joint_commission", _("Session of the joint commission")
        DELEGATIONS = "delegations", _("Meeting of delegations")
        WORKING_GROUP = "working_group", _("Working group")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.JOINT_COMMISSION)
    title = LocalizedTextField(_("title"))
    place = LocalizedTextField(_("place"), blank=True)
    start_on = models.DateField(_("from"), null=True, blank=True, help_text=_("Leave empty when not known."))
    end_on = models.DateField(_("to"))

    class Meta:
        verbose_name = pgettext_lazy("record kind", "meeting")
        verbose_name_plural = pgettext_lazy("record kind", "meetings")
        ordering = ["-end_on", "id"]

    def __str__(self) -> str:
        return str(self.title)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        check_period(errors, self.start_on, self.end_on)
        raise_if(errors)


class Delegation(PartyOwned):
    """One party's delegation to a meeting, sent by an organisation (its commission, ministry ...)."""

    page_parent = "meeting"  # core.pages: shown on its meeting's page
    agreement_path = "meeting__agreement"  # core.visibility: how it reaches its agreement

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="delegations")
    visibility_parents = ("meeting",)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("sent by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["meeting", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "party"], name="delegation_one_per_party")]

    def __str__(self) -> str:
        return _("%(party)s delegation to %(meeting)s") % {"party": self.party, "meeting": self.meeting}

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        if self.meeting_id and self.party_id and self.party_id not in self.meeting.agreement.party_ids():
            errors["party"] = [f"must be one of the parties of “{self.meeting.agreement}”"]
        if self.organisation is not None and self.party_id and self.organisation.party_id != self.party_id:
            errors["organisation"] = ["must be an organisation of the delegation's party"]
        raise_if(errors)


class DelegationMember(PartyOwned):
    """A member of a delegation, with the position they held then (a snapshot, not a live link)."""

    agreement_path = "delegation__meeting__agreement"  # core.visibility: how it reaches its agreement

    class Role(models.TextChoices):
        HEAD = "head", _("Head of delegation")
        DEPUTY = "deputy", _("Deputy head")
        MEMBER = "member", _("Member")
        ADVISER = "adviser", _("Adviser")

    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="members")
    visibility_parents = ("delegation",)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="delegation_memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    capacity = LocalizedTextField(_("position"), blank=True)

    class Meta:
        verbose_name = _("delegation member")
        verbose_name_plural = _("delegation members")
        ordering = ["delegation", "id"]
        constraints = [
            models.UniqueConstraint(fields=["delegation", "person"], name="delegationmember_unique"),
            models.UniqueConstraint(
                fields=["delegation"],
                condition=models.Q(role="head"),
                name="delegation_one_head",
                violation_error_message=_("A delegation has one head."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class MeetingAttendee(PartyOwned):
    """Someone present who is not a delegation member (an ambassador, a committee chairman)."""

    page_parent = "meeting"  # core.pages: shown on its meeting's page
    agreement_path = "meeting__agreement"  # core.visibility: how it reaches its agreement

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendees")
    visibility_parents = ("meeting",)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="meetings_attended")
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    capacity = LocalizedTextField(_("attended as"), blank=True)
    occasion = LocalizedTextField(_("occasion"), blank=True, help_text=_("e.g. the signing ceremony"))

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["meeting", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="attendee_unique")]

    def __str__(self) -> str:
        return str(self.person)


class AgendaItem(PartyOwned):
    """A point on a meeting's agenda, linked to the plans it handles, and the decision taken on it."""

    page_parent = "meeting"  # core.pages: shown on its meeting's page
    agreement_path = "meeting__agreement"  # core.visibility: how it reaches its agreement

    class Kind(models.TextChoices):
        REVIEW = "review", _("Review of a plan's implementation")
        ADOPTION = "adoption", _("Adoption and signature of a plan")
        OTHER = "other", _("Other business")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda_items")
    visibility_parents = ("meeting",)
    position = models.PositiveSmallIntegerField(_("item number"), default=1)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    title = LocalizedTextField(_("title"))
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items")
    review = models.ForeignKey(
        "meetings.Review",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agenda_items",
        help_text=_("The review this item discusses."),
    )
    decision = LocalizedTextField(_("decision"), blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position"]
        constraints = [models.UniqueConstraint(fields=["meeting", "position"], name="agendaitem_unique_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        if self.plan is not None and self.meeting_id and self.plan.agreement_id != self.meeting.agreement_id:
            errors["plan"] = ["must be a plan under the meeting's agreement"]
        review = self.review
        if review is not None and self.plan_id and review.plan_id != self.plan_id:
            errors["review"] = ["must be a review of the item's plan"]
        if review is not None and self.meeting_id and review.plan.agreement_id != self.meeting.agreement_id:
            errors["review"] = ["must be a review of a plan under the meeting's agreement"]
        if self.kind in {self.Kind.REVIEW, self.Kind.ADOPTION} and not self.plan_id:
            errors["plan"] = ["a review or adoption item names the plan it handles"]
        raise_if(errors)
