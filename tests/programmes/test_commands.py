"""The plan lifecycle and receipts from the command line (call_command, in the test database)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accord.programmes.models import Exchange, Plan

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_show_lists_status_approvals_and_items(seed):
    out = run("plan", "show", str(seed.plan_1960.pk))
    assert "[signed, version" in out
    assert "agreed by CN on 1960-02-24" in out and "agreed by SU on 1960-02-24" in out
    assert out.count("[accepted]") == seed.plan_1960.items.count()


def test_next_accept_drop_propose_approve_through_the_cli(seed):
    out = run(
        "plan",
        "next",
        str(seed.plan_1960.pk),
        "--title",
        "en=1961 plan",
        "--title",
        "zh=1961年计划",
        "--from",
        "1961-01-01",
        "--to",
        "1961-12-31",
    )
    plan = Plan.objects.get(previous=seed.plan_1960)
    assert plan.title == {"en": "1961 plan", "zh": "1961年计划"}
    assert f"plan {plan.pk} drafted with {plan.items.count()} items" in out
    items = list(plan.items.order_by("position"))
    run("plan", "drop", str(items[0].pk))
    for item in items[1:]:
        run("plan", "accept", str(item.uid))
    run("plan", "propose", str(plan.pk))
    plan.refresh_from_db()
    with pytest.raises(CommandError, match="changed"):
        run("plan", "approve", str(plan.pk), "--party", "CN", "--version", str(plan.version - 1))
    assert "the plan is proposed" in run(
        "plan", "approve", str(plan.pk), "--party", "CN", "--version", str(plan.version), "--on", "1961-01-15"
    )
    assert "the plan is agreed" in run(
        "plan",
        "approve",
        str(plan.pk),
        "--party",
        "SU",
        "--version",
        str(plan.version),
        "--by",
        str(seed.aleksenko.uid),
    )


def test_bad_references_and_refusals_are_one_line_errors(seed):
    with pytest.raises(CommandError, match="no plan '999999'"):
        run("plan", "show", "999999")
    with pytest.raises(CommandError, match="give its number or its global id"):
        run("plan", "show", "1959-plan")
    with pytest.raises(CommandError, match="cannot become"):
        run("plan", "transition", str(seed.plan_1960.pk), "closed")
    with pytest.raises(CommandError, match="--party: no party"):
        run("plan", "approve", str(seed.plan_1960.pk), "--party", "XX", "--version", "1")


def test_amend_and_transition(seed):
    assert "revision 2" in run("plan", "amend", str(seed.plan_1960.pk))
    assert "now in_force" in run("plan", "transition", str(seed.plan_1960.pk), "in_force")


def test_confirm_receipt_from_the_cli(seed):
    pending = Exchange.objects.get(kind="sample_shipment", from_party=seed.cn)
    with pytest.raises(CommandError, match="not a date"):
        run("exchange", "confirm-receipt", str(pending.pk), "--on", "24.02.1960")
    out = run("exchange", "confirm-receipt", str(pending.pk), "--on", "1960-02-20", "--reference", "SU-PERMIT-60/12")
    assert "receipt confirmed on 1960-02-20" in out
    pending.refresh_from_db()
    assert (pending.received_on, pending.received_reference) == (dt.date(1960, 2, 20), "SU-PERMIT-60/12")
    with pytest.raises(CommandError, match="already confirmed"):
        run("exchange", "confirm-receipt", str(pending.pk))


def test_record_progress_from_the_cli(seed):
    item = seed.plan_1960.items.order_by("position").first()
    reporter = item.project.participations.get(side=seed.cn).organisation
    out = run(
        "progress",
        "record",
        str(item.pk),
        "--organisation",
        str(reporter.uid),
        "--from",
        "1960-01-01",
        "--to",
        "1960-06-30",
        "--status",
        "on_track",
        "--percent",
        "45",
        "--narrative",
        "zh=进展顺利",
    )
    assert "On track 45%" in out
    report = item.progress_reports.get()
    assert (report.narrative, report.owner_party) == ({"zh": "进展顺利"}, seed.cn)
    with pytest.raises(CommandError, match="reporting_organisation"):
        run(
            "progress",
            "record",
            str(item.pk),
            "--organisation",
            str(seed.embassy.pk),
            "--from",
            "1960-01-01",
            "--to",
            "1960-06-30",
            "--status",
            "on_track",
            "--percent",
            "45",
        )
    with pytest.raises(CommandError, match="percent"):
        run(
            "progress",
            "record",
            str(item.pk),
            "--organisation",
            str(reporter.pk),
            "--from",
            "1960-01-01",
            "--to",
            "1960-06-30",
            "--status",
            "completed",
            "--percent",
            "45",
        )
