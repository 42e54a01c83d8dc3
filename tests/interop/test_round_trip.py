"""Export then import of every kind changes nothing; new records are created once; dry runs write nothing."""

from __future__ import annotations

import pytest

from accord.core.models import ChangeRecord
from accord.interop.services import KINDS, export_stream, import_file


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
@pytest.mark.parametrize("kind", KINDS)
def test_export_imports_back_unchanged(db, seed, kind: str, fmt: str) -> None:
    data = b"".join(export_stream(kind, fmt))
    chain = ChangeRecord.objects.count()
    report = import_file(kind, data, f"{kind}.{fmt}")
    assert sum(report.created.values()) == 0, report.summary()
    assert sum(report.updated.values()) == 0, report.summary()
    assert report.records > 0
    assert ChangeRecord.objects.count() == chain
