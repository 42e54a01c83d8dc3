"""Federation content: this test database plays one node; `node` switches which party it acts for."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from accord.core import services as records
from accord.core.actor import Actor, acting_as
from accord.core.audit import snapshot
from accord.core.errors import DomainError
from accord.federation import kinds as k
from accord.federation.changes import _fields


@pytest.fixture
def node(settings: Any) -> Callable[[str], None]:
    def act_for(code: str, *, handover: bool = False) -> None:
        settings.ACCORD_NODE_PARTY = code
        settings.ACCORD_FEDERATION_HANDOVER = handover

    act_for("CN")
    return act_for


def wire(bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bodies as another node reads them: through JSON text."""
    return json.loads(json.dumps(bodies))


def state(uids: dict[str, set[str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Each record's travelling fields (references as global ids) and version, by kind and uid."""
    from accord.federation.kinds import uids_of

    out: dict[tuple[str, str], dict[str, Any]] = {}
    for label, wanted in uids.items():
        model = k.kinds()[label]
        rows = list(model._default_manager.filter(uid__in=wanted))
        snaps = [snapshot(r) for r in rows]
        refs: dict[Any, set[int]] = {}
        for snap in snaps:
            for column, (how, target) in k.links(model).items():
                if how == "record" and snap.get(column) is not None:
                    refs.setdefault(target, set()).add(snap[column])
                elif how == "generic" and snap.get(column) is not None:
                    from django.contrib.contenttypes.models import ContentType

                    refs.setdefault(ContentType.objects.get_for_id(snap[target]).model_class(), set()).add(snap[column])
        mapped = uids_of(refs)
        for row, snap in zip(rows, snaps, strict=True):
            out[(label, str(row.uid))] = {**_fields(model, snap, mapped), "version": row.version}
    return out


def remove(bodies: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """Delete the records the bodies are about, through the services, newest first, pass after pass until nothing
    more goes; what something we keep still refers to (or what is never deleted: a minutes revision) stays.
    Returns what was deleted."""
    gone: set[tuple[str, str]] = set()
    order: list[tuple[str, str]] = []
    for body in reversed(bodies):
        key = (body["kind"], body["uid"])
        if key not in order:
            order.append(key)
    with acting_as(Actor(None, "test-cleanup", "cleanup", system=True)):
        progress = True
        while progress:
            progress = False
            for key in order:
                if key in gone:
                    continue
                row = k.kinds()[key[0]]._default_manager.filter(uid=key[1]).first()
                if row is None:
                    continue
                try:
                    records.delete(row)
                except DomainError:
                    continue
                gone.add(key)
                progress = True
    return gone
