import datetime as dt

import pytest

from accord.core.errors import ValidationFailed
from accord.directory.services import create_party, create_person
from accord.meetings import services
from accord.meetings.models import DelegationMember
from accord.programmes.services import create_plan

pytestmark = pytest.mark.django_db


def meeting(seed, **extra):
    fields = dict(
        agreement=seed.protocol,
        title={"en": "Second session"},
        place={"en": "Beijing"},
        start_on=dt.date(1961, 3, 1),
        end_on=dt.date(1961, 3, 10),
    )
    fields.update(extra)
    return services.create_meeting(**fields)


def test_meeting_dates_in_order(seed):
    with pytest.raises(ValidationFailed) as err:
        meeting(seed, end_on=dt.date(1961, 2, 1))
    assert err.value.field == "end_on"


def test_delegations_are_of_the_agreements_parties_with_one_head(seed):
    m = meeting(seed)
    mn = create_party(code="MN", name={"en": "Mongolia"}, languages=["mn"])
    with pytest.raises(ValidationFailed) as err:
        services.add_delegation(m, mn)
    assert err.value.field == "party"
    with pytest.raises(ValidationFailed) as err:
        services.add_delegation(m, seed.cn, organisation=seed.su_committee)
    assert err.value.field == "organisation"
    head, HEAD = seed.wu_heng, DelegationMember.Role.HEAD
    other = create_person(name={"en": "Zhang"})
    with pytest.raises(ValidationFailed, match="one head"):
        services.add_delegation(m, seed.cn, members=[(head, HEAD, {}), (other, HEAD, {})])
    d = services.add_delegation(m, seed.cn, organisation=seed.cn_commission, members=[(head, HEAD, {})])
    with pytest.raises(ValidationFailed, match="already has a head"):
        services.add_delegation_member(d, other, role=HEAD)
    with pytest.raises(ValidationFailed):
        services.add_delegation(m, seed.cn)  # one delegation per party


def test_agenda_items_handle_plans_of_the_same_agreement(seed):
    m = meeting(seed)
    with pytest.raises(ValidationFailed) as err:
        services.add_agenda_item(m, kind="review", title={"en": "Review"})
    assert err.value.field == "plan"
    plan = create_plan(
        agreement=seed.protocol,
        title={"en": "1961"},
        period_start=dt.date(1961, 1, 1),
        period_end=dt.date(1961, 12, 31),
    )
    first = services.add_agenda_item(m, kind="review", title={"en": "Review of 1960"}, plan=seed.plan_1960)
    second = services.add_agenda_item(m, kind="adoption", title={"en": "Adoption of 1961"}, plan=plan)
    assert (first.position, second.position) == (1, 2)
