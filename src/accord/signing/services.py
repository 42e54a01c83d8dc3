"""Signing keys, signing a plan, and checking a signature against what was signed.

A signature covers the RFC 8785 canonical JSON of one version of a plan (see content.py) together with the
SHA-256 of each rendered authentic text. Those bytes are stored with the signatures (SignedContent), so a
signed plan stays what was signed whatever later becomes of the records it names. The private key is
unsealed with the signatory's passphrase only for the moment of signing and never leaves this module.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from accord.accounts import credentials, security, throttle, totp
from accord.agreements.models import Signature
from accord.agreements.services import record_signature, signatures_of
from accord.core import services as records
from accord.core.audit import chain_head
from accord.core.errors import TransitionRefused, ValidationFailed
from accord.core.journal import add_journal_entry
from accord.core.localized import normalize_tag
from accord.core.models import ChangeRecord
from accord.core.permissions import acting_user, require_actor
from accord.directory.models import Party, Person, Position
from accord.fidelity.records import signing_gate
from accord.programmes.choices import PlanStatus
from accord.programmes.models import Plan
from accord.programmes.services import missing_signatures, transition_plan
from accord.signing import crypto
from accord.signing.content import (
    SIGNING_ROLES,
    UnsignableContent,
    attestation_statement,
    plan_content,
    signed_payload,
)
from accord.signing.history import Change, changes_since_signing, content_at
from accord.signing.models import SignatureSeal, SignedContent, SigningKey

MIN_PASSPHRASE = 12


# --- keys --------------------------------------------------------------------------------------------


def _associated(person: Person) -> bytes:
    # Binds the sealed key to its owner: a sealed blob copied onto another person's row does not open.
    return f"accord-signing-key/1:{person.uid}:".encode("ascii")


def active_key(person: Person) -> SigningKey | None:
    return SigningKey.objects.filter(person=person, revoked_on__isnull=True).first()


@transaction.atomic
def create_signing_key(person: Person, passphrase: str) -> SigningKey:
    """Make an Ed25519 key pair for `person`, its private key sealed under `passphrase` (by a coordinator of the
    person's party, or the system)."""
    require_actor("change", person)  # a coordinator of the person's party (core.permissions: party_path)
    if not isinstance(passphrase, str) or len(passphrase.strip()) < MIN_PASSPHRASE:
        raise ValidationFailed(
            {"passphrase": [_("must be at least %(count)s characters long") % {"count": MIN_PASSPHRASE}]}
        )
    existing = active_key(person)
    if existing is not None:
        raise ValidationFailed(
            {
                "person": [
                    _("%(person)s already has an active signing key (%(fingerprint)s); revoke it first")
                    % {"person": person, "fingerprint": existing.fingerprint}
                ]
            }
        )
    sealed = crypto.seal_new_key(passphrase, _associated(person))
    key = records.create(
        SigningKey,
        related=person,
        person=person,
        public_key=sealed.public_key,
        encrypted_private_key=sealed.encrypted_private_key,
        cipher=sealed.cipher,
        nonce=sealed.nonce,
        kdf=sealed.kdf,
        kdf_salt=sealed.kdf_salt,
        kdf_params=sealed.kdf_params,
    )
    _key_changed(security.Kind.KEY_CREATED, key)
    return key


@transaction.atomic
def revoke_signing_key(key: SigningKey, *, expected_version: int, revoked_on: dt.date | None = None) -> SigningKey:
    """Stop `key` from signing anything more. What it signed before still verifies."""
    if key.revoked_on is not None:
        raise TransitionRefused(
            _("this key was already revoked on %(date)s") % {"date": key.revoked_on}, field="revoked_on"
        )
    revoked = records.update(
        key, expected_version=expected_version, related=key.person, revoked_on=revoked_on or dt.date.today()
    )
    _key_changed(security.Kind.KEY_REVOKED, revoked)
    return revoked


def _key_changed(kind: str, key: SigningKey) -> None:
    """A signing key made or revoked is a credential change: logged, and told to whoever did it and to the
    coordinators of the signatory's party (who look after its keys; a person has no account of their own)."""
    person = key.person
    credentials.changed(
        kind,
        user=acting_user(),
        detail=f"signing key {key.fingerprint} of {person}"[:500],
        facts={"fingerprint": key.fingerprint, "person": str(person)},
        tell=credentials.coordinators_of(person.party),
    )


class WrongSecret(ValidationFailed):
    """A wrong passphrase or one-time code: counted against the key by sign_plan once its transaction is undone."""

    def __init__(self, errors: dict[str, list[str]], *, kind: str):
        super().__init__(errors)
        self.kind = kind


def _unlock(key: SigningKey, passphrase: str) -> Ed25519PrivateKey:
    """The private key of `key`, if `passphrase` opens it; WrongSecret on "passphrase" otherwise."""
    try:
        return crypto.open_sealed_key(
            passphrase,
            _associated(key.person),
            public_key=key.public_key,
            encrypted_private_key=key.encrypted_private_key,
            nonce=key.nonce,
            kdf=key.kdf,
            kdf_salt=key.kdf_salt,
            kdf_params=key.kdf_params,
            cipher=key.cipher,
        )
    except crypto.WrongPassphrase:
        raise WrongSecret(
            {
                "passphrase": [
                    _("wrong passphrase for the signing key of %(person)s (%(fingerprint)s)")
                    % {"person": key.person, "fingerprint": key.fingerprint}
                ]
            },
            kind=security.Kind.KEY_PASSPHRASE_FAILED,
        ) from None
    except ValueError as exc:
        raise ValidationFailed({"signing_key": [f"the stored key cannot be used: {exc}"]}) from None


# --- texts -------------------------------------------------------------------------------------------


def text_hashes(plan: Plan, texts: Mapping[str, bytes]) -> dict[str, str]:
    """SHA-256 of each rendered text, by language; one text per authentic language of the agreement."""
    hashes: dict[str, str] = {}
    errors: list[str] = []
    for raw_tag, body in texts.items():
        try:
            tag = normalize_tag(raw_tag)
        except ValueError as exc:
            errors.append(str(exc))
            continue
        if tag in hashes:
            errors.append(_("the %(language)s text is given twice") % {"language": tag})
        elif not isinstance(body, bytes | bytearray | memoryview) or not bytes(body):
            errors.append(
                _("the %(language)s text must be the rendered text's bytes, and not empty") % {"language": tag}
            )
        else:
            hashes[tag] = hashlib.sha256(bytes(body)).hexdigest()
    authentic = list(plan.agreement.authentic_languages or [])
    if authentic:
        missing = [tag for tag in authentic if tag not in hashes]
        extra = sorted(tag for tag in hashes if tag not in authentic)
        if missing:
            errors.append(
                _("give the rendered text in every authentic language; missing: %(languages)s")
                % {"languages": ", ".join(missing)}
            )
        if extra:
            errors.append(
                _("not an authentic language of the agreement (%(authentic)s): %(languages)s")
                % {"authentic": ", ".join(authentic), "languages": ", ".join(extra)}
            )
    if errors:
        raise ValidationFailed({"texts": errors})
    return hashes


# --- signing -----------------------------------------------------------------------------------------


def _capacity_on(person: Person, day: dt.date | None) -> dict[str, str]:
    """The title of the post `person` held on `day` (the most recent one), as the default 'signed as'."""
    positions = Position.objects.filter(person=person).order_by("-start_on", "-id")
    held = [p for p in positions if day is None or p.held_on(day)]
    return dict(held[0].title) if held else {}


def rendered_texts(plan: Plan) -> dict[str, bytes]:
    """The plan text in each authentic language, rendered by Accord (printable HTML): what the parties sign.

    Each rendering is stored as the plan's generated document (its file and SHA-256 kept), so the exact
    bytes a signature covers can be produced again later, whatever becomes of the templates. Rendering is
    deterministic, so both parties' signatures cover the same bytes.
    """
    from accord.documents.services import generate_document

    texts = {}
    for lang in plan.agreement.authentic_languages:
        generated = generate_document("plan_text", plan, lang, "html")
        assert generated.data is not None
        texts[lang] = generated.data
    return texts


def texts_to_sign(plan: Plan, *, party: Party) -> dict[str, bytes]:
    """The rendered texts a signature of `plan` for `party` covers (rendered_texts), refused first as sign_plan
    would refuse it (who signs, an agreed plan only), so a refused signature leaves no rendering behind."""
    require_actor("sign", plan, party=party)
    if plan.status != PlanStatus.AGREED:
        raise TransitionRefused(
            _("only an agreed plan can be signed; “%(plan)s” is %(status)s")
            % {"plan": plan, "status": plan.get_status_display().lower()},
            field="status",
        )
    return rendered_texts(plan)


def _key_subjects(signatory: Person) -> list[str]:
    # Per key, not per account: a stranger guessing an account's password must not stop its owner signing.
    key = active_key(signatory)
    return [throttle.subject("signing-key", key.pk)] if key is not None else []


def sign_plan(
    plan: Plan,
    *,
    party: Party,
    signatory: Person,
    passphrase: str,
    texts: Mapping[str, bytes],
    signed_on: dt.date,
    signed_at: dict[str, str] | None = None,
    capacity: dict[str, str] | None = None,
    expected_version: int | None = None,
    fidelity_override: str = "",
    otp: str = "",
) -> Signature:
    """`signatory` signs the current version of an agreed plan for `party`, with their key and passphrase
    (and a one-time code, when the signing account has a second factor).

    Records the Signature (content hash, Ed25519 signature, public key) and its seal (texts' hashes,
    attestation). When every signatory party has signed this version, the plan becomes signed in the
    same transaction. Anything refused leaves nothing written.

    Passphrases and codes go through the sign-in throttle, per key: after a few wrong ones
    each further try waits longer, and every failure and every use of the key is in the security log.
    """
    user = acting_user()
    subjects = _key_subjects(signatory)
    wait = throttle.wait_for(subjects)
    if wait:
        detail = f"signing key of {signatory}; wait {wait} s"
        security.record(security.Kind.SIGNIN_REFUSED, user=user, channel="signing", detail=detail)
        raise ValidationFailed(
            {
                "passphrase": [
                    _("too many wrong passphrases or codes for this signing key: try again in %(wait)s s")
                    % {"wait": wait}
                ]
            }
        )
    try:
        signature = _sign_plan(
            plan,
            party=party,
            signatory=signatory,
            passphrase=passphrase,
            texts=texts,
            signed_on=signed_on,
            signed_at=signed_at,
            capacity=capacity,
            expected_version=expected_version,
            fidelity_override=fidelity_override,
            otp=otp,
            user=user,
        )
    except WrongSecret as wrong:
        # Counted here, after the signing transaction was undone, so the count stays.
        security.record(wrong.kind, user=user, channel="signing", detail=f"signing key of {signatory}")
        failure = throttle.record_failure(subjects)
        if failure.locked:
            security.record(
                security.Kind.LOCKOUT,
                user=user,
                channel="signing",
                detail=f"{', '.join(failure.locked)} wait {failure.wait_seconds} s",
            )
        raise
    throttle.forget(subjects)
    security.record(
        security.Kind.KEY_USED,
        user=user,
        channel="signing",
        detail=f"signing key {signature.public_key[:16]}… of {signatory}: plan {plan.pk} v{signature.target_version}",
    )
    return signature


@transaction.atomic
def _sign_plan(
    plan: Plan,
    *,
    party: Party,
    signatory: Person,
    passphrase: str,
    texts: Mapping[str, bytes],
    signed_on: dt.date,
    signed_at: dict[str, str] | None,
    capacity: dict[str, str] | None,
    expected_version: int | None,
    fidelity_override: str,
    otp: str,
    user: Any,
) -> Signature:
    current = Plan.objects.select_for_update().select_related("agreement").get(pk=plan.pk)
    require_actor("sign", current, party=party)  # a coordinator designated to sign for that party
    if expected_version is not None and expected_version != current.version:
        records.ensure_version(current, expected_version)
    if current.status != PlanStatus.AGREED:
        raise TransitionRefused(
            _("only an agreed plan can be signed; “%(plan)s” is %(status)s")
            % {"plan": current, "status": current.get_status_display().lower()},
            field="status",
        )
    roles = dict(current.agreement.agreement_parties.values_list("party_id", "role"))
    if roles.get(party.pk) not in SIGNING_ROLES:
        message = _("%(party)s is not a signatory party of “%(agreement)s”")
        raise ValidationFailed({"party": [message % {"party": party.code, "agreement": current.agreement}]})
    if signatory.party_id is not None and signatory.party_id != party.pk:
        message = _("%(person)s belongs to another party than %(party)s")
        raise ValidationFailed({"signatory": [message % {"person": signatory, "party": party.code}]})
    key = active_key(signatory)
    if key is None:
        raise ValidationFailed(
            {
                "signatory": [
                    _("%(person)s has no active signing key; create one with `accord signing-key create`")
                    % {"person": signatory}
                ]
            }
        )
    hashes = text_hashes(current, texts)
    others = list(signatures_of(current).select_related("party", "seal"))
    if any(s.party_id == party.pk for s in others):
        message = _("%(party)s has already signed version %(version)s of “%(record)s”")
        raise ValidationFailed(
            {"party": [message % {"party": party.code, "version": current.version, "record": current}]}
        )

    # The KDF is deliberately slow (about a second): unseal after the cheap checks, but before the chain's lock,
    # so other writers never wait for it.
    if user is not None:
        totp.refuse_if_missing(user)  # ACCORD_REQUIRE_SECOND_FACTOR and none turned on: not a guess, not counted
        try:
            totp.check_for_signing(user, otp)
        except ValidationFailed as exc:
            if not otp.strip():
                raise  # no code given: asked for, not counted as a guess
            raise WrongSecret(exc.errors, kind=security.Kind.OTP_FAILED) from None
    private = _unlock(key, passphrase)
    # The chain's position and the content are read together: no change can be appended in between.
    position = chain_head(lock=True)
    try:
        content = plan_content(current)
    except UnsignableContent as exc:
        raise ValidationFailed({"plan": [f"its records cannot be signed: {exc}"]}) from None
    payload_bytes = crypto.canonical_bytes(signed_payload(content, version=current.version, texts=hashes))
    content_hash = crypto.sha256_hex(payload_bytes)
    for other in others:
        # Both parties must sign the same bytes, or no single document carries both signatures.
        seal = getattr(other, "seal", None)
        if seal is not None and seal.texts != hashes:
            changed = sorted(k for k in set(seal.texts) | set(hashes) if seal.texts.get(k) != hashes.get(k))
            raise ValidationFailed(
                {
                    "texts": [
                        _("the rendered text differs from the one %(party)s signed: %(languages)s")
                        % {"party": other.party.code, "languages": ", ".join(changed)}
                    ]
                }
            )
        if other.content_hash and other.content_hash != content_hash:
            raise TransitionRefused(
                _(
                    "the plan's content differs from what %(party)s signed on version %(version)s; "
                    "send it back to draft and have it agreed again"
                )
                % {"party": other.party.code, "version": current.version},
                field="plan",
            )

    stored = signed_content_of(current, current.version)
    if stored is not None and stored.payload_bytes != payload_bytes:
        # Both parties sign the same bytes: what the first signed is kept, and the records must still say it.
        raise TransitionRefused(
            _(
                "the plan's content differs from what was signed on version %(version)s; "
                "send it back to draft and have it agreed again"
            )
            % {"version": current.version},
            field="plan",
        )
    override = signing_gate(current, fidelity_override)
    if override:  # the signatory's reason for signing texts whose language versions disagree
        add_journal_entry(
            current, text=override, occurred_on=signed_on, owner_party=party, visibility=current.visibility
        )
    signature = record_signature(
        current,
        party=party,
        signatory=signatory,
        signed_on=signed_on,
        signed_at=signed_at,
        capacity=capacity if capacity is not None else _capacity_on(signatory, signed_on),
        content_hash=content_hash,
        signature=crypto.sign(private, payload_bytes),
        public_key=key.public_key,
    )
    statement = _statement(signature, party.code, dict(signatory.name))
    records.create(
        SignatureSeal,
        related=signature,
        signature=signature,
        signing_key=key,
        texts=hashes,
        signatory_name=dict(signatory.name),
        attestation=crypto.sign(private, crypto.canonical_bytes(statement)),
    )
    del private
    if stored is None:
        records.create(
            SignedContent,
            related=current,
            plan=current,
            plan_version=current.version,
            payload=payload_bytes.decode("utf-8"),
            payload_sha256=content_hash,
            chain_position=position,
        )
    if not missing_signatures(current):
        transition_plan(current, PlanStatus.SIGNED, expected_version=current.version)
        from accord.documents.jobs import prepare_signed_plan_text

        prepare_signed_plan_text(current)  # a long text's PDF, laid out in the background once committed
    for f in Plan._meta.concrete_fields:  # hand the caller's instance the stored state
        setattr(plan, f.attname, getattr(current, f.attname))
    return signature


def _statement(signature: Signature, party_code: str, signatory_name: Mapping[str, str]) -> dict[str, Any]:
    return attestation_statement(
        payload_sha256=signature.content_hash,
        party=party_code,
        signatory=signatory_name,
        capacity=signature.capacity or {},
        signed_on=signature.signed_on.isoformat() if signature.signed_on else None,
        signed_at=signature.signed_at or {},
        public_key=signature.public_key,
    )


def signed_content_of(plan: Plan, version: int | None = None) -> SignedContent | None:
    """What was signed on `version` of `plan` (by default its signed version), or None."""
    version = version if version is not None else plan.signed_version
    if version is None:
        return None
    return SignedContent.objects.filter(plan_id=plan.pk, plan_version=version).first()


def signed_plan_content(stored: SignedContent) -> dict[str, Any]:
    """The plan's content as signed: the `plan` object of the stored payload."""
    return json.loads(stored.payload)["plan"]


@dataclass
class SignedPlanView:
    """What a signed plan's pages show: the content as signed, and what the records say otherwise since."""

    stored: SignedContent
    content: dict[str, Any]  # as signed (plan_content's shape)
    changes: list[Change]

    @cached_property
    def items(self) -> dict[str, dict[str, Any]]:
        return {item["uid"]: item for item in self.content["items"]}

    def changes_of_item(self, uid: str) -> list[Change]:
        return [c for c in self.changes if c.item_uid == uid]


# Recent signed views by (stored content, its hash, the chain's newest entry and its hash). A 5,000-item plan's
# page read its whole signed payload and its whole current content on every view (seconds); both change only
# with a new chain entry (every change through Accord appends one), so they are worked out once per process
# until the chain moves. A change behind Accord's back leaves the head as it was: `accord verify` names it.
_VIEWS: OrderedDict[tuple[Any, ...], SignedPlanView] = OrderedDict()
_VIEWS_KEPT = 16
_VIEWS_LOCK = threading.Lock()


def _chain_newest() -> tuple[int, str]:
    newest = ChangeRecord.objects.order_by("-id").values_list("id", "hash").first()
    return (int(newest[0]), str(newest[1])) if newest else (0, "")


def signed_view(plan: Plan) -> SignedPlanView | None:
    """The signed content of a signed plan and the changes since signing (from the audit chain), or None."""
    # The payload (megabytes for a 5,000-item plan) is read only when the view is not at hand.
    if plan.signed_version is None:
        return None
    found = SignedContent.objects.filter(plan_id=plan.pk, plan_version=plan.signed_version)
    stored = found.defer("payload").first()
    if stored is None:
        return None
    key = (stored.pk, stored.payload_sha256, *_chain_newest())
    with _VIEWS_LOCK:
        view = _VIEWS.get(key)
    if view is None:
        view = _signed_view(plan, stored)
    with _VIEWS_LOCK:  # the server's threads share the views
        _VIEWS[key] = view
        _VIEWS.move_to_end(key)
        while len(_VIEWS) > _VIEWS_KEPT:
            _VIEWS.popitem(last=False)
    return view


def _signed_view(plan: Plan, stored: SignedContent) -> SignedPlanView:
    signed = signed_plan_content(stored)
    try:
        now = plan_content(plan)
    except UnsignableContent:
        now = signed  # `accord verify` names such records; the page still shows what was signed
    changes = changes_since_signing(signed, now, stored.chain_position) if now != signed else []
    return SignedPlanView(stored, signed, changes)


# --- verifying against the records -------------------------------------------------------------------


@dataclass
class SignatureCheck:
    ok: bool
    reason: str = ""  # why it does not verify; empty when it does
    # It signs a version the plan has since left (changed, agreed and signed anew): the signature and
    # attestation were checked against what that version's signers stored, not against today's records.
    superseded: bool = False

    def __bool__(self) -> bool:
        return self.ok


def check_signature(signature: Signature, *, content_cache: dict[Any, Any] | None = None) -> SignatureCheck:
    """Check `signature` against the content stored when it was signed, and that content against the records
    as they were then (the audit chain); say why it fails if it does.

    Later changes made through Accord (a project's title corrected, an organisation renamed) do not break
    it: the signature covers the stored bytes, which the chain shows the records held at signing.
    `content_cache` lets a caller checking many signatures read each plan once.
    """
    if not signature.signature:
        return SignatureCheck(False, "it carries no cryptographic signature (recorded without a signing key)")
    if signature.target_type_id != ContentType.objects.get_for_model(Plan).pk:
        return SignatureCheck(False, "only signatures on plans can be checked")
    seal = SignatureSeal.objects.select_related("signing_key").filter(signature=signature).first()
    if seal is None:
        return SignatureCheck(False, "the record of its texts' hashes and attestation (signing seal) is missing")
    key = seal.signing_key
    if key.person_id != signature.signatory_id or key.public_key != signature.public_key:
        return SignatureCheck(False, "its public key is not the signatory's signing key")
    if key.revoked_on is not None and signature.signed_on is not None and signature.signed_on > key.revoked_on:
        return SignatureCheck(False, f"it is dated after its key was revoked ({key.revoked_on})")
    plan = Plan.objects.select_related("agreement").filter(pk=signature.target_id).first()
    if plan is None:
        return SignatureCheck(False, "the signed plan no longer exists")
    if not crypto.signature_holds(
        signature.public_key,
        seal.attestation,
        crypto.canonical_bytes(_statement(signature, signature.party.code, seal.signatory_name)),
    ):
        return SignatureCheck(False, "who signed, for which party, as what, when or where was changed after signing")
    stored = signed_content_of(plan, signature.target_version)
    if stored is None:
        return SignatureCheck(
            False,
            f"the content it signs (version {signature.target_version}) was not stored when it was signed, "
            "and the plan's records no longer give it; it cannot be checked",
        )
    problem = _stored_content_problem(signature, seal, stored)
    if problem:
        return SignatureCheck(False, problem)
    current = plan.signed_version if plan.signed_version is not None else plan.version
    if signature.target_version != current:
        return SignatureCheck(
            False,
            f"it signs version {signature.target_version}, which the plan has left (its "
            f"{'signed' if plan.signed_version is not None else 'current'} version is {current}); "
            "it holds for what was stored for that version",
            superseded=True,
        )
    cache = content_cache if content_cache is not None else {}
    key_of = ("records", stored.pk)
    if key_of not in cache:
        cache[key_of] = _records_problem(plan, stored, cache)
    return SignatureCheck(False, cache[key_of]) if cache[key_of] else SignatureCheck(True)


def _stored_content_problem(signature: Signature, seal: SignatureSeal, stored: SignedContent) -> str:
    """Why the stored content is not what `signature` signed, or ""."""
    payload_bytes = stored.payload_bytes
    digest = crypto.sha256_hex(payload_bytes)
    if digest != stored.payload_sha256:
        return "the stored signed content was changed after signing (it is not the content whose hash was stored)"
    if not crypto.signature_holds(signature.public_key, signature.signature, payload_bytes):
        if digest != signature.content_hash:
            return (
                f"the stored signed content is not what was signed (content sha256 {digest[:16]}…, "
                f"signed {signature.content_hash[:16]}…)"
            )
        return "the signature value does not match the signed content and public key"
    if digest != signature.content_hash:
        return "its recorded content hash is not the hash of what was signed"
    try:
        payload = json.loads(payload_bytes)
    except ValueError:
        return "the stored signed content is not JSON"
    if payload.get("version") != signature.target_version or payload.get("texts") != seal.texts:
        return "the stored signed content is for another version or other texts than the signature names"
    if crypto.canonical_bytes(payload) != payload_bytes:
        return "the stored signed content is not in canonical form"
    return ""


def _records_problem(plan: Plan, stored: SignedContent, cache: dict[Any, Any]) -> str:
    """Why the plan's records do not bear out the stored content, or "".

    The stored content must be what the records held at its chain position. When today's records say the
    same, that is settled without reading the chain (the usual case); otherwise the chain is read twice: as
    it was at signing, which must give the stored content, and as it is now, which must give today's rows
    (a difference there is a row written behind Accord's back).
    """
    signed = signed_plan_content(stored)
    if plan.pk not in cache:
        try:
            cache[plan.pk] = plan_content(plan)
        except UnsignableContent as exc:
            return f"the plan's records cannot be read as signed content: {exc}"
    now = cache[plan.pk]
    if now == signed:
        return ""
    try:
        then = content_at(plan.pk, stored.chain_position)
    except UnsignableContent as exc:
        return f"the records as they were when signed cannot be read from the audit chain: {exc}"
    if then != signed:
        return (
            "the stored signed content is not what the plan's records held when it was signed "
            f"(audit chain entry #{stored.chain_position})"
        )
    try:
        recorded = content_at(plan.pk, None)
    except UnsignableContent as exc:
        return f"the records cannot be read from the audit chain: {exc}"
    if recorded != now:
        return (
            "the plan's records no longer match what was signed, and the audit chain records no change that "
            "explains it (changed behind Accord's back)"
        )
    return ""


def verify_signature(signature: Signature) -> bool:
    """Whether `signature` holds for what was signed, borne out by the records as they were then.

    False as well for a signature on a version the plan has since left (check_signature says so with
    `superseded`, and `accord verify` does not count it a problem).
    """
    return check_signature(signature).ok
