from django.apps import AppConfig


class FidelityConfig(AppConfig):
    name = "accord.fidelity"
    label = "fidelity"
    verbose_name = "Multilingual fidelity"
