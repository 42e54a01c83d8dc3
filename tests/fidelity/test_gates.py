"""Before agreeing or signing, the plan's language versions must agree — or a coordinator says why not."""

import datetime as dt

import pytest

from accord.core.errors import TransitionRefused
from accord.core.journal import journal_of
from accord.programmes import services as programmes
from accord.signing.models import SigningKey
from accord.signing.services import create_signing_key, revoke_signing_key, sign_plan

D = dt.date


def proposed_plan(seed, objectives):
    plan = programmes.create_plan(
        agreement=seed.protocol,
        title={"en": "1961 plan", "zh": "1961年计划"},
        period_start=D(1961, 1, 1),
        period_end=D(1961, 12, 31),
    )
    programmes.add_plan_item(plan, seed.protocol.projects.get(number="3"), objectives=objectives)
    return programmes.transition_plan(plan, "proposed", expected_version=plan.version)


MISMATCH = {"en": "Ship 122 soil samples by 15 March 1961.", "zh": "于1961年3月15日前寄送112份土壤样品。"}


@pytest.mark.django_db
def test_disagreeing_versions_block_agreement_until_overridden_with_a_reason(seed):
    plan = proposed_plan(seed, MISMATCH)
    with pytest.raises(TransitionRefused) as err:
        programmes.approve_plan(plan, party=seed.cn, expected_version=plan.version, approved_on=None)
    assert err.value.code == "fidelity_findings"
    assert "item 1 (project 3) objectives" in err.value.message and "122" in err.value.message
    assert not plan.approvals.exists()
    approval = programmes.approve_plan(
        plan,
        party=seed.cn,
        expected_version=plan.version,
        approved_on=None,
        fidelity_override="the Chinese figure is the agreed one; English to follow",
    )
    assert "Fidelity override (agree): the Chinese figure is the agreed one" in approval.note


@pytest.mark.django_db
def test_consistent_versions_pass_without_a_word(seed):
    plan = proposed_plan(
        seed, {"en": "Ship 122 soil samples by 15 March 1961.", "zh": "于1961年3月15日前寄送122份土壤样品。"}
    )
    approval = programmes.approve_plan(plan, party=seed.cn, expected_version=plan.version, approved_on=None)
    assert approval.note == ""


@pytest.mark.django_db
def test_signing_disagreeing_versions_needs_the_signatorys_reason_in_the_journal(seed, monkeypatch):
    from accord.signing import crypto

    monkeypatch.setattr(crypto, "ARGON2ID_DEFAULTS", {"memory_kib": 8 * 1024, "iterations": 1, "lanes": 1})
    for key in SigningKey.objects.filter(revoked_on=None):
        revoke_signing_key(key, expected_version=key.version)
    create_signing_key(seed.wu_heng, "a passphrase for tests")
    plan = proposed_plan(seed, MISMATCH)
    for party in (seed.cn, seed.su):
        programmes.approve_plan(
            plan,
            party=party,
            expected_version=plan.version,
            approved_on=None,
            fidelity_override="agreed at the session",
        )
    plan.refresh_from_db()
    texts = {"zh": b"zh text", "ru": b"ru text"}
    args = dict(
        party=seed.cn, signatory=seed.wu_heng, passphrase="a passphrase for tests", texts=texts, signed_on=D(1961, 2, 1)
    )
    with pytest.raises(TransitionRefused, match="CN, SU agreed anyway"):
        sign_plan(plan, **args)
    sign_plan(plan, **args, fidelity_override="the Chinese text prevails")
    notes = [entry.text for entry in journal_of(plan)]
    assert any(n.startswith("Fidelity override (sign): the Chinese text prevails") for n in notes)
