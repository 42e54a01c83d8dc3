from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "accord.signing"
    label = "signing"
    verbose_name = "Signing"

    def ready(self) -> None:
        from accord.core.verify import register_check
        from accord.signing.checks import check_signatures

        register_check(check_signatures)
