from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "accord.federation"
    label = "federation"
    verbose_name = _("Federation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accord.core.backup import carry_data_file
        from accord.core.permissions import register_node_party
        from accord.core.verify import register_check
        from accord.federation import (
            jobs,  # noqa: F401  (the scheduled sync, a job kind)
            pages,  # noqa: F401  (what record pages show of a record kept by a peer)
        )
        from accord.federation.envelope import KEY_FILE
        from accord.federation.node import local_party_id
        from accord.federation.services import check_acknowledged_heads, key_origins
        from accord.signing.bundle import register_key_origin

        # accord verify also checks that our chain still holds every head a peer acknowledged
        register_check(check_acknowledged_heads)
        # on a node, the other party's records are read-only for every local account
        register_node_party(local_party_id)
        # accord backup holds the node key, and restore puts it back: a restored node keeps its identity
        carry_data_file(KEY_FILE, "the federation node key", _is_a_node)
        # verify-bundle names a signing key received from a peer as such, trusted for its party only
        register_key_origin(key_origins)


def _is_a_node() -> bool:
    from accord.federation.models import Node

    return Node.objects.exists()
