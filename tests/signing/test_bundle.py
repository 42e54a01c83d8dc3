import json
import random

import pytest
import rfc8785

from accord.core.errors import TransitionRefused
from accord.signing import crypto
from accord.signing.bundle import export_signed, verify_bundle

from .conftest import sign_cn

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle(signed_plan) -> bytes:
    return export_signed(signed_plan)


def recanonical(obj) -> bytes:
    return rfc8785.dumps(obj) + b"\n"


def test_an_exported_bundle_verifies_offline(seed, signed_plan, bundle, keys, django_assert_num_queries):
    with django_assert_num_queries(0):  # offline: no database
        report = verify_bundle(bundle)
    assert report.ok, report.problems
    assert report.plan_uid == str(signed_plan.uid) and report.version == signed_plan.signed_version
    assert [s.party for s in report.signatures] == ["CN", "SU"]
    assert report.signatures[0].signatory["zh"] == "武衡"
    assert report.signatures[0].fingerprint == keys.cn.fingerprint
    doc = json.loads(bundle)
    assert bundle == rfc8785.dumps(doc) + b"\n"
    assert set(doc) == {"format", "payload", "payload_sha256", "texts", "signatures"}
    assert doc["payload"]["version"] == signed_plan.signed_version
    assert doc["texts"] == doc["payload"]["texts"] and set(doc["texts"]) == {"zh", "ru"}
    sig = doc["signatures"][1]
    assert sig["party"] == "SU" and sig["public_key"] == keys.su.public_key and sig["signed_on"] == "1961-02-02"
    assert sig["signed_at"] == {"en": "Beijing", "ru": "Пекин"}
    assert doc["payload_sha256"] == crypto.sha256_hex(rfc8785.dumps(doc["payload"]))


def test_only_signed_plans_with_keys_are_exported(seed, keys, agreed_plan):
    with pytest.raises(TransitionRefused, match="not signed"):
        export_signed(agreed_plan)
    sign_cn(seed, agreed_plan)
    with pytest.raises(TransitionRefused, match="not signed"):
        export_signed(agreed_plan)
    with pytest.raises(TransitionRefused, match="recorded without a signing key"):
        export_signed(seed.plan_1959)  # the seed knows the parties signed 1959, not with what


def test_every_single_byte_change_fails(bundle):
    """Every position of the bundle, each changed to another random byte: none may still verify."""
    rng = random.Random(1961)
    passed = []
    reasons = set()
    for pos in range(len(bundle)):
        changed = bytearray(bundle)
        changed[pos] = rng.choice([b for b in range(256) if b != bundle[pos]])
        report = verify_bundle(bytes(changed))
        if report.ok:
            passed.append(pos)
        assert report.reason
        reasons.add(report.reason.split(":")[0])
    assert not passed, f"changes at {passed[:10]} still verify"
    assert len(reasons) > 3  # parse errors, canonical form, hashes, signatures... each with a reason


def test_changes_that_keep_the_file_canonical_are_caught_by_what_they_touch(bundle):
    doc = json.loads(bundle)
    doc["signatures"][0]["signatory"]["en"] = "Wu Hang"
    report = verify_bundle(recanonical(doc))
    assert not report.ok and "attestation does not hold" in report.reason

    doc = json.loads(bundle)
    doc["payload"]["plan"]["items"][0]["objectives"]["en"] += "."
    doc["payload_sha256"] = crypto.sha256_hex(rfc8785.dumps(doc["payload"]))
    report = verify_bundle(recanonical(doc))
    assert [s.ok for s in report.signatures] == [False, False]
    assert "the signature does not hold" in report.reason

    doc = json.loads(bundle)
    del doc["signatures"][1]
    report = verify_bundle(recanonical(doc))
    assert report.problems == ["SU has not signed"]

    doc = json.loads(bundle)
    doc["signatures"][1] = dict(doc["signatures"][0])
    report = verify_bundle(recanonical(doc))
    assert "CN has signed twice" in report.reason


def test_a_signature_spelled_another_way_in_base64_fails(bundle):
    doc = json.loads(bundle)
    sig = doc["signatures"][0]["signature"]  # 64 bytes: ends in '==', the last letter carries 4 unused bits
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    i = alphabet.index(sig[-3])
    twin = sig[:-3] + alphabet[i ^ 1] + "=="
    assert crypto.b64(crypto.base64.b64decode(twin)) == sig  # the same bytes to a lenient decoder
    doc["signatures"][0]["signature"] = twin
    assert not verify_bundle(recanonical(doc)).ok


def test_trusted_keys_pin_who_may_sign(bundle, keys):
    assert verify_bundle(bundle, trusted_keys={"CN": [keys.cn.public_key], "SU": [keys.su.public_key]}).ok
    report = verify_bundle(bundle, trusted_keys={"SU": [keys.cn.public_key]})
    assert not report.ok and "not trusted for SU" in report.reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b"{", "not valid JSON"),
        (b"[]", "not a JSON object"),
        (b'{"a":1.5}', "integers only"),
        (b'{"a":1,"a":2}', "appears twice"),
        (b'{ "format":1}', "canonical form"),
        (b'{"format":1}', "wrong fields"),
    ],
)
def test_malformed_bundles_are_refused_with_a_reason(data, reason):
    report = verify_bundle(data)
    assert not report.ok and reason in report.reason


def test_whitespace_json_would_ignore_still_counts(bundle):
    for ws in (b" ", b"\t", b"\r"):
        report = verify_bundle(bundle[:-1] + ws)
        assert not report.ok and "canonical form" in report.reason
    assert verify_bundle(bundle[:-1]).ok  # the final newline is the only optional byte
