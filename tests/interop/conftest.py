"""Helpers for the import/export tests: counts that must not move when an import is refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db.models import Model

from accord.core.models import ChangeRecord


@pytest.fixture
def unchanged() -> Callable[[type[Model]], Callable[[], None]]:
    """unchanged(Model) -> check(): asserts the table and the audit chain have the same number of rows as before."""

    def start(model: type[Model]) -> Callable[[], None]:
        before = (model._default_manager.count(), ChangeRecord.objects.count())

        def check() -> None:
            assert (model._default_manager.count(), ChangeRecord.objects.count()) == before

        return check

    return start
