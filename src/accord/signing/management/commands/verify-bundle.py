from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from accord.core.cli import AccordCommand
from accord.core.localized import text_for
from accord.signing import cli
from accord.signing.bundle import TrustedKeys, installation_keys, pinned_keys_file, read_pinned_keys, verify_bundle

# Exit status of a bundle whose signatures hold but by keys nothing says to trust (1: it does not verify).
UNTRUSTED_EXIT = 2


class Command(AccordCommand):
    help = (
        "Verify a signed bundle offline: every signature, the hashes, a signature per party, and whether the keys "
        "are ones you trust (--trust, the installation's pinned keys, or keys it made). Exit 0 only when everything "
        "holds and every key is trusted; 1 when it does not verify; 2 when it verifies but a key is not trusted "
        "(unless --allow-untrusted)."
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
        parser.add_argument(
            "--allow-untrusted",
            action="store_true",
            help="exit 0 when the signatures hold even if a key is not trusted (it is still said so)",
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
        try:
            pinned = read_pinned_keys(pinned_keys_file()).merged(installation_keys())
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        report = verify_bundle(data, trusted_keys=trusted, pinned=pinned)
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
            if not sig.ok:
                state = f"FAILS: {sig.reason}"
            else:
                state = f"ok, trusted ({sig.trusted_by})" if sig.trusted_by else "ok, but the key is NOT TRUSTED"
            who = text_for(sig.signatory) or "?"
            self.stdout.write(f"  {sig.party:<6} {who:<24} key {sig.fingerprint}  {state}")
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"the bundle does not verify: {problems[0]}")
        untrusted = report.untrusted
        if not untrusted:
            self.stdout.write(f"ok: {len(report.signatures)} signatures hold, all by trusted keys")
            return
        self._untrusted(untrusted, len(report.signatures), pinned, allow=options["allow_untrusted"])

    def _untrusted(self, untrusted: list[Any], count: int, pinned: TrustedKeys, *, allow: bool) -> None:
        keys = ", ".join(f"{s.party} {s.fingerprint}" for s in untrusted)
        message = (
            f"the {count} signatures hold, but {len(untrusted)} by a key you have not said you trust ({keys}): anyone "
            "can make a key and sign. Compare each fingerprint with the one the signatory handed over, then pin the "
            f"key (--trust PARTY=PUBLIC_KEY, or a PARTY=PUBLIC_KEY line in {pinned_keys_file()})"
        )
        if allow:
            self.stdout.write(f"ok (--allow-untrusted): {message}")
            return
        raise CommandError(f"{message}, or pass --allow-untrusted", returncode=UNTRUSTED_EXIT)
