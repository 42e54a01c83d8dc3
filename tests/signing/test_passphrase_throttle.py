"""Signing-key passphrases cannot be guessed without limit (issue 17): after a few wrong ones each further
try waits, the right passphrase included; each failure and each use of a key is in the security log. With a
second factor, signing takes a current one-time code too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from accord.accounts import throttle
from accord.accounts.models import SecurityEvent
from accord.core.actor import acting_as, actor_for_user
from accord.core.errors import ValidationFailed
from accord.programmes.choices import PlanStatus
from accord.signing.models import SignatureSeal
from tests.accounts.conftest import code_for, enrol
from tests.signing.conftest import sign_cn


def later(monkeypatch, seconds: int) -> None:
    moved = timezone_now() + dt.timedelta(seconds=seconds)
    monkeypatch.setattr(throttle, "timezone", type("Clock", (), {"now": staticmethod(lambda: moved)}))


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def test_guessing_a_passphrase_is_limited_per_key(seed, keys, agreed_plan, monkeypatch):
    for n in range(3):
        with pytest.raises(ValidationFailed, match="wrong passphrase"):
            sign_cn(seed, agreed_plan, passphrase=f"guess number {n}")
    with pytest.raises(ValidationFailed, match="too many wrong passphrases") as refused:
        sign_cn(seed, agreed_plan)  # the right passphrase, while the key waits
    assert refused.value.field == "passphrase"
    assert not SignatureSeal.objects.filter(signing_key=keys.cn).exists()
    events = list(SecurityEvent.objects.filter(channel="signing").values_list("kind", flat=True))
    assert events.count("key-passphrase-failed") == 3 and "lockout" in events and "signin-refused" in events
    # The other party's key is a subject of its own.
    assert throttle.wait_for([throttle.subject("signing-key", keys.su.pk)]) == 0

    later(monkeypatch, 61)
    sign_cn(seed, agreed_plan)
    assert SignatureSeal.objects.filter(signing_key=keys.cn).count() == 1
    used = SecurityEvent.objects.filter(kind="key-used", detail__contains=f"plan {agreed_plan.pk} v")
    assert used.count() == 1
    assert throttle.failures_of(throttle.subject("signing-key", keys.cn.pk)) == 0


def test_waits_grow_with_each_further_wrong_passphrase(seed, keys, agreed_plan, monkeypatch):
    waits = []
    for n in range(5):
        later(monkeypatch, 3600 * n)  # each try after the previous wait is over
        with pytest.raises(ValidationFailed, match="wrong passphrase"):
            sign_cn(seed, agreed_plan, passphrase=f"guess number {n}")
        waits.append(throttle.wait_for([throttle.subject("signing-key", keys.cn.pk)]))
    assert waits[:2] == [0, 0] and 0 < waits[2] < waits[3] < waits[4]


def test_signing_with_a_second_factor_takes_a_code(seed, keys, agreed_plan):
    coordinator = get_user_model().objects.get(username="cn-coordinator")
    device = enrol(coordinator)
    with acting_as(actor_for_user(coordinator, "sign-request")):
        with pytest.raises(ValidationFailed) as missing:
            sign_cn(seed, agreed_plan)
        assert missing.value.field == "otp"
        with pytest.raises(ValidationFailed) as wrong:
            sign_cn(seed, agreed_plan, otp="000000" if code_for(device) != "000000" else "111111")
        assert wrong.value.field == "otp"
        sign_cn(seed, agreed_plan, otp=code_for(device))
    agreed_plan.refresh_from_db()
    assert agreed_plan.status == PlanStatus.AGREED  # one of two signatures
    assert SignatureSeal.objects.filter(signing_key=keys.cn).count() == 1
    assert SecurityEvent.objects.filter(kind="otp-failed", account="cn-coordinator", channel="signing").count() == 1
    key_used = SecurityEvent.objects.get(kind="key-used", detail__contains=f"plan {agreed_plan.pk} v")
    assert key_used.user == coordinator and key_used.request_id == "sign-request"


def test_a_stranger_guessing_the_accounts_password_does_not_stop_its_owner_signing(seed, keys, agreed_plan):
    coordinator = get_user_model().objects.get(username="cn-coordinator")
    for _ in range(10):
        throttle.record_failure([throttle.subject("account", "cn-coordinator")])
    with acting_as(actor_for_user(coordinator, "sign-request")):
        sign_cn(seed, agreed_plan)
    assert SignatureSeal.objects.filter(signing_key=keys.cn).count() == 1


def test_with_a_second_factor_required_no_signature_without_it(seed, keys, agreed_plan, settings):
    settings.ACCORD_REQUIRE_SECOND_FACTOR = True
    coordinator = get_user_model().objects.get(username="cn-coordinator")
    with acting_as(actor_for_user(coordinator, "sign-request")), pytest.raises(ValidationFailed) as refused:
        sign_cn(seed, agreed_plan, otp="123456")
    assert refused.value.field == "otp" and "requires one" in refused.value.message
    assert throttle.wait_for([throttle.subject("signing-key", keys.cn.pk)]) == 0  # not counted as a guess
