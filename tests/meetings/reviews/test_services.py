"""Storing, recomputing, publishing and verifying reviews; the parties' statements."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from accord.core import services as records
from accord.core.errors import StaleVersion, TransitionRefused, ValidationFailed
from accord.core.models import ChangeRecord
from accord.directory.services import create_party
from accord.meetings.models import Review, ReviewStatement
from accord.meetings.selectors import compute_review, inputs_hash, review_inputs
from accord.meetings.services import reviews as services
from accord.programmes import services as programmes
from accord.programmes.choices import ProgressStatus
from tests.meetings.reviews.conftest import MEETING_END, report_on

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def review(seed):
    return services.create_review(seed.plan_1959, MEETING_END)


def changes_of(obj):
    return ChangeRecord.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


def test_a_review_stores_the_figures_with_the_hash_of_their_inputs(seed, review):
    assert review.status == Review.Status.DRAFT and review.as_of == MEETING_END
    assert review.baseline_version == seed.plan_1959.signed_version
    assert review.visibility == seed.plan_1959.visibility
    assert re.fullmatch(r"[0-9a-f]{64}", review.inputs_hash)
    stored = Review.objects.get(pk=review.pk)
    assert stored.figures == compute_review(seed.plan_1959, MEETING_END)
    assert stored.figures["completion"]["completed"] == 80
    assert stored.inputs_hash == inputs_hash(seed.plan_1959, MEETING_END)
    assert services.verify_review(stored)
    [entry] = changes_of(review)
    assert entry.action == "create" and entry.related_id == str(seed.plan_1959.pk) and entry.actor_name == "tester"


def test_the_inputs_are_the_rows_read_with_their_versions(seed, review):
    inputs = review_inputs(seed.plan_1959, MEETING_END)
    rows = inputs["rows"]
    assert (inputs["plan"], inputs["as_of"], inputs["agreement_projects"]) == (seed.plan_1959.pk, "1960-02-24", 122)
    assert len(rows["programmes.planitem"]) == 122 and len(rows["programmes.progressreport"]) == 122
    assert len(rows["programmes.deliverable"]) == 122 and len(rows["programmes.planitemresponsibility"]) == 244
    assert len(rows["programmes.exchange"]) == 6  # five in 1959, and the samples of January 1960 still in transit
    assert len(rows["directory.party"]) == 2
    # Before the reports' period end the reports are not inputs.
    assert review_inputs(seed.plan_1959, D(1959, 6, 30))["rows"]["programmes.progressreport"] == []


def test_a_plan_without_baseline_is_refused_and_nothing_is_written(seed):
    draft = programmes.create_plan(
        agreement=seed.protocol, title={"en": "1961 plan"}, period_start=D(1961, 1, 1), period_end=D(1961, 12, 31)
    )
    before = (ChangeRecord.objects.count(), Review.objects.count())
    with pytest.raises(TransitionRefused) as err:
        services.create_review(draft, D(1961, 6, 30))
    assert err.value.field == "plan" and err.value.code == "no_baseline"
    assert "never signed" in err.value.message and "baseline" in err.value.message
    with pytest.raises(TransitionRefused):
        services.review_figures(draft, D(1961, 6, 30))
    assert (ChangeRecord.objects.count(), Review.objects.count()) == before


def test_the_date_must_not_be_before_the_plan_period(seed):
    with pytest.raises(ValidationFailed) as err:
        services.create_review(seed.plan_1959, D(1958, 12, 31))
    assert err.value.field == "as_of" and "1959-01-01" in err.value.message
    with pytest.raises(ValidationFailed) as err:
        services.create_review(seed.plan_1959, "1960-02-24")
    assert err.value.field == "as_of"
    assert services.create_review(seed.plan_1959, D(1959, 1, 1)).figures["items"]["by_status"]["not_started"] == 122


def test_one_review_per_plan_and_date_and_computed_fields_are_not_given(seed, review):
    with pytest.raises(ValidationFailed) as err:
        services.create_review(seed.plan_1959, MEETING_END)
    assert err.value.field == "as_of"
    with pytest.raises(ValidationFailed) as err:
        services.create_review(seed.plan_1959, D(1960, 3, 1), figures={"items": {"total": 999}})
    assert err.value.field == "figures"
    assert Review.objects.filter(plan=seed.plan_1959).count() == 1


def test_verify_tells_whether_the_records_still_are_the_inputs(seed, review, item_1):
    report_on(item_1, ProgressStatus.DELAYED, 90, D(1960, 3, 31))  # after the date: not an input
    assert services.verify_review(review)

    late = report_on(item_1, ProgressStatus.DELAYED, 90, D(1959, 12, 31))  # reported late, for 1959
    assert not services.verify_review(review)
    stored = Review.objects.get(pk=review.pk)
    assert stored.figures["completion"]["completed"] == 80  # the snapshot stands

    recomputed = services.recompute_review(stored, expected_version=stored.version)
    assert recomputed.figures["completion"]["completed"] == 79 and recomputed.version == 2
    assert services.verify_review(recomputed)

    records.update(late, expected_version=late.version, narrative={"en": "Behind schedule."})
    assert not services.verify_review(recomputed)  # a changed input row, even if the figures are the same


def test_recompute_refuses_a_stale_version(review):
    with pytest.raises(StaleVersion):
        services.recompute_review(review, expected_version=review.version + 1)


def test_publishing_freezes_the_review(seed, review, item_1):
    cn = services.add_statement(review, seed.cn, {"zh": "中方满意。", "en": "China is satisfied."})
    published = services.publish_review(review, expected_version=review.version)
    assert published.status == Review.Status.PUBLISHED and published.published_at is not None
    figures, digest = published.figures, published.inputs_hash

    before = ChangeRecord.objects.count()
    for refused in (
        lambda: services.recompute_review(published, expected_version=published.version),
        lambda: services.publish_review(published, expected_version=published.version),
        lambda: services.add_statement(published, seed.su, {"ru": "Советская сторона удовлетворена."}),
        lambda: services.update_statement(cn, expected_version=cn.version, text={"en": "Changed."}),
    ):
        with pytest.raises(TransitionRefused) as err:
            refused()
        assert err.value.code == "review_published"
    assert ChangeRecord.objects.count() == before

    # Later records change what a new computation would say, not the published figures.
    report_on(item_1, ProgressStatus.DELAYED, 90, D(1959, 12, 31))
    stored = Review.objects.get(pk=review.pk)
    assert (stored.figures, stored.inputs_hash) == (figures, digest)
    assert not services.verify_review(stored)


def test_each_party_makes_its_own_statement_in_its_languages(seed, review):
    cn = services.add_statement(
        review, seed.cn, {"zh": "1959年计划执行情况良好。", "en": "The 1959 plan was well carried out."}
    )
    su = services.add_statement(
        review, seed.su, {"ru": "План на 1959 год выполнен успешно.", "en": "The 1959 plan was successfully fulfilled."}
    )
    assert (cn.owner_party, su.owner_party) == (seed.cn, seed.su)
    assert cn.text.get_text("zh") == "1959年计划执行情况良好。"
    assert su.text.get_text("ru") == "План на 1959 год выполнен успешно."
    assert su.text.get_text("zh-Hans") == "The 1959 plan was successfully fulfilled."  # no Chinese: English
    assert [s.party.code for s in review.statements.order_by("party__code")] == ["CN", "SU"]
    [entry] = changes_of(cn)
    assert entry.related_id == str(review.pk)

    with pytest.raises(ValidationFailed) as err:
        services.add_statement(review, seed.cn, {"en": "A second statement."})
    assert err.value.field == "party"  # one per party
    with pytest.raises(ValidationFailed) as err:
        services.add_statement(review, seed.su, {"xx_YY": "?"})
    assert err.value.field == "text"

    updated = services.update_statement(su, expected_version=su.version, text={"ru": "План выполнен.", "en": "Done."})
    assert updated.version == 2 and ReviewStatement.objects.get(pk=su.pk).text == {
        "ru": "План выполнен.",
        "en": "Done.",
    }
    with pytest.raises(StaleVersion):
        services.update_statement(su, expected_version=1, text={"en": "Stale."})
    with pytest.raises(ValidationFailed) as err:
        services.update_statement(su, expected_version=su.version, party=seed.cn)
    assert err.value.field == "party"


def test_a_party_outside_the_agreement_makes_no_statement(seed, review):
    gdr = create_party(code="DD", name={"en": "German Democratic Republic"}, languages=["de"])
    before = ChangeRecord.objects.count()
    with pytest.raises(ValidationFailed) as err:
        services.add_statement(review, gdr, {"de": "Eine Erklärung."})
    assert err.value.field == "party" and "not a party" in err.value.message
    assert ChangeRecord.objects.count() == before and not review.statements.exists()
