"""The scheduled sync: the job worker syncs with every peer that has an address, every few minutes."""

from __future__ import annotations

from django.conf import settings

from accord.federation.models import Node, Peer
from accord.jobs.registry import Context, JobKind, Outcome, register


def sync_every() -> int | None:
    """ACCORD_FEDERATION_SYNC_SECONDS, while this installation is a node with a peer to reach (else never)."""
    seconds = getattr(settings, "ACCORD_FEDERATION_SYNC_SECONDS", None)
    if not seconds or not Node.objects.exists() or not Peer.objects.exclude(url="").exists():
        return None
    return int(seconds)


def sync_job(context: Context) -> Outcome:
    from accord.federation.transport import sync_due

    return Outcome(result=sync_due())


register(JobKind("federation-sync", sync_job, "Federation sync", listed=False, every=sync_every))
