"""`accord import` and `accord export`: summaries, problems one per line, exit status, missing extensions."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accord.directory.models import Person


def test_export_then_dry_run_import(seed, tmp_path: Path) -> None:
    out = tmp_path / "people.csv"
    call_command("export", "people", "--format", "csv", "-o", str(out))
    assert out.read_bytes().startswith(b"\xef\xbb\xbfuid,external_id,name[en]")
    stdout = io.StringIO()
    call_command("import", "people", str(out), "--dry-run", stdout=stdout)
    assert "Would import" in stdout.getvalue() and "0 created, 0 updated" in stdout.getvalue()


def test_xlsx_export_by_extension(seed, tmp_path: Path) -> None:
    out = tmp_path / "projects.xlsx"
    call_command("export", "projects", "-o", str(out))
    assert out.read_bytes()[:2] == b"PK"


def test_import_prints_every_problem_and_fails(db, tmp_path: Path) -> None:
    bad = tmp_path / "people.csv"
    bad.write_text("name[en],party\nA,XX\nB,YY\n", encoding="utf-8")
    before = Person.objects.count()
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", "people", str(bad), stderr=stderr)
    lines = stderr.getvalue().splitlines()
    assert lines[0].startswith("people.csv, row 2, party:") and lines[1].startswith("people.csv, row 3, party:")
    assert Person.objects.count() == before


def test_missing_extension_is_named(db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "accord.interop.standards.raid", None)  # as if that app were not installed
    with pytest.raises(CommandError, match="raid is not available"):
        call_command("export", "raid", "-o", str(tmp_path / "raid.json"))
