import datetime as dt

import pytest

from accord.agreements import services
from accord.agreements.models import Agreement, AgreementParty
from accord.core.errors import ValidationFailed
from accord.directory.services import create_party

pytestmark = pytest.mark.django_db


def agreement(seed, **extra):
    fields = dict(parties=[seed.cn, seed.su], kind="agreement", title={"en": "Agreement on S&T cooperation"})
    fields.update(extra)
    return services.create_agreement(**fields)


def test_agreement_with_parties_in_order(seed):
    a = agreement(seed)
    assert [(ap.party.code, ap.position, ap.role) for ap in a.agreement_parties.all()] == [
        ("CN", 1, "signatory"),
        ("SU", 2, "signatory"),
    ]
    assert a.party_ids() == {seed.cn.pk, seed.su.pk}


def test_an_agreement_needs_two_distinct_parties(seed):
    count = Agreement.objects.count()
    with pytest.raises(ValidationFailed) as err:
        agreement(seed, parties=[seed.cn])
    assert err.value.field == "parties"
    with pytest.raises(ValidationFailed):
        agreement(seed, parties=[seed.cn, seed.cn])
    assert Agreement.objects.count() == count


def test_dates_must_be_in_order(seed):
    with pytest.raises(ValidationFailed) as err:
        agreement(seed, signed_on=dt.date(1958, 1, 18), entry_into_force_on=dt.date(1957, 1, 1))
    assert err.value.field == "entry_into_force_on"
    with pytest.raises(ValidationFailed) as err:
        agreement(seed, signed_on=dt.date(1958, 1, 18), end_on=dt.date(1958, 1, 1))
    assert err.value.field == "end_on"
    with pytest.raises(ValidationFailed) as err:
        agreement(seed, status="in_force")
    assert err.value.field == "signed_on"


def test_authentic_languages_are_tags_and_texts_must_use_them(seed):
    with pytest.raises(ValidationFailed) as err:
        agreement(seed, authentic_languages=["Chinese"])
    assert err.value.field == "authentic_languages"
    a = agreement(seed, authentic_languages=["zh", "ru"])
    text = services.add_authentic_text(a, language="zh", body="第一条")
    assert len(text.sha256) == 64
    with pytest.raises(ValidationFailed) as err:
        services.add_authentic_text(a, language="en", body="Article 1")
    assert err.value.field == "language" and "zh, ru" in err.value.message
    assert services.add_authentic_text(a, language="en", body="Article 1", is_authentic=False).language == "en"
    with pytest.raises(ValidationFailed):
        services.add_authentic_text(a, language="ru", body="")


def test_signature_only_by_a_party_and_once_per_version(seed):
    other = create_party(code="MN", name={"en": "Mongolia"}, languages=["mn"])
    with pytest.raises(ValidationFailed) as err:
        services.record_signature(seed.plan_1960, party=other, signatory=seed.wu_heng, signed_on=dt.date(1960, 2, 24))
    assert err.value.field == "party"
    a = agreement(seed)
    services.record_signature(a, party=seed.cn, signatory=seed.wu_heng, signed_on=dt.date(1960, 3, 1))
    with pytest.raises(ValidationFailed, match="already signed"):
        services.record_signature(a, party=seed.cn, signatory=seed.wu_heng, signed_on=dt.date(1960, 3, 1))
    assert services.signatures_of(a).count() == 1


def test_adding_a_party_appends_it(seed):
    a = agreement(seed)
    mn = create_party(code="MN", name={"en": "Mongolia"}, languages=["mn"])
    ap = services.add_party(a, mn, AgreementParty.Role.OBSERVER)
    assert ap.position == 3
    with pytest.raises(ValidationFailed):
        services.add_party(a, mn)
