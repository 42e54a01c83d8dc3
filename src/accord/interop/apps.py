from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "accord.interop"
    label = "interop"
    verbose_name = "Import, export and standards"
