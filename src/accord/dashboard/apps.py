from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "accord.dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        from accord.dashboard import freshness  # noqa: F401  (registers the figures' refresh job)
