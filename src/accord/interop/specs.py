"""One declaration per kind of record: its columns, how a row finds the record it describes, and its defaults.

Matching a row to a stored record, in order: the Accord global id (`uid`, present in every export), the
external id, then the kind's natural key:

- parties: the code (in any case)
- organisations: the ROR id; else the same party and a name equal in any language
- people: the ORCID iD; else the same party and a name equal in any language
- agreements: the reference; else a title equal in any language
- projects: agreement + number
- participations: project + organisation
- plan-items: plan + project
- progress-reports: plan item + reporting organisation + period
- exchanges: agreement + kind + from + to + start date (no start date: always a new exchange)

A row that matches nothing creates a record (keeping the row's uid, so importing it again matches it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accord.agreements.filters import AgreementFilters
from accord.agreements.models import Agreement
from accord.core.errors import DomainError, ValidationFailed
from accord.core.filters import Filters
from accord.core.localized import LocalizedText
from accord.core.models import Visibility
from accord.directory.filters import OrganisationFilters, PersonFilters
from accord.directory.models import Organisation, Party, Person
from accord.interop.columns import (
    AgreementRef,
    Choice,
    Column,
    Date,
    Integer,
    Languages,
    Localized,
    Number,
    OptionalText,
    OrganisationRef,
    PartyList,
    PartyRef,
    PlanRef,
    ProjectRef,
    Ror,
    Text,
    TextList,
)
from accord.interop.lookup import Lookup
from accord.interop.sources.common import party_languages
from accord.programmes.choices import (
    CarryOver,
    ExchangeKind,
    FieldOfScience,
    Modality,
    ProgressStatus,
    QuantityUnit,
)
from accord.programmes.filters import (
    ExchangeFilters,
    ParticipationFilters,
    PlanItemFilters,
    ProgressReportFilters,
    ProjectFilters,
)
from accord.programmes.models import Exchange, Participation, PlanItem, ProgressReport, Project
from accord.programmes.services import (
    RECEIPT_FIELDS,
    check_exchange_sides,
    check_owner,
    check_participation_sides,
    frozen_reason,
    receipt_refusals,
)

Fields = dict[str, Any]


def _no_check(obj: Any, changes: dict[str, Any] | None) -> list[tuple[str, str]]:
    return []


def _no_parent(obj: Any) -> Model | None:
    return None


@dataclass
class Spec:
    kind: str  # the name on the command line and in URLs: "plan-items"
    noun: str  # what the report counts: "plan item"
    model: type[Model]
    columns: list[Column]
    # Lookup of the stored record a row's fields describe, when it has neither uid nor external id.
    natural: Callable[[Fields, Lookup], Q | None] = lambda fields, lookup: None
    # Values a new record takes from its parents (its owner), given the row's fields; the visibility and the
    # illustrative flag come from the model's visibility_parents (core.visibility.inherit_from_parents).
    defaults: Callable[[Fields], Fields] = lambda fields: {}
    # Fields computed from helper columns (a progress report's plan item from plan + project); raises CellError.
    derive: Callable[[Fields, dict[str, Any], Lookup], None] | None = None
    # The parent the audit entry is filed under.
    related: Callable[[Any], Model | None] = _no_parent
    # Rules of the services that are not the model's own, asked of the services themselves: (field, message) for
    # each broken one, given the record as it would be and its changed fields (None: a new record).
    check: Callable[[Any, dict[str, Any] | None], list[tuple[str, str]]] = _no_check
    # New records written as columns (core.bulk.create_rows: validated by column, no instance each), for a kind
    # with no `check` and no `related` parent; `describe(values by attname, language)` gives str() of such a record
    # in the active language (asked once per batch, not once per record).
    by_rows: bool = False
    describe: Callable[[dict[str, Any], str | None], str] | None = None
    export_related: list[str] = field(default_factory=list)
    # The kind's filters (<app>/filters.py): an export takes the same ones as the kind's list page and API list.
    filters: type[Filters] = Filters

    def __post_init__(self) -> None:
        if self.by_rows and (self.check is not _no_check or self.related is not _no_parent):
            raise ValueError(f"{self.kind}: a kind with a service check or a parent is validated on instances")

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    def column_for_field(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.field == name), None)

    @property
    def has_visibility(self) -> bool:
        return any(f.name == "visibility" for f in self.model._meta.concrete_fields)


def _ident() -> list[Column]:
    return [
        Text("uid", _("Accord id"), help=_("The record's global id in Accord (from an export); leave empty for new")),
        OptionalText("external_id", _("External id"), help=_("The record's key in the system it comes from")),
    ]


def _visibility() -> Column:
    return Choice("visibility", _("Visibility"), Visibility)


def _same_party_and_name(fields: Fields) -> Q | None:
    q = Q()
    for tag, text in (fields.get("name") or {}).items():
        if text:
            q |= Q(**{f"name__{tag}": text})
    if not q:
        return None
    party = fields.get("party")
    return q & (Q(party=party) if party is not None else Q(party__isnull=True))


def _organisation_natural(fields: Fields, lookup: Lookup) -> Q | None:
    ror = (fields.get("identifiers") or {}).get("ror")
    if ror:
        return Q(identifiers__ror=ror)
    names = [v for v in (fields.get("name") or {}).values() if v]
    pks = lookup.organisations_named(names)
    if not pks:
        # No stored match: a Q that matches nothing (pk in an empty list: no query is run) but names the party
        # and name, so a second row for the same new organisation is a duplicate in the file, not a second one.
        same = _same_party_and_name(fields) if fields.get("party") is not None else None
        return Q(pk__in=[]) & same if same is not None else None
    if fields.get("party") is None:
        return None
    return Q(pk__in=pks, party=fields["party"])


def _person_natural(fields: Fields, lookup: Lookup) -> Q | None:
    if fields.get("orcid"):
        return Q(orcid=fields["orcid"])
    return _same_party_and_name(fields)


def _agreement_natural(fields: Fields, lookup: Lookup) -> Q | None:
    if fields.get("reference"):
        return Q(reference=fields["reference"])
    titles = fields.get("title") or {}
    q = Q()
    for tag, text in titles.items():
        if text:
            q |= Q(**{f"title__{tag}": text})
    return q or None


def _text(value: Any, language: str | None) -> str:
    """str() of a localized text as a record holds it (a LocalizedText, or a plain object of texts) with `language`
    active (LocalizedText.__str__)."""
    if not value:
        return ""
    return (value if type(value) is LocalizedText else LocalizedText(value)).get_text(language)


def _by(*names: str) -> Callable[[Fields, Lookup], Q | None]:
    def natural(fields: Fields, lookup: Lookup) -> Q | None:
        if any(fields.get(n) is None for n in names):
            return None
        return Q(**{n: fields[n] for n in names})

    return natural


def _plan_item_of(fields: Fields, row: dict[str, Any], lookup: Lookup) -> None:
    from accord.interop.columns import CellError

    plan, project = row.get("plan"), row.get("project")
    if plan is None or project is None:
        return
    item = PlanItem.objects.filter(plan=plan, project=project).first()
    if item is None:
        raise CellError(
            gettext("project %(number)s has no item in the plan “%(plan)s”") % {"number": project.number, "plan": plan}
        )
    item.plan, item.project = plan, project
    fields["plan_item"] = item


def _frozen_plan(item: PlanItem, changes: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The plan's own rule (programmes.services): a signed plan's items no longer change."""
    reason = frozen_reason(item.plan, "its items")
    return [("plan", reason)] if reason else []


