"""The signed-plan bundle: one file the other party verifies offline, with no access to Accord's database.

The bundle is the RFC 8785 canonical JSON of

    {"format": "accord-signed-bundle/1",
     "payload": <the signed payload object>, "payload_sha256": <hex>, "texts": {<language>: <sha256 hex>},
     "signatures": [{"party", "signatory", "capacity", "signed_on", "signed_at",
                     "public_key", "signature", "attestation"}, ...]}

followed by one newline. Every byte is covered: the payload by each party's signature, each signature's
details by its attestation, the hashes by recomputation, and the layout by the rule that the file must be
exactly its own canonical form. docs/signing.md describes the procedure step by step.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType

from accord.agreements.models import Signature
from accord.core.errors import TransitionRefused
from accord.programmes.models import Plan
from accord.signing import crypto
from accord.signing.content import attestation_statement, signing_party_codes
from accord.signing.models import SignatureSeal, SigningKey
from accord.signing.services import check_signature, signed_content_of

BUNDLE_FORMAT = "accord-signed-bundle/1"
_BUNDLE_KEYS = {"format", "payload", "payload_sha256", "texts", "signatures"}
_SIGNATURE_KEYS = {"party", "signatory", "capacity", "signed_on", "signed_at", "public_key", "signature", "attestation"}


# --- export ------------------------------------------------------------------------------------------


def export_signed(plan: Plan) -> bytes:
    """The bundle of a signed plan: the payload as signed (stored at signature, not read again from today's
    records), the texts' hashes, every party's signature and key."""
    if plan.signed_version is None:
        raise TransitionRefused(f"“{plan}” is not signed, so there is nothing to export", field="status")
    sigs = list(
        Signature.objects.filter(
            target_type=ContentType.objects.get_for_model(Plan), target_id=plan.pk, target_version=plan.signed_version
        ).select_related("party", "signatory")
    )
    order = {p: i for i, p in enumerate(plan.agreement.agreement_parties.values_list("party_id", flat=True))}
    sigs.sort(key=lambda s: (order.get(s.party_id, len(order)), s.pk))
    seals = {s.signature_id: s for s in SignatureSeal.objects.filter(signature__in=sigs)}
    for sig in sigs:
        if not sig.signature or sig.pk not in seals:
            raise TransitionRefused(
                f"the signature of {sig.party.code} was recorded without a signing key, "
                "so there is nothing the other party could verify offline",
                field="signatures",
            )
    stored = signed_content_of(plan)
    if stored is None:
        raise TransitionRefused(
            f"what was signed on “{plan}” was not stored when it was signed, so there is no signed content to export",
            field="plan",
        )
    cache: dict[Any, Any] = {}
    for sig in sigs:
        check = check_signature(sig, content_cache=cache)
        if not check:
            raise TransitionRefused(f"the signature of {sig.party.code} does not verify: {check.reason}", field="plan")
    # The bundle carries the stored bytes' object: its canonical form is those bytes again.
    payload = json.loads(stored.payload)
    texts = payload["texts"]
    bundle = {
        "format": BUNDLE_FORMAT,
        "payload": payload,
        "payload_sha256": stored.payload_sha256,
        "texts": texts,
        "signatures": [
            {
                "party": sig.party.code,
                "signatory": dict(seals[sig.pk].signatory_name),
                "capacity": dict(sig.capacity or {}),
                "signed_on": sig.signed_on.isoformat() if sig.signed_on else None,
                "signed_at": dict(sig.signed_at or {}),
                "public_key": sig.public_key,
                "signature": sig.signature,
                "attestation": seals[sig.pk].attestation,
            }
            for sig in sigs
        ],
    }
    return crypto.canonical_bytes(bundle) + b"\n"


# --- verification (offline: no database) -------------------------------------------------------------


@dataclass
class BundleSignature:
    party: str
    signatory: dict[str, str]
    public_key: str
    fingerprint: str
    ok: bool
    reason: str = ""
    trusted_by: str = ""  # why the key is trusted ("--trust", "pinned in …"); "" when nothing says it is


@dataclass(frozen=True)
class TrustedKeys:
    """The keys a verifier trusts, and why: party code -> public key (base64) -> where it was pinned.

    `any_party` holds keys trusted whatever party they sign for (the keys this installation made itself: a
    signature by one still needs its private key, which the attestation binds to the party it names)."""

    by_party: dict[str, dict[str, str]] = field(default_factory=dict)
    any_party: dict[str, str] = field(default_factory=dict)

    def why(self, party: str, public_key: str) -> str:
        return self.by_party.get(party, {}).get(public_key) or self.any_party.get(public_key, "")

    def merged(self, other: TrustedKeys) -> TrustedKeys:
        by_party = {code: dict(keys) for code, keys in self.by_party.items()}
        for code, keys in other.by_party.items():
            for key, why in keys.items():
                by_party.setdefault(code, {}).setdefault(key, why)
        return TrustedKeys(by_party, {**other.any_party, **self.any_party})


@dataclass
class BundleReport:
    """What verify_bundle found: the plan and version, each signature's result, and every problem."""

    problems: list[str] = field(default_factory=list)
    signatures: list[BundleSignature] = field(default_factory=list)
    plan_uid: str = ""
    plan_title: dict[str, str] = field(default_factory=dict)
    version: int | None = None
    payload_sha256: str = ""
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def reason(self) -> str:
        return self.problems[0] if self.problems else ""

    @property
    def untrusted(self) -> list[BundleSignature]:
        """The signatures that hold but by a key nothing says to trust: valid, and proving nothing about who."""
        return [s for s in self.signatures if s.ok and not s.trusted_by]


