"""The workflow actions a page offers on a record, contributed by the apps that own the workflows.

A record's detail page asks `actions_for(user, record)` and renders what it gets: a button or link per
action, each already checked against the user's permissions. Apps register a provider per model in
their AppConfig.ready(), so the record pages do not need to know every workflow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model


@dataclass(frozen=True)
class Action:
    label: str  # already translated
    url: str  # a page that explains what will happen and asks for confirmation
    kind: str = "primary"  # "primary", "secondary" or "danger": how prominent the button is


Provider = Callable[[Any, Model], list[Action]]
_providers: dict[str, list[Provider]] = {}


def register(model_label: str, provider: Provider) -> None:
    """Offer `provider(user, record)`'s actions on the detail page of every `model_label` record."""
    _providers.setdefault(model_label, []).append(provider)


def actions_for(user: Any, record: Model) -> list[Action]:
    return [a for p in _providers.get(record._meta.label_lower, []) for a in p(user, record)]
