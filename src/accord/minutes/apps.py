from django.apps import AppConfig


class MinutesConfig(AppConfig):
    name = "accord.minutes"
    label = "minutes"
    verbose_name = "Agreed minutes"

    def ready(self) -> None:
        from accord.core.verify import register_check
        from accord.minutes.checks import check_minutes

        register_check(check_minutes)
