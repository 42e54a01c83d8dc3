"""Fixtures for the signing tests: a quick KDF, signing keys for the seed's signatories, an agreed plan."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from accord.programmes import services as programmes
from accord.programmes.choices import DeliverableKind, PlanStatus
from accord.signing import crypto
from accord.signing.models import SigningKey
from accord.signing.services import create_signing_key, revoke_signing_key

D = dt.date
PASS_CN = "东风压倒西风 — correct horse"
PASS_SU = "Спутник-1 battery staple"
# The rendered authentic texts (the documents app renders them; tests give explicit bytes).
TEXTS = {
    "zh": "1961年科学技术合作计划（正本）".encode(),
    "ru": "План научно-технического сотрудничества на 1961 год".encode(),
}


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch):
    """Keys made in tests use the smallest Argon2id cost allowed; one test checks the real defaults."""
    monkeypatch.setattr(crypto, "ARGON2ID_DEFAULTS", {"memory_kib": 8 * 1024, "iterations": 1, "lanes": 1})
    monkeypatch.setattr(crypto, "SCRYPT_DEFAULTS", {"n": 2**13, "r": 8, "p": 1})


def make_plan(seed, items: int = 3, **extra):
    fields = dict(
        agreement=seed.protocol,
        title={"en": "1961 plan", "zh": "1961年计划", "ru": "План на 1961 год"},
        period_start=D(1961, 1, 1),
        period_end=D(1961, 12, 31),
    )
    fields.update(extra)
    plan = programmes.create_plan(**fields)
    projects = list(seed.protocol.projects.order_by("id")[:items])
    for n, project in enumerate(projects, start=1):
        item = programmes.add_plan_item(
            plan, project, objectives={"en": f"Objectives {n}", "zh": f"目标 {n}", "ru": f"Цели {n}"}
        )
        programmes.add_responsibility(item, seed.cas)
        programmes.add_responsibility(item, seed.ussr_academy)
        report = {"en": f"Report {n}"}
        programmes.add_deliverable(
            item, kind=DeliverableKind.REPORT, title=report, due_on=D(1961, 12, 1), responsible_party=seed.cn
        )
        programmes.add_deliverable(item, kind=DeliverableKind.SAMPLES, title={"en": f"Samples {n}"})
    plan.refresh_from_db()
    return plan


def agree(seed, plan):
    """Walk a draft plan to agreed: proposed, then agreed by both parties."""
    plan = programmes.transition_plan(plan, PlanStatus.PROPOSED, expected_version=plan.version)
    for party in (seed.cn, seed.su):
        programmes.approve_plan(plan, party=party, expected_version=plan.version, approved_on=D(1961, 1, 20))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.AGREED
    return plan


@pytest.fixture(autouse=True)
def _without_the_demo_keys(db):
    """The demo made keys for Wu Heng and Aleksenko to sign the 1960 plan; these tests make their own."""
    for key in SigningKey.objects.filter(revoked_on=None):
        revoke_signing_key(key, expected_version=key.version)


@pytest.fixture
def keys(seed):
    return SimpleNamespace(cn=create_signing_key(seed.wu_heng, PASS_CN), su=create_signing_key(seed.aleksenko, PASS_SU))


@pytest.fixture
def agreed_plan(seed):
    return agree(seed, make_plan(seed))


def sign_cn(seed, plan, **extra):
    from accord.signing.services import sign_plan

    fields = dict(
        party=seed.cn,
        signatory=seed.wu_heng,
        passphrase=PASS_CN,
        texts=TEXTS,
        signed_on=D(1961, 2, 1),
        signed_at={"en": "Beijing", "zh": "北京"},
    )
    fields.update(extra)
    return sign_plan(plan, **fields)


def sign_su(seed, plan, **extra):
    from accord.signing.services import sign_plan

    fields = dict(
        party=seed.su,
        signatory=seed.aleksenko,
        passphrase=PASS_SU,
        texts=TEXTS,
        signed_on=D(1961, 2, 2),
        signed_at={"en": "Beijing", "ru": "Пекин"},
    )
    fields.update(extra)
    return sign_plan(plan, **fields)


@pytest.fixture
def signed_plan(seed, keys, agreed_plan):
    sign_cn(seed, agreed_plan)
    sign_su(seed, agreed_plan)
    agreed_plan.refresh_from_db()
    assert agreed_plan.status == PlanStatus.SIGNED
    return agreed_plan
