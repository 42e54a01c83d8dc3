#!/usr/bin/env python3
"""Verify an Accord signed-plan bundle without Accord: the Python standard library plus `cryptography`.

    python3 verify_bundle_standalone.py BUNDLE.json [--text LANG=FILE ...] [--trust PARTY=PUBLIC_KEY ...]

Exit status 0 only when every check holds; otherwise 1, with the reasons on standard error.
The procedure is the one in docs/signing.md, section "Verifying a bundle offline", step by step.

Canonical JSON: `canonical()` below writes RFC 8785 (JCS) for the values Accord puts in a bundle — strings,
integers, true/false/null, arrays and objects. Object keys are sorted by their UTF-16 code units as RFC 8785
requires (for the ASCII keys Accord writes, that is plain sorting), and strings are written by Python's
json module with ensure_ascii=False, whose escaping (\\" \\\\ \\b \\f \\n \\r \\t, \\u00XX for other control
characters, everything else as UTF-8) is exactly RFC 8785's. Floating-point numbers, which Accord never
writes and whose RFC 8785 form needs the ECMAScript number printer, are refused rather than guessed.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

BUNDLE_FORMAT = "accord-signed-bundle/1"
PAYLOAD_FORMAT = "accord-signed-plan/1"
ATTESTATION_FORMAT = "accord-signature-attestation/1"
SIGNING_ROLES = ("signatory", "party")
SIGNATURE_FIELDS = {
    "party",
    "signatory",
    "capacity",
    "signed_on",
    "signed_at",
    "public_key",
    "signature",
    "attestation",
}


class Refused(Exception):
    pass


def canonical(value):
    """RFC 8785 bytes of a JSON value made of strings, integers, booleans, null, arrays and objects."""
    if value is None or isinstance(value, bool):
        return {None: b"null", True: b"true", False: b"false"}[value]
    if isinstance(value, int):
        if abs(value) > 2**53 - 1:
            raise Refused(f"integer {value} is outside the exact range of JSON numbers")
        return str(value).encode()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).encode("utf-8")  # lone surrogates fail here, as they must
    if isinstance(value, list):
        return b"[" + b",".join(canonical(v) for v in value) + b"]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
        return b"{" + b",".join(canonical(k) + b":" + canonical(value[k]) for k in keys) + b"}"
    raise Refused(f"a {type(value).__name__} cannot be canonicalised here")


def strict_b64(text, length):
    """Decode base64 that has exactly one spelling (re-encoding gives it back) and the expected length."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (AttributeError, binascii.Error, UnicodeEncodeError):
        raise Refused("not valid base64") from None
    if base64.b64encode(data).decode("ascii") != text or len(data) != length:
        raise Refused(f"not the canonical base64 of {length} bytes")
    return data


def holds(public_key, signature, message):
    try:
        key = Ed25519PublicKey.from_public_bytes(strict_b64(public_key, 32))
        key.verify(strict_b64(signature, 64), message)
    except (Refused, InvalidSignature):
        return False
    return True


