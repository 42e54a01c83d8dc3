"""The signing commands through call_command: output, and CommandError (exit status 1) with a one-line reason."""

import pytest
from django.core.management import CommandError, call_command

from accord.programmes.choices import PlanStatus
from accord.signing.models import SigningKey

from .conftest import PASS_CN, PASS_SU, TEXTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(tmp_path):
    paths = {}
    for name, content in {"cn": PASS_CN, "su": PASS_SU, "bad": "not the passphrase at all"}.items():
        paths[name] = tmp_path / f"{name}.pass"
        paths[name].write_text(content + "\n", encoding="utf-8")
    for lang, body in TEXTS.items():
        paths[lang] = tmp_path / f"plan.{lang}.txt"
        paths[lang].write_bytes(body)
    paths["bundle"] = tmp_path / "bundle.json"
    return paths


def cmd(*args, capsys):
    call_command(*args)
    return capsys.readouterr().out


def test_the_whole_cycle_from_the_command_line(seed, agreed_plan, files, capsys):
    out = cmd("signing-key", "create", str(seed.wu_heng.uid), "--passphrase-file", str(files["cn"]), capsys=capsys)
    key = SigningKey.objects.filter(person=seed.wu_heng).latest("id")
    assert "signing key made for Wu Heng" in out and key.fingerprint in out
    cmd("signing-key", "create", str(seed.aleksenko.pk), "--passphrase-file", str(files["su"]), capsys=capsys)
    texts = [f"--text=zh={files['zh']}", f"--text=ru={files['ru']}"]
    common = ["--passphrase-file", str(files["cn"]), "--signed-on", "1961-02-01", "--signed-at", "en=Beijing"]
    cn = ["--party", "cn", "--signatory", str(seed.wu_heng.pk)]
    out = cmd("sign-plan", str(agreed_plan.pk), *cn, *common, *texts, capsys=capsys)
    assert "for CN by Wu Heng" in out and "still to sign: SU" in out
    su = ["--party", "SU", "--signatory", str(seed.aleksenko.uid), "--passphrase-file", str(files["su"])]
    out = cmd("sign-plan", str(agreed_plan.uid), *su, *texts, capsys=capsys)
    assert "the plan is signed" in out
    agreed_plan.refresh_from_db()
    assert agreed_plan.status == PlanStatus.SIGNED
    out = cmd("export-signed", str(agreed_plan.pk), "-o", str(files["bundle"]), capsys=capsys)
    assert str(files["bundle"]) in out
    out = cmd("verify-bundle", str(files["bundle"]), f"--text=ru={files['ru']}", capsys=capsys)
    assert "ok: 2 signatures hold" in out and "Aleksenko" in out

    data = bytearray(files["bundle"].read_bytes())
    data[100] ^= 0x20
    files["bundle"].write_bytes(bytes(data))
    with pytest.raises(CommandError, match=r"^the bundle does not verify: "):
        call_command("verify-bundle", str(files["bundle"]))


def test_refusals_are_command_errors_with_a_reason(seed, agreed_plan, files, monkeypatch):
    with pytest.raises(CommandError, match="no person with id 999999"):
        call_command("signing-key", "create", "999999", "--passphrase-file", str(files["cn"]))
    with pytest.raises(CommandError, match="neither the id nor the uid"):
        call_command("export-signed", "plan-1961", "-o", str(files["bundle"]))
    answers = iter([PASS_CN, PASS_CN + "?"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="the two passphrases differ"):
        call_command("signing-key", "create", str(seed.wu_heng.pk))
    call_command("signing-key", "create", str(seed.wu_heng.pk), "--passphrase-file", str(files["cn"]))
    texts = [f"--text=zh={files['zh']}", f"--text=ru={files['ru']}"]
    args = ["sign-plan", str(agreed_plan.pk), "--party", "CN", "--signatory", str(seed.wu_heng.pk), *texts]
    with pytest.raises(CommandError, match="passphrase: wrong passphrase"):
        call_command(*args, "--passphrase-file", str(files["bad"]))
    with pytest.raises(CommandError, match="missing: ru"):
        call_command(*args[:-1], "--passphrase-file", str(files["cn"]))
    with pytest.raises(CommandError, match="not signed"):
        call_command("export-signed", str(agreed_plan.pk), "-o", str(files["bundle"]))
    files["bundle"].write_text("{}")
    with pytest.raises(CommandError, match="wrong fields"):
        call_command("verify-bundle", str(files["bundle"]))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("verify-bundle", str(files["bundle"]) + ".missing")
    call_command("signing-key", "revoke", str(seed.wu_heng.pk))
    assert SigningKey.objects.filter(person=seed.wu_heng).latest("id").revoked_on is not None
    with pytest.raises(CommandError, match="no active signing key"):
        call_command("signing-key", "revoke", str(seed.wu_heng.pk))


def test_keys_are_listed_with_fingerprints(seed, keys, capsys):
    call_command("signing-key", "list")
    out = capsys.readouterr().out
    assert keys.cn.fingerprint in out and keys.su.fingerprint in out and "active" in out
    call_command("signing-key", "list", str(seed.wu_heng.pk))
    assert keys.su.fingerprint not in capsys.readouterr().out
    assert keys.cn.public_key in out


def test_verify_bundle_exit_status_in_a_fresh_installation_without_a_database(signed_plan, tmp_path):
    """The other party's Accord: an empty data directory, never migrated; only the file is read."""
    import json
    import os
    import subprocess
    import sys

    from accord.signing.bundle import export_signed

    bundle = tmp_path / "plan.json"
    bundle.write_bytes(export_signed(signed_plan))
    signed_plan_keys = {s["party"]: s["public_key"] for s in json.loads(bundle.read_bytes())["signatures"]}
    env = {k: v for k, v in os.environ.items() if k not in {"ACCORD_DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["ACCORD_DATA_DIR"] = str(tmp_path / "data")

    trust = [f"--trust=CN={signed_plan_keys['CN']}", f"--trust=SU={signed_plan_keys['SU']}"]

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "accord", "verify-bundle", str(bundle), *extra],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    ok = run(*trust)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip().endswith("ok: 2 signatures hold, all by trusted keys")
    # Without the keys handed over, nothing says who made them: valid but untrusted is exit status 2.
    untrusted = run()
    assert untrusted.returncode == 2 and "not said you trust" in untrusted.stderr
    data = bytearray(bundle.read_bytes())
    data[-20] ^= 0x01
    bundle.write_bytes(bytes(data))
    bad = run(*trust)
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines()[-1].startswith("CommandError: the bundle does not verify: ")
