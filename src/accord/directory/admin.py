"""Admin for the directory: writes go through directory.services; dated names, successions and positions are
recorded there (never edited afterwards)."""

from django.contrib import admin

from accord.core.admin import AuditedModelAdmin, Writes
from accord.directory import services
from accord.directory.models import Organisation, OrganisationName, OrganisationSuccession, Party, Person, Position


@admin.register(Party)
class PartyAdmin(AuditedModelAdmin):
    writes = Writes(create=services.create_party, update=services.update_party)
    list_display = ("code", "name", "kind", "languages")
    search_fields = ("code", "name")


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    writes = Writes(create=services.create_organisation, update=services.update_organisation)
    list_display = ("name", "party", "kind", "is_illustrative")
    list_filter = ("party", "kind")
    search_fields = ("name", "aliases")


@admin.register(OrganisationName)
class OrganisationNameAdmin(AuditedModelAdmin):
    writes = Writes(create=services.add_organisation_name, create_args=("organisation", "name"))
    add_fields = ("organisation", "name", "valid_from", "valid_to")
    list_display = ("organisation", "name", "valid_from", "valid_to")


@admin.register(OrganisationSuccession)
class OrganisationSuccessionAdmin(AuditedModelAdmin):
    writes = Writes(create=services.record_succession, create_args=("predecessor", "successor", "kind"))
    list_display = ("predecessor", "kind", "successor", "on")


@admin.register(Person)
class PersonAdmin(AuditedModelAdmin):
    writes = Writes(create=services.create_person, update=services.update_person)
    list_display = ("name", "party", "orcid")
    search_fields = ("name", "orcid")


@admin.register(Position)
class PositionAdmin(AuditedModelAdmin):
    writes = Writes(create=services.add_position, create_args=("person", "organisation", "title"))
    list_display = ("person", "title", "organisation", "start_on", "end_on")
