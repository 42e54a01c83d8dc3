import datetime as dt
from decimal import Decimal

import pytest

from accord.agreements.services import create_agreement, record_signature
from accord.core.errors import StaleVersion, TransitionRefused, ValidationFailed
from accord.core.models import ChangeRecord
from accord.directory.services import create_organisation, create_party
from accord.programmes import services
from accord.programmes.choices import PlanStatus
from accord.programmes.models import Plan, PlanItem

pytestmark = pytest.mark.django_db

D = dt.date


def new_plan(seed, **extra):
    fields = dict(
        agreement=seed.protocol, title={"en": "1961 plan"}, period_start=D(1961, 1, 1), period_end=D(1961, 12, 31)
    )
    fields.update(extra)
    return services.create_plan(**fields)


def walk(plan, *statuses):
    for status in statuses:
        plan = services.transition_plan(plan, status, expected_version=plan.version)
    return plan


def agree(seed, plan, number="5"):
    """Give the plan an item if it has none, propose it, and have both parties agree to it."""
    if not plan.items.exists():
        services.add_plan_item(plan, seed.protocol.projects.get(number=number))
    plan = walk(plan, PlanStatus.PROPOSED)
    for party in (seed.cn, seed.su):
        services.approve_plan(plan, party=party, expected_version=plan.version, approved_on=D(1961, 1, 20))
    return plan


def sign_both(seed, plan):
    record_signature(plan, party=seed.cn, signatory=seed.wu_heng, signed_on=D(1961, 2, 1), signed_at={"en": "Beijing"})
    record_signature(
        plan, party=seed.su, signatory=seed.aleksenko, signed_on=D(1961, 2, 2), signed_at={"en": "Beijing"}
    )


def test_plan_period_must_lie_inside_the_agreement(seed):
    short = create_agreement(
        parties=[seed.cn, seed.su], title={"en": "Short"}, signed_on=D(1960, 1, 1), end_on=D(1960, 12, 31)
    )
    with pytest.raises(ValidationFailed) as err:
        new_plan(seed, agreement=short)
    assert err.value.field == "period_start" and "1960-01-01 – 1960-12-31" in err.value.message
    with pytest.raises(ValidationFailed) as err:
        new_plan(seed, period_start=D(1957, 1, 1), period_end=D(1957, 12, 31))  # before the Protocol
    assert err.value.field == "period_start"
    with pytest.raises(ValidationFailed) as err:
        new_plan(seed, period_end=D(1960, 12, 31))
    assert err.value.field == "period_end"


def test_a_plan_starts_as_draft():
    with pytest.raises(ValidationFailed):
        services.create_plan(status="signed")


def test_lifecycle_allows_only_its_transitions(seed):
    plan = new_plan(seed)
    with pytest.raises(TransitionRefused, match="draft plan cannot become signed"):
        services.transition_plan(plan, PlanStatus.SIGNED, expected_version=plan.version)
    with pytest.raises(TransitionRefused, match="without items"):
        services.transition_plan(plan, PlanStatus.PROPOSED, expected_version=plan.version)
    services.add_plan_item(plan, seed.protocol.projects.get(number="4"))
    plan = walk(plan, PlanStatus.PROPOSED, PlanStatus.DRAFT, PlanStatus.PROPOSED)
    with pytest.raises(TransitionRefused) as err:
        services.transition_plan(plan, PlanStatus.AGREED, expected_version=plan.version)
    assert err.value.code == "approvals_missing" and "CN, SU" in err.value.message
    with pytest.raises(TransitionRefused, match="reviewed"):
        services.transition_plan(plan, PlanStatus.REVIEWED, expected_version=plan.version)
    with pytest.raises(ValidationFailed):
        services.transition_plan(plan, "approved", expected_version=plan.version)
    with pytest.raises(ValidationFailed):
        services.update_plan(plan, expected_version=plan.version, status="closed")


