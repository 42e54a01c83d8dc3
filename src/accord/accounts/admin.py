"""Admin: the security log (read-only), and user forms that store normalised account names and refuse
variants of taken ones (accounts.signin.check_new_username) with a form error rather than a failed save."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

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
