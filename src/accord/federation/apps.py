from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "accord.federation"
    label = "federation"
    verbose_name = _("Federation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accord.core.verify import register_check
        from accord.federation import jobs  # noqa: F401  (the scheduled sync, a job kind)
        from accord.federation.services import check_acknowledged_heads

        # accord verify also checks that our chain still holds every head a peer acknowledged
        register_check(check_acknowledged_heads)
