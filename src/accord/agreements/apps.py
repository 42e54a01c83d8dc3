from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "accord.agreements"
    label = "agreements"
    verbose_name = "Agreements"

    def ready(self) -> None:
        from accord.agreements import pages, steps  # noqa: F401  (register the pages and steps of agreements)
        from accord.agreements.models import AgreementParty
        from accord.core.visibility import register_agreement_parties

        register_agreement_parties(AgreementParty)  # who is party to which agreement, for core's visibility rules
