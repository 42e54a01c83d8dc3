"""The wire format: the node key, signed messages, signed batches and signed HTTP requests (docs/federation.md).

Pure functions over bytes and JSON: no database. Every signed object is RFC 8785 canonical JSON; its
`signature` member is the Ed25519 signature (base64) of the canonical bytes of the object without it.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from accord.signing.crypto import KEY_BYTES, b64, raw_private, raw_public, signature_holds, unb64

PROTOCOL = "accord-federation/1"
KEY_FILE = "node_key"
# How far a signed request's timestamp may be from our clock before it is refused as stale.
MAX_SKEW_SECONDS = 300
GENESIS_HEAD = {"entry": 0, "hash": "0" * 64}


class Malformed(ValueError):
    """Bytes or JSON that are not a well-formed, correctly signed object of the protocol; the text says why."""


# --- the node key ------------------------------------------------------------------------------------------


def node_id_of(public_key_b64: str) -> str:
    """A node's id: the first 16 bytes of SHA-256 of its raw public key, in hex (the fingerprint, unspaced)."""
    return hashlib.sha256(unb64(public_key_b64, length=KEY_BYTES)).hexdigest()[:32]


def new_key_file(data_dir: Path) -> str:
    """Make a new Ed25519 key in `data_dir`/node_key (mode 600, never overwritten); its public key (base64)."""
    key = Ed25519PrivateKey.generate()
    path = data_dir / KEY_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(b64(raw_private(key)) + "\n")
    return b64(raw_public(key.public_key()))


def load_key(data_dir: Path) -> Ed25519PrivateKey:
    text = (data_dir / KEY_FILE).read_text().strip()
    return Ed25519PrivateKey.from_private_bytes(unb64(text, length=KEY_BYTES))


# --- canonical JSON and signed objects ---------------------------------------------------------------------


def canonical(value: Any) -> bytes:
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise Malformed(f"cannot be written as canonical JSON ({exc})") from None


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def signed(key: Ed25519PrivateKey, obj: dict[str, Any]) -> dict[str, Any]:
    """`obj` with its `signature` member."""
    unsigned = {k: v for k, v in obj.items() if k != "signature"}
    return {**unsigned, "signature": b64(key.sign(canonical(unsigned)))}


def signature_ok(public_key: str, obj: dict[str, Any]) -> bool:
    sig = obj.get("signature")
    if not isinstance(sig, str):
        return False
    unsigned = {k: v for k, v in obj.items() if k != "signature"}
    try:
        return signature_holds(public_key, sig, canonical(unsigned))
    except Malformed:
        return False


def parse_json(data: bytes, *, strict: bool) -> dict[str, Any]:
    """A JSON object from `data`; `strict`: the bytes must be its canonical form (a file: every byte counts)."""
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Malformed("is not JSON in UTF-8") from None
    if not isinstance(obj, dict):
        raise Malformed("is not a JSON object")
    if strict and canonical(obj) != data.rstrip(b"\n"):
        raise Malformed("is not in canonical form (changed after it was written)")
    return obj


def _head(value: Any, where: str) -> dict[str, Any]:
    if (
        not isinstance(value, dict)
        or set(value) != {"entry", "hash"}
        or not isinstance(value["entry"], int)
        or value["entry"] < 0
        or not isinstance(value["hash"], str)
        or len(value["hash"]) != 64
    ):
        raise Malformed(f"{where}: a chain head is an object with an entry number and a 64-digit hash")
    return value


def _require(obj: dict[str, Any], kind: str, members: set[str], optional: frozenset[str] = frozenset()) -> None:
    if obj.get("protocol") != PROTOCOL or obj.get("type") != kind:
        raise Malformed(f"is not a {kind} of {PROTOCOL}")
    missing = sorted(members - set(obj))
    extra = sorted(set(obj) - members - optional)
    problems = [f"missing {', '.join(missing)}"] if missing else []
    problems += [f"unknown {', '.join(extra)}"] if extra else []
    if problems:
        raise Malformed(f"{kind}: {'; '.join(problems)}")


# --- messages and batches ----------------------------------------------------------------------------------

MESSAGE_MEMBERS = {"protocol", "type", "from", "to", "seq", "head", "body", "signature"}
BATCH_MEMBERS = {"protocol", "type", "from", "to", "at", "head", "ack", "messages", "signature"}
# Recovery (docs/federation.md): the recipient's own messages that it lost, returned; only when it asked.
BATCH_OPTIONAL = frozenset({"returned"})


