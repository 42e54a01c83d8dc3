"""Read-side helpers the document builders share: the parties in order, signatures, dated names."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType

from accord.agreements.models import Agreement, Signature
from accord.core.localized import LocalizedText
from accord.directory.models import Organisation, Party
from accord.documents.wording import FRAMED, pick, primary
from accord.programmes.models import Plan


def parties_in_order(agreement: Agreement) -> list[Party]:
    """The agreement's parties as the agreement orders its sides (A, B, ...)."""
    return [ap.party for ap in agreement.agreement_parties.select_related("party").order_by("position", "id")]


def agreement_languages(agreement: Agreement) -> list[str]:
    """The languages a document under the agreement can be written in: its authentic languages, the parties'
    languages and English, where Accord has the frame (labels, dates) for them."""
    wanted = {primary(t) for t in agreement.authentic_languages}
    wanted |= {primary(t) for p in parties_in_order(agreement) for t in p.languages}
    wanted.add("en")
    return [lang for lang in FRAMED if lang in wanted]


def fallback_languages(agreement: Agreement) -> list[str]:
    """Where a text missing in one language is looked for (after English): the authentic and parties' languages."""
    return [*agreement.authentic_languages, *[t for p in parties_in_order(agreement) for t in p.languages]]


def plan_signatures(plan: Plan) -> list[Signature]:
    """The signatures on the version of `plan` that was signed, in the agreement's order of parties."""
    if plan.signed_version is None:
        return []
    order = {p.pk: i for i, p in enumerate(parties_in_order(plan.agreement))}
    signatures = Signature.objects.filter(
        target_type=ContentType.objects.get_for_model(Plan), target_id=plan.pk, target_version=plan.signed_version
    ).select_related("party", "signatory")
    return sorted(signatures, key=lambda s: (order.get(s.party_id, len(order)), s.pk))


class DatedNames:
    """Organisation names in force on one date, per language, each organisation's dated names read once."""

    def __init__(self, day: dt.date, others: list[str]):
        self.day = day
        self.others = others
        self._names: dict[int, LocalizedText] = {}

    def __call__(self, organisation: Organisation, language: str) -> str:
        name = self._names.get(organisation.pk)
        if name is None:
            name = self._names[organisation.pk] = organisation.name_on(self.day)
        return pick(name, language, self.others)
