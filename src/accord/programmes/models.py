"""The work under an agreement: plans, projects, what each project does in a plan, and what was done."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accord.agreements.models import Agreement
from accord.core.localized import LocalizedTextField
from accord.core.models import ExternallyKnown, PartyOwned
from accord.core.validation import Rows, values_of
from accord.core.validators import check_period, raise_if
from accord.directory.models import Organisation, Party, Person
from accord.programmes.choices import (
    TWO_SIDED_EXCHANGES,
    CarryOver,
    DeliverableKind,
    ExchangeKind,
    FieldOfScience,
    Modality,
    PlanStatus,
    ProgressStatus,
    QuantityUnit,
)


def _party_in_agreement(errors: dict[str, list[str]], field: str, party_id: int | None, agreement: Agreement) -> None:
    if party_id and party_id not in agreement.party_ids():
        errors.setdefault(field, []).append(f"must be one of the parties of “{agreement}”")


class Plan(PartyOwned):
    """A programme of work under an agreement for a period, with its lifecycle.

    A signed plan is the baseline the review compares with. An amendment is a new revision that
    `supersedes` the signed one; `previous` is the plan of the period before, whose unfinished items
    are carried over into this one.
    """

    agreement_path = "agreement"  # core.visibility: how it reaches its agreement

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Annual")
        MULTI_YEAR = "multi_year", _("Multi-year")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="plans")
    title = LocalizedTextField(_("title"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ANNUAL)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    supersedes = models.ForeignKey(
        "self", verbose_name=_("amends"), null=True, blank=True, on_delete=models.PROTECT, related_name="amendments"
    )
    previous = models.ForeignKey(
        "self", verbose_name=_("previous plan"), null=True, blank=True, on_delete=models.PROTECT, related_name="next"
    )
    status = models.CharField(_("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_at = LocalizedTextField(_("signed at"), blank=True)
    # The record version the parties' signatures cover; later status changes bump `version`, not this.
    signed_version = models.PositiveIntegerField(_("signed version"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = pgettext_lazy("record kind", "plan")
        verbose_name_plural = pgettext_lazy("record kind", "plans")
        ordering = ["agreement", "period_start", "revision"]
        # The plans' and plan items' lists sort by period; with the plan's unique key after it, a page of items
        # is read in order from this index and the items' own (plan, position, id).
        indexes = [models.Index(fields=["period_start", "period_end", "agreement", "revision"], name="plan_period_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "period_start", "period_end", "revision"], name="plan_unique_revision"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="plan_period_order"
            ),
        ]

    def __str__(self) -> str:
        rev = f" (rev. {self.revision})" if self.revision > 1 else ""
        return f"{self.title}{rev}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        check_period(errors, self.period_start, self.period_end, "period_end", "start of the period")
        if self.agreement_id and not errors:
            agreement = self.agreement
            if not agreement.covers(self.period_start, self.period_end):
                lo = agreement.valid_from.isoformat() if agreement.valid_from else "…"
                hi = agreement.end_on.isoformat() if agreement.end_on else "…"
                errors.setdefault("period_start", []).append(
                    f"the plan's period must lie inside the agreement's validity ({lo} – {hi})"
                )
        for name in ("previous", "supersedes"):
            other = getattr(self, name)
            if other is not None and other.agreement_id != self.agreement_id:
                errors.setdefault(name, []).append("must be a plan under the same agreement")
        raise_if(errors)


class Project(ExternallyKnown, PartyOwned):
    """A topic of cooperation under an agreement, which may run through several plans."""

    agreement_path = "agreement"  # core.visibility: how it reaches its agreement
    search_fields = ("number", "title")  # core.search: the texts it is found by

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="projects")
    number = models.CharField(_("number"), max_length=32)
    title = LocalizedTextField(_("title"))
    field = models.CharField(_("field of science"), max_length=8, choices=FieldOfScience.choices, blank=True)
    modality = models.CharField(_("modality"), max_length=16, choices=Modality.choices, default=Modality.JOINT)
    # For assistance: who gives and who receives.
    provider_party = models.ForeignKey(
        Party, verbose_name=_("assisting party"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient_party = models.ForeignKey(
        Party, verbose_name=_("assisted party"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    start_on = models.DateField(_("start"), null=True, blank=True)
    end_on = models.DateField(_("end"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("record kind", "project")
        verbose_name_plural = pgettext_lazy("record kind", "projects")
        ordering = ["agreement", "id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="project_unique_number")]
        # The list's sorts (programmes.pages): a page of a sorted list reads the index, not every project.
        indexes = [
            # (value, agreement, id): serves a sort by the column and a filter on it in the default (number) order
            models.Index(fields=["modality", "agreement", "id"], name="project_modality_order_idx"),
            models.Index(fields=["field", "agreement", "id"], name="project_field_order_idx"),
            # the default order itself: the agreement's own index (its foreign key's) leaves its projects in no id
            # order on PostgreSQL, so a first page read and sorted a whole agreement (57,000 projects at 1M)
            models.Index(fields=["agreement", "id"], name="project_agreement_order_idx"),
            models.Index(Lower("number"), name="project_number_lower_idx"),  # a search for a project's number
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        self.number = (self.number or "").strip()
        check_period(errors, self.start_on, self.end_on)
        if self.modality == Modality.ASSISTANCE:
            if not self.provider_party_id:
                errors.setdefault("provider_party", []).append("assistance needs the assisting party")
            if not self.recipient_party_id:
                errors.setdefault("recipient_party", []).append("assistance needs the assisted party")
            if self.provider_party_id and self.provider_party_id == self.recipient_party_id:
                errors.setdefault("recipient_party", []).append("assistance needs two different parties")
        elif self.provider_party_id or self.recipient_party_id:
            errors.setdefault("modality", []).append("only assistance names an assisting and an assisted party")
        if self.agreement_id:
            _party_in_agreement(errors, "provider_party", self.provider_party_id, self.agreement)
            _party_in_agreement(errors, "recipient_party", self.recipient_party_id, self.agreement)
        raise_if(errors)

    @classmethod
    def clean_rows(cls, rows: Rows, indexes: Sequence[int]) -> set[int]:
        """clean() over new records (PartyOwned.clean_rows): a period it may refuse and every assisting or assisted
        party are left to clean(); the others' numbers trimmed, as clean() trims them."""
        uncertain = super().clean_rows(rows, indexes)
        start, end, modality = rows["start_on"], rows["end_on"], rows["modality"]
        provider, recipient = rows["provider_party_id"], rows["recipient_party_id"]
        for i in indexes:
            if (
                (start[i] and end[i] and end[i] < start[i])
                or modality[i] == Modality.ASSISTANCE
                or provider[i]
                or recipient[i]
            ):
                uncertain.add(i)
        number = rows["number"]
        for i in indexes:
            if i not in uncertain:
                number[i] = (number[i] or "").strip()
        return uncertain


