"""The one sign-in throttle, for every way in: the sign-in page (and /admin/login/, the same page), the
second factor, API token issuance (which asks for the password again) and signing-key passphrases.

Failures are counted per *subject*: the normalised account name, the client's address, a signing key, and a
browser that signed in to the account before (its device cookie). After a subject's free attempts, each
further failure makes it wait, twice as long each time, up to a cap: a guesser gets a few tries an hour, and
an attempt made while waiting is refused before the password is looked at, so the right password does not
get in until the wait is over. Nothing locks for ever: a stranger who fails on someone's account delays only
attempts without that person's device cookie, and never for longer than the cap after their last failure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accord.accounts.models import AttemptCounter


@dataclass(frozen=True)
class Policy:
    free: int  # failures allowed without waiting
    first_wait: int  # seconds, after the first failure past the free ones; doubled after each further one
    longest_wait: int  # seconds


POLICIES = {
    "account": Policy(free=5, first_wait=30, longest_wait=15 * 60),
    "device": Policy(free=5, first_wait=30, longest_wait=15 * 60),
    # An office behind one address holds many people: more free failures, then the same doubling.
    "address": Policy(free=20, first_wait=30, longest_wait=15 * 60),
    "signing-key": Policy(free=3, first_wait=60, longest_wait=60 * 60),
}
FORGET_AFTER = dt.timedelta(hours=24)  # a subject's count restarts after this long without a failure


def subject(kind: str, value: object) -> str:
    if kind not in POLICIES:
        raise ValueError(f"no throttle policy for {kind!r}")
    return f"{kind}:{value}"[:200]


def _policy(subject_key: str) -> Policy:
    return POLICIES[subject_key.split(":", 1)[0]]


def wait_for(subjects: list[str]) -> int:
    """Seconds before any of `subjects` may try again (0: they may try now)."""
    now = timezone.now()
    until = [c.locked_until for c in AttemptCounter.objects.filter(subject__in=subjects, locked_until__gt=now)]
    return max((int((u - now).total_seconds()) + 1 for u in until if u is not None), default=0)


@dataclass(frozen=True)
class Failure:
    locked: list[str]  # the subjects this failure made wait
    wait_seconds: int


def record_failure(subjects: list[str]) -> Failure:
    """Count one failed attempt against each subject; those past their free attempts must wait."""
    now = timezone.now()
    locked: list[str] = []
    longest = 0
    with transaction.atomic():
        for key in subjects:
            counter, _ = AttemptCounter.objects.select_for_update().get_or_create(subject=key)
            if counter.last_failure_at is not None and now - counter.last_failure_at > FORGET_AFTER:
                counter.failures = 0
            counter.failures += 1
            counter.last_failure_at = now
            policy = _policy(key)
            past = counter.failures - policy.free
            if past >= 0:
                seconds = min(policy.first_wait * 2 ** min(past, 20), policy.longest_wait)
                counter.locked_until = now + dt.timedelta(seconds=seconds)
                locked.append(key)
                longest = max(longest, seconds)
            counter.save()
        # Subjects quiet for a day are forgotten anyway: their rows go, so the table stays small.
        AttemptCounter.objects.filter(last_failure_at__lt=now - FORGET_AFTER).delete()
    return Failure(locked, longest)


def forget(subjects: list[str]) -> None:
    """A success clears the subjects it proves (the account, the key, the browser); not the address."""
    AttemptCounter.objects.filter(subject__in=subjects).delete()


def failures_of(subject_key: str) -> int:
    counter = AttemptCounter.objects.filter(subject=subject_key).first()
    return counter.failures if counter else 0