def test_a_plan_is_agreed_when_both_parties_agree_to_the_same_version(seed):
    plan = new_plan(seed)
    services.add_plan_item(plan, seed.protocol.projects.get(number="4"))
    plan = walk(plan, PlanStatus.PROPOSED)
    seen = plan.version
    with pytest.raises(TransitionRefused, match="only a proposed plan"):
        services.approve_plan(new_plan(seed, revision=2), party=seed.cn, expected_version=1, approved_on=None)
    services.approve_plan(plan, party=seed.cn, expected_version=seen, approved_on=D(1961, 1, 10))
    assert plan.status == "proposed" and [p.code for p in services.missing_approvals(plan)] == ["SU"]
    with pytest.raises(ValidationFailed, match="already agreed"):
        services.approve_plan(plan, party=seed.cn, expected_version=seen, approved_on=None)
    mn = create_party(code="MN", name={"en": "Mongolia"}, languages=["mn"])
    with pytest.raises(ValidationFailed) as err:
        services.approve_plan(plan, party=mn, expected_version=seen, approved_on=None)
    assert err.value.field == "party"
    with pytest.raises(StaleVersion):
        services.approve_plan(plan, party=seed.su, expected_version=seen - 1, approved_on=None)
    services.approve_plan(plan, party=seed.su, expected_version=seen, approved_on=D(1961, 1, 12))
    assert plan.status == "agreed"
    assert set(plan.approvals.values_list("plan_version", flat=True)) == {seen}


def test_a_change_after_proposal_or_agreement_reopens_the_plan(seed):
    plan = agree(seed, new_plan(seed))
    assert plan.status == "agreed"
    item = plan.items.get()
    services.update_plan_item(item, expected_version=item.version, objectives={"en": "A wider scope"})
    plan.refresh_from_db()
    assert plan.status == "draft"
    plan = walk(plan, PlanStatus.PROPOSED)
    assert [p.code for p in services.missing_approvals(plan)] == ["CN", "SU"]  # the earlier approvals lapsed
    services.add_plan_item(plan, seed.protocol.projects.get(number="6"))
    plan.refresh_from_db()
    assert plan.status == "draft"
    stale = plan.version
    services.update_plan(plan, expected_version=plan.version, title={"en": "1961 plan (revised)"})
    with pytest.raises(StaleVersion):
        services.update_plan(plan, expected_version=stale, title={"en": "Lost update"})


def test_signing_needs_every_signatory_party(seed):
    plan = agree(seed, new_plan(seed))
    record_signature(plan, party=seed.cn, signatory=seed.wu_heng, signed_on=D(1961, 2, 1))
    with pytest.raises(TransitionRefused) as err:
        services.transition_plan(plan, PlanStatus.SIGNED, expected_version=plan.version)
    assert err.value.code == "signatures_missing" and "SU" in err.value.message
    record_signature(
        plan, party=seed.su, signatory=seed.aleksenko, signed_on=D(1961, 2, 2), signed_at={"en": "Beijing"}
    )
    version = plan.version
    plan = services.transition_plan(plan, PlanStatus.SIGNED, expected_version=version)
    assert (plan.status, plan.signed_on, plan.signed_at, plan.signed_version) == (
        "signed",
        D(1961, 2, 2),
        {"en": "Beijing"},
        version,
    )


def test_a_signed_plan_is_frozen(seed):
    plan = agree(seed, new_plan(seed))
    item = plan.items.get()
    sign_both(seed, plan)
    plan = walk(plan, PlanStatus.SIGNED)
    entries = ChangeRecord.objects.count()
    with pytest.raises(TransitionRefused, match="amend it with a new revision"):
        services.update_plan(plan, expected_version=plan.version, title={"en": "Changed"})
    with pytest.raises(TransitionRefused):
        services.add_plan_item(plan, seed.protocol.projects.get(number="6"))
    with pytest.raises(TransitionRefused):
        services.update_plan_item(item, expected_version=item.version, objectives={"en": "more"})
    with pytest.raises(TransitionRefused):
        services.add_deliverable(item, title={"en": "Report"})
    assert ChangeRecord.objects.count() == entries
    plan = walk(plan, PlanStatus.IN_FORCE)  # the lifecycle still moves on
    assert plan.status == "in_force"


