"""Meetings of the parties, the minutes they agree there, and the reviews of a plan's implementation."""

from accord.meetings.models.meeting import AgendaItem, Delegation, DelegationMember, Meeting, MeetingAttendee
from accord.meetings.models.minutes import Minutes, MinutesRevision, MinutesSignOff
from accord.meetings.models.reviews import Review, ReviewStatement

__all__ = [
    "AgendaItem",
    "Delegation",
    "DelegationMember",
    "Meeting",
    "MeetingAttendee",
    "Minutes",
    "MinutesRevision",
    "MinutesSignOff",
    "Review",
    "ReviewStatement",
]
