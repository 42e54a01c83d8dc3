"""Placeholder until the content half lands (branch h-fedapply); see protocol.py."""

from __future__ import annotations

from typing import Any


def outgoing_changes(peer_party: str, after_entry: int, limit: int) -> list[dict[str, Any]]:
    return []  # until the content half lands nothing travels but the chain heads the transport carries