def fingerprint(public_key):
    """As Accord shows it: the first 16 bytes of SHA-256 of the raw key, hex, in groups of four."""
    digest = hashlib.sha256(strict_b64(public_key, 32)).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def load(data):
    """Step 1: the file must be UTF-8 JSON (no duplicate keys, no floats) and exactly its own canonical form."""

    def no_duplicates(pairs):
        obj = {}
        for key, value in pairs:
            if key in obj:
                raise Refused(f"key {key!r} appears twice")
            obj[key] = value
        return obj

    def no_float(text):
        raise Refused(f"number {text} is not an integer")

    try:
        bundle = json.loads(
            data.decode("utf-8"), object_pairs_hook=no_duplicates, parse_float=no_float, parse_constant=no_float
        )
    except UnicodeDecodeError:
        raise Refused("the file is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise Refused(f"the file is not JSON: {exc}") from None
    if not isinstance(bundle, dict):
        raise Refused("the file is not a JSON object")
    if data not in (canonical(bundle), canonical(bundle) + b"\n"):
        raise Refused("the file is not in canonical form (changed or reformatted)")
    if set(bundle) != {"format", "payload", "payload_sha256", "texts", "signatures"}:
        raise Refused("the bundle does not have exactly the expected fields")
    if bundle["format"] != BUNDLE_FORMAT:
        raise Refused(f"unknown bundle format {bundle['format']!r}")
    payload = bundle["payload"]
    if not isinstance(payload, dict) or set(payload) != {"format", "plan", "version", "texts"}:
        raise Refused("the payload does not have exactly the expected fields")
    if payload["format"] != PAYLOAD_FORMAT:
        raise Refused(f"unknown payload format {payload['format']!r}")
    return bundle


def verify(data, texts=None, trusted=None):
    """Return the list of problems (empty when the bundle verifies) and a line per signature."""
    bundle = load(data)
    payload = bundle["payload"]
    problems, lines = [], []
    # Step 2: the payload's canonical bytes and their hash; the texts' hashes repeated outside it must agree.
    payload_bytes = canonical(payload)
    digest = hashlib.sha256(payload_bytes).hexdigest()
    if bundle["payload_sha256"] != digest:
        problems.append("payload_sha256 is not the SHA-256 of the canonical payload")
    if bundle["texts"] != payload["texts"]:
        problems.append("the texts' hashes differ from the signed ones")
    for lang, body in (texts or {}).items():
        if payload["texts"].get(lang) != hashlib.sha256(body).hexdigest():
            problems.append(f"the {lang} text is not the one signed")
    parties = payload["plan"]["parties"]
    valid, seen = set(), set()
    # Steps 3 and 4: each signature over the payload bytes, and its attestation over who, when and where.
    for i, entry in enumerate(bundle["signatures"], start=1):
        if not isinstance(entry, dict) or set(entry) != SIGNATURE_FIELDS:
            problems.append(f"signature {i} does not have exactly the expected fields")
            continue
        party, key = entry["party"], entry["public_key"]
        statement = {
            "format": ATTESTATION_FORMAT,
            "payload_sha256": digest,
            "party": party,
            "signatory": entry["signatory"],
            "capacity": entry["capacity"],
            "signed_on": entry["signed_on"],
            "signed_at": entry["signed_at"],
            "public_key": key,
        }
        reason = ""
        if party in seen:
            reason = "the party signed twice"
        elif party not in {p["code"] for p in parties}:
            reason = "not a party to the agreement"
        elif not holds(key, entry["signature"], payload_bytes):
            reason = "the signature does not hold"
        elif not holds(key, entry["attestation"], canonical(statement)):
            reason = "the attestation does not hold"
        elif trusted and party in trusted and key not in trusted[party]:
            reason = "signed with a key not trusted for this party"
        seen.add(party)
        fpr = fingerprint(key) if not reason else "?"
        names = entry["signatory"] if isinstance(entry["signatory"], dict) else {}
        name = names.get("en") or next(iter(names.values()), "?")
        lines.append(f"{party}: {name}, key {fpr}: {'ok' if not reason else 'FAILS: ' + reason}")
        if reason:
            problems.append(f"signature {i} ({party}): {reason}")
        else:
            valid.add(party)
    # Step 5: every party whose role is to sign has a valid signature.
    for p in parties:
        if p["role"] in SIGNING_ROLES and p["code"] not in valid and p["code"] not in seen:
            problems.append(f"{p['code']} has not signed")
    return problems, lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("bundle")
    parser.add_argument("--text", action="append", default=[], metavar="LANG=FILE")
    parser.add_argument("--trust", action="append", default=[], metavar="PARTY=PUBLIC_KEY")
    args = parser.parse_args(argv)
    with open(args.bundle, "rb") as f:
        data = f.read()
    texts = {}
    for item in args.text:
        lang, _, path = item.partition("=")
        with open(path, "rb") as f:
            texts[lang] = f.read()
    trusted = {}
    for item in args.trust:
        party, _, key = item.partition("=")
        trusted.setdefault(party, set()).add(key)
    try:
        problems, lines = verify(data, texts, trusted)
    except Refused as exc:
        print(f"does not verify: {exc}", file=sys.stderr)
        return 1
    except (KeyError, TypeError, AttributeError) as exc:  # a field of the wrong shape deep inside
        print(f"does not verify: malformed bundle ({exc.__class__.__name__}: {exc})", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    for problem in problems:
        print(f"does not verify: {problem}", file=sys.stderr)
    if not problems:
        print(f"ok: {len(lines)} signatures hold")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