def _refusals(rule: Callable[[], None]) -> list[tuple[str, str]]:
    """What a service's rule refuses, as (field, message): the import reports each at its row and column."""
    try:
        rule()
    except ValidationFailed as exc:
        return [(name, message) for name, messages in exc.errors.items() for message in messages]
    except DomainError as exc:
        return [(exc.field or "", exc.message)]
    return []


def _owner_of_agreement(project: Project, changes: dict[str, Any] | None) -> list[tuple[str, str]]:
    """As create_project: a record's owner is a party of its agreement (and, for a coordinator, their own)."""
    if changes is not None and "owner_party" not in changes:
        return []
    return _refusals(lambda: check_owner(project.owner_party, project.agreement, f"project {project.number}"))


def _participation_sides(participation: Participation, changes: dict[str, Any] | None) -> list[tuple[str, str]]:
    """As add_participation: the side (and owner) is a party of the project's agreement."""
    if changes is not None and not {"side", "owner_party", "project"} & set(changes):
        return []
    return _refusals(
        lambda: check_participation_sides(
            participation.project,
            participation.organisation,
            side=participation.side,
            owner_party=participation.owner_party,
        )
    )


def _exchange_rules(exchange: Exchange, changes: dict[str, Any] | None) -> list[tuple[str, str]]:
    """As record_exchange: between parties of the agreement, recorded by the sender; receipt by the receiver."""
    refused = []
    if changes is None or {"agreement", "from_party", "to_party", "owner_party"} & set(changes):
        refused = _refusals(
            lambda: check_exchange_sides(
                exchange.agreement,
                from_party=exchange.from_party,
                to_party=exchange.to_party,
                owner_party=exchange.owner_party,
            )
        )
    return refused + _receipt_by_receiver(exchange, changes)


