"""Admin: signing keys and seals are shown, never edited here. Keys are made and revoked with a passphrase
through the services (`accord signing-key`); no sealed or private material is displayed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accord.core.admin import AuditedModelAdmin
from accord.signing.models import SignatureSeal, SigningKey


class _ReadOnly(AuditedModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SigningKey)
class SigningKeyAdmin(_ReadOnly):
    list_display = ("person", "fingerprint", "kdf", "created_at", "revoked_on")
    list_filter = ("kdf",)
    search_fields = ("person__name", "public_key")
    fields = ("person", "fingerprint", "public_key", "kdf", "cipher", "created_at", "revoked_on", "uid", "version")
    readonly_fields = fields


@admin.register(SignatureSeal)
class SignatureSealAdmin(_ReadOnly):
    list_display = ("signature", "signing_key", "created_at")
    fields = ("signature", "signing_key", "signatory_name", "texts", "created_at", "uid", "version")
    readonly_fields = fields
