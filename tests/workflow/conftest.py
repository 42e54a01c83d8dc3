from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def users(seed: Any) -> Any:
    """The demo accounts by name: admin, cn-coordinator, su-coordinator, cas-reporter, msu-reporter, cn-observer."""
    by_name = {u.username: u for u in get_user_model().objects.all()}
    return by_name


@pytest.fixture
def draft_plan(seed: Any) -> Any:
    """A draft 1961 plan under the protocol with two items, ready to be proposed."""
    from accord.programmes import services
    from accord.programmes.models import Plan, Project

    plan = services.create_plan(
        agreement=seed.protocol,
        kind=Plan.Kind.ANNUAL,
        visibility="bilateral",
        title={"en": "1961 cooperation plan", "zh": "1961年合作计划", "ru": "План сотрудничества на 1961 год"},
        period_start=dt.date(1961, 1, 1),
        period_end=dt.date(1961, 12, 31),
    )
    for project in Project.objects.filter(agreement=seed.protocol).order_by("number")[:2]:
        services.add_plan_item(
            plan, project, objectives={"en": "Continue the work", "zh": "继续工作", "ru": "Продолжить работу"}
        )
    plan.refresh_from_db()
    return plan
