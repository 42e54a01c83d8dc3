from django.apps import AppConfig


class ScaleConfig(AppConfig):
    """Synthetic data at scale for benchmarks (`accord bench generate`); no models of its own."""

    name = "accord.scale"
    label = "scale"
    verbose_name = "Scale"
