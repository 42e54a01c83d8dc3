"""The workflow steps the pages offer: for each, who may take it, when, what it will do, and the service.

A step is one confirmation page: GET says plainly what will happen, POST calls the service. The
permission decides whether the page answers at all (403 otherwise); the record's state decides whether
the step is offered on the record's page, and the service has the last word (its refusal is shown on the
page). Each domain app declares the steps on its records in its `steps.py` (an app above may add steps to a
lower app's records: signing adds "Sign" to plans); they are registered when the app is ready.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext as _

from accord.core.pages.forms import StepForm, machine_inputs
from accord.core.permissions import asking_for_many, can


@dataclass(frozen=True)
class Step:
    slug: str  # the model's part of the URL: plans, items, exchanges, reviews, minutes, meetings, documents
    name: str  # the step's part of the URL
    model: type[Model]
    label: Any  # lazy translated
    permission: str  # core.permissions action the account needs on the record
    form: type[StepForm]
    describe: Callable[[Any, Any], str]  # (record, form) -> what will happen, in plain words
    perform: Callable[[Any, Any, Any], str]  # (request, record, form) -> where to go next
    ready: Callable[[Any], bool] = lambda record: True  # the record's state allows it now
    form_kwargs: Callable[[Any], dict[str, Any]] = lambda record: {}
    kind: str = "primary"
    # For steps done on behalf of a party: which parties may still take it (offered only if the user is one).
    pending_parties: Callable[[Any], list[Any]] | None = None
    button: Any = field(default=None)
    # Offered in lists of records too (a plan's rows of items), not only on the record's own page: set-up steps
    # (add a responsible organisation, record an exchange) stay on the record's page.
    in_lists: bool = True
    # A template shown under the description (the text a party approves, read where it is approved); "" for none.
    preview: str = ""

    def permitted(self, user: Any, record: Model) -> bool:
        return can(user, self.permission, record)

    def offered(self, user: Any, record: Model) -> bool:
        if not self.ready(record) or not self.permitted(user, record):
            return False
        if self.pending_parties is not None:
            return any(can(user, self.permission, record, party=p) for p in self.pending_parties(record))
        return True

    def url(self, record: Model) -> str:
        return reverse("web:step", args=[self.slug, record.pk, self.name])

    def make_form(self, user: Any, record: Model, data: Any = None) -> StepForm:
        # Fields a form adds after StepForm's own set-up get the browser's formats too (dates in zh and ru).
        return machine_inputs(self.form(data, user=user, record=record, **self.form_kwargs(record)))  # type: ignore[return-value]


@dataclass(frozen=True)
class Action:
    """A step as a record's page shows it: a button or link, already checked against the account."""

    label: str  # already translated
    url: str  # a page that explains what will happen and asks for confirmation
    kind: str = "primary"  # "primary", "secondary" or "danger": how prominent the button is


STEPS: dict[tuple[str, str], Step] = {}
MODELS: dict[str, type[Model]] = {}


def add(step: Step) -> Step:
    STEPS[(step.slug, step.name)] = step
    MODELS[step.slug] = step.model
    return step


_FOR_MODEL: dict[tuple[type[Model], int], list[Step]] = {}  # by the record's class and how many steps there are


def steps_for(record: Model) -> list[Step]:
    """The steps declared on `record`'s model, in declaration order (looked up once per model: a page of fifty
    rows asks fifty times)."""
    key = (type(record), len(STEPS))
    found = _FOR_MODEL.get(key)
    if found is None:
        found = _FOR_MODEL[key] = [s for s in STEPS.values() if isinstance(record, s.model)]
    return found


def offered_steps(user: Any, record: Model, *, in_list: bool = False) -> list[Step]:
    return [s for s in steps_for(record) if (s.in_lists or not in_list) and s.offered(user, record)]


def actions_of(user: Any, record: Model, *, in_list: bool = False) -> list[Action]:
    """The steps `user` may take on `record` now, as a page shows them (`in_list`: as a row of a list)."""
    return [Action(str(s.label), s.url(record), s.kind) for s in offered_steps(user, record, in_list=in_list)]


def actions_of_each(user: Any, records: list[Any]) -> None:
    """Set `record.steps` on each of `records` (a page of plan items, read through `visible` for `user`): the
    permissions asked once for all."""
    with asking_for_many(user, records, read_through_visible=True):
        for record in records:
            record.steps = actions_of(user, record, in_list=True)


# --- words the steps' descriptions share ---------------------------------------------------------------


def names(parties: list[Any]) -> str:
    return ", ".join(str(p) for p in parties)


def chosen_party(form: Any) -> str:
    parties = getattr(form, "parties", [])
    if len(parties) == 1:
        return str(parties[0])
    return _("the party you choose below")


def waiting_first(waiting: list[Any], every: list[Any]) -> dict[str, Any]:
    """The parties a joint act offers, those still to act first (the form's party choices)."""
    return {"parties": waiting + [p for p in every if p not in waiting]}
