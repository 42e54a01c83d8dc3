from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "accord.programmes"
    label = "programmes"
    verbose_name = "Programmes"

    def ready(self) -> None:
        from accord.programmes import pages, reminders, steps  # noqa: F401  (register pages, due things, steps)
