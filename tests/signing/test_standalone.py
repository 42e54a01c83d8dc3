"""The documented offline verifier, run as the other party would: a separate process, no Accord imports."""

import hashlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
import rfc8785

from accord.signing.bundle import export_signed

pytestmark = pytest.mark.django_db
SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_bundle_standalone.py"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-I", str(SCRIPT), *args], capture_output=True, text=True, check=False)


def standalone():
    spec = importlib.util.spec_from_file_location("verify_bundle_standalone", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_standalone_verifier_accepts_a_bundle_and_refuses_a_tampered_one(signed_plan, keys, tmp_path):
    data = export_signed(signed_plan)
    good = tmp_path / "plan.json"
    good.write_bytes(data)
    zh = tmp_path / "zh.txt"
    zh.write_bytes("1961年科学技术合作计划（正本）".encode())
    ok = run(str(good), "--text", f"zh={zh}", "--trust", f"CN={keys.cn.public_key}")
    assert ok.returncode == 0, ok.stderr
    assert "ok: 2 signatures hold" in ok.stdout and keys.cn.fingerprint in ok.stdout

    doc = json.loads(data)
    doc["payload"]["plan"]["items"][1]["deliverables"][0]["due_on"] = "1962-12-01"
    doc["payload_sha256"] = hashlib.sha256(rfc8785.dumps(doc["payload"])).hexdigest()
    bad = tmp_path / "tampered.json"
    bad.write_bytes(rfc8785.dumps(doc) + b"\n")
    refused = run(str(bad))
    assert refused.returncode == 1 and "signature does not hold" in refused.stderr

    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x01
    bad.write_bytes(bytes(flipped))
    assert run(str(bad)).returncode == 1

    assert run(str(good), "--text", "zh=" + str(good)).returncode == 1  # the wrong text
    assert run(str(good), "--trust", f"SU={keys.cn.public_key}").returncode == 1


def test_its_canonical_form_is_rfc_8785_for_what_accord_writes(signed_plan):
    module = standalone()
    doc = json.loads(export_signed(signed_plan))
    assert module.canonical(doc) == rfc8785.dumps(doc)
    tricky = {"é": '\u2028\x7f\x00\n"\\/', "a": [True, None, -(2**53) + 1, ""], "\U0001f600": 1, "\uff61": 2}
    assert module.canonical(tricky) == rfc8785.dumps(tricky)
    with pytest.raises(module.Refused):
        module.canonical({"x": 1.5})


def test_the_payload_bytes_can_be_cut_from_the_file_as_documented(signed_plan):
    data = export_signed(signed_plan)
    prefix = b'{"format":"accord-signed-bundle/1","payload":'
    assert data.startswith(prefix)
    cut = data[len(prefix) : data.index(b',"payload_sha256":"')]
    assert cut == rfc8785.dumps(json.loads(data)["payload"])