def make_message(
    key: Ed25519PrivateKey, sender: str, recipient: str, seq: int, head: dict[str, Any], body: dict[str, Any]
) -> dict[str, Any]:
    return signed(
        key,
        {
            "protocol": PROTOCOL,
            "type": "message",
            "from": sender,
            "to": recipient,
            "seq": seq,
            "head": head,
            "body": body,
        },
    )


def check_message(obj: Any, sender: str, recipient: str) -> dict[str, Any]:
    """The shape of one message inside a batch (its signature is checked by the caller, who knows the key)."""
    if not isinstance(obj, dict):
        raise Malformed("a message is not a JSON object")
    _require(obj, "message", MESSAGE_MEMBERS)
    if obj["from"] != sender or obj["to"] != recipient:
        raise Malformed(f"message {obj.get('seq')}: its sender or recipient differs from its batch's")
    if not isinstance(obj["seq"], int) or obj["seq"] < 1:
        raise Malformed("a message's seq is a positive integer")
    _head(obj["head"], f"message {obj['seq']}")
    if not isinstance(obj["body"], dict):
        raise Malformed(f"message {obj['seq']}: its body is not a JSON object")
    return obj


def make_batch(
    key: Ed25519PrivateKey,
    sender: str,
    recipient: str,
    head: dict[str, Any],
    ack: dict[str, Any],
    messages: list[dict[str, Any]],
    at: int | None = None,
    returned: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """`ack` may carry "return_from" (we lost our messages from that number: return them); `returned`: the
    recipient's own messages it asked for, as it signed them (left out when there are none)."""
    batch = {
        "protocol": PROTOCOL,
        "type": "batch",
        "from": sender,
        "to": recipient,
        "at": int(at or time.time()),
        "head": head,
        "ack": ack,
        "messages": messages,
    }
    if returned:
        batch["returned"] = returned
    return signed(key, batch)


def check_batch(obj: dict[str, Any]) -> dict[str, Any]:
    """The shape of a batch (before its signature, which needs the sender's key, is checked)."""
    _require(obj, "batch", BATCH_MEMBERS, BATCH_OPTIONAL)
    if not isinstance(obj["from"], str) or not isinstance(obj["to"], str):
        raise Malformed("batch: from and to are node ids")
    if not isinstance(obj["at"], int):
        raise Malformed("batch: at is a time in seconds")
    _head(obj["head"], "batch head")
    ack = obj["ack"]
    if (
        not isinstance(ack, dict)
        or not {"seq", "head"} <= set(ack) <= {"seq", "head", "return_from"}
        or not isinstance(ack["seq"], int)
        or ack["seq"] < 0
    ):
        raise Malformed("batch: ack is an object with seq (a number), head and, when asking, return_from")
    if ack["head"] is not None:
        _head(ack["head"], "batch ack")
    if "return_from" in ack and (not isinstance(ack["return_from"], int) or ack["return_from"] < 1):
        raise Malformed("batch: ack's return_from is a positive integer")
    returned = obj.get("returned", [])
    if not isinstance(returned, list) or ("returned" in obj and not returned):
        raise Malformed("batch: returned is a non-empty list when present")
    back = [m.get("seq") if isinstance(m, dict) else None for m in returned]
    if any(not isinstance(s, int) for s in back) or back != sorted(set(back)):  # type: ignore[type-var]
        raise Malformed("batch: its returned messages are not in ascending order of seq, each once")
    if not isinstance(obj["messages"], list):
        raise Malformed("batch: messages is a list")
    seqs = [m.get("seq") if isinstance(m, dict) else None for m in obj["messages"]]
    if any(not isinstance(s, int) for s in seqs) or seqs != sorted(set(seqs)):  # type: ignore[type-var]
        raise Malformed("batch: its messages are not in ascending order of seq, each once")
    return obj


# --- signed HTTP requests and responses --------------------------------------------------------------------


def request_text(method: str, path: str, timestamp: str, body: bytes) -> bytes:
    return f"{PROTOCOL} request\n{method.upper()}\n{path}\n{timestamp}\n{digest(body)}".encode()


def response_text(path: str, timestamp: str, body: bytes) -> bytes:
    return f"{PROTOCOL} response\n{path}\n{timestamp}\n{digest(body)}".encode()


def sign_text(key: Ed25519PrivateKey, text: bytes) -> str:
    return b64(key.sign(text))


def fresh(timestamp: str, now: float | None = None) -> bool:
    """Whether a request's timestamp (whole seconds since 1970) is within MAX_SKEW_SECONDS of our clock."""
    if not timestamp.isdigit() or len(timestamp) > 12:
        return False
    return abs(int(timestamp) - (now if now is not None else time.time())) <= MAX_SKEW_SECONDS