def test_items_belong_to_projects_of_the_same_agreement(seed):
    other = create_agreement(parties=[seed.cn, seed.su], title={"en": "Other"}, signed_on=D(1958, 1, 1))
    foreign = services.create_project(agreement=other, number="1", title={"en": "Foreign"})
    plan = new_plan(seed)
    with pytest.raises(ValidationFailed) as err:
        services.add_plan_item(plan, foreign)
    assert err.value.field == "project"
    first = services.add_plan_item(plan, seed.protocol.projects.get(number="7"))
    second = services.add_plan_item(plan, seed.protocol.projects.get(number="8"))
    assert (first.position, second.position) == (1, 2)
    with pytest.raises(ValidationFailed):
        services.add_plan_item(plan, seed.protocol.projects.get(number="7"))  # once per plan


def test_carry_over_link_must_be_the_same_project_from_another_plan(seed):
    plan = new_plan(seed, previous=seed.plan_1960)
    old = seed.plan_1960.items.first()
    item = services.add_plan_item(plan, old.project, carried_over_from=old)
    assert item.carried_over_from == old
    with pytest.raises(ValidationFailed) as err:
        services.add_plan_item(plan, seed.protocol.projects.exclude(pk=old.project_id).first(), carried_over_from=old)
    assert err.value.field == "carried_over_from"


def test_assistance_needs_two_different_parties_of_the_agreement(seed):
    base = dict(agreement=seed.protocol, title={"en": "Help"}, modality="assistance")
    with pytest.raises(ValidationFailed) as err:
        services.create_project(number="200", **base)
    assert set(err.value.errors) == {"provider_party", "recipient_party"}
    with pytest.raises(ValidationFailed, match="two different parties"):
        services.create_project(number="200", provider_party=seed.su, recipient_party=seed.su, **base)
    mn = create_party(code="MN", name={"en": "Mongolia"}, languages=["mn"])
    with pytest.raises(ValidationFailed) as err:
        services.create_project(number="200", provider_party=mn, recipient_party=seed.cn, **base)
    assert err.value.field == "provider_party"
    with pytest.raises(ValidationFailed) as err:
        services.create_project(number="200", agreement=seed.protocol, title={"en": "J"}, provider_party=seed.su)
    assert err.value.field == "modality"
    ok = services.create_project(number="200", provider_party=seed.su, recipient_party=seed.cn, **base)
    assert ok.modality == "assistance"
    with pytest.raises(ValidationFailed):
        services.create_project(number="200", agreement=seed.protocol, title={"en": "Same number"})


def test_participation_side_must_be_a_party_of_the_agreement(seed):
    mn = create_party(code="MN", name={"en": "Mongolia"}, languages=["mn"])
    mn_org = create_organisation(party=mn, name={"en": "Mongolian Academy"})
    project = seed.protocol.projects.get(number="9")
    with pytest.raises(ValidationFailed) as err:
        services.add_participation(project, mn_org)
    assert err.value.field == "side"
    p = services.add_participation(project, seed.embassy)
    assert (p.side, p.owner_party) == (seed.cn, seed.cn)


def test_progress_rules(seed):
    item = seed.plan_1960.items.first()
    reporter = item.project.participations.get(side=seed.cn).organisation
    period = dict(period_start=D(1960, 1, 1), period_end=D(1960, 6, 30))
    report = services.record_progress(item, reporting_organisation=reporter, status="on_track", percent=40, **period)
    assert report.owner_party == seed.cn
    with pytest.raises(ValidationFailed) as err:
        services.record_progress(item, reporting_organisation=reporter, status="completed", percent=90, **period)
    assert err.value.field == "percent"
    with pytest.raises(ValidationFailed) as err:
        services.record_progress(item, reporting_organisation=reporter, status="on_track", percent=101, **period)
    assert err.value.field == "percent"
    with pytest.raises(ValidationFailed) as err:
        services.record_progress(item, reporting_organisation=reporter, status="done", percent=10, **period)
    assert err.value.field == "status"
    with pytest.raises(ValidationFailed) as err:
        services.record_progress(item, reporting_organisation=seed.embassy, status="on_track", percent=10, **period)
    assert err.value.field == "reporting_organisation"
    with pytest.raises(ValidationFailed) as err:
        services.record_progress(
            item,
            reporting_organisation=reporter,
            status="on_track",
            percent=10,
            period_start=D(1960, 6, 30),
            period_end=D(1960, 1, 1),
        )
    assert err.value.field == "period_end"


