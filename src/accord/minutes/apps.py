from django.apps import AppConfig


class MinutesConfig(AppConfig):
    name = "accord.minutes"
    label = "minutes"
    verbose_name = "Agreed minutes"
