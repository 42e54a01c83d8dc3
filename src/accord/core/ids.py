"""Global identifiers: UUIDv7 (time-ordered), so ids made on two installations never collide and
new rows land at the end of the index instead of at random places in it."""

import os
import time
import uuid

_new_object = object.__new__
_set_slot = object.__setattr__
_SAFE_UNKNOWN = uuid.SafeUUID.unknown


def new_uid() -> uuid.UUID:
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version 7
    value |= ((rand >> 62) & 0xFFF) << 64  # 12 random bits
    value |= 0b10 << 62  # RFC 4122 variant
    value |= rand & ((1 << 62) - 1)
    # uuid.UUID(int=value) without its argument checks (the value is 128 bits by construction): every new record
    # takes one, and an import makes hundreds of thousands.
    uid = _new_object(uuid.UUID)
    _set_slot(uid, "int", value)
    _set_slot(uid, "is_safe", _SAFE_UNKNOWN)
    return uid


# Records that must have the same id everywhere (the seed programme) use name-based ids under this namespace.
ACCORD_NAMESPACE = uuid.UUID("6f1c2a52-1f0e-4f53-9a43-5d3e0b0c1958")


def stable_uid(name: str) -> uuid.UUID:
    return uuid.uuid5(ACCORD_NAMESPACE, name)


RECORD_ID_MAX_DIGITS = 18  # past this an id is past the databases' integers: no record has it


def record_id(value: object) -> int | None:
    """A record's id as typed in a URL or a form ("17"), or None: ASCII digits only (str.isdigit() accepts "³"
    and "١", which int() then refuses or reads as another number) and within the databases' integers."""
    text = str(value).strip()
    if not text or len(text) > RECORD_ID_MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
