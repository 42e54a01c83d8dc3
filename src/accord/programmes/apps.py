from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "accord.programmes"
    label = "programmes"
    verbose_name = "Programmes"
