"""Counts of a composite's parts count only what the reader may see and say how many are withheld (issue 13).

China's internal project in a public plan (the `case` of test_composites): the plans list, the agreement's page and
the home page give the plan 1 item for the public and the other side, with "(1 not shown)", and 2 for China.
"""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import translation

from accord.core.models import Visibility
from accord.programmes import services as programmes
from tests.permissions.test_composites import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("permissions-counts")]


@pytest.fixture
def case(seed: Any) -> SimpleNamespace:
    """A public plan with a public project and China's internal one (as test_composites' case)."""
    plan = programmes.create_plan(
        agreement=seed.protocol,
        title={"en": "Public plan 1975"},
        period_start=dt.date(1975, 1, 1),
        period_end=dt.date(1975, 12, 31),
        visibility=Visibility.PUBLIC,
    )
    for number, visibility, owner in (("PUB-75", Visibility.PUBLIC, None), ("CN-INT-77", Visibility.INTERNAL, seed.cn)):
        project = programmes.create_project(
            agreement=seed.protocol, number=number, title={"en": number}, visibility=visibility, owner_party=owner
        )
        programmes.add_plan_item(plan, project)
    return SimpleNamespace(plan=plan)


def count_cell(html: str, title: str) -> str:
    """The item count shown in the table row of the plan titled `title`, its tags removed."""
    row = next(r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if title in r)
    cell = re.search(r'<td class="num">(.*?)</td>', row, re.S)
    assert cell is not None, row
    return " ".join(re.sub(r"<[^>]+>", " ", cell.group(1)).split())


PAGES = {
    "plans list": lambda c: f"/plans/?agreement={c.plan.agreement_id}",
    "agreement page": lambda c: f"/agreements/{c.plan.agreement_id}/",
    "home": lambda c: "/",
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["anonymous", "su-coordinator"])
def test_the_count_leaves_out_what_the_reader_may_not_see(case: SimpleNamespace, role: str, page: str) -> None:
    response = client_for(role).get(PAGES[page](case))
    assert response.status_code == 200
    assert count_cell(response.content.decode(), "Public plan 1975") == "1 (1 not shown)"


@pytest.mark.parametrize("page", PAGES)
def test_the_owner_counts_every_item(case: SimpleNamespace, page: str) -> None:
    response = client_for("cn-coordinator").get(PAGES[page](case))
    assert count_cell(response.content.decode(), "Public plan 1975") == "2"


def test_the_note_is_translated(case: SimpleNamespace) -> None:
    with translation.override("zh-hans"):
        assert translation.ngettext("(%(n)s not shown)", "(%(n)s not shown)", 1) == "（%(n)s 项未显示）"
    response = client_for("anonymous").get(PAGES["plans list"](case), HTTP_ACCEPT_LANGUAGE="ru")
    assert "1 (1 не показан)" in count_cell(response.content.decode(), "Public plan 1975")
