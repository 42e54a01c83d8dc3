"""Vocabularies of the programmes app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FieldOfScience(models.TextChoices):
    """OECD Fields of Research and Development (FORD, Frascati 2015): six areas and their fields."""

    NATURAL = "1", _("Natural sciences")
    MATHEMATICS = "1.1", _("Mathematics")
    COMPUTER = "1.2", _("Computer and information sciences")
    PHYSICAL = "1.3", _("Physical sciences")
    CHEMICAL = "1.4", _("Chemical sciences")
    EARTH = "1.5", _("Earth and related environmental sciences")
    BIOLOGICAL = "1.6", _("Biological sciences")
    OTHER_NATURAL = "1.7", _("Other natural sciences")
    ENGINEERING = "2", _("Engineering and technology")
    CIVIL = "2.1", _("Civil engineering")
    ELECTRICAL = "2.2", _("Electrical, electronic and information engineering")
    MECHANICAL = "2.3", _("Mechanical engineering")
    CHEMICAL_ENGINEERING = "2.4", _("Chemical engineering")
    MATERIALS = "2.5", _("Materials engineering")
    MEDICAL_ENGINEERING = "2.6", _("Medical engineering")
    ENVIRONMENTAL_ENGINEERING = "2.7", _("Environmental engineering")
    ENVIRONMENTAL_BIOTECH = "2.8", _("Environmental biotechnology")
    INDUSTRIAL_BIOTECH = "2.9", _("Industrial biotechnology")
    NANO = "2.10", _("Nano-technology")
    OTHER_ENGINEERING = "2.11", _("Other engineering and technologies")
    MEDICAL = "3", _("Medical and health sciences")
    BASIC_MEDICINE = "3.1", _("Basic medicine")
    CLINICAL_MEDICINE = "3.2", _("Clinical medicine")
    HEALTH = "3.3", _("Health sciences")
    MEDICAL_BIOTECH = "3.4", _("Medical biotechnology")
    OTHER_MEDICAL = "3.5", _("Other medical sciences")
    AGRICULTURAL = "4", _("Agricultural and veterinary sciences")
    AGRICULTURE = "4.1", _("Agriculture, forestry and fisheries")
    ANIMAL = "4.2", _("Animal and dairy science")
    VETERINARY = "4.3", _("Veterinary science")
    AGRI_BIOTECH = "4.4", _("Agricultural biotechnology")
    OTHER_AGRICULTURAL = "4.5", _("Other agricultural sciences")
    SOCIAL = "5", _("Social sciences")
    PSYCHOLOGY = "5.1", _("Psychology and cognitive sciences")
    ECONOMICS = "5.2", _("Economics and business")
    EDUCATION = "5.3", _("Education")
    SOCIOLOGY = "5.4", _("Sociology")
    LAW = "5.5", _("Law")
    POLITICAL = "5.6", _("Political science")
    GEOGRAPHY = "5.7", _("Social and economic geography")
    MEDIA = "5.8", _("Media and communications")
    OTHER_SOCIAL = "5.9", _("Other social sciences")
    HUMANITIES = "6", _("Humanities and the arts")
    HISTORY = "6.1", _("History and archaeology")
    LANGUAGES = "6.2", _("Languages and literature")
    PHILOSOPHY = "6.3", _("Philosophy, ethics and religion")
    ARTS = "6.4", _("Arts")
    OTHER_HUMANITIES = "6.5", _("Other humanities")


class Modality(models.TextChoices):
    JOINT = "joint", _("Joint research")
    ASSISTANCE = "assistance", _("Assistance from one party to the other")
    EXCHANGE = "exchange", _("Exchange")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    AGREED = "agreed", _("Agreed")
    SIGNED = "signed", _("Signed")
    IN_FORCE = "in_force", _("In force")
    REVIEWED = "reviewed", _("Reviewed")
    CLOSED = "closed", _("Closed")


# The lifecycle: which status may follow which. Going back from proposed/agreed reopens the draft.
PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    PlanStatus.DRAFT: frozenset({PlanStatus.PROPOSED}),
    PlanStatus.PROPOSED: frozenset({PlanStatus.DRAFT, PlanStatus.AGREED}),
    PlanStatus.AGREED: frozenset({PlanStatus.DRAFT, PlanStatus.SIGNED}),
    PlanStatus.SIGNED: frozenset({PlanStatus.IN_FORCE}),
    PlanStatus.IN_FORCE: frozenset({PlanStatus.REVIEWED}),
    PlanStatus.REVIEWED: frozenset({PlanStatus.CLOSED}),
    PlanStatus.CLOSED: frozenset(),
}
# From signature on, a plan version is the baseline and its content is frozen.
FROZEN_PLAN_STATUSES = frozenset({PlanStatus.SIGNED, PlanStatus.IN_FORCE, PlanStatus.REVIEWED, PlanStatus.CLOSED})


class CarryOver(models.TextChoices):
    """Where a carried-over item stands while the next plan is drafted: proposed, then accepted (or dropped)."""

    NONE = "", _("—")
    PROPOSED = "proposed", _("Proposed for carry-over")
    ACCEPTED = "accepted", _("Carried over")


# A progress status after which an item is not carried into the next plan.
FINISHED_PROGRESS = frozenset({"completed", "cancelled"})


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    DELAYED = "delayed", _("Delayed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class DeliverableKind(models.TextChoices):
    REPORT = "report", _("Report")
    DATA_SET = "data_set", _("Data set")
    SAMPLES = "samples", _("Samples")
    PROTOTYPE = "prototype", _("Prototype")
    TRAINED_SPECIALISTS = "trained_specialists", _("Trained specialists")
    PUBLICATION = "publication", _("Publication")
    OTHER = "other", _("Other")


class ExchangeKind(models.TextChoices):
    DELEGATION_VISIT = "delegation_visit", _("Delegation visit")
    EXPERT_SECONDMENT = "expert_secondment", _("Expert secondment")
    TRAINEE = "trainee", _("Trainees")
    DATA_TRANSFER = "data_transfer", _("Data or documentation transfer")
    SAMPLE_SHIPMENT = "sample_shipment", _("Samples or materials shipment")
    JOINT_EXPERIMENT = "joint_experiment", _("Joint experiment")
    CONFERENCE = "conference", _("Conference")


# Kinds where something is sent by one side and must be confirmed received by the other.
TWO_SIDED_EXCHANGES = frozenset({ExchangeKind.DATA_TRANSFER, ExchangeKind.SAMPLE_SHIPMENT})


class QuantityUnit(models.TextChoices):
    PERSONS = "persons", _("persons")
    PERSON_MONTHS = "person_months", _("person-months")
    DATA_SETS = "data_sets", _("data sets")
    DOCUMENTS = "documents", _("documents")
    SAMPLES = "samples", _("samples")
    ITEMS = "items", _("items")
