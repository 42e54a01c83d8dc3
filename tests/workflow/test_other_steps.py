"""Progress, carry-over, receipt, review and minutes through their confirmation pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accord.core.models import ChangeRecord
from accord.core.pages.steps import actions_of as actions_for
from accord.programmes.models import Exchange, PlanItem, ProgressReport


def page(response: Any) -> str:
    return response.content.decode()


def test_a_reporter_records_progress_for_their_institution(client, users, seed):
    reporter = users["cas-reporter"]
    item = PlanItem.objects.filter(plan=seed.plan_1960, project__participations__organisation=seed.cas).first()
    url = f"/workflow/items/{item.pk}/progress/"
    assert "Record progress" in [a.label for a in actions_for(reporter, item)]
    client.force_login(reporter)
    response = client.get(url)
    assert response.status_code == 200
    assert "Record progress on item" in page(response) and "counts in the plan&#x27;s review" in page(response)
    data = {
        "version": item.version,
        "reporting_organisation": seed.cas.pk,
        "period_start": "1960-01-01",
        "period_end": "1960-06-30",
        "status": "on_track",
        "percent": "40",
        "narrative_language": "zh",
        "narrative": "进展顺利",
        "evidence": "",
    }
    # Bad input: named field, what was typed kept, nothing written.
    response = client.post(url, {**data, "percent": "140"})
    assert response.status_code == 400
    assert 'data-field="percent"' in page(response) and "进展顺利" in page(response)
    assert not ProgressReport.objects.filter(plan_item=item, period_end=dt.date(1960, 6, 30)).exists()
    response = client.post(url, data)
    assert response.status_code == 302
    report = ProgressReport.objects.get(plan_item=item, period_end=dt.date(1960, 6, 30))
    assert (report.status, report.percent, report.narrative) == ("on_track", 40, {"zh": "进展顺利"})
    assert ChangeRecord.objects.filter(
        object_type="programmes.progressreport", object_id=str(report.pk), actor_name="cas-reporter"
    ).exists()
    # An observer may not report.
    client.force_login(users["cn-observer"])
    assert client.post(url, data).status_code == 403


def test_carry_over_is_accepted_or_dropped(client, users, draft_plan, seed):
    from accord.programmes import services

    earlier = seed.plan_1960.items.order_by("position")
    taken = set(draft_plan.items.values_list("project_id", flat=True))
    old = [i for i in earlier if i.project_id not in taken][:2]
    proposed = [services.add_plan_item(draft_plan, i.project, carry_over="proposed", carried_over_from=i) for i in old]
    client.force_login(users["su-coordinator"])
    keep, drop = proposed
    response = client.get(f"/workflow/items/{keep.pk}/accept/")
    assert "Carry item" in page(response) and "into “1961 cooperation plan”" in page(response)
    assert client.post(f"/workflow/items/{keep.pk}/accept/", {"version": keep.version}).status_code == 302
    keep.refresh_from_db()
    assert keep.carry_over == "accepted"
    assert "Leave item" in page(client.get(f"/workflow/items/{drop.pk}/drop/"))
    assert client.post(f"/workflow/items/{drop.pk}/drop/", {"version": drop.version}).status_code == 302
    assert not PlanItem.objects.filter(pk=drop.pk).exists()
    assert ChangeRecord.objects.filter(object_type="programmes.planitem", action="delete", actor_name="su-coordinator")
    client.force_login(users["cn-observer"])
    assert client.post(f"/workflow/items/{keep.pk}/accept/", {"version": keep.version}).status_code == 403


def test_the_receiving_side_confirms_receipt(client, users, seed):
    exchange = Exchange.objects.filter(received_on=None, sent_on__isnull=False, kind="sample_shipment").first()
    url = f"/workflow/exchanges/{exchange.pk}/confirm-receipt/"
    assert exchange.to_party == seed.su
    client.force_login(users["cn-coordinator"])  # the sending side may not confirm
    assert client.get(url).status_code == 403
    assert actions_for(users["cn-coordinator"], exchange) == []
    client.force_login(users["su-coordinator"])
    response = client.get(url)
    assert "Confirm on behalf of Union of Soviet Socialist Republics" in page(response)
    response = client.post(url, {"version": exchange.version, "received_on": "1960-03-01", "reference": "SU-REC-60/9"})
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert (exchange.received_on, exchange.received_reference) == (dt.date(1960, 3, 1), "SU-REC-60/9")
    # A second confirmation is refused with the service's reason.
    response = client.post(url, {"version": exchange.version, "received_on": "1960-03-02", "reference": "x"})
    assert response.status_code == 409 and "receipt was already confirmed on 1960-03-01" in page(response)


def test_review_statement_and_publication(client, users, seed):
    from accord.meetings.models import Review

    client.force_login(users["cn-coordinator"])
    url = f"/workflow/plans/{seed.plan_1960.pk}/review/"
    assert "Compute the implementation review of" in page(client.get(url))
    assert client.post(url, {"version": seed.plan_1960.version, "as_of": "1960-12-31"}).status_code == 302
    review = Review.objects.get(plan=seed.plan_1960, as_of=dt.date(1960, 12, 31))
    assert review.status == "draft" and review.figures
    url = f"/workflow/reviews/{review.pk}/statement/"
    response = client.post(url, {"version": review.version, "party": seed.su.pk, "language": "zh", "text": "x"})
    assert response.status_code == 400  # a CN coordinator does not speak for SU
    response = client.post(url, {"version": review.version, "party": seed.cn.pk, "language": "zh", "text": "完成良好"})
    assert response.status_code == 302
    assert review.statements.get(party=seed.cn).text == {"zh": "完成良好"}
    url = f"/workflow/reviews/{review.pk}/publish/"
    assert "its figures and statements are frozen" in page(client.get(url))
    assert client.post(url, {"version": review.version}).status_code == 302
    review.refresh_from_db()
    assert review.status == "published"
    client.force_login(users["cas-reporter"])
    assert client.get(url).status_code == 403


def test_both_delegations_approve_the_minutes(client, users, seed):
    from accord.meetings.models import Minutes
    from accord.meetings.services import minutes as minutes_services

    minutes_services.start_minutes(seed.meeting, {"zh": "会议纪要", "ru": "Протокол", "en": "Minutes"})
    minutes = Minutes.objects.get(meeting=seed.meeting)
    url = f"/workflow/minutes/{minutes.pk}/approve/"
    client.force_login(users["cn-coordinator"])
    response = client.get(url)
    assert "Approve revision 1 of the minutes" in page(response) and "on behalf of People" in page(response)
    data = {"version": minutes.version, "revision": 1, "signed_on": "1960-02-24"}
    assert client.post(url, {**data, "party": seed.cn.pk}).status_code == 302
    client.force_login(users["su-coordinator"])
    assert client.post(url, {**data, "party": seed.su.pk}).status_code == 302
    minutes.refresh_from_db()
    assert minutes.status == "final"
    assert ChangeRecord.objects.filter(object_type="meetings.minutessignoff", actor_name="su-coordinator").exists()
    client.force_login(users["cn-observer"])
    assert client.get(url).status_code == 403
