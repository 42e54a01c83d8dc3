from django.contrib import admin

from accord.core.admin import AuditedModelAdmin
from accord.directory.models import Organisation, OrganisationName, OrganisationSuccession, Party, Person, Position


@admin.register(Party)
class PartyAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "kind", "languages")
    search_fields = ("code", "name")


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ("name", "party", "kind", "is_illustrative")
    list_filter = ("party", "kind")
    search_fields = ("name", "aliases")


@admin.register(OrganisationName)
class OrganisationNameAdmin(AuditedModelAdmin):
    list_display = ("organisation", "name", "valid_from", "valid_to")


@admin.register(OrganisationSuccession)
class OrganisationSuccessionAdmin(AuditedModelAdmin):
    list_display = ("predecessor", "kind", "successor", "on")


@admin.register(Person)
class PersonAdmin(AuditedModelAdmin):
    list_display = ("name", "party", "orcid")
    search_fields = ("name", "orcid")


@admin.register(Position)
class PositionAdmin(AuditedModelAdmin):
    list_display = ("person", "title", "organisation", "start_on", "end_on")
