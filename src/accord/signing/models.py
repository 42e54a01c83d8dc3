"""Signing keys of signatories, and what each cryptographic signature covers besides the plan's records."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.agreements.models import Signature
from accord.core.localized import LocalizedTextField
from accord.core.models import AccordModel
from accord.directory.models import Person
from accord.signing.crypto import CIPHER, fingerprint


class SigningKey(AccordModel):
    """A signatory's Ed25519 key pair, made by Accord. The private key is stored only sealed.

    The sealed key is AES-256-GCM ciphertext under a key derived from the signatory's passphrase with a
    memory-hard KDF; the passphrase is never stored, so the private key is usable only when it is given.
    A person has at most one active key; a revoked key still verifies what it signed before.
    """

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="signing_keys")
    public_key = models.CharField(_("public key"), max_length=44, help_text=_("Raw 32-byte Ed25519 key, base64."))
    encrypted_private_key = models.TextField(_("sealed private key"), editable=False)  # ciphertext and GCM tag, base64
    cipher = models.CharField(_("cipher"), max_length=16, default=CIPHER, editable=False)
    nonce = models.CharField(_("nonce"), max_length=24, editable=False)  # 12 bytes, base64
    kdf = models.CharField(_("key derivation"), max_length=16, editable=False)  # argon2id | scrypt
    kdf_salt = models.CharField(_("KDF salt"), max_length=24, editable=False)  # 16 bytes, base64
    kdf_params = models.JSONField(_("KDF parameters"), default=dict, editable=False)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)

    history_hidden = ("encrypted_private_key", "nonce", "kdf_salt")  # core.pages.history: sealed, not for reading

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["person", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(revoked_on__isnull=True),
                name="signingkey_one_active_per_person",
                violation_error_message="this person already has an active signing key; revoke it first",
            ),
            models.UniqueConstraint(fields=["public_key"], name="signingkey_unique_public_key"),
        ]

    def __str__(self) -> str:
        state = _("revoked %(day)s") % {"day": self.revoked_on} if self.revoked_on else _("active")
        return f"{self.person} — {self.fingerprint} ({state})"

    @property
    def fingerprint(self) -> str:
        try:
            return fingerprint(self.public_key)
        except ValueError:
            return "(malformed key)"

    @property
    def is_active(self) -> bool:
        return self.revoked_on is None


class SignatureSeal(AccordModel):
    """What a cryptographic signature covers besides the plan's records, and who made it with which key.

    The hashes of the rendered authentic texts are part of the signed payload and cannot be recomputed from
    the records, so they are kept here. The attestation is a second Ed25519 signature, made at the same
    moment with the same key, over who signed, for which party, as what, when and where, and the payload's
    hash: it makes those details in an exported bundle tamper-evident as well. The signatory's name is
    frozen as it was when signing, since the attestation covers it.
    """

    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, related_name="seal")
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="seals")
    texts = models.JSONField(_("texts' SHA-256"), default=dict, help_text=_("Language → SHA-256 of the rendered text."))
    signatory_name = LocalizedTextField(_("signatory's name when signing"))
    attestation = models.TextField(_("attestation"))  # base64 Ed25519 signature over the attestation statement

    class Meta:
        verbose_name = _("signature seal")
        verbose_name_plural = _("signature seals")
        ordering = ["id"]

    def __str__(self) -> str:
        return _("seal of signature %(id)s") % {"id": self.signature_id}


class SignedContent(AccordModel):
    """What the parties signed on one version of a plan, byte for byte, kept for ever.

    `payload` is the RFC 8785 canonical JSON of the signed payload (the plan's content, the version and the
    authentic texts' hashes): every party's signature on that version covers exactly these bytes. The
    records may change later (a project's title corrected, an organisation renamed); what was signed does
    not. `chain_position` is the newest audit-chain entry when the first party signed: the records as they
    were then are the chain's snapshots up to it, and `accord verify` checks the payload against them.
    Written once by `sign_plan`, never changed.
    """

    plan = models.ForeignKey(
        "programmes.Plan", verbose_name=_("plan"), on_delete=models.PROTECT, related_name="signed_contents"
    )
    plan_version = models.PositiveIntegerField(_("signed version of the plan"))
    payload = models.TextField(_("signed payload"), editable=False)  # canonical JSON; its UTF-8 bytes are signed
    payload_sha256 = models.CharField(_("payload's SHA-256"), max_length=64, editable=False)
    chain_position = models.BigIntegerField(_("audit chain position when signed"), editable=False)

    class Meta:
        verbose_name = _("signed content")
        verbose_name_plural = _("signed contents")
        ordering = ["plan", "plan_version"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "plan_version"], name="signedcontent_one_per_plan_version"),
        ]

    def __str__(self) -> str:
        return _("signed content of plan %(plan)s version %(version)s") % {
            "plan": self.plan_id,
            "version": self.plan_version,
        }

    @property
    def payload_bytes(self) -> bytes:
        return self.payload.encode("utf-8")
