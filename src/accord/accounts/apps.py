from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accord.accounts"
    verbose_name = _("Accounts and roles")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_save

        from accord.accounts import reminders  # noqa: F401  (the daily reminder digest, a job kind)
        from accord.accounts.principals import principal_of
        from accord.accounts.services import authenticate_token
        from accord.core.actor import register_token_authenticator
        from accord.core.visibility import register_principals

        # core reads memberships and checks API tokens through these, importing no app
        register_principals(principal_of)
        register_token_authenticator(authenticate_token)
        # Every channel that creates or renames an account stores its normalised name (accounts.signin).
        from accord.accounts.signin import normalise_on_save

        pre_save.connect(normalise_on_save, sender=get_user_model(), dispatch_uid="accord-normalise-username")
        # A session is listed from the moment it signs in (not on its first page: that page's queries stay its own).
        from django.contrib.auth.signals import user_logged_in

        from accord.accounts.sessions import record_sign_in

        user_logged_in.connect(record_sign_in, dispatch_uid="accord-record-sign-in")