class Participation(ExternallyKnown, PartyOwned):
    """An organisation taking part in a project, on one party's side, in a role."""

    page_parent = "project"  # core.pages: shown on its project's page
    agreement_path = "project__agreement"  # core.visibility: how it reaches its agreement

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        PARTNER = "partner", _("Partner")
        ASSOCIATED = "associated", _("Associated")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="participations")
    visibility_parents = ("project",)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="participations")
    side = models.ForeignKey(Party, verbose_name=_("side"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.PARTNER)

    class Meta:
        verbose_name = pgettext_lazy("record kind", "participation")
        verbose_name_plural = pgettext_lazy("record kind", "participations")
        ordering = ["project", "side", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"], name="participation_unique_organisation")
        ]

    def __str__(self) -> str:
        return _("%(organisation)s in %(project)s (%(role)s)") % {
            "organisation": self.organisation,
            "project": self.project.number,
            "role": self.get_role_display(),
        }

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        if not self.owner_party_id and self.side_id:
            self.owner_party_id = self.side_id  # each side owns its participations
        if self.project_id and self.side_id:
            _party_in_agreement(errors, "side", self.side_id, self.project.agreement)
        raise_if(errors)

    @classmethod
    def clean_rows(cls, rows: Rows, indexes: Sequence[int]) -> set[int]:
        """clean() over new records (PartyOwned.clean_rows): each side checked against its project's agreement's
        parties (one query per chunk of projects, one per agreement); a side that is not one of them is left to
        clean(), which names the agreement. Each side owns its participations, as clean() sets."""
        uncertain = super().clean_rows(rows, indexes)
        owner, side, project = rows["owner_party_id"], rows["side_id"], rows["project_id"]
        live = [i for i in indexes if i not in uncertain and project[i] and side[i]]
        uncertain |= {i for i in live if type(project[i]) is not int}  # a refused id: clean() as before
        live = [i for i in live if i not in uncertain]
        agreement_of = values_of(Project, "agreement_id", {project[i] for i in live})
        parties: dict[int, set[int]] = {}
        for i in live:
            agreement = agreement_of.get(project[i])
            if agreement is None:
                uncertain.add(i)  # no such project: the foreign key's error, and clean() as before
                continue
            if agreement not in parties:
                parties[agreement] = Agreement(pk=agreement).party_ids()
            if side[i] not in parties[agreement]:
                uncertain.add(i)
        for i in indexes:
            if i not in uncertain and not owner[i] and side[i]:
                owner[i] = side[i]
        return uncertain


class PlanItem(ExternallyKnown, PartyOwned):
    """What one project does within one plan: objectives, who is responsible on each side, deliverables."""

    agreement_path = "plan__agreement"  # core.visibility: how it reaches its agreement

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="items")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="plan_items")
    visibility_parents = ("plan", "project")  # an item is read only where its plan and its project are
    position = models.PositiveIntegerField(_("item number"), default=1)
    objectives = LocalizedTextField(_("objectives"), blank=True)
    carry_over = models.CharField(_("carry-over"), max_length=16, choices=CarryOver.choices, default="", blank=True)
    carried_over_from = models.ForeignKey(
        "self",
        verbose_name=_("carried over from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="carried_into",
    )

    class Meta:
        verbose_name = pgettext_lazy("record kind", "plan item")
        verbose_name_plural = pgettext_lazy("record kind", "plan items")
        ordering = ["plan", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "project"], name="planitem_unique_project")]
        indexes = [
            models.Index(fields=["plan", "position", "id"], name="planitem_plan_order_idx"),  # a page of a plan
            # "is any item still proposed for carry-over?" is asked several times a plan page (its steps, the
            # count): a partial index holds only the undecided items, so the answer is a probe, not a scan.
            models.Index(
                fields=["plan"], condition=models.Q(carry_over=CarryOver.PROPOSED), name="planitem_proposed_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.project.title}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        if self.plan_id and self.project_id and self.project.agreement_id != self.plan.agreement_id:
            errors.setdefault("project", []).append("the project belongs to another agreement than the plan")
        source = self.carried_over_from
        if source is not None and self.plan_id:
            if source.project_id != self.project_id:
                errors.setdefault("carried_over_from", []).append("must be an item of the same project")
            if source.plan_id == self.plan_id:
                errors.setdefault("carried_over_from", []).append("must be an item of an earlier plan")
        raise_if(errors)

    def reported_by(self, organisation_ids: Iterable[int]) -> bool:
        """Whether any of these organisations reports on this item (core.permissions, "report"): one that
        takes part in its project or is responsible for it."""
        ids = list(organisation_ids)
        return (
            Participation.objects.filter(project_id=self.project_id, organisation_id__in=ids).exists()
            or PlanItemResponsibility.objects.filter(plan_item=self, organisation_id__in=ids).exists()
        )


class PlanApproval(PartyOwned):
    """A party's agreement to one version of a plan, and to the content it had. A plan is agreed when every
    signatory party has approved the same version with the same content hash; any change to the content makes a
    new version, so earlier approvals lapse."""

    agreement_path = "plan__agreement"  # core.visibility: how it reaches its agreement

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="approvals")
    visibility_parents = ("plan",)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    plan_version = models.PositiveIntegerField(_("approved version"))
    # SHA-256 of the plan's content (signing.content) as the approving party saw it: on two nodes, the plan is
    # agreed only when both approvals are of the same content. Empty: recorded before it was kept.
    content_sha256 = models.CharField(_("approved content's SHA-256"), max_length=64, blank=True, default="")
    approved_on = models.DateField(_("approved on"), null=True, blank=True, help_text=_("Empty when not recorded."))
    approved_by = models.ForeignKey(
        Person, verbose_name=_("approved by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("plan approval")
        verbose_name_plural = _("plan approvals")
        ordering = ["plan", "plan_version", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "party", "plan_version"], name="planapproval_once_per_version")
        ]

    def __str__(self) -> str:
        return _("%(party)s agreed to %(plan)s v%(version)s") % {
            "party": self.party,
            "plan": self.plan,
            "version": self.plan_version,
        }


class PlanItemResponsibility(PartyOwned):
    """An organisation responsible for a plan item on one side."""

    page_parent = "plan_item"  # core.pages: shown on its plan item's page
    agreement_path = "plan_item__plan__agreement"  # core.visibility: how it reaches its agreement

    plan_item = models.ForeignKey(PlanItem, on_delete=models.PROTECT, related_name="responsibilities")
    visibility_parents = ("plan_item",)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    side = models.ForeignKey(Party, verbose_name=_("side"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("responsible organisation")
        verbose_name_plural = _("plan item responsibilities")
        constraints = [
            models.UniqueConstraint(fields=["plan_item", "organisation"], name="responsibility_unique_organisation")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.side.code})"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        if self.plan_item_id and self.side_id:
            _party_in_agreement(errors, "side", self.side_id, self.plan_item.plan.agreement)
        raise_if(errors)


class DeliverableQuerySet(models.QuerySet["Deliverable"]):
    """The predicates about deliverables, defined once for pages, API, dashboard, reviews and exports."""

    def overdue(self, as_of: dt.date) -> DeliverableQuerySet:
        """Due before `as_of` and not delivered by it."""
        return self.filter(overdue_condition(as_of))


def overdue_condition(as_of: dt.date) -> models.Q:
    """A deliverable is overdue on `as_of`: due before that day and not delivered by it."""
    return models.Q(due_on__lt=as_of) & (models.Q(delivered_on__isnull=True) | models.Q(delivered_on__gt=as_of))


class Deliverable(PartyOwned):
    """An expected output of a plan item: report, data set, samples, prototype, trained specialists."""

    page_parent = "plan_item"  # core.pages: shown on its plan item's page
    agreement_path = "plan_item__plan__agreement"  # core.visibility: how it reaches its agreement

    objects = DeliverableQuerySet.as_manager()

    plan_item = models.ForeignKey(PlanItem, on_delete=models.PROTECT, related_name="deliverables")
    visibility_parents = ("plan_item",)
    kind = models.CharField(_("kind"), max_length=24, choices=DeliverableKind.choices, default=DeliverableKind.REPORT)
    title = LocalizedTextField(_("title"))
    responsible_party = models.ForeignKey(
        Party, verbose_name=_("owed by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("record kind", "deliverable")
        verbose_name_plural = pgettext_lazy("record kind", "deliverables")
        ordering = ["plan_item", "due_on", "id"]

    def __str__(self) -> str:
        return str(self.title)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        if self.plan_item_id and self.responsible_party_id:
            _party_in_agreement(errors, "responsible_party", self.responsible_party_id, self.plan_item.plan.agreement)
        raise_if(errors)


class ProgressReport(ExternallyKnown, PartyOwned):
    """What a reporting organisation says of a plan item for a period: status, percent done, narrative."""

    page_parent = "plan_item"  # core.pages: shown on its plan item's page
    agreement_path = "plan_item__plan__agreement"  # core.visibility: how it reaches its agreement

    plan_item = models.ForeignKey(PlanItem, on_delete=models.PROTECT, related_name="progress_reports")
    visibility_parents = ("plan_item",)
    reporting_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("reporting organisation"),
        on_delete=models.PROTECT,
        related_name="progress_reports",
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    status = models.CharField(_("status"), max_length=16, choices=ProgressStatus.choices)
    percent = models.PositiveSmallIntegerField(
        _("percent done"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    narrative = LocalizedTextField(_("narrative"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True, help_text=_("References, links, documents."))

    class Meta:
        verbose_name = pgettext_lazy("record kind", "progress report")
        verbose_name_plural = pgettext_lazy("record kind", "progress reports")
        ordering = ["plan_item", "period_end", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(percent__lte=100), name="progress_percent_max_100"),
        ]
        # "The latest report of each item" is asked by every review and every carry-over.
        indexes = [models.Index(fields=["plan_item", "period_end", "id"], name="progressreport_latest_idx")]

    def __str__(self) -> str:
        return f"{self.plan_item} — {self.get_status_display()} ({self.period_end})"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        if not self.owner_party_id and self.reporting_organisation_id:
            self.owner_party_id = self.reporting_organisation.party_id  # each side owns its reports
        check_period(errors, self.period_start, self.period_end, "period_end", "start of the period")
        if self.status == ProgressStatus.COMPLETED and self.percent != 100:
            errors.setdefault("percent", []).append("a completed item is 100% done")
        if self.plan_item_id and self.reporting_organisation_id:
            item = self.plan_item
            participating = item.project.participations.filter(organisation_id=self.reporting_organisation_id).exists()
            responsible = item.responsibilities.filter(organisation_id=self.reporting_organisation_id).exists()
            if not (participating or responsible):
                errors.setdefault("reporting_organisation", []).append(
                    "only an organisation taking part in the project reports on it"
                )
        raise_if(errors)


def sent_condition(as_of: dt.date | None = None) -> models.Q:
    """A two-sided exchange (transfer, shipment) recorded as sent, by `as_of` when given."""
    sent = models.Q(sent_on__lte=as_of) if as_of is not None else models.Q(sent_on__isnull=False)
    return models.Q(kind__in=TWO_SIDED_EXCHANGES) & sent


def received_condition(as_of: dt.date | None = None) -> models.Q:
    """A two-sided exchange confirmed received by the other side, by `as_of` when given."""
    received = models.Q(received_on__lte=as_of) if as_of is not None else models.Q(received_on__isnull=False)
    return models.Q(kind__in=TWO_SIDED_EXCHANGES) & received


def awaiting_receipt_condition(as_of: dt.date | None = None) -> models.Q:
    """Awaiting receipt: a two-sided exchange sent (by `as_of`) and not yet confirmed received (by it)."""
    not_received = models.Q(received_on__isnull=True)
    if as_of is not None:
        not_received |= models.Q(received_on__gt=as_of)
    return sent_condition(as_of) & not_received


class ExchangeQuerySet(models.QuerySet["Exchange"]):
    """The predicates about exchanges, defined once for pages, API, dashboard, reviews and exports."""

    def awaiting_receipt(self, as_of: dt.date | None = None) -> ExchangeQuerySet:
        """Sent (by `as_of`) and not confirmed received (by it); two-sided kinds only. Today's state without a date."""
        return self.filter(awaiting_receipt_condition(as_of))

    def receipt_overdue(self, as_of: dt.date, after_days: int) -> ExchangeQuerySet:
        """Awaiting receipt on `as_of` although sent more than `after_days` days before it."""
        return self.awaiting_receipt(as_of).filter(sent_on__lte=as_of - dt.timedelta(days=after_days))


class Exchange(ExternallyKnown, PartyOwned):
    """Something or someone going from one party to the other: experts, trainees, data, samples, visits.

    Transfers and shipments are two-sided: sent by one side, confirmed received by the other.
    """

    objects = ExchangeQuerySet.as_manager()

    agreement_path = "agreement"  # core.visibility: how it reaches its agreement
    # What the receiving side (to_party) writes on the sender's exchange: on a federation node, ours to change
    # (core.permissions.check_node_side).
    receipt_fields = ("received_on", "received_reference")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="exchanges")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="exchanges")
    plan_item = models.ForeignKey(PlanItem, null=True, blank=True, on_delete=models.PROTECT, related_name="exchanges")
    kind = models.CharField(_("kind"), max_length=24, choices=ExchangeKind.choices)
    description = LocalizedTextField(_("description"), blank=True)
    from_party = models.ForeignKey(Party, verbose_name=_("from"), on_delete=models.PROTECT, related_name="+")
    to_party = models.ForeignKey(Party, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+")
    sending_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("sending organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exchanges_sent",
    )
    receiving_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("receiving organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exchanges_received",
    )
    start_on = models.DateField(_("start"), null=True, blank=True)
    end_on = models.DateField(_("end"), null=True, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, default=1, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=16, choices=QuantityUnit.choices, default=QuantityUnit.PERSONS)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    sent_reference = models.CharField(_("dispatch reference"), max_length=200, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    received_reference = models.CharField(
        _("receipt reference"), max_length=200, blank=True, help_text=_("Material-transfer agreement or permit number.")
    )

    class Meta:
        verbose_name = pgettext_lazy("record kind", "exchange")
        verbose_name_plural = pgettext_lazy("record kind", "exchanges")
        ordering = ["agreement", "start_on", "id"]
        indexes = [models.Index(fields=["start_on", "id"], name="exchange_start_idx")]  # the list's default sort
        constraints = [
            models.CheckConstraint(condition=~models.Q(from_party=models.F("to_party")), name="exchange_two_parties"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="exchange_quantity_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.from_party.code}→{self.to_party.code} ({self.start_on or '…'})"

    @property
    def needs_receipt(self) -> bool:
        return self.kind in TWO_SIDED_EXCHANGES

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        if not self.owner_party_id and self.from_party_id:
            self.owner_party_id = self.from_party_id  # the sending side records the exchange
        check_period(errors, self.start_on, self.end_on)
        check_period(errors, self.sent_on, self.received_on, "received_on", "dispatch date")
        if self.from_party_id and self.from_party_id == self.to_party_id:
            errors.setdefault("to_party", []).append("an exchange goes from one party to another")
        if self.received_reference and not self.received_on:
            errors.setdefault("received_on", []).append("give the date the receipt reference belongs to")
        if self.received_on and not self.sent_on and self.needs_receipt:
            errors.setdefault("received_on", []).append("cannot be received before it is recorded as sent")
        if self.agreement_id:
            _party_in_agreement(errors, "from_party", self.from_party_id, self.agreement)
            _party_in_agreement(errors, "to_party", self.to_party_id, self.agreement)
            if self.project is not None and self.project.agreement_id != self.agreement_id:
                errors.setdefault("project", []).append("the project belongs to another agreement")
        if self.plan_item is not None and self.project_id and self.plan_item.project_id != self.project_id:
            errors.setdefault("plan_item", []).append("the plan item belongs to another project")
        for field, org_id, party_id in (
            ("sending_organisation", self.sending_organisation_id, self.from_party_id),
            ("receiving_organisation", self.receiving_organisation_id, self.to_party_id),
        ):
            if org_id and party_id:
                org_party = Organisation.objects.filter(pk=org_id).values_list("party_id", flat=True).first()
                if org_party != party_id:
                    errors.setdefault(field, []).append("must be an organisation of that side's party")
        raise_if(errors)


class ExchangePerson(PartyOwned):
    """A person who travelled, trained or was seconded in an exchange."""

    page_parent = "exchange"  # core.pages: shown on its exchange's page
    agreement_path = "exchange__agreement"  # core.visibility: how it reaches its agreement

    exchange = models.ForeignKey(Exchange, on_delete=models.PROTECT, related_name="people")
    visibility_parents = ("exchange",)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="exchanges")
    role = LocalizedTextField(_("role"), blank=True)

    class Meta:
        verbose_name = _("person in an exchange")
        verbose_name_plural = _("exchange people")
        constraints = [models.UniqueConstraint(fields=["exchange", "person"], name="exchangeperson_unique")]

    def __str__(self) -> str:
        return _("%(person)s in %(exchange)s") % {"person": self.person, "exchange": self.exchange}
