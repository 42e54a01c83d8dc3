from django.apps import AppConfig


class FidelityConfig(AppConfig):
    name = "accord.fidelity"
    label = "fidelity"
    verbose_name = "Multilingual fidelity"

    def ready(self) -> None:
        from accord.core.admin import register_language_check
        from accord.fidelity.records import language_warnings

        register_language_check(language_warnings)  # the admin's warnings, without core importing this app
