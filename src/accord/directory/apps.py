from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "accord.directory"
    label = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        from accord.directory import pages, steps  # noqa: F401  (register the pages of parties, organisations and
        # people, and the steps that complete them)