def _receipt_by_receiver(exchange: Exchange, changes: dict[str, Any] | None) -> list[tuple[str, str]]:
    """As record_exchange: an import records what was sent; only the receiving side confirms receipt."""
    if changes is None:
        refused = receipt_refusals({name: getattr(exchange, name) for name in RECEIPT_FIELDS})
    else:
        refused = receipt_refusals(changes, changed=True)
    return [(name, message) for name, messages in refused.items() for message in messages]


def _party_natural(fields: Fields, lookup: Lookup) -> Q | None:
    code = (fields.get("code") or "").strip()
    return Q(code__iexact=code) if code else None


PARTIES = Spec(
    kind="parties",
    noun="party",
    model=Party,
    columns=[
        Text("uid", _("Accord id"), help=_("The record's global id in Accord (from an export); leave empty for new")),
        Text("code", _("Code"), required=True, help=_("For a state, its ISO 3166 alpha-2 code (e.g. CN, SU)")),
        Choice("kind", _("Kind"), Party.Kind),
        Localized("name", _("Name"), required=True),
        Languages("languages", _("Official languages")),
    ],
    natural=_party_natural,
    # No languages given: the territory's likely language (CLDR), as the published-data importers do.
    defaults=lambda f: {"languages": party_languages(str(f.get("code") or "").strip().upper())},
)

ORGANISATIONS = Spec(
    filters=OrganisationFilters,
    kind="organisations",
    noun="organisation",
    model=Organisation,
    columns=[
        *_ident(),
        PartyRef("party", _("Party"), required=True),
        Choice("kind", _("Kind"), Organisation.Kind),
        Localized("name", _("Name"), required=True),
        OrganisationRef("parent", _("Parent organisation")),
        Ror("ror", _("ROR id")),
        TextList("aliases", _("Other names")),
        Date("founded_on", _("Founded")),
        Date("dissolved_on", _("Dissolved")),
        _visibility(),
        PartyRef("owner_party", _("Owning party")),
    ],
    natural=_organisation_natural,
)

PEOPLE = Spec(
    filters=PersonFilters,
    kind="people",
    noun="person",
    model=Person,
    columns=[
        *_ident(),
        Localized("name", _("Name"), required=True),
        Text("orcid", _("ORCID iD")),
        PartyRef("party", _("Party")),
    ],
    natural=_person_natural,
)

AGREEMENTS = Spec(
    filters=AgreementFilters,
    kind="agreements",
    noun="agreement",
    model=Agreement,
    columns=[
        *_ident(),
        Choice("kind", _("Kind"), Agreement.Kind),
        Localized("title", _("Title"), required=True),
        Localized("short_title", _("Short title")),
        Text("reference", _("Reference")),
        PartyList("parties", _("Parties"), field=None, help=_("Parties added to the agreement (none are removed)")),
        AgreementRef("parent", _("Parent agreement")),
        Date("signed_on", _("Signed on")),
        Localized("signed_at", _("Signed at")),
        Date("entry_into_force_on", _("Entry into force")),
        Date("end_on", _("End")),
        Choice("status", _("Status"), Agreement.Status),
        Languages("authentic_languages", _("Authentic languages")),
        _visibility(),
        PartyRef("owner_party", _("Owning party")),
    ],
    natural=_agreement_natural,
    by_rows=True,
    # Agreement.__str__: its short title, else its title
    describe=lambda values, language: (
        _text(values.get("short_title"), language) or _text(values.get("title"), language)
    ),
)

PROJECTS = Spec(
    filters=ProjectFilters,
    kind="projects",
    noun="project",
    model=Project,
    columns=[
        *_ident(),
        AgreementRef("agreement", _("Agreement"), required=True),
        Text("number", _("Number"), required=True),
        Localized("title", _("Title"), required=True),
        Choice("field", _("Field of science"), FieldOfScience),
        Choice("modality", _("Modality"), Modality),
        PartyRef("provider_party", _("Assisting party")),
        PartyRef("recipient_party", _("Assisted party")),
        Date("start_on", _("Start")),
        Date("end_on", _("End")),
        _visibility(),
        PartyRef("owner_party", _("Owning party")),
    ],
    natural=_by("agreement", "number"),
    related=lambda p: p.agreement,
    check=_owner_of_agreement,
    export_related=["agreement", "provider_party", "recipient_party", "owner_party"],
)

