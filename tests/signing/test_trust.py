"""verify-bundle says whether the keys are trusted: a bundle re-signed with an attacker's own keys verifies as a
file, but is not trusted — exit status 2 unless --allow-untrusted."""

from __future__ import annotations

import importlib
import json

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from accord.signing import crypto
from accord.signing.bundle import TrustedKeys, export_signed, verify_bundle
from accord.signing.content import attestation_statement

pytestmark = pytest.mark.django_db


def resigned_by_an_attacker(bundle: bytes) -> tuple[bytes, dict[str, str]]:
    """The same payload, every signature and attestation made again with fresh keys of the attacker's."""
    doc = json.loads(bundle)
    payload_bytes = rfc8785.dumps(doc["payload"])
    keys = {}
    for sig in doc["signatures"]:
        private = Ed25519PrivateKey.generate()
        public = crypto.b64(crypto.raw_public(private.public_key()))
        keys[sig["party"]] = public
        statement = attestation_statement(
            payload_sha256=doc["payload_sha256"],
            party=sig["party"],
            signatory=sig["signatory"],
            capacity=sig["capacity"],
            signed_on=sig["signed_on"],
            signed_at=sig["signed_at"],
            public_key=public,
        )
        sig.update(
            public_key=public,
            signature=crypto.sign(private, payload_bytes),
            attestation=crypto.sign(private, crypto.canonical_bytes(statement)),
        )
    return rfc8785.dumps(doc) + b"\n", keys


@pytest.fixture
def files(signed_plan, tmp_path, settings):
    settings.ACCORD_TRUSTED_KEYS = str(tmp_path / "trusted-keys.txt")
    genuine = export_signed(signed_plan)
    forged, attacker_keys = resigned_by_an_attacker(genuine)
    (tmp_path / "genuine.json").write_bytes(genuine)
    (tmp_path / "forged.json").write_bytes(forged)
    return tmp_path, attacker_keys


def test_the_forged_bundle_holds_as_a_file_but_its_keys_are_untrusted(files):
    tmp, _keys = files
    report = verify_bundle((tmp / "forged.json").read_bytes())
    assert report.ok  # the file is consistent: that alone proves nothing about who signed
    assert [s.party for s in report.untrusted] == ["CN", "SU"]


def test_verify_bundle_refuses_a_bundle_re_signed_with_other_keys(files, capsys):
    tmp, _keys = files
    with pytest.raises(CommandError) as refused:
        call_command("verify-bundle", str(tmp / "forged.json"))
    assert refused.value.returncode == 2
    assert "not said you trust" in str(refused.value) and "--allow-untrusted" in str(refused.value)
    out = capsys.readouterr().out
    assert out.count("NOT TRUSTED") == 2


def test_allow_untrusted_exits_0_and_still_says_so(files, capsys):
    tmp, _keys = files
    call_command("verify-bundle", str(tmp / "forged.json"), "--allow-untrusted")
    out = capsys.readouterr().out
    assert "ok (--allow-untrusted)" in out and "not said you trust" in out


def test_the_keys_this_installation_made_are_trusted(files, capsys):
    tmp, _keys = files
    call_command("verify-bundle", str(tmp / "genuine.json"))
    out = capsys.readouterr().out
    assert "ok: 2 signatures hold, all by trusted keys" in out and "made by this installation" in out


def test_the_other_partys_installation_trusts_pinned_keys_only(files, capsys, keys, monkeypatch):
    tmp, attacker = files
    # The other party's Accord: it made none of these keys.
    command = importlib.import_module("accord.signing.management.commands.verify-bundle")
    monkeypatch.setattr(command, "installation_keys", lambda: TrustedKeys())
    with pytest.raises(CommandError) as refused:
        call_command("verify-bundle", str(tmp / "genuine.json"))
    assert refused.value.returncode == 2
    (tmp / "trusted-keys.txt").write_text(
        f"# handed over at the signing\nCN={keys.cn.public_key}\nsu = {keys.su.public_key}  # Aleksenko\n"
    )
    call_command("verify-bundle", str(tmp / "genuine.json"))
    assert "pinned in" in capsys.readouterr().out
    with pytest.raises(CommandError) as forged:
        call_command("verify-bundle", str(tmp / "forged.json"))
    assert forged.value.returncode == 2
    # --trust with the attacker's key for CN trusts that one only; SU stays untrusted.
    with pytest.raises(CommandError) as partly:
        call_command("verify-bundle", str(tmp / "forged.json"), f"--trust=CN={attacker['CN']}")
    assert partly.value.returncode == 2 and "SU" in str(partly.value) and "(CN" not in str(partly.value)


def test_a_malformed_pinned_keys_file_is_named(files):
    tmp, _keys = files
    (tmp / "trusted-keys.txt").write_text("CN=not-a-key\n")
    with pytest.raises(CommandError, match=r"trusted-keys.txt, line 1"):
        call_command("verify-bundle", str(tmp / "genuine.json"))
