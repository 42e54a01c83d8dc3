import datetime as dt

import pytest

from accord.core.errors import ValidationFailed
from accord.core.models import ChangeRecord
from accord.directory import services
from accord.directory.models import Organisation, Party

pytestmark = pytest.mark.django_db


def test_states_need_an_iso_3166_code_current_or_historical():
    party = services.create_party(code="dd", name={"en": "German Democratic Republic"}, languages=["de"])
    assert party.code == "DD"  # withdrawn code, normalised
    with pytest.raises(ValidationFailed) as err:
        services.create_party(code="XQ", name={"en": "Nowhere"}, languages=["en"])
    assert err.value.field == "code" and "ISO 3166" in err.value.message
    org = services.create_party(
        code="IAEA",
        kind=Party.Kind.INTERNATIONAL_ORGANISATION,
        name={"en": "International Atomic Energy Agency"},
        languages=["en", "fr"],
    )
    assert org.code == "IAEA"


def test_party_languages_must_be_bcp47_tags():
    with pytest.raises(ValidationFailed) as err:
        services.create_party(code="MN", name={"en": "Mongolia"}, languages=["mongolian"])
    assert err.value.field == "languages"
    with pytest.raises(ValidationFailed):
        services.create_party(code="MN", name={"en": "Mongolia"}, languages=[])
    assert not Party.objects.filter(code="MN").exists()


def test_organisation_identifiers_are_checked(seed):
    org = services.create_organisation(
        party=seed.cn, name={"en": "Peking University"}, identifiers={"ror": "02v51f717"}
    )
    assert org.identifiers == {"ror": "02v51f717"}
    with pytest.raises(ValidationFailed) as err:
        services.create_organisation(party=seed.cn, name={"en": "Bad"}, identifiers={"ror": "not-a-ror"})
    assert err.value.field == "identifiers"
    with pytest.raises(ValidationFailed) as err:
        services.create_organisation(
            party=seed.cn, name={"en": "Bad"}, founded_on=dt.date(1960, 1, 1), dissolved_on=dt.date(1959, 1, 1)
        )
    assert err.value.field == "dissolved_on"


def test_orcid_checksum():
    assert services.create_person(name={"en": "J. Carberry"}, orcid="0000-0002-1825-0097").orcid
    for bad in ("0000-0002-1825-0096", "0000-0002-1825-009", "https://orcid.org/0000-0002-1825-0097"):
        with pytest.raises(ValidationFailed) as err:
            services.create_person(name={"en": "x"}, orcid=bad)
        assert err.value.field == "orcid"


def test_position_period_in_order(seed):
    with pytest.raises(ValidationFailed) as err:
        services.add_position(
            seed.wu_heng, seed.cn_commission, {"en": "Member"}, start_on=dt.date(1960, 1, 1), end_on=dt.date(1959, 1, 1)
        )
    assert err.value.field == "end_on"


def test_dated_names_give_the_name_in_force_on_a_date(seed):
    org = services.create_organisation(
        party=seed.su, kind=Organisation.Kind.COMMISSION, name={"en": "State Committee for Science and Technology"}
    )
    services.add_organisation_name(
        org,
        {"en": "State Scientific and Technological Committee"},
        valid_from=dt.date(1957, 1, 1),
        valid_to=dt.date(1961, 4, 10),
    )
    services.add_organisation_name(
        org,
        {"en": "State Committee for the Coordination of Research"},
        valid_from=dt.date(1961, 4, 11),
        valid_to=dt.date(1965, 9, 30),
    )
    assert org.name_on(dt.date(1960, 2, 24)) == {"en": "State Scientific and Technological Committee"}
    assert org.name_on(dt.date(1963, 1, 1)) == {"en": "State Committee for the Coordination of Research"}
    assert org.name_on(dt.date(1970, 1, 1)) == {"en": "State Committee for Science and Technology"}
    with pytest.raises(ValidationFailed, match="overlaps"):
        services.add_organisation_name(org, {"en": "Overlap"}, valid_from=dt.date(1960, 1, 1))


def test_succession_links_and_refuses_self(seed):
    new = services.create_organisation(party=seed.cn, name={"en": "State S&T Commission"})
    link = services.record_succession(seed.cn_commission, new, "renamed", on=dt.date(1970, 1, 1))
    assert list(seed.cn_commission.successions.all()) == [link]
    entries = ChangeRecord.objects.count()
    with pytest.raises(ValidationFailed):
        services.record_succession(new, new, "renamed")
    assert ChangeRecord.objects.count() == entries


def test_internal_records_must_name_their_party(seed):
    with pytest.raises(ValidationFailed) as err:
        services.create_organisation(party=seed.cn, name={"en": "Secret institute"}, visibility="internal")
    assert err.value.field == "owner_party"
