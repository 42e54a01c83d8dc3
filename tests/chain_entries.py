"""The audit chain entries a bulk write appends, seen as core.bulk hands them to core.audit.append."""

from __future__ import annotations

from typing import Any

import pytest

from accord.core import bulk


def appended_entries(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """A list that fills with every entry core.bulk appends from now on (they are still appended)."""
    seen: list[Any] = []
    real = bulk.append

    def spy(entries: Any, **kwargs: Any) -> str:
        seen.extend(entries)
        return real(entries, **kwargs)

    monkeypatch.setattr(bulk, "append", spy)
    return seen
