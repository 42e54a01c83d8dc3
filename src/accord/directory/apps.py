from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "accord.directory"
    label = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        from accord.directory import pages  # noqa: F401  (registers the pages of organisations and people)
