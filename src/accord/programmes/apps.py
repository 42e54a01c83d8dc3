from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "accord.programmes"
    label = "programmes"
    verbose_name = "Programmes"

    def ready(self) -> None:
        from accord.programmes import pages, steps  # noqa: F401  (register their pages and workflow steps)
