from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accord.accounts"
    verbose_name = _("Accounts and roles")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accord.accounts.principals import principal_of
        from accord.accounts.services import authenticate_token
        from accord.core.api import register_token_authenticator
        from accord.core.visibility import register_principals

        # core reads memberships and checks API tokens through these, importing no app
        register_principals(principal_of)
        register_token_authenticator(authenticate_token)
