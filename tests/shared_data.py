"""Where the shared public data sets are (../shared/data beside the repository, as on the build machines).

Tests that read them fail when CI requires every tool and data set (ACCORD_REQUIRE_TOOLS=1) and skip on a
developer machine that lacks them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path | None:
    candidates = [os.environ.get("ACCORD_SHARED_DATA"), REPO.parent / "shared" / "data", "/work/shared/data"]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


def require_shared_data(*parts: str) -> Path:
    """The path of a shared data set, or fail (CI) / skip this module (elsewhere) when it is missing."""
    base = shared_data_dir()
    path = base.joinpath(*parts) if base else None
    if path is not None and path.exists():
        return path
    message = f"the shared data set {'/'.join(parts)} is not on this machine (set ACCORD_SHARED_DATA)"
    if os.environ.get("ACCORD_REQUIRE_TOOLS") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=True)
