"""accord document KIND REF --lang L --format html|pdf|docx -o FILE"""

import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from accord.documents.models import Document

from .extract import docx_text, html_text, pdf_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fmt", "read", "expected"),
    [("html", html_text, "Москва"), ("pdf", pdf_text, "Москва"), ("docx", docx_text, "Алексенко")],
)
def test_cli_writes_the_communique(seed, tmp_path, capsys, fmt, read, expected):
    target = tmp_path / f"communique.{fmt}"
    call_command("document", "communique", str(seed.meeting.uid), "--lang", "ru", "--format", fmt, "-o", str(target))
    assert expected in read(target.read_bytes())
    assert f"Wrote {target}" in capsys.readouterr().out
    assert not Document.objects.filter(kind="communique", origin="generated").exists()  # nothing stored unless asked


def test_cli_writes_a_plan_text_and_stores_it_when_asked(seed, tmp_path):
    target = tmp_path / "plan.docx"
    call_command(
        "document", "plan_text", str(seed.plan_1960.pk), "--lang", "zh+ru", "--format", "docx",
        "--layout", "sequential", "--with-english", "--store", "-o", str(target),
    )  # fmt: skip
    text = docx_text(target.read_bytes())
    assert text.index("1960年年度科学技术合作计划") < text.index("Годовой план") < text.index("English version")
    # The demo published the zh and ru HTML texts the signatures were made over: they stay as they are, and
    # this new text (with English) is a new draft beside them.
    published = Document.objects.get(kind="plan_text", origin="generated", plan=seed.plan_1960, status="published")
    assert not published.files.filter(format="docx").exists() and not published.texts.filter(language="en").exists()
    doc = Document.objects.get(kind="plan_text", origin="generated", plan=seed.plan_1960, status="draft")
    assert doc.files.get(format="docx").size == target.stat().st_size


def test_cli_writes_to_standard_output(seed, capsysbinary):
    call_command("document", "communique", str(seed.meeting.pk), "--lang", "en", "-o", "-")
    assert b"24 February 1960" in capsysbinary.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["communique", "999999", "--lang", "en"], "ref: no meeting with id or uid '999999'"),
        (["communique", "not-a-ref", "--lang", "en"], "ref: no meeting"),
        (["minutes-draft", "1", "--lang", "en"], "kind: unknown document kind"),
        (["communique", "{meeting}", "--lang", "fr"], "no communiqué in 'fr'"),
        (["communique", "{meeting}"], "name the language"),
        (["plan_text", "{plan}", "--lang", "zh+de"], "has no text in 'de'"),
    ],
)
def test_cli_refuses_bad_input_in_one_line(seed, tmp_path, args, message):
    target = tmp_path / "out.html"
    args = [a.format(meeting=seed.meeting.pk, plan=seed.plan_1960.pk) for a in args]
    with pytest.raises(CommandError) as err:
        call_command("document", *args, "-o", str(target))
    assert message in str(err.value) and "\n" not in str(err.value)
    assert not target.exists()


def test_the_accord_command_exits_non_zero_with_a_one_line_reason(tmp_path):
    """Through the real `accord` entry point (a fresh process, its own database: the ref cannot exist)."""
    env = {"ACCORD_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}

    def accord(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "accord", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, check=False)

    assert accord("migrate", "-v0").returncode == 0
    result = accord("document", "communique", "999999", "--lang", "en", "-o", str(tmp_path / "x"))
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1].endswith("ref: no meeting with id or uid '999999'"), result.stderr
