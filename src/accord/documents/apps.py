from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "accord.documents"
    label = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        # The start-up font check, the document job, the documents' pages and workflow steps register themselves.
        from accord.documents import checks, jobs, pages, reminders, steps  # noqa: F401
