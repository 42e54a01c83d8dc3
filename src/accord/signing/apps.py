from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "accord.signing"
    label = "signing"
    verbose_name = "Signing"