def shipment(seed, **extra):
    fields = dict(
        agreement=seed.protocol,
        kind="sample_shipment",
        from_party=seed.su,
        to_party=seed.cn,
        sending_organisation=seed.ussr_academy,
        receiving_organisation=seed.cas,
        quantity=Decimal(10),
        unit="samples",
        sent_on=D(1960, 3, 1),
        sent_reference="AN-60/1",
    )
    fields.update(extra)
    return services.record_exchange(**fields)


def test_exchange_goes_between_two_parties_with_their_own_organisations(seed):
    with pytest.raises(ValidationFailed) as err:
        shipment(seed, to_party=seed.su, receiving_organisation=None)
    assert "to_party" in err.value.errors
    with pytest.raises(ValidationFailed) as err:
        shipment(seed, sending_organisation=seed.cas)
    assert err.value.field == "sending_organisation"
    with pytest.raises(ValidationFailed) as err:
        shipment(seed, quantity=Decimal(-1))
    assert err.value.field == "quantity"
    with pytest.raises(ValidationFailed) as err:
        shipment(seed, received_on=D(1960, 3, 5))
    assert err.value.field == "received_on"
    people = [seed.aleksenko]
    visit = services.record_exchange(
        agreement=seed.protocol,
        kind="delegation_visit",
        from_party=seed.su,
        to_party=seed.cn,
        start_on=D(1960, 5, 1),
        end_on=D(1960, 5, 10),
        people=people,
    )
    assert [p.person for p in visit.people.all()] == people


def test_receipt_is_confirmed_once_by_the_receiving_side_after_dispatch(seed):
    ex = shipment(seed)
    assert ex.owner_party == seed.su
    ex = services.confirm_receipt(
        ex, received_on=D(1960, 3, 20), reference="CN-PERMIT-60/9", expected_version=ex.version
    )
    assert (ex.received_on, ex.received_reference) == (D(1960, 3, 20), "CN-PERMIT-60/9")
    with pytest.raises(TransitionRefused, match="already confirmed"):
        services.confirm_receipt(ex, received_on=D(1960, 3, 21), expected_version=ex.version)
    unsent = shipment(seed, sent_on=None, sent_reference="")
    with pytest.raises(TransitionRefused, match="not recorded it as sent"):
        services.confirm_receipt(unsent, received_on=D(1960, 3, 21), expected_version=unsent.version)
    early = shipment(seed)
    with pytest.raises(ValidationFailed) as err:
        services.confirm_receipt(early, received_on=D(1960, 2, 1), expected_version=early.version)
    assert err.value.field == "received_on"
    visit = services.record_exchange(
        agreement=seed.protocol, kind="expert_secondment", from_party=seed.su, to_party=seed.cn
    )
    with pytest.raises(TransitionRefused):
        services.confirm_receipt(visit, received_on=D(1960, 3, 21), expected_version=visit.version)


def test_deliverable_delivery_is_recorded_on_a_signed_plan(seed):
    deliverable = seed.plan_1959.items.first().deliverables.first()
    d = services.mark_delivered(deliverable, delivered_on=D(1959, 12, 20), expected_version=deliverable.version)
    assert d.delivered_on == D(1959, 12, 20)


def test_unknown_status_names_the_allowed_ones(seed):
    plan = Plan.objects.get(pk=seed.plan_1959.pk)
    with pytest.raises(TransitionRefused, match=r"allowed: closed"):
        services.transition_plan(plan, PlanStatus.DRAFT, expected_version=plan.version)
    assert PlanItem.objects.filter(plan=plan).count() == 122


def test_an_amendment_is_a_new_revision_and_the_signed_one_stays(seed):
    signed = seed.plan_1960
    before = (signed.version, signed.status, signed.items.count())
    with pytest.raises(TransitionRefused, match="only a signed or in-force plan"):
        services.amend_plan(new_plan(seed))
    amendment = services.amend_plan(signed)
    assert (amendment.revision, amendment.supersedes, amendment.status) == (2, signed, "draft")
    assert amendment.period_start == signed.period_start and amendment.previous == signed.previous
    old = {i.project_id: i for i in signed.items.all()}
    new = {i.project_id: i for i in amendment.items.all()}
    assert set(old) == set(new)
    some = next(iter(new.values()))
    assert some.carried_over_from == old[some.project_id].carried_over_from
    assert some.responsibilities.count() == old[some.project_id].responsibilities.count() == 2
    signed.refresh_from_db()
    assert (signed.version, signed.status, signed.items.count()) == before
    with pytest.raises(TransitionRefused, match="already being drafted"):
        services.amend_plan(signed)


