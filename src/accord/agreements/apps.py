from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "accord.agreements"
    label = "agreements"
    verbose_name = "Agreements"

    def ready(self) -> None:
        from accord.agreements import pages  # noqa: F401  (registers the pages of agreements)
        from accord.agreements.models import AgreementParty
        from accord.core.visibility import register_agreement_parties

        register_agreement_parties(AgreementParty)  # who is party to which agreement, for core's visibility rules
