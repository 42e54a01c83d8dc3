"""What falls due in meetings (core.reminders): minutes awaiting a party's sign-off of their current revision."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accord.core.reminders import Due, DueKind, Scope, coordinators, register
from accord.meetings.models import Minutes
from accord.meetings.services.minutes import parties_of, pending_parties


def sign_offs_due(scope: Scope) -> Iterator[Due]:
    """Draft minutes: each party that has not signed off the current revision owes its sign-off (a new revision
    is a new text to sign off, so a new reminder); the parties that signed it wait."""
    minutes = Minutes.objects.filter(status=Minutes.Status.DRAFT)
    if not scope.everybody:
        if not scope.parties:  # only coordinators sign off
            return
        minutes = minutes.filter(meeting__agreement__agreement_parties__party_id__in=scope.parties).distinct()
    for record in minutes.select_related("meeting").order_by("meeting__end_on", "id"):
        every = {p.pk for p in parties_of(record)}
        for party in pending_parties(record):
            yield Due(
                key=f"minutes-sign-off:{record.uid}:r{record.current_revision}:{party.uid}",
                kind="minutes-sign-off",
                text=_("Sign-off by %(party)s of revision %(revision)s of the minutes of “%(meeting)s”")
                % {"party": party, "revision": record.current_revision, "meeting": record.meeting},
                record=record,
                due_on=record.meeting.end_on,
                owed_by=coordinators(party.pk),
                awaited_by=coordinators(*(every - {party.pk})),
                page=record.meeting,  # the minutes are read on their meeting's page
            )


register(DueKind("minutes-sign-off", gettext_lazy("Minutes to sign off"), sign_offs_due))
