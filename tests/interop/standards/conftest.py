"""The official schemas every test here checks against, found offline (see accord.interop.standards.validation)."""

from __future__ import annotations

import os

import pytest

from accord.interop.standards import validation


@pytest.fixture(scope="session")
def schemas():
    """The schema module, once the files are known to be there.

    Missing files skip the tests on a developer's machine; in CI (ACCORD_REQUIRE_TOOLS=1) they fail them.
    """
    try:
        validation.schemas_dir()
    except validation.SchemasMissing as missing:
        if os.environ.get("ACCORD_REQUIRE_TOOLS") == "1":
            pytest.fail(str(missing))
        pytest.skip(str(missing))
    return validation
