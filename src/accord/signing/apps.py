from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "accord.signing"
    label = "signing"
    verbose_name = "Signing"

    def ready(self) -> None:
        from accord.core.verify import register_check
        from accord.programmes.services import register_content_hash
        from accord.signing import pages, steps  # noqa: F401  (the Sign step; a signed plan's page)
        from accord.signing.checks import check_signatures
        from accord.signing.content import content_sha256

        register_check(check_signatures)
        register_content_hash(content_sha256)  # what a plan approval records
