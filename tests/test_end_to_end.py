"""The seed, end to end, as an operator runs it: a fresh data directory and the `accord` command only.

From the 1958 Protocol through the 1959 plan, its progress and exchanges, the February 1960 meeting
(review of 1959, carry-over, the 1960 plan agreed and signed by Wu Heng and Aleksenko, Liu Xiao and
Petukhov attending) to the communiqué in Chinese, Russian and English — checked in the text read back out
of each language's PDF and DOCX: the place, the date, the signatories' names in that language, the figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from accord.core.ids import stable_uid
from tests.documents.extract import docx_text, pdf_text
from tests.processes import fresh_installation

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("end-to-end")]  # one worker: the module shares a server

MEETING = str(stable_uid("seed:meeting:1960-02"))
PLAN_1959, PLAN_1960 = str(stable_uid("seed:plan:1959")), str(stable_uid("seed:plan:1960"))

EXPECTED = {
    "zh": ["莫斯科", "1960年2月24日", "武衡", "阿列克先科", "刘晓", "佩图霍夫", "122"],
    "ru": ["Москв", "24 февраля 1960", "У Хэн", "Алексенко", "Лю Сяо", "Петухов", "122"],
    "en": ["Moscow", "24 February 1960", "Wu Heng", "Aleksenko", "Liu Xiao", "Petukhov", "122"],
}


def accord(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"ACCORD_DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["ACCORD_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "accord", *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


def ok(data_dir: Path, *args: str) -> str:
    result = accord(data_dir, *args)
    assert result.returncode == 0, f"accord {' '.join(args)}: {result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory, installation_template: Path) -> Path:
    # `accord migrate` and `accord demo` as an operator runs them: done once for the session's template.
    return fresh_installation(installation_template, tmp_path_factory.mktemp("end-to-end"))


def test_the_record_is_whole_and_untouched(programme):
    assert ok(programme, "verify").startswith("ok:")


def test_the_meeting_reviewed_1959_and_carried_the_rest_into_1960(programme):
    figures = json.loads(ok(programme, "review", PLAN_1959, "--as-of", "1960-02-24", "--json"))
    completion = figures["completion"]
    assert completion["planned"] == 122
    shown = ok(programme, "plan", "show", PLAN_1960)
    assert "[signed," in shown and shown.count("[accepted]") == completion["carried_over"]


def test_the_signed_1960_plan_verifies_offline(programme, tmp_path):
    bundle = tmp_path / "plan-1960.json"
    ok(programme, "export-signed", PLAN_1960, "-o", str(bundle))
    assert accord(programme, "verify-bundle", str(bundle)).returncode == 0
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0x01
    bundle.write_bytes(bytes(data))
    assert accord(programme, "verify-bundle", str(bundle)).returncode == 1


@pytest.mark.parametrize("language", ["zh", "ru", "en"])
def test_the_communique_in_each_language(programme, tmp_path, language):
    texts = {}
    for fmt, read in (("pdf", pdf_text), ("docx", docx_text)):
        out = tmp_path / f"communique-{language}.{fmt}"
        ok(programme, "document", "communique", MEETING, "--lang", language, "--format", fmt, "-o", str(out))
        texts[fmt] = read(out.read_bytes())
    for fmt, text in texts.items():
        flat = " ".join(text.split())
        missing = [word for word in EXPECTED[language] if word not in flat and word not in text]
        assert not missing, f"{language} {fmt} lacks {missing}"
