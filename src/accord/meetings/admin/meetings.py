"""Admin for meetings: writes go through meetings.services; delegations, members, attendees and agenda items
are added there (their corrections are made on the meeting's pages or by a new entry)."""

from django.contrib import admin

from accord.core.admin import AuditedModelAdmin, Writes
from accord.meetings import services
from accord.meetings.models import AgendaItem, Delegation, DelegationMember, Meeting, MeetingAttendee


@admin.register(Meeting)
class MeetingAdmin(AuditedModelAdmin):
    writes = Writes(create=services.create_meeting, update=services.update_meeting)
    list_display = ("title", "kind", "place", "start_on", "end_on")


@admin.register(Delegation)
class DelegationAdmin(AuditedModelAdmin):
    writes = Writes(create=services.add_delegation, create_args=("meeting", "party"))
    list_display = ("meeting", "party", "organisation")


@admin.register(DelegationMember)
class DelegationMemberAdmin(AuditedModelAdmin):
    writes = Writes(create=services.add_delegation_member, create_args=("delegation", "person"))
    add_fields = ("delegation", "person", "role", "capacity")
    list_display = ("delegation", "person", "role")


@admin.register(MeetingAttendee)
class MeetingAttendeeAdmin(AuditedModelAdmin):
    writes = Writes(create=services.add_attendee, create_args=("meeting", "person"))
    list_display = ("meeting", "person", "capacity")


@admin.register(AgendaItem)
class AgendaItemAdmin(AuditedModelAdmin):
    writes = Writes(create=services.add_agenda_item, create_args=("meeting",))
    list_display = ("meeting", "position", "title", "kind", "plan")
