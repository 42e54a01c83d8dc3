"""Placeholder until the content half lands (branch h-fedapply); see protocol.py."""

from __future__ import annotations

from typing import Any

from accord.federation.protocol import ChangeRefused


def apply_change(body: dict[str, Any], sender_party: str, peer_name: str) -> None:
    raise ChangeRefused("this node cannot apply changes yet (the content half is not installed)")
