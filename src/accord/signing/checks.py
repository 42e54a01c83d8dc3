"""The signing app's part of `accord verify`: every cryptographic signature must still hold."""

from __future__ import annotations

from typing import Any

from accord.agreements.models import Signature
from accord.core.verify import Problem, VerifyReport
from accord.signing.services import check_signature


def check_signatures(report: VerifyReport) -> None:
    """Append a Problem for every signature with a cryptographic value that does not verify.

    A signature on a version the plan has since left is not a problem as long as its attestation holds:
    the parties changed the plan and signed again, which is the lifecycle working.
    """
    content_cache: dict[Any, Any] = {}  # each plan is read once, however many signatures it has
    for signature in Signature.objects.exclude(signature="").select_related("party").order_by("pk").iterator():
        check = check_signature(signature, content_cache=content_cache)
        if not check.ok and not check.superseded:
            report.problems.append(Problem(f"agreements.signature {signature.pk}", f"does not verify: {check.reason}"))
