"""`accord check-texts FILE_A FILE_B`: the one home of the command, with or without Django.

`accord check-texts` runs here straight from the `accord` entry point (accord/cli.py), without setting
Django up, so that it starts in a tenth of a second and can run on every save; Django is set up only
when there is a database to read the records' names from. `python -m django check-texts` and
`call_command("check-texts", ...)` go through the management command, which calls the same `execute`.

Exit statuses: 0 the versions agree, 1 findings, 2 the input cannot be checked (one line on standard
error: a missing or unreadable file, not UTF-8, empty, too large, binary, HTML, DOCX or PDF, a language
other than zh, ru, en, a version that mixes scripts, a bad option).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from accord.core.text import TerminalStream, json_for_terminal
from accord.fidelity import lang as langs

BAD_INPUT = 2
MAX_BYTES = 5_000_000  # a few hundred pages; a larger file is not one text to compare
_HTML = re.compile(r"\A\s*(?:<!doctype\s+html|<html[\s>]|<\?xml[^>]*>\s*<html)", re.IGNORECASE)
_TAGS = re.compile(r"</?(?:p|div|span|br|table|tr|td|body|head|a|b|i|li|ul|h[1-6])(?:\s[^<>]*)?/?>", re.IGNORECASE)
_BINARY = {
    b"PK\x03\x04": "a DOCX, ODT or ZIP file",
    b"%PDF": "a PDF file",
    b"\xd0\xcf\x11\xe0": "a Word 97-2003 (.doc) file",
    b"{\\rtf": "an RTF file",
}


class BadInput(Exception):
    """The input cannot be checked: the message is the one line shown."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file_a", metavar="FILE_A", help="one version (UTF-8 text)")
    parser.add_argument("file_b", metavar="FILE_B", help="the other version (UTF-8 text)")
    parser.add_argument("--lang-a", metavar="L", help="language of FILE_A (zh, ru, en); default: by script")
    parser.add_argument("--lang-b", metavar="L", help="language of FILE_B; default: by script")
    parser.add_argument(
        "--context-date",
        metavar="YYYY-MM-DD",
        help="the document's date, for days given alone (24日, the 24th); default: a date line in the header",
    )
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    names = parser.add_mutually_exclusive_group()
    names.add_argument(
        "--directory",
        metavar="FILE",
        help="names to match, as JSON (default: Accord's records when it has a database, and the built-in "
        "gazetteer of countries and international bodies)",
    )
    names.add_argument("--no-directory", action="store_true", help="do not compare names")


def read_text(path: str) -> str:
    """The file as text, or BadInput saying why it cannot be checked."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_BYTES:
            raise BadInput(f"{path} is too large to check ({size / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB)")
        data = Path(path).read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from None
    for magic, what in _BINARY.items():
        if data.startswith(magic):
            raise BadInput(f"{path} is {what}, not text: save each language version as plain text (UTF-8)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path} is not UTF-8 text (byte {exc.start})") from None
    if "\x00" in text[:4096]:
        raise BadInput(f"{path} is a binary file, not text (UTF-8)")
    if not text.strip():
        raise BadInput(f"{path} is empty")
    if _HTML.match(text) or len(_TAGS.findall(text[:20000])) >= 5:
        raise BadInput(f"{path} is HTML, not plain text: save the page's text (UTF-8) and check that")
    return text


_NAMES = {"zh": "Chinese", "ru": "Russian", "en": "English"}


def language_of(path: str, text: str, declared: str | None) -> str:
    """The language to read the file as: the declared one, checked against the text's script."""
    prof = langs.profile(text)
    detected = langs.detect(text, prof)
    weighted = {s: n * (3 if s == "Han" else 1) for s, n in prof.counts.items()}
    total = sum(weighted.values())
    if total >= 40:
        ordered = sorted(weighted.items(), key=lambda kv: -kv[1])
        if len(ordered) > 1 and ordered[1][1] / total >= 0.4:
            shares = ", ".join(f"{s} {n * 100 // total}%" for s, n in ordered[:2])
            raise BadInput(f"{path} mixes scripts ({shares}): give each language version in a file of its own")
    if declared:
        primary = langs.primary(declared)
        if primary not in langs.SUPPORTED:
            raise BadInput(f"--lang {declared!r} for {path}: the checker reads zh, ru and en")
        if detected in langs.SUPPORTED and detected != primary:
            raise BadInput(
                f"{path} is declared {primary} but written in {langs.SCRIPT_OF[detected]} script ({_NAMES[detected]})"
            )
        return declared
    if detected is None:
        raise BadInput(f"{path} has no letters to tell its language by: pass --lang")
    if detected not in langs.SUPPORTED:
        raise BadInput(f"{path} is not in Chinese, Russian or English: the checker reads zh, ru and en")
    return detected


