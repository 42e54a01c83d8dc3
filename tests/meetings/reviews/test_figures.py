"""The figures of a review, computed from the seed programme's records."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from accord.core.audit import canonical
from accord.core.models import ChangeRecord
from accord.meetings.models import Review
from accord.meetings.selectors import compute_review
from accord.programmes import services as programmes
from accord.programmes.choices import FieldOfScience, ProgressStatus
from tests.meetings.reviews.conftest import MEETING_END, report_on

pytestmark = pytest.mark.django_db

D = dt.date


def test_review_of_1959_as_of_the_meeting(seed):
    figures = compute_review(seed.plan_1959, MEETING_END)
    items, completion = figures["items"], figures["completion"]

    assert figures["as_of"] == "1960-02-24" and figures["plan"]["uid"] == str(seed.plan_1959.uid)
    assert figures["plan"]["baseline_version"] == seed.plan_1959.signed_version
    assert figures["parties"] == ["CN", "SU"]
    assert figures["agreement_projects"] == 122  # "122 major S&T projects"
    assert items["total"] == completion["planned"] == 122
    # The seed's illustrative outcome: every 4th project delayed, those numbered ...7 on track, the rest done.
    assert items["by_status"] == {"not_started": 0, "on_track": 12, "delayed": 30, "completed": 80, "cancelled": 0}
    assert completion == {
        "planned": 122,
        "completed": 80,
        "cancelled": 0,
        "carried_over": 42,
        "percent_complete": "65.6",
    }
    assert completion["completed"] + completion["carried_over"] == 122
    assert items["by_modality"] == {"joint": 40, "assistance": 82, "exchange": 0}  # every 3rd project is joint
    assert items["by_side"] == {"CN": 122, "SU": 122}
    assert sum(items["by_area"].values()) == sum(items["by_field"].values()) == 122
    assert set(items["by_field"]) <= set(FieldOfScience.values)
    for area, n in items["by_area"].items():
        assert n == sum(m for field, m in items["by_field"].items() if field.split(".")[0] == area)
    assert items["by_field"]["1.5"] == 16  # geology, seismology, oceanography: 6 + 5 + 5 projects


def test_the_carry_over_list_is_what_the_1960_plan_carried_over(seed):
    figures = compute_review(seed.plan_1959, MEETING_END)
    carried = figures["carry_over"]
    plan_1960_projects = set(seed.plan_1960.items.values_list("project__number", flat=True))
    assert len(carried) == 42 and {row["project"] for row in carried} == plan_1960_projects
    assert {row["status"] for row in carried} == {"delayed", "on_track"}
    first = carried[0]
    item_4 = seed.plan_1959.items.get(position=4)
    assert first == {
        "item": str(item_4.uid),
        "position": 4,
        "project": "4",
        "title": dict(item_4.project.title),
        "status": "delayed",
        "percent": 55,
    }
    assert [row["position"] for row in carried] == sorted(row["position"] for row in carried)


def test_exchanges_by_kind_and_direction(seed):
    exchanges = compute_review(seed.plan_1959, MEETING_END)["exchanges"]
    rows = {(r["kind"], r["from"], r["to"], r["unit"]): r for r in exchanges["by_kind_and_direction"]}
    assert rows[("expert_secondment", "SU", "CN", "persons")]["quantity"] == "12"
    assert rows[("trainee", "CN", "SU", "persons")]["quantity"] == "25"
    assert rows[("data_transfer", "SU", "CN", "documents")]["quantity"] == "340"
    assert rows[("data_transfer", "CN", "SU", "documents")]["quantity"] == "48"
    assert rows[("sample_shipment", "SU", "CN", "samples")]["quantity"] == "56"
    # The CN→SU samples were sent on 1960-01-15: in the 1960 plan's period, not in 1959's.
    assert ("sample_shipment", "CN", "SU", "samples") not in rows

    head = exchanges["headline"]
    assert list(head) == ["all", "CN→SU", "SU→CN"]
    assert head["SU→CN"]["experts"] == "12" and head["CN→SU"]["experts"] == "0"
    assert head["CN→SU"]["trainees"] == "25" and head["SU→CN"]["trainees"] == "0"
    assert head["SU→CN"]["documents"] == "340" and head["CN→SU"]["documents"] == "48"
    assert head["all"]["documents"] == "388" and head["all"]["samples"] == "56"
    assert head["all"]["exchanges"] == 5 and head["all"]["person_months"] == "0"
    # Three transfers and shipments confirmed received in 1959, none of the year's still in transit.
    assert (head["all"]["sent"], head["all"]["received"], head["all"]["awaiting_receipt"]) == (3, 3, 0)

    # ... but the meeting still has the Chinese samples of January 1960 to chase.
    [outstanding] = exchanges["receipts_outstanding"]
    assert outstanding["kind"] == "sample_shipment" and (outstanding["from"], outstanding["to"]) == ("CN", "SU")
    assert outstanding["sent_on"] == "1960-01-15" and outstanding["quantity"] == "30"
    assert outstanding["sent_reference"] == "CAS-60/003" and outstanding["days_waiting"] == 40


def test_the_1960_plan_counts_the_samples_of_january_as_awaiting_receipt(seed):
    figures = compute_review(seed.plan_1960, MEETING_END)
    head = figures["exchanges"]["headline"]
    assert head["CN→SU"]["samples"] == "30" and head["CN→SU"]["awaiting_receipt"] == 1
    assert head["all"]["exchanges"] == 1  # the 1959 trainees started in September 1959: not this plan's
    assert figures["items"]["total"] == 42 and figures["items"]["by_status"]["not_started"] == 42
    assert figures["overdue_deliverables"] == []

    sample = seed.protocol.exchanges.get(sent_on=D(1960, 1, 15))
    programmes.confirm_receipt(
        sample, received_on=D(1960, 3, 1), reference="SU-REC-60/1", expected_version=sample.version
    )
    assert compute_review(seed.plan_1960, MEETING_END)["exchanges"]["headline"]["all"]["awaiting_receipt"] == 1
    after = compute_review(seed.plan_1960, D(1960, 3, 1))["exchanges"]
    assert after["headline"]["all"]["received"] == 1 and after["receipts_outstanding"] == []


def test_before_the_reports_period_end_every_item_is_not_started(seed):
    figures = compute_review(seed.plan_1959, D(1959, 6, 30))
    assert figures["items"]["by_status"]["not_started"] == 122
    assert figures["completion"]["completed"] == 0 and figures["completion"]["percent_complete"] == "0.0"
    assert len(figures["carry_over"]) == 122 and {r["percent"] for r in figures["carry_over"]} == {0}
    head = figures["exchanges"]["headline"]
    # By then: the experts had arrived (March), the Soviet documents had been received (sent May, in on 2 June).
    assert head["all"]["experts"] == "12" and head["all"]["trainees"] == "0"
    assert (head["all"]["sent"], head["all"]["received"]) == (1, 1)


def carried_status(figures, position):
    return next(((r["status"], r["percent"]) for r in figures["carry_over"] if r["position"] == position), None)


def test_an_items_status_is_its_latest_report_up_to_the_date(seed, item_1):
    assert carried_status(compute_review(seed.plan_1959, MEETING_END), 1) is None  # completed in 1959
    report_on(item_1, ProgressStatus.DELAYED, 90, D(1959, 12, 31))  # the same period end, recorded later
    report_on(item_1, ProgressStatus.CANCELLED, 90, D(1960, 1, 31))

    assert carried_status(compute_review(seed.plan_1959, D(1960, 1, 15)), 1) == ("delayed", 90)
    at_meeting = compute_review(seed.plan_1959, MEETING_END)
    assert carried_status(at_meeting, 1) is None  # cancelled: not carried over
    assert at_meeting["items"]["by_status"]["cancelled"] == 1 and at_meeting["completion"]["completed"] == 79
    assert at_meeting["completion"]["carried_over"] == 42


def test_overdue_deliverables(seed, item_1):
    overdue = compute_review(seed.plan_1959, MEETING_END)["overdue_deliverables"]
    assert len(overdue) == 122  # the seed records the annual reports as due, and none as delivered
    assert overdue[0] == {
        "deliverable": str(item_1.deliverables.get().uid),
        "kind": "report",
        "title": {"en": "Annual research report", "zh": "年度研究报告", "ru": "Годовой научный отчёт"},
        "due_on": "1959-12-31",
        "days_overdue": 55,
        "owed_by": "CN",
        "position": 1,
        "project": "1",
    }
    assert compute_review(seed.plan_1959, D(1959, 12, 31))["overdue_deliverables"] == []  # due that day: not late

    deliverable = item_1.deliverables.get()
    programmes.mark_delivered(deliverable, delivered_on=D(1960, 1, 10), expected_version=deliverable.version)
    assert len(compute_review(seed.plan_1959, MEETING_END)["overdue_deliverables"]) == 121
    assert len(compute_review(seed.plan_1959, D(1960, 1, 5))["overdue_deliverables"]) == 122  # delivered later


def test_figures_are_plain_json(seed):
    figures = compute_review(seed.plan_1959, MEETING_END)

    def plain(value):
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return value is None or type(value) in (str, int, bool)

    assert plain(figures)
    assert json.loads(canonical(figures)) == figures


def test_a_review_is_a_pure_read(seed):
    before = (ChangeRecord.objects.count(), Review.objects.count())
    compute_review(seed.plan_1959, MEETING_END)
    assert (ChangeRecord.objects.count(), Review.objects.count()) == before


def test_the_number_of_queries_does_not_grow_with_the_plan(seed, django_assert_num_queries):
    # Plans of 42 items without reports and of 122 items with reports and deliverables ...
    for plan in (seed.plan_1960, seed.plan_1959):
        with django_assert_num_queries(8):
            compute_review(plan, MEETING_END)
    # ... and the 1959 plan again with three more reports on every item.
    for item in seed.plan_1959.items.select_related("project"):
        for month in (3, 6, 9):
            report_on(item, ProgressStatus.ON_TRACK, 10 * month, D(1959, month, 28))
    with django_assert_num_queries(8):
        figures = compute_review(seed.plan_1959, MEETING_END)
    assert figures["items"]["by_status"]["completed"] == 80  # the year-end reports are still the latest
    with django_assert_num_queries(8):
        figures = compute_review(seed.plan_1959, D(1959, 10, 1))
    assert figures["items"]["by_status"]["on_track"] == 122
