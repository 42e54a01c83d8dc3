"""A CORDIS import's chain entries hold, for every kind it creates, the canonical JSON of the stored record's
snapshot byte for byte: those made from plain tuples (organisations, projects, participations: core.bulk.create_rows)
as those made from instances (parties, programmes, their parties)."""

from __future__ import annotations

import pytest
from django.apps import apps

from accord.core import bulk
from accord.core.audit import canonical, snapshot
from accord.core.verify import verify
from accord.interop.sources.cordis import import_cordis
from tests.chain_entries import appended_entries
from tests.shared_data import require_shared_data

DATA = require_shared_data()
CHINA = DATA / "cordis-eu-china-projects"

pytestmark = pytest.mark.django_db


def test_every_created_records_entry_holds_its_stored_snapshot(seed, monkeypatch) -> None:
    entries = appended_entries(monkeypatch)
    rows = []
    real_rows = bulk.create_rows

    def count_rows(model, columns, values, **kwargs):
        rows.append((model._meta.label_lower, len(values)))
        return real_rows(model, columns, values, **kwargs)

    monkeypatch.setattr("accord.interop.sources.common.create_rows", count_rows)
    report = import_cordis(CHINA)
    created = [e for e in entries if e.action == "create"]
    kinds = {e.object_type for e in created}
    assert {"programmes.project", "programmes.participation", "directory.organisation"} <= kinds
    assert {"agreements.agreement", "agreements.agreementparty"} <= kinds
    assert dict(rows) == {
        "directory.organisation": report.created["organisation"],
        "programmes.project": report.created["project"],
        "programmes.participation": report.created["participation"],
    }
    for kind in kinds:
        model = apps.get_model(kind)
        mine = [e for e in created if e.object_type == kind]
        stored = model.objects.in_bulk([int(e.object_id) for e in mine])
        for e in mine:
            assert e.after == canonical(snapshot(stored[int(e.object_id)])), (kind, e.object_id)
    # Text beyond ASCII went through: Chinese names of organisations.
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in e.after) for e in created if "organisation" in e.object_type)
    assert verify().ok