def test_the_next_plan_proposes_the_unfinished_items_and_waits_for_decisions(seed):
    with pytest.raises(TransitionRefused, match="from a signed plan"):
        unsigned = new_plan(seed, period_start=D(1963, 1, 1), period_end=D(1963, 12, 31))
        services.draft_next_plan(unsigned, title={"en": "x"}, period_start=D(1962, 1, 1), period_end=D(1962, 12, 31))
    # The 1960 plan was signed; report on two of its items, then draft 1961 from it.
    items = list(seed.plan_1960.items.order_by("position")[:3])
    for item, status, percent in ((items[0], "completed", 100), (items[1], "cancelled", 0), (items[2], "delayed", 30)):
        reporter = item.project.participations.get(side=seed.cn).organisation
        services.record_progress(
            item,
            reporting_organisation=reporter,
            period_start=D(1960, 1, 1),
            period_end=D(1960, 12, 31),
            status=status,
            percent=percent,
        )
    plan = services.draft_next_plan(
        seed.plan_1960, title={"en": "1961 plan"}, period_start=D(1961, 1, 1), period_end=D(1961, 12, 31)
    )
    proposals = list(plan.items.order_by("position"))
    assert len(proposals) == seed.plan_1960.items.count() - 2  # the completed and the cancelled stay behind
    assert {p.carried_over_from_id for p in proposals} == {i.pk for i in seed.plan_1960.items.all()} - {
        items[0].pk,
        items[1].pk,
    }
    assert all(p.carry_over == "proposed" and p.responsibilities.count() == 2 for p in proposals)
    assert [p.position for p in proposals] == list(range(1, len(proposals) + 1))
    with pytest.raises(TransitionRefused) as err:
        services.transition_plan(plan, PlanStatus.PROPOSED, expected_version=plan.version)
    assert err.value.code == "carry_over_undecided"
    dropped = proposals[0]
    services.drop_carry_over(dropped, expected_version=dropped.version)
    assert not PlanItem.objects.filter(pk=dropped.pk).exists()
    assert PlanItem.objects.filter(pk=dropped.carried_over_from_id).exists()  # its history stays
    assert [p.position for p in plan.items.order_by("position")] == list(range(1, len(proposals)))  # moved up
    for p in proposals[1:]:
        p.refresh_from_db()  # renumbered: a new version of each item after the one left out
        services.accept_carry_over(p, expected_version=p.version)
    with pytest.raises(TransitionRefused):
        services.drop_carry_over(proposals[1], expected_version=proposals[1].version + 1)
    services.add_plan_item(plan, seed.protocol.projects.get(number="2"))  # plus new items
    plan = walk(plan, PlanStatus.PROPOSED)
    assert plan.items.count() == len(proposals)


def test_the_receiving_institutions_reporter_confirms_receipt_and_no_other_reporter(seed):
    """The rule of core.permissions ("confirm_receipt"): the receiving party's coordinator, or the reporter of the
    receiving institution; the sending institution's reporter (the other party's) is refused."""
    from django.contrib.auth import get_user_model

    from accord.core.actor import acting_as, actor_for_user
    from accord.core.errors import Forbidden

    shipment = services.record_exchange(
        agreement=seed.protocol,
        kind="sample_shipment",
        from_party=seed.cn,
        to_party=seed.su,
        sending_organisation=seed.cas,
        receiving_organisation=seed.msu,
        sent_on=D(1960, 3, 1),
    )
    users = {u.username: u for u in get_user_model().objects.all()}
    for username in ("cas-reporter", "cn-coordinator", "cn-observer"):
        with acting_as(actor_for_user(users[username])), pytest.raises(Forbidden):
            services.confirm_receipt(shipment, received_on=D(1960, 3, 20), expected_version=shipment.version)
    with acting_as(actor_for_user(users["msu-reporter"])):
        services.confirm_receipt(shipment, received_on=D(1960, 3, 20), expected_version=shipment.version)
    shipment.refresh_from_db()
    assert shipment.received_on == D(1960, 3, 20)
