"""Admin: the security log (read-only), and user forms that store normalised account names and refuse
variants of taken ones (accounts.signin.check_new_username) with a form error rather than a failed save."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accord.accounts import totp
from accord.accounts.models import SecurityEvent
from accord.accounts.signin import check_new_username
from accord.core.admin import ReadOnlyMixin


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Appended by accounts.security only; administrators read and filter it here or on /security/events/."""

    list_display = ("at", "kind", "account", "address", "channel", "detail")
    list_filter = ("kind", "channel")
    search_fields = ("account", "address", "detail", "request_id")
    date_hierarchy = "at"
    fields = ("at", "kind", "user", "account", "address", "channel", "detail", "request_id")
    readonly_fields = fields


class AccountCreationForm(AdminUserCreationForm):
    def clean_username(self) -> str:
        return check_new_username(self.cleaned_data["username"])


class AccountChangeForm(UserChangeForm):
    def clean_username(self) -> str:
        return check_new_username(self.cleaned_data["username"], exclude_pk=self.instance.pk)


class AccountAdmin(UserAdmin):
    add_form = AccountCreationForm
    form = AccountChangeForm


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, AccountAdmin)


class SecondFactorAdmin(admin.ModelAdmin):
    """Second factors, in place of django-otp's own admin (which shows each secret to administrators): listed,
    and removed when a person lost their device — through accounts.totp, so the removal is logged and the
    account's owner told. Only the person enrols, on their account page."""

    list_display = ("user", "name", "confirmed")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    fields = ("user", "name", "confirmed")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: TOTPDevice) -> None:
        totp.remove(obj.user, request=request, by_administrator=True)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[TOTPDevice]) -> None:
        for user in {device.user for device in queryset.select_related("user")}:
            totp.remove(user, request=request, by_administrator=True)


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, SecondFactorAdmin)
