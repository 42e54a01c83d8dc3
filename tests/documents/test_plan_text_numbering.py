"""The generated plan text numbers its items 1..N after some were left out of the carry-over: the numbers are the
items' places in the plan (kept dense by the services), not the gaps of the plan they came from."""

from __future__ import annotations

import re

import pytest

from accord.documents.renderers import render
from accord.programmes import services

from .extract import text_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_items_read_one_to_n_after_two_were_left_out(seed, fmt):
    plan = services.draft_next_plan(seed.plan_1960, title={"zh": "1961年计划", "ru": "План на 1961 год"})
    items = list(plan.items.order_by("position"))
    services.decide_carry_over(plan, expected_version=plan.version, drop=[items[2], items[3]])
    services.decide_carry_over(plan, expected_version=plan.version, accept=list(plan.items.all()))
    n = len(items) - 2
    text = text_of(fmt, render("plan_text", plan, "zh+ru", fmt))
    zh = [int(p) for p in re.findall(r"(\d+)\. 项目", text)]
    ru = [int(p) for p in re.findall(r"(\d+)\. Проект №", text)]
    assert zh == list(range(1, n + 1)) and ru == list(range(1, n + 1))
    # The item that was fifth is now third, beside its own project.
    assert f"3. 项目{items[4].project.number}：" in text
