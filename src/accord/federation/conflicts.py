"""Deciding a conflict on a shared record: keep ours or take theirs. The decision travels to the other node.

Keeping ours writes our content again at a version past both sides' (the other node applies it over the version
its conflict names); taking theirs writes their content at their version (the other node already holds it).
Either way both nodes end with the same content at the same version.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accord.core import services as records
from accord.core.actor import current_actor
from accord.core.errors import TransitionRefused
from accord.core.permissions import require_actor
from accord.federation import kinds as k
from accord.federation.apply import local_values
from accord.federation.models import Conflict
from accord.federation.protocol import ChangeRefused


def _open(conflict: Conflict, expected_version: int) -> tuple[Conflict, Any]:
    current = Conflict.objects.select_for_update().get(pk=conflict.pk)
    require_actor("change", current)  # the coordinators of the side that found it
    if current.status != Conflict.Status.OPEN:
        raise TransitionRefused(_("this conflict was already decided"), field="status")
    records.ensure_version(current, expected_version)
    model = k.kinds().get(current.object_type)
    record = model._default_manager.filter(uid=current.object_uid).first() if model else None
    if record is None:
        raise TransitionRefused(_("the record of this conflict no longer exists"), field="object_uid")
    return current, record


def _decided(conflict: Conflict, status: str) -> None:
    records.update(conflict, expected_version=conflict.version, status=status, resolved_by=current_actor().name[:200])


@transaction.atomic
def keep_ours(conflict: Conflict, *, expected_version: int) -> Any:
    current, record = _open(conflict, expected_version)
    _decided(current, Conflict.Status.KEPT_OURS)  # first, so the other node knows the decision the write carries
    version = max(record.version, current.theirs_version) + 1
    return records.update(record, expected_version=record.version, new_version=version)


@transaction.atomic
def take_theirs(conflict: Conflict, *, expected_version: int) -> Any:
    current, record = _open(conflict, expected_version)
    try:
        values = local_values(type(record), current.theirs, what=str(record))
    except ChangeRefused as exc:
        raise TransitionRefused(exc.reason, field="theirs") from None
    values = {c: v for c, v in values.items() if c in set(k.travelling_columns(type(record)))}
    _decided(current, Conflict.Status.TOOK_THEIRS)
    # Their version when it is past ours (the other node holds just that); else past both, never backwards.
    version = current.theirs_version if current.theirs_version > record.version else record.version + 1
    return records.update(record, expected_version=record.version, new_version=version, **values)
