"""A signed-in user's Principal, built from their memberships: what core.visibility and core.permissions ask.

Registered with core at start-up (AccountsConfig.ready), so core reads memberships without importing this app.
"""

from __future__ import annotations

from typing import Any

from accord.accounts.models import Membership, Role
from accord.core.visibility import Principal


def principal_of(user: Any) -> Principal:
    """The principal of a signed-in `user`: their parties by role, the organisations they report for."""
    rows = list(
        Membership.objects.filter(user_id=user.pk).values_list("role", "party_id", "organisation_id", "may_sign")
    )
    return Principal(
        is_admin=bool(user.is_active and user.is_staff),
        is_authenticated=True,
        parties=frozenset(r[1] for r in rows),
        coordinates=frozenset(r[1] for r in rows if r[0] == Role.COORDINATOR),
        signs_for=frozenset(r[1] for r in rows if r[0] == Role.COORDINATOR and r[3]),
        reports_for=frozenset(r[2] for r in rows if r[0] == Role.REPORTER and r[2]),
        user_id=user.pk,
        roles=tuple((r[0], r[1], r[2]) for r in rows),
    )
