from django.apps import AppConfig


class WebConfig(AppConfig):
    """The shell: base templates and static files, the portal (home), search, sign-in, the account's work and
    the dashboard. The record pages are the domain apps'."""

    name = "accord.web"
    label = "web"
    verbose_name = "Web"

    def ready(self) -> None:
        from accord.web.dashboard import freshness  # noqa: F401  (registers the figures' refresh job)
