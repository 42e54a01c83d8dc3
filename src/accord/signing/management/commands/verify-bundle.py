from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.core.localized import text_for
from accord.signing import cli
from accord.signing.bundle import verify_bundle


class Command(BaseCommand):
    help = (
        "Verify a signed bundle offline (no database): every signature, the hashes, a signature per party. "
        "Exit 0 only when everything holds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="the bundle written by `accord export-signed`")
        parser.add_argument(
            "--text", action="append", metavar="LANG=FILE", help="also check a rendered text against its signed hash"
        )
        parser.add_argument(
            "--trust",
            action="append",
            metavar="PARTY=PUBLIC_KEY",
            help="accept only this public key (base64) for the party; repeat for several keys",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc.strerror}") from None
        trusted: dict[str, set[str]] = {}
        for value in options.get("trust") or []:
            code, sep, key = value.partition("=")
            if not sep or not code or not key:
                raise CommandError(f"--trust must look like PARTY=PUBLIC_KEY, not {value!r}")
            trusted.setdefault(code.strip().upper(), set()).add(key.strip())
        report = verify_bundle(data, trusted_keys=trusted)
        problems = list(report.problems)
        for lang, body in cli.read_texts(options.get("text")).items():
            expected = report.texts.get(lang)
            if expected is None:
                problems.append(f"the bundle has no {lang} text to compare with")
            elif hashlib.sha256(body).hexdigest() != expected:
                problems.append(f"the {lang} text given is not the one signed")
        if report.version is not None:
            self.stdout.write(
                f"plan {report.plan_uid} “{text_for(report.plan_title)}”, version {report.version}, "
                f"payload sha256 {report.payload_sha256}"
            )
        for sig in report.signatures:
            state = "ok" if sig.ok else f"FAILS: {sig.reason}"
            self.stdout.write(f"  {sig.party:<6} {text_for(sig.signatory) or '?':<24} key {sig.fingerprint}  {state}")
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"the bundle does not verify: {problems[0]}")
        self.stdout.write(f"ok: {len(report.signatures)} signatures hold")
