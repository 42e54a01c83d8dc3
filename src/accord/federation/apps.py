from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "accord.federation"
    label = "federation"
    verbose_name = _("Federation")

    def ready(self) -> None:
        from accord.core.permissions import register_node_party
        from accord.federation import pages  # noqa: F401  (what record pages show of a record kept by a peer)
        from accord.federation.node import local_party_id

        register_node_party(local_party_id)
