"""The implementation review of a plan: figures computed from the records, and each party's statement."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accord.core.localized import LocalizedTextField
from accord.core.models import PartyOwned
from accord.directory.models import Party
from accord.programmes.models import Plan


class Review(PartyOwned):
    """What was done under a signed plan, as of a date, compared with what was signed.

    `figures` is the snapshot computed from the records (see `accord.meetings.selectors.compute_review`);
    `inputs_hash` is the SHA-256 of the canonical list of the rows it was computed from, each with its
    version, so `verify_review` can tell later whether the records still are what the figures were
    computed from. Once published, neither the figures nor the statements change again.
    """

    agreement_path = "plan__agreement"  # core.visibility: how it reaches its agreement

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reviews")
    visibility_parents = ("plan",)
    # A draft is the parties' working figures: it reaches the public only once published.
    public_only_when = models.Q(status="published")
    as_of = models.DateField(_("as of"))
    # The plan version the signatures cover: what "planned" means in the figures.
    baseline_version = models.PositiveIntegerField(_("baseline version"), editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    figures = models.JSONField(_("figures"), default=dict, editable=False)
    inputs_hash = models.CharField(_("inputs hash"), max_length=64, editable=False)
    computed_at = models.DateTimeField(_("computed at"), editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = pgettext_lazy("record kind", "review")
        verbose_name_plural = pgettext_lazy("record kind", "reviews")
        ordering = ["plan", "as_of", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "as_of"], name="review_one_per_plan_and_date")]

    def __str__(self) -> str:
        return _("Review of %(plan)s as of %(day)s") % {"plan": self.plan, "day": self.as_of.isoformat()}


class ReviewStatement(PartyOwned):
    """One party's statement on a review, in the languages it chooses; the party owns it."""

    page_parent = "review"  # core.pages: shown on its review's page
    agreement_path = "review__plan__agreement"  # core.visibility: how it reaches its agreement

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="statements")
    visibility_parents = ("review",)  # a draft review's statements stay with the parties too
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    text = LocalizedTextField(_("statement"))

    class Meta:
        verbose_name = _("review statement")
        verbose_name_plural = _("review statements")
        ordering = ["review", "party", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "party"], name="reviewstatement_one_per_party")]

    def __str__(self) -> str:
        return _("Statement of %(party)s on %(review)s") % {"party": self.party.code, "review": self.review}
