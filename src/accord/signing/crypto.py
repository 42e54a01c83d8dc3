"""The cryptography of signing, kept apart from the database: key sealing, Ed25519, canonical bytes.

A signatory's Ed25519 private key is stored only sealed: AES-256-GCM under a key derived from the
signatory's passphrase with a memory-hard KDF (Argon2id where the installed `cryptography` provides it,
else scrypt). The KDF and its parameters are stored with each key, so stronger defaults later do not
orphan older keys.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature, InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

try:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
except ImportError:  # cryptography < 44: scrypt only
    Argon2id = None  # type: ignore[assignment,misc]

CIPHER = "AES-256-GCM"
# RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes): about 0.2 s on a 2-core server.
ARGON2ID_DEFAULTS: dict[str, int] = {"memory_kib": 64 * 1024, "iterations": 3, "lanes": 4}
# scrypt with N = 2**17, r = 8 (128 MiB), for installations whose cryptography lacks Argon2id.
SCRYPT_DEFAULTS: dict[str, int] = {"n": 2**17, "r": 8, "p": 1}
# Refuse stored parameters outside these bounds: a tampered row must not make unlocking hang or exhaust memory.
_MAX_MEMORY_KIB = 1024 * 1024
_MIN_MEMORY_KIB = 8 * 1024
KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12


class WrongPassphrase(Exception):
    """The passphrase does not open the sealed key (or the sealed key was altered)."""


# --- base64 ------------------------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, *, length: int | None = None) -> bytes:
    """Strict base64: the standard alphabet with padding, and only the one spelling `b64` produces.

    Decoders ignore the unused low bits of the last character, so 'AB==' and 'AC==' can decode alike;
    comparing with the re-encoding makes every changed character count.
    """
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError("is not valid base64") from None
    if b64(data) != text:
        raise ValueError("is not in canonical base64 form")
    if length is not None and len(data) != length:
        raise ValueError(f"must be {length} bytes, not {len(data)}")
    return data


# --- canonical bytes and hashes ----------------------------------------------------------------------


def canonical_bytes(value: Any) -> bytes:
    """RFC 8785 (JSON Canonicalization Scheme) bytes of `value`, for the JSON Accord signs.

    `value` must be made of strings, integers within ±(2**53 - 1), booleans, None, lists and dicts whose
    keys are ASCII strings. For such values Python's C JSON encoder with sorted keys, no spaces and
    ensure_ascii=False writes exactly RFC 8785: ASCII keys sort the same by code point as by UTF-16 code
    unit, and its string escaping is RFC 8785's (tests compare it with the `rfc8785` package on the
    payloads and on generated values). It is three to four times faster than that package, which matters for
    a 1,000-item plan. Callers guarantee the subset: content.py builds only such values, and a bundle
    is parsed with hooks that refuse floats, large integers and non-ASCII keys.
    """
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()
    except UnicodeEncodeError as exc:  # a lone surrogate: not representable in UTF-8, refused by RFC 8785 too
        raise ValueError("the text holds a character that is not valid Unicode") from exc


def canonical_bytes_reference(value: Any) -> bytes:
    """RFC 8785 bytes from the `rfc8785` package: the reference canonical_bytes is checked against."""
    return rfc8785.dumps(value)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprint(public_key_b64: str) -> str:
    """What people compare aloud or on paper: the first 16 bytes of SHA-256 of the raw key, in groups of four."""
    digest = hashlib.sha256(unb64(public_key_b64, length=KEY_BYTES)).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


# --- Ed25519 -----------------------------------------------------------------------------------------


def raw_private(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    return b64(key.sign(message))


def signature_holds(public_key_b64: str, signature_b64: str, message: bytes) -> bool:
    """Whether `signature_b64` is a valid Ed25519 signature of `message` by `public_key_b64`; False if malformed."""
    try:
        public = Ed25519PublicKey.from_public_bytes(unb64(public_key_b64, length=KEY_BYTES))
        public.verify(unb64(signature_b64, length=64), message)
    except (ValueError, InvalidSignature):
        return False
    return True


# --- sealing the private key -------------------------------------------------------------------------


@dataclass(frozen=True)
class SealedKey:
    """A fresh key pair, its private half sealed under the passphrase: what a SigningKey row stores."""

    public_key: str
    encrypted_private_key: str
    nonce: str
    kdf: str
    kdf_salt: str
    kdf_params: dict[str, int]
    cipher: str = CIPHER


def default_kdf() -> tuple[str, dict[str, int]]:
    if Argon2id is not None:
        return "argon2id", dict(ARGON2ID_DEFAULTS)
    return "scrypt", dict(SCRYPT_DEFAULTS)


def normalise_passphrase(passphrase: str) -> bytes:
    # NFC: the same passphrase typed with another input method (composed or decomposed accents) still opens the key.
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _check_params(kdf: str, params: Mapping[str, Any]) -> None:
    if kdf == "argon2id":
        memory, iterations, lanes = params.get("memory_kib"), params.get("iterations"), params.get("lanes")
        if not all(isinstance(v, int) for v in (memory, iterations, lanes)):
            raise ValueError("Argon2id parameters must be integers")
        assert isinstance(memory, int) and isinstance(iterations, int) and isinstance(lanes, int)
        if not (_MIN_MEMORY_KIB <= memory <= _MAX_MEMORY_KIB and 1 <= iterations <= 20 and 1 <= lanes <= 16):
            raise ValueError(f"Argon2id parameters out of range: {dict(params)}")
    elif kdf == "scrypt":
        n, r, p = params.get("n"), params.get("r"), params.get("p")
        if not all(isinstance(v, int) for v in (n, r, p)):
            raise ValueError("scrypt parameters must be integers")
        assert isinstance(n, int) and isinstance(r, int) and isinstance(p, int)
        memory_kib = 128 * n * r // 1024
        if n < 2 or n & (n - 1) or not (_MIN_MEMORY_KIB <= memory_kib <= _MAX_MEMORY_KIB and 1 <= p <= 16):
            raise ValueError(f"scrypt parameters out of range: {dict(params)}")
    else:
        raise ValueError(f"unknown key derivation function {kdf!r}")


def derive_key(passphrase: str, kdf: str, salt: bytes, params: Mapping[str, Any]) -> bytes:
    """The 32-byte AES key for `passphrase` under the stored KDF, salt and parameters (deliberately slow)."""
    _check_params(kdf, params)
    secret = normalise_passphrase(passphrase)
    if kdf == "argon2id":
        if Argon2id is None:
            raise UnsupportedAlgorithm("this installation's cryptography package has no Argon2id")
        return Argon2id(
            salt=salt,
            length=KEY_BYTES,
            iterations=params["iterations"],
            lanes=params["lanes"],
            memory_cost=params["memory_kib"],
        ).derive(secret)
    return Scrypt(salt=salt, length=KEY_BYTES, n=params["n"], r=params["r"], p=params["p"]).derive(secret)


def seal_new_key(
    passphrase: str, associated: bytes, *, kdf: str | None = None, params: Mapping[str, int] | None = None
) -> SealedKey:
    """Make an Ed25519 key pair and seal the private key; `associated` binds the sealed blob to its owner."""
    if kdf is None:
        kdf, default_params = default_kdf()
        params = params or default_params
    assert params is not None
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    private = Ed25519PrivateKey.generate()
    public = b64(raw_public(private.public_key()))
    aes = AESGCM(derive_key(passphrase, kdf, salt, params))
    sealed = aes.encrypt(nonce, raw_private(private), associated + public.encode("ascii"))
    return SealedKey(
        public_key=public,
        encrypted_private_key=b64(sealed),
        nonce=b64(nonce),
        kdf=kdf,
        kdf_salt=b64(salt),
        kdf_params=dict(params),
    )


def open_sealed_key(
    passphrase: str,
    associated: bytes,
    *,
    public_key: str,
    encrypted_private_key: str,
    nonce: str,
    kdf: str,
    kdf_salt: str,
    kdf_params: Mapping[str, Any],
    cipher: str = CIPHER,
) -> Ed25519PrivateKey:
    """The private key, if `passphrase` opens it; raise WrongPassphrase otherwise (the tag does not check out)."""
    if cipher != CIPHER:
        raise ValueError(f"unknown cipher {cipher!r}")
    key = derive_key(passphrase, kdf, unb64(kdf_salt, length=SALT_BYTES), kdf_params)
    try:
        raw = AESGCM(key).decrypt(
            unb64(nonce, length=NONCE_BYTES), unb64(encrypted_private_key), associated + public_key.encode("ascii")
        )
    except InvalidTag:
        raise WrongPassphrase from None
    private = Ed25519PrivateKey.from_private_bytes(raw)
    if b64(raw_public(private.public_key())) != public_key:  # pragma: no cover - the tag already binds the key
        raise WrongPassphrase
    return private
