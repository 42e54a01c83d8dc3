from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "accord.documents"
    label = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from accord.documents import checks  # noqa: F401  (registers the start-up font check)
