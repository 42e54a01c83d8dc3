from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "accord.interop"
    label = "interop"
    verbose_name = "Import, export and standards"

    def ready(self) -> None:
        from django.utils.http import urlencode

        from accord.core.pages.records import register_export
        from accord.interop import jobs  # noqa: F401  (registers the import and export jobs)
        from accord.interop.services import KINDS

        def export_url(kind: str, query: dict[str, str]) -> str:
            return f"/api/v1/exports/{kind}?{urlencode({'format': 'csv', **query})}" if kind in KINDS else ""

        register_export(export_url)  # record lists link to the export of what they show
