"""`accord check-texts FILE_A FILE_B`: findings printed, exit 0 / 1, and 2 for input it cannot read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

DATA = Path(__file__).resolve().parents[2] / "src" / "accord" / "demo" / "data"
EN = DATA / "people-daily-1960-02-26.en.txt"
ZH = DATA / "people-daily-1960-02-26.zh.txt"
NAMES = Path(__file__).resolve().parent / "corpus" / "directory.json"


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        call_command("check-texts", *args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.django_db
def test_seed_pair_is_clean_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(str(EN), str(ZH), capsys=capsys)
    assert code == 0
    assert "(en) vs" in out and "(zh): no findings" in out


def test_findings_are_printed_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    changed = tmp_path / "en.txt"
    changed.write_text(EN.read_text(encoding="utf-8").replace("Wu Heng", "Liu Xiao"), encoding="utf-8")
    code, out, _ = run(str(changed), str(ZH), "--directory", str(NAMES), capsys=capsys)
    assert code == 1
    assert 'error: name differs: en says "Liu Xiao"' in out
    assert out.strip().endswith("1 finding")


def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    changed = tmp_path / "zh.txt"
    changed.write_text(ZH.read_text(encoding="utf-8").replace("1958年1月18日", "1958年1月19日"), encoding="utf-8")
    code, out, _ = run(
        str(EN),
        str(changed),
        "--lang-a",
        "en",
        "--lang-b",
        "zh",
        "--context-date",
        "1960-02-26",
        "--json",
        "--no-directory",
        capsys=capsys,
    )
    assert code == 1
    payload = json.loads(out)
    assert payload["languages"] == ["en", "zh"] and payload["context_date"] == "1960-02-26"
    (finding,) = payload["findings"]
    assert finding["kind"] == "date" and finding["says"] == {"en": "January 18, 1958", "zh": "1958年1月19日"}


@pytest.mark.parametrize(
    ("content", "reason"),
    [(None, "cannot read"), (b"\xff\xfe\x00bad", "is not UTF-8"), (b"  \n", "is empty")],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, content: bytes | None, reason: str) -> None:
    path = tmp_path / "a.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError) as exc:
        call_command("check-texts", str(path), str(ZH), "--no-directory")
    assert reason in str(exc.value) and "\n" not in str(exc.value)
    assert exc.value.returncode == 2


def test_bad_context_date_exits_2() -> None:
    with pytest.raises(CommandError) as exc:
        call_command("check-texts", str(EN), str(ZH), "--context-date", "26.02.1960", "--no-directory")
    assert exc.value.returncode == 2


def test_the_installed_command(tmp_path: Path) -> None:
    """Through the real `accord` entry point: exit statuses as a shell sees them."""
    accord = [sys.executable, "-m", "accord"]
    env_dir = tmp_path / "data"
    env = {"ACCORD_DATA_DIR": str(env_dir), "PATH": "/usr/bin:/bin"}
    ok = subprocess.run([*accord, "check-texts", str(EN), str(ZH)], capture_output=True, text=True, env=env)
    assert ok.returncode == 0, ok.stderr
    assert "names not compared" in ok.stderr  # no database in a fresh data directory, and none created
    assert not (env_dir / "accord.sqlite3").exists()
    bad = subprocess.run(
        [*accord, "check-texts", str(tmp_path / "missing.txt"), str(ZH)], capture_output=True, text=True, env=env
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "cannot read" in bad.stderr
    changed = tmp_path / "zh.txt"
    changed.write_text(ZH.read_text(encoding="utf-8").replace("一百二十二项", "一百一十二项"), encoding="utf-8")
    found = subprocess.run([*accord, "check-texts", str(EN), str(changed)], capture_output=True, text=True, env=env)
    assert found.returncode == 1
    assert "一百一十二" in found.stdout