class _Malformed(Exception):
    pass


def _reject_constant(name: str) -> Any:
    raise _Malformed(f"the number {name} is not allowed")


def _reject_float(text: str) -> Any:
    raise _Malformed(f"the number {text} is not allowed (bundles hold integers only)")


def _safe_int(text: str) -> int:
    value = int(text)
    if abs(value) > 2**53 - 1:
        raise _Malformed(f"the number {text} is too large for JSON")
    return value


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Each object of the bundle: keys once each, and ASCII (what canonical_bytes relies on)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _Malformed(f"the key {key!r} appears twice in one object")
            seen.add(key)
    if not "".join(obj).isascii():
        raise _Malformed(f"a key is not ASCII: {sorted(k for k in obj if not k.isascii())}")
    return obj


def _parse(data: bytes) -> dict[str, Any]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Malformed(f"the file is not UTF-8 text (byte {exc.start})") from None
    try:
        obj = json.loads(
            text,
            object_pairs_hook=_object,
            parse_float=_reject_float,
            parse_int=_safe_int,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as exc:
        raise _Malformed(f"the file is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise _Malformed("the file nests arrays or objects too deeply") from None
    if not isinstance(obj, dict):
        raise _Malformed("the file is not a JSON object")
    try:
        canonical = crypto.canonical_bytes(obj)
    except ValueError as exc:
        raise _Malformed(f"the content cannot be canonicalised: {exc}") from None
    # One spelling only: whitespace, escapes, key order or number forms that differ from RFC 8785 are changes too.
    if data not in (canonical, canonical + b"\n"):
        raise _Malformed("the file is not in the canonical form Accord wrote (it was changed or reformatted)")
    return obj


def _expect_keys(obj: Any, keys: set[str], where: str) -> None:
    if not isinstance(obj, dict):
        raise _Malformed(f"{where} is not an object")
    if set(obj) != keys:
        missing, extra = sorted(keys - set(obj)), sorted(set(obj) - keys)
        parts = [f"missing {', '.join(missing)}"] if missing else []
        parts += [f"unknown {', '.join(extra)}"] if extra else []
        raise _Malformed(f"{where} has the wrong fields: {'; '.join(parts)}")


def _localized(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _Malformed(f"{where} is not a text by language")
    return value


def verify_bundle(
    data: bytes, *, trusted_keys: Mapping[str, Iterable[str]] | None = None, pinned: TrustedKeys | None = None
) -> BundleReport:
    """Check a bundle offline: every signature and attestation, the hashes, and a signature per signing party.

    `trusted_keys` (party code → public keys, base64: `--trust`) are the only keys accepted for their party: a
    signature by any other key for that party is reported as a problem. `pinned` (the installation's pinned keys)
    only says which valid signatures are by trusted keys: each signature's `trusted_by`. A valid signature by a
    key neither names is `untrusted`: anyone can make a key and re-sign a bundle, so it proves nothing about
    who signed until its fingerprint is compared with the one the signatory handed over.
    """
    report = BundleReport()
    try:
        bundle = _parse(data)
        _expect_keys(bundle, _BUNDLE_KEYS, "the bundle")
        if bundle["format"] != BUNDLE_FORMAT:
            raise _Malformed(f"unknown bundle format {bundle['format']!r} (expected {BUNDLE_FORMAT})")
        payload = bundle["payload"]
        _expect_keys(payload, {"format", "plan", "version", "texts"}, "the payload")
        plan = payload["plan"]
        if not isinstance(plan, dict) or not isinstance(plan.get("parties"), list):
            raise _Malformed("the payload's plan has no list of parties")
        if not isinstance(payload["version"], int) or isinstance(payload["version"], bool):
            raise _Malformed("the payload's version is not an integer")
        if not isinstance(bundle["signatures"], list) or not bundle["signatures"]:
            raise _Malformed("the bundle has no signatures")
        texts = _localized(payload["texts"], "the payload's texts")
        try:
            required = signing_party_codes(plan)
        except (KeyError, TypeError):
            raise _Malformed("the payload's parties are not code, name and role") from None
    except _Malformed as exc:
        report.problems.append(str(exc))
        return report

    report.plan_uid = str(plan.get("uid", ""))
    report.plan_title = plan["title"] if isinstance(plan.get("title"), dict) else {}
    report.version = payload["version"]
    report.texts = texts
    payload_bytes = crypto.canonical_bytes(payload)
    digest = crypto.sha256_hex(payload_bytes)
    report.payload_sha256 = digest
    if payload["format"] != "accord-signed-plan/1":
        report.problems.append(f"unknown payload format {payload['format']!r}")
    if bundle["payload_sha256"] != digest:
        report.problems.append("payload_sha256 is not the SHA-256 of the payload's canonical bytes")
    if bundle["texts"] != texts:
        report.problems.append("the texts' hashes differ from those in the signed payload")

    trusted = {code: set(keys) for code, keys in (trusted_keys or {}).items()}
    seen: set[str] = set()
    for i, entry in enumerate(bundle["signatures"], start=1):
        result = _verify_entry(entry, i, payload_bytes, digest, trusted)
        if result.ok:
            given = result.public_key in trusted.get(result.party, set())
            result.trusted_by = "--trust" if given else (pinned.why(result.party, result.public_key) if pinned else "")
        if result.party in seen:
            result.ok, result.reason = False, f"{result.party} has signed twice"
        seen.add(result.party)
        if result.party and result.party not in {p.get("code") for p in plan["parties"] if isinstance(p, dict)}:
            result.ok, result.reason = False, f"{result.party} is not a party to the agreement in the payload"
        report.signatures.append(result)
        if not result.ok:
            report.problems.append(f"signature {i} ({result.party or '?'}): {result.reason}")
    valid = {s.party for s in report.signatures if s.ok}
    for code in required:
        if code not in valid and code not in seen:
            report.problems.append(f"{code} has not signed")
    return report


def _verify_entry(
    entry: Any, index: int, payload_bytes: bytes, digest: str, trusted: dict[str, set[str]]
) -> BundleSignature:
    try:
        _expect_keys(entry, _SIGNATURE_KEYS, f"signature {index}")
        party, public_key = entry["party"], entry["public_key"]
        if not isinstance(party, str) or not isinstance(public_key, str):
            raise _Malformed("its party or public key is not text")
        signatory = _localized(entry["signatory"], "its signatory")
        statement = attestation_statement(
            payload_sha256=digest,
            party=party,
            signatory=signatory,
            capacity=_localized(entry["capacity"], "its capacity"),
            signed_on=entry["signed_on"],
            signed_at=_localized(entry["signed_at"], "its place"),
            public_key=public_key,
        )
        if entry["signed_on"] is not None and not isinstance(entry["signed_on"], str):
            raise _Malformed("its date is not text")
        try:
            fingerprint = crypto.fingerprint(public_key)
        except ValueError as exc:
            raise _Malformed(f"its public key {exc}") from None
    except _Malformed as exc:
        named = entry.get("party") if isinstance(entry, dict) else None
        return BundleSignature(named if isinstance(named, str) else "", {}, "", "", False, str(exc))
    result = BundleSignature(party, signatory, public_key, fingerprint, True)
    if not crypto.signature_holds(public_key, entry["signature"], payload_bytes):
        result.ok, result.reason = False, "the signature does not hold for the payload and public key"
    elif not crypto.signature_holds(public_key, entry["attestation"], crypto.canonical_bytes(statement)):
        result.ok, result.reason = False, "the attestation does not hold: who, for whom, as what, when or where changed"
    elif party in trusted and public_key not in trusted[party]:
        result.ok, result.reason = False, f"signed with a key not trusted for {party} ({fingerprint})"
    return result


# --- the keys an installation trusts ----------------------------------------------------------------------


def pinned_keys_file() -> Path:
    """Where an installation pins the keys it trusts: ACCORD_TRUSTED_KEYS, else trusted-keys.txt in its data."""
    from django.conf import settings

    return Path(settings.ACCORD_TRUSTED_KEYS)


def read_pinned_keys(path: Path) -> TrustedKeys:
    """`PARTY=PUBLIC_KEY` per line (base64 Ed25519 key; `#` starts a comment): the keys trusted for each party.
    A missing file pins nothing; a line that is not a party and a key is refused, naming it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return TrustedKeys()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read the pinned keys in {path}: {exc}") from None
    by_party: dict[str, dict[str, str]] = {}
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        code, sep, key = text.partition("=")
        code, key = code.strip().upper(), key.strip()
        try:
            if not sep or not code:
                raise ValueError("is not PARTY=PUBLIC_KEY")
            crypto.fingerprint(key)
        except ValueError as exc:
            raise ValueError(f"{path}, line {number}: {exc}") from None
        by_party.setdefault(code, {})[key] = f"pinned in {path}"
    return TrustedKeys(by_party)


_key_origins: list[Callable[[list[Any]], dict[Any, str]]] = []


def register_key_origin(origin: Callable[[list[Any]], dict[Any, str]]) -> None:
    """Where keys this installation holds but did not make came from: given their global ids, a text per key
    ("received from peer su"). Federation registers it (it is above this layer)."""
    _key_origins[:] = [origin]


def installation_keys() -> TrustedKeys:
    """The keys this installation holds for signatories, when it has a database (none in an installation that was
    never set up: the other party verifying offline), each trusted for its signatory's party only.

    A key made here (`accord signing-key create`: its private half sealed here) is "made by this installation".
    A key whose private half is not here came from another node with its signatory's records (federation): it is
    named as received from that node and trusted only for the signatory's party, so that a peer's key never
    vouches for a signature made for another party."""
    from django.db import DatabaseError

    try:
        keys = list(SigningKey.objects.values_list("uid", "public_key", "encrypted_private_key", "person__party__code"))
    except DatabaseError:
        return TrustedKeys()
    received = [uid for uid, _key, sealed, _code in keys if not sealed]
    origins = _key_origins[0](received) if _key_origins and received else {}
    by_party: dict[str, dict[str, str]] = {}
    any_party: dict[str, str] = {}
    for uid, key, sealed, code in keys:
        if sealed:
            why = "made by this installation"
        else:
            why = origins.get(uid) or f"received from {code or 'another'} node"
            why += f", for {code} only" if code else ""
        if code:
            by_party.setdefault(code, {})[key] = why
        elif sealed:
            any_party[key] = why  # a signatory of no party: the attestation binds the party it signs for
    return TrustedKeys(by_party, any_party)
