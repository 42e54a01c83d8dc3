"""Admin for agreements: writes go through agreements.services. An agreement is created with its parties
(`accord import agreements`, the demo), so it is only changed here; signatures record acts and are never edited."""

from django.contrib import admin

from accord.agreements import services
from accord.agreements.models import Agreement, AgreementParty, AuthenticText, Signature
from accord.core.admin import AuditedModelAdmin, ReadOnlyAdmin, Writes


@admin.register(Agreement)
class AgreementAdmin(AuditedModelAdmin):
    writes = Writes(update=services.update_agreement)
    list_display = ("__str__", "kind", "signed_on", "status", "visibility")
    list_filter = ("kind", "status", "visibility")
    search_fields = ("title", "reference")


@admin.register(AgreementParty)
class AgreementPartyAdmin(AuditedModelAdmin):
    writes = Writes(create=services.add_party, create_args=("agreement", "party"))
    add_fields = ("agreement", "party", "role")
    list_display = ("agreement", "party", "role", "position")


@admin.register(AuthenticText)
class AuthenticTextAdmin(AuditedModelAdmin):
    writes = Writes(create=services.add_authentic_text, create_args=("agreement",))
    list_display = ("agreement", "language", "is_authentic", "sha256")


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    """Signatures record acts: they are made by signing (accord sign-plan, or the plan's admin action), never edited."""

    list_display = ("signatory", "party", "target_type", "target_id", "target_version", "signed_on")
