from django.contrib import admin

from accord.core.admin import AuditedModelAdmin
from accord.meetings.models import AgendaItem, Delegation, DelegationMember, Meeting, MeetingAttendee


@admin.register(Meeting)
class MeetingAdmin(AuditedModelAdmin):
    list_display = ("title", "kind", "place", "start_on", "end_on")


@admin.register(Delegation)
class DelegationAdmin(AuditedModelAdmin):
    list_display = ("meeting", "party", "organisation")


@admin.register(DelegationMember)
class DelegationMemberAdmin(AuditedModelAdmin):
    list_display = ("delegation", "person", "role")


@admin.register(MeetingAttendee)
class MeetingAttendeeAdmin(AuditedModelAdmin):
    list_display = ("meeting", "person", "capacity")


@admin.register(AgendaItem)
class AgendaItemAdmin(AuditedModelAdmin):
    list_display = ("meeting", "position", "title", "kind", "plan")
