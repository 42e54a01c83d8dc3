import datetime as dt
from decimal import Decimal

import pytest

from accord.agreements.services import create_agreement, record_signature
from accord.core.errors import TransitionRefused, ValidationFailed
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
    plan = walk(plan, PlanStatus.PROPOSED, PlanStatus.DRAFT, PlanStatus.PROPOSED, PlanStatus.AGREED)
    assert plan.status == "agreed"
    with pytest.raises(TransitionRefused, match="reviewed"):
        services.transition_plan(plan, PlanStatus.REVIEWED, expected_version=plan.version)
    with pytest.raises(ValidationFailed):
        services.transition_plan(plan, "approved", expected_version=plan.version)
    with pytest.raises(ValidationFailed):
        services.update_plan(plan, expected_version=plan.version, status="closed")


def test_signing_needs_every_signatory_party(seed):
    plan = walk(new_plan(seed), PlanStatus.PROPOSED, PlanStatus.AGREED)
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
    plan = walk(new_plan(seed), PlanStatus.PROPOSED, PlanStatus.AGREED)
    project = seed.protocol.projects.get(number="5")
    item = services.add_plan_item(plan, project)
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
    # an amendment is a new revision of the same period
    amendment = new_plan(seed, revision=2, supersedes=plan)
    assert amendment.status == "draft"


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
