"""`accord review PLAN --as-of DATE [--save] [--publish] [--verify] [--json]`."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accord.meetings.models import Review
from accord.meetings.services import reviews as services
from accord.programmes import services as programmes
from accord.programmes.choices import ProgressStatus
from tests.meetings.reviews.conftest import report_on

pytestmark = pytest.mark.django_db


def review(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("review", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_review_as_a_table(seed):
    out, _ = review(str(seed.plan_1959.pk), "--as-of", "1960-02-24", "--limit", "3")
    assert "Review of “1959 cooperation plan” as of 1960-02-24" in out
    assert "Items: 122 planned, 80 completed (65.6%), 0 cancelled, 42 to carry over" in out
    assert "122 projects under the agreement" in out
    assert "Overdue deliverables: 122" in out and "... and 119 more" in out
    assert "Carried over (neither completed nor cancelled): 42" in out
    assert "Transfers and shipments awaiting receipt: 1" in out and "CAS-60/003" in out
    lines = out.splitlines()
    experts = next(line for line in lines if line.startswith("experts"))
    assert experts.split() == ["experts", "12", "0", "12"]  # all, CN→SU, SU→CN
    assert not Review.objects.exists()  # without --save nothing is stored


def test_titles_in_another_language_and_the_plan_by_uid(seed):
    out, _ = review(str(seed.plan_1959.uid), "--as-of", "1960-02-24", "--lang", "zh")
    assert "1959年合作计划" in out and "年度研究报告" in out


def test_json_is_the_figures(seed):
    out, _ = review(str(seed.plan_1959.pk), "--as-of", "1960-02-24", "--json")
    figures = json.loads(out)
    assert figures["completion"]["carried_over"] == 42 and figures["exchanges"]["headline"]["all"]["trainees"] == "25"


def test_save_recompute_publish_and_verify(seed, item_1):
    ref = str(seed.plan_1959.pk)
    out, err = review(ref, "--as-of", "1960-02-24", "--save")
    stored = Review.objects.get(plan=seed.plan_1959)
    assert "saved" in err and stored.status == Review.Status.DRAFT
    # The stored figures (jsonb on PostgreSQL reorders keys) print in the same order as computed ones.
    lines = out.splitlines()
    statuses = [line.split()[0] for line in lines[lines.index("By status") + 3 : lines.index("By status") + 8]]
    assert statuses == ["Not", "On", "Delayed", "Completed", "Cancelled"]
    assert "(draft, computed" in out and "Statements: 0" in out
    header = next(line for line in lines if line.strip().startswith("all"))
    assert header.split() == ["all", "CN→SU", "SU→CN"]
    out, _ = review(ref, "--as-of", "1960-02-24", "--verify")
    assert out.startswith("ok:")

    report_on(item_1, ProgressStatus.DELAYED, 90, dt.date(1959, 12, 31))
    with pytest.raises(CommandError, match=r"records changed since review .*different figures"):
        review(ref, "--as-of", "1960-02-24", "--verify")
    _, err = review(ref, "--as-of", "1960-02-24", "--save")  # a draft is recomputed, not duplicated
    assert "recomputed" in err and Review.objects.get(pk=stored.pk).figures["completion"]["completed"] == 79

    services.add_statement(Review.objects.get(pk=stored.pk), seed.su, {"ru": "План на 1959 год выполнен."})
    out, err = review(ref, "--as-of", "1960-02-24", "--publish")
    assert "published" in err and "Statements: 1" in out
    assert "  SU: План на 1959 год выполнен." in out  # no English text: the party's own language
    out, _ = review(ref, "--as-of", "1960-02-24", "--publish", "--json")  # publishing again changes nothing
    assert json.loads(out)["completion"]["completed"] == 79
    assert Review.objects.get(pk=stored.pk).status == Review.Status.PUBLISHED
    with pytest.raises(CommandError, match="was published"):
        review(ref, "--as-of", "1960-02-24", "--save")
    assert Review.objects.count() == 1


def test_refusals_are_one_line_reasons(seed):
    draft = programmes.create_plan(
        agreement=seed.protocol,
        title={"en": "1961 plan"},
        period_start=dt.date(1961, 1, 1),
        period_end=dt.date(1961, 12, 31),
    )
    with pytest.raises(CommandError, match="no baseline"):
        review(str(draft.pk), "--as-of", "1961-06-30", "--save")
    with pytest.raises(CommandError, match="must not be before"):
        review(str(seed.plan_1959.pk), "--as-of", "1958-06-30")
    with pytest.raises(CommandError, match="there is no plan 999999"):
        review("999999", "--as-of", "1960-02-24")
    with pytest.raises(CommandError, match="id or uid"):
        review("plan-1959", "--as-of", "1960-02-24")
    with pytest.raises(CommandError, match="no stored review"):
        review(str(seed.plan_1959.pk), "--as-of", "1960-02-24", "--verify")
    with pytest.raises(CommandError, match="not a date"):
        review(str(seed.plan_1959.pk), "--as-of", "24.02.1960")
    assert not Review.objects.exists()
