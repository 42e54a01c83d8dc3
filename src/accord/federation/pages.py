"""What a record's page shows when the record is kept by another party's node: whose it is, when it last came."""

from __future__ import annotations

from typing import Any

from accord.core.pages.records import extend_detail
from accord.core.permissions import kept_elsewhere, owning_party_id
from accord.federation.models import ReceivedRecord


def _kept_by(record: Any, user: Any, params: Any, context: dict[str, Any]) -> dict[str, Any]:
    if not hasattr(record, "uid") or not kept_elsewhere(record):
        return {}
    from accord.directory.models import Party

    received = ReceivedRecord.objects.filter(object_type=record._meta.label_lower, object_uid=record.uid).first()
    party = Party.objects.filter(pk=owning_party_id(record) or 0).first()
    return {"kept_by": {"party": party, "received": received}}


extend_detail("*", _kept_by)
