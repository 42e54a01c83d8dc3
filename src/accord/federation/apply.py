"""Placeholder until the content half lands (branch h-fedapply); see protocol.py."""

from __future__ import annotations

from typing import Any


def apply_change(body: dict[str, Any], sender_party: str, peer_name: str) -> None:
    raise NotImplementedError("federation content is not built yet")