def execute(
    options: dict[str, Any],
    out: IO[str] | Any,
    err: IO[str] | Any,
    records: Callable[[], Any] | None = None,
) -> int:
    """Check the two files; print the findings to `out`, notes to `err`. Returns the exit status (0 or 1);
    raises BadInput for input that cannot be checked. `records`: a function returning the records'
    Directory (None: no database here)."""
    from accord.fidelity.checker import check_versions

    text_a = read_text(options["file_a"])
    text_b = read_text(options["file_b"])
    context = None
    if options.get("context_date"):
        try:
            context = dt.date.fromisoformat(options["context_date"])
        except ValueError:
            raise BadInput(f"--context-date must be YYYY-MM-DD, not {options['context_date']!r}") from None
    tag_a = language_of(options["file_a"], text_a, options.get("lang_a"))
    tag_b = language_of(options["file_b"], text_b, options.get("lang_b"))
    if tag_a == tag_b:  # two versions in one language: still compared, told apart by their position
        tag_a, tag_b = f"{tag_a}-x-a", f"{tag_b}-x-b"
    directory, names_from = _directory(options, err, records)
    findings = check_versions({tag_a: text_a, tag_b: text_b}, context_date=context, directory=directory)
    findings = rank(findings)
    errors = [f for f in findings if f.severity == "error"]
    if options.get("json"):
        payload = {
            "file_a": options["file_a"],
            "file_b": options["file_b"],
            "languages": [tag_a, tag_b],
            "context_date": context.isoformat() if context else None,
            "names_compared": directory is not None,
            "names_from": names_from,
            "findings": [f.to_dict() for f in findings],
        }
        out.write(json_for_terminal(json.dumps(payload, ensure_ascii=False, indent=2)) + "\n")
    else:
        for f in findings:
            out.write(f"{f.severity}: {f.message}\n")
        summary = f"{len(findings)} finding{'s' if len(findings) != 1 else ''}" if findings else "no findings"
        out.write(f"{options['file_a']} ({tag_a}) vs {options['file_b']} ({tag_b}): {summary}\n")
    return 1 if errors else 0


# Findings most likely real first: a figure that differs where both versions say one, then one said in a
# single version, then names; notes ("could not compare") last.
_RANK = {"number": 0, "percent": 0, "amount": 0, "date": 0, "time": 1, "code": 1, "moved": 2, "name": 3}


def rank(findings: list[Any]) -> list[Any]:
    def key(f: Any) -> tuple[int, int, int]:
        both = sum(1 for v in f.says.values() if v) >= 2
        return (f.severity != "error", 0 if both else 1, _RANK.get(f.kind, 4))

    return sorted(findings, key=key)


def _directory(options: dict[str, Any], err: Any, records: Callable[[], Any] | None) -> tuple[Any, str]:
    if options.get("no_directory"):
        return None, "none"
    from accord.fidelity.names import Directory

    if options.get("directory"):
        try:
            return Directory.load(options["directory"]), options["directory"]
        except (OSError, ValueError) as exc:
            raise BadInput(f"cannot read the directory {options['directory']}: {exc}") from None
    from accord.fidelity.gazetteer import gazetteer

    if records is not None:
        try:
            own = records()
        except Exception as exc:  # not migrated, server down: the check itself needs no database
            err.write(f"names: Accord's records cannot be read ({type(exc).__name__}); built-in gazetteer only\n")
        else:
            return own.merged(gazetteer()), "records+gazetteer"
    err.write("names compared with the built-in gazetteer (countries, international bodies); no records here\n")
    return gazetteer(), "gazetteer"


def main(argv: list[str], records: Callable[[], Any] | None = None) -> int:
    """The command line without Django (see the module doc)."""
    parser = argparse.ArgumentParser(
        prog="accord check-texts",
        description="Compare two language versions of a text (numbers, dates, names, codes) and print where "
        "they differ. Exit 0 when they agree, 1 with findings, 2 when the input cannot be checked.",
    )
    add_arguments(parser)
    try:
        options = vars(parser.parse_args(argv))
    except SystemExit as exc:  # argparse has printed its usage line
        return BAD_INPUT if exc.code else 0
    # The texts' characters reach the terminal escaped, as through every Accord command (core.text.for_terminal).
    out, err = TerminalStream(sys.stdout), TerminalStream(sys.stderr)
    try:
        return execute(options, out, err, records)
    except BadInput as exc:
        err.write(f"accord check-texts: {exc}\n")
        return BAD_INPUT
