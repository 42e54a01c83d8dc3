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
SRC = str(Path(__file__).resolve().parents[2] / "src")  # the code under test, not an installed copy


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
    env = {"ACCORD_DATA_DIR": str(env_dir), "PATH": "/usr/bin:/bin", "PYTHONPATH": SRC}
    ok = subprocess.run([*accord, "check-texts", str(EN), str(ZH)], capture_output=True, text=True, env=env)
    assert ok.returncode == 0, ok.stderr
    # no database in a fresh data directory, and none created: names from the built-in gazetteer
    assert "built-in gazetteer" in ok.stderr
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


def test_names_are_compared_without_a_names_file(tmp_path: Path) -> None:
    """No database, no --directory: countries and international bodies come from the built-in gazetteer."""
    en, zh = tmp_path / "en.txt", tmp_path / "zh.txt"
    en.write_text("France and the Security Council welcomed the report.", encoding="utf-8")
    zh.write_text("德国和安全理事会欢迎该报告。", encoding="utf-8")
    env = {"ACCORD_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin", "PYTHONPATH": SRC}
    run_ = subprocess.run(
        [sys.executable, "-m", "accord", "check-texts", str(en), str(zh)], capture_output=True, text=True, env=env
    )
    assert run_.returncode == 1, run_.stderr
    assert 'name differs: en says "France"' in run_.stdout and "德国" in run_.stdout
    zh.write_text("法国和安全理事会欢迎该报告。", encoding="utf-8")
    same = subprocess.run(
        [sys.executable, "-m", "accord", "check-texts", str(en), str(zh)], capture_output=True, text=True, env=env
    )
    assert same.returncode == 0, same.stdout


def _docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("The Council met on 4 March 2015.")
    document.save(str(path))


BAD_INPUTS = {
    "html": (
        lambda p: p.write_text("<!DOCTYPE html><html><body><p>4 March 2015</p></body></html>", encoding="utf-8"),
        "is HTML",
    ),
    "html fragment": (
        lambda p: p.write_text("<p>One</p><p>Two</p><p>Three</p><div>4</div><br/><p>5</p>", encoding="utf-8"),
        "is HTML",
    ),
    "docx": (_docx, "is a DOCX"),
    "pdf": (lambda p: p.write_bytes(b"%PDF-1.7\n%binary"), "is a PDF"),
    "binary": (lambda p: p.write_bytes(b"\x01\x02\x00\x00\x03" * 10), "binary"),
    "empty": (lambda p: p.write_bytes(b""), "is empty"),
    "huge": (lambda p: p.write_bytes(b"The Council met on 4 March 2015. " * 160_000), "too large"),
    "german": (
        lambda p: p.write_text(
            "Der Rat hat die Resolution am 4. März 2015 mit den Stimmen der Mitglieder "
            "angenommen, und die Sitzung wurde um 10 Uhr von dem Präsidenten eröffnet.",
            encoding="utf-8",
        ),
        "not in Chinese, Russian or English",
    ),
    "mixed scripts": (
        lambda p: p.write_text(
            "The Council met on 4 March 2015 and adopted the resolution without a vote. "
            "Совет провел заседание 4 марта 2015 года и принял резолюцию.",
            encoding="utf-8",
        ),
        "mixes scripts",
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
def test_bad_input_exits_2_with_one_line_never_a_traceback(tmp_path: Path, kind: str) -> None:
    make, reason = BAD_INPUTS[kind]
    bad = tmp_path / "bad.txt"
    make(bad)
    env = {"ACCORD_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin", "PYTHONPATH": SRC}
    run_ = subprocess.run(
        [sys.executable, "-m", "accord", "check-texts", str(bad), str(ZH)], capture_output=True, text=True, env=env
    )
    assert run_.returncode == 2, (run_.stdout, run_.stderr)
    assert reason in run_.stderr and run_.stderr.strip().count("\n") == 0, run_.stderr
    assert "Traceback" not in run_.stderr
    # the same through Django's command
    with pytest.raises(CommandError) as exc:
        call_command("check-texts", str(bad), str(ZH), "--no-directory")
    assert reason in str(exc.value) and exc.value.returncode == 2


def test_a_language_declared_against_the_script_exits_2(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as exc:
        call_command("check-texts", str(EN), str(ZH), "--lang-a", "ru", "--no-directory")
    assert "declared ru but written in Latin script" in str(exc.value) and exc.value.returncode == 2
    with pytest.raises(CommandError) as exc:
        call_command("check-texts", str(EN), str(ZH), "--lang-a", "de", "--no-directory")
    assert "reads zh, ru and en" in str(exc.value)


def test_findings_are_ranked_most_likely_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    en, zh = tmp_path / "en.txt", tmp_path / "zh.txt"
    en.write_text(
        "16. France welcomed the report of 12 May.\n\nThe meeting was held on 4 March 2015 with 45 delegations.",
        encoding="utf-8",
    )
    zh.write_text("德国欢迎5月12日的报告。\n\n会议于2015年3月5日举行，有45个代表团出席。", encoding="utf-8")
    code, out, _ = run(str(en), str(zh), capsys=capsys)
    assert code == 1
    lines = [line for line in out.splitlines() if line.startswith(("error", "warning"))]
    assert lines[0].startswith("error: date differs")
    assert lines[1].startswith("error: name differs")
    assert lines[-1].startswith("warning: could not compare the numbering")


def test_the_fast_path_escapes_what_it_prints_for_the_terminal(tmp_path: Path) -> None:
    """Without Django, as through every other Accord command (core.text.for_terminal): a file name (or text)
    holding an escape sequence or a direction override reaches the terminal escaped, and --json stays JSON."""
    env = {"ACCORD_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin", "PYTHONPATH": SRC}
    en = tmp_path / "en\x1b]0;owned\x07\x1b[2J\u202e.txt"
    en.write_text(EN.read_text(encoding="utf-8"), encoding="utf-8")
    changed = tmp_path / "zh.txt"
    changed.write_text(ZH.read_text(encoding="utf-8").replace("一百二十二项", "一百一十二项"), encoding="utf-8")
    accord = [sys.executable, "-m", "accord", "check-texts"]
    found = subprocess.run([*accord, str(en), str(changed)], capture_output=True, text=True, env=env)
    assert found.returncode == 1, found.stderr
    assert "\x1b" not in found.stdout + found.stderr and "\u202e" not in found.stdout and "\x07" not in found.stdout
    assert "en\\x1b]0;owned\\x07\\x1b[2J\\u202e.txt" in found.stdout
    as_json = subprocess.run([*accord, str(en), str(changed), "--json"], capture_output=True, text=True, env=env)
    assert "\x1b" not in as_json.stdout and "\u202e" not in as_json.stdout
    assert json.loads(as_json.stdout)["file_a"] == str(en)  # the same name, escaped the JSON way
    missing = subprocess.run(
        [*accord, str(tmp_path / "\x1b[31mgone"), str(ZH)], capture_output=True, text=True, env=env
    )
    assert missing.returncode == 2 and "\x1b" not in missing.stderr and "\\x1b[31mgone" in missing.stderr