PARTICIPATIONS = Spec(
    filters=ParticipationFilters,
    kind="participations",
    noun="participation",
    model=Participation,
    columns=[
        *_ident(),
        AgreementRef("agreement", _("Agreement"), field=None, required=True, path="project__agreement"),
        ProjectRef("project", _("Project"), required=True),
        OrganisationRef("organisation", _("Organisation"), required=True),
        PartyRef("side", _("Side"), help=_("Empty: the organisation's party")),
        Choice("role", _("Role"), Participation.Role),
        _visibility(),
    ],
    natural=_by("project", "organisation"),
    defaults=lambda f: {
        "side": f.get("side") or (f["organisation"].party if f.get("organisation") else None),
    },
    related=lambda p: p.project,
    check=_participation_sides,
)

PLAN_ITEMS = Spec(
    filters=PlanItemFilters,
    kind="plan-items",
    noun="plan item",
    model=PlanItem,
    columns=[
        *_ident(),
        AgreementRef("agreement", _("Agreement"), field=None, required=True, path="plan__agreement"),
        PlanRef("plan", _("Plan"), required=True),
        ProjectRef("project", _("Project"), required=True),
        Integer("position", _("Item number")),
        Localized("objectives", _("Objectives")),
        Choice("carry_over", _("Carry-over"), CarryOver),
        _visibility(),
    ],
    natural=_by("plan", "project"),
    related=lambda i: i.plan,
    check=_frozen_plan,
)

PROGRESS_REPORTS = Spec(
    filters=ProgressReportFilters,
    kind="progress-reports",
    noun="progress report",
    model=ProgressReport,
    columns=[
        *_ident(),
        AgreementRef("agreement", _("Agreement"), field=None, required=True, path="plan_item__plan__agreement"),
        PlanRef("plan", _("Plan"), field=None, required=True, path="plan_item__plan"),
        ProjectRef("project", _("Project"), field=None, required=True, path="plan_item__project"),
        OrganisationRef("reporting_organisation", _("Reporting organisation"), required=True),
        Date("period_start", _("Period from"), required=True),
        Date("period_end", _("Period to"), required=True),
        Choice("status", _("Status"), ProgressStatus, required=True),
        Integer("percent", _("Percent done")),
        Localized("narrative", _("Narrative")),
        Text("evidence", _("Evidence")),
        _visibility(),
    ],
    natural=_by("plan_item", "reporting_organisation", "period_start", "period_end"),
    derive=_plan_item_of,
    defaults=lambda f: {
        "owner_party": f["reporting_organisation"].party if f.get("reporting_organisation") else None,
    },
    related=lambda r: r.plan_item,
)

EXCHANGES = Spec(
    filters=ExchangeFilters,
    kind="exchanges",
    noun="exchange",
    model=Exchange,
    columns=[
        *_ident(),
        AgreementRef("agreement", _("Agreement"), required=True),
        ProjectRef("project", _("Project")),
        Choice("kind", _("Kind"), ExchangeKind, required=True),
        Localized("description", _("Description")),
        PartyRef("from_party", _("From"), required=True),
        PartyRef("to_party", _("To"), required=True),
        OrganisationRef("sending_organisation", _("Sending organisation")),
        OrganisationRef("receiving_organisation", _("Receiving organisation")),
        Date("start_on", _("Start")),
        Date("end_on", _("End")),
        Number("quantity", _("Quantity")),
        Choice("unit", _("Unit"), QuantityUnit),
        Date("sent_on", _("Sent on")),
        Text("sent_reference", _("Dispatch reference")),
        Date("received_on", _("Received on")),
        Text("received_reference", _("Receipt reference")),
        _visibility(),
    ],
    natural=_by("agreement", "kind", "from_party", "to_party", "start_on"),
    defaults=lambda f: {"owner_party": f.get("from_party")},
    related=lambda e: e.agreement,
    check=_exchange_rules,
)

SPECS: dict[str, Spec] = {
    s.kind: s
    for s in (
        PARTIES,
        ORGANISATIONS,
        PEOPLE,
        AGREEMENTS,
        PROJECTS,
        PARTICIPATIONS,
        PLAN_ITEMS,
        PROGRESS_REPORTS,
        EXCHANGES,
    )
}
