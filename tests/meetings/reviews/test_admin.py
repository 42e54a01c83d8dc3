"""The admin over reviews: writes go through the services, figures are read-only, published means frozen."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.core.models import ChangeRecord
from accord.meetings.models import Review, ReviewStatement
from accord.meetings.services import reviews as services
from accord.programmes import services as programmes
from tests.meetings.reviews.conftest import MEETING_END

pytestmark = pytest.mark.django_db


def test_adding_a_review_computes_it(seed, admin_client):
    url = reverse("admin:meetings_review_add")
    page = admin_client.post(url, {"plan": seed.plan_1959.pk, "as_of": "1960-02-24", "visibility": "bilateral"})
    assert page.status_code == 302, page.content.decode()[:2000]
    stored = Review.objects.get(plan=seed.plan_1959)
    assert stored.figures["completion"]["completed"] == 80 and services.verify_review(stored)
    assert ChangeRecord.objects.filter(object_type="meetings.review", object_id=str(stored.pk)).count() == 1

    page = admin_client.get(reverse("admin:meetings_review_change", args=[stored.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "&quot;carried_over&quot;: 42" in body
    assert 'name="figures"' not in body and 'name="inputs_hash"' not in body  # shown, not editable


def test_a_plan_without_baseline_is_refused_in_the_form(seed, admin_client):
    draft = programmes.create_plan(
        agreement=seed.protocol,
        title={"en": "1961 plan"},
        period_start=MEETING_END.replace(year=1961),
        period_end=MEETING_END.replace(year=1961, month=12, day=31),
    )
    page = admin_client.post(
        reverse("admin:meetings_review_add"), {"plan": draft.pk, "as_of": "1961-06-30", "visibility": "bilateral"}
    )
    assert page.status_code == 409 and "no baseline" in page.content.decode()  # refused by create_review
    assert not Review.objects.exists()


def test_a_published_review_and_its_statements_cannot_be_changed(seed, admin_client, admin_user, rf):
    review = services.create_review(seed.plan_1959, MEETING_END)
    statement = services.add_statement(review, seed.cn, {"en": "China is satisfied."})
    review = services.publish_review(review, expected_version=review.version)
    request = rf.get("/")
    request.user = admin_user
    from django.contrib import admin

    assert not admin.site._registry[Review].has_change_permission(request, review)
    assert not admin.site._registry[Review].has_delete_permission(request, review)
    assert not admin.site._registry[ReviewStatement].has_change_permission(request, statement)
    url = reverse("admin:meetings_reviewstatement_change", args=[statement.pk])
    assert admin_client.post(url, {"text": '{"en": "Changed."}', "visibility": "bilateral"}).status_code == 403
    assert ReviewStatement.objects.get(pk=statement.pk).text == {"en": "China is satisfied."}
    assert admin_client.get(reverse("admin:meetings_review_changelist")).status_code == 200


def test_statements_from_the_admin_go_through_the_service(seed, admin_client):
    review = services.create_review(seed.plan_1959, MEETING_END)
    page = admin_client.post(
        reverse("admin:meetings_reviewstatement_add"),
        {
            "review": review.pk,
            "party": seed.su.pk,
            "text": '{"ru": "Советская сторона удовлетворена."}',
            "visibility": "bilateral",
        },
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    statement = ReviewStatement.objects.get(review=review)
    assert statement.owner_party == seed.su and statement.text.get_text("ru") == "Советская сторона удовлетворена."
