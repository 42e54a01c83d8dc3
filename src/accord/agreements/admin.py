from django.contrib import admin

from accord.agreements.models import Agreement, AgreementParty, AuthenticText, Signature
from accord.core.admin import AuditedModelAdmin, ReadOnlyAdmin


@admin.register(Agreement)
class AgreementAdmin(AuditedModelAdmin):
    list_display = ("__str__", "kind", "signed_on", "status", "visibility")
    list_filter = ("kind", "status", "visibility")
    search_fields = ("title", "reference")


@admin.register(AgreementParty)
class AgreementPartyAdmin(AuditedModelAdmin):
    list_display = ("agreement", "party", "role", "position")


@admin.register(AuthenticText)
class AuthenticTextAdmin(AuditedModelAdmin):
    list_display = ("agreement", "language", "is_authentic", "sha256")


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    """Signatures record acts: they are made by signing (accord sign-plan, or the plan's admin action), never edited."""

    list_display = ("signatory", "party", "target_type", "target_id", "target_version", "signed_on")
