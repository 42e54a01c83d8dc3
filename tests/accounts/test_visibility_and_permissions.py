"""Who reads and changes what, by role, on the seed programme (CN–SU protocol)."""

import pytest
from django.contrib.auth import get_user_model

from accord.accounts import services as accounts
from accord.agreements.services import create_agreement
from accord.core import services
from accord.core.models import Visibility
from accord.core.permissions import can
from accord.core.visibility import forget, visible
from accord.directory.services import create_party
from accord.programmes.models import PlanItem, Project

pytestmark = pytest.mark.django_db


def user(name, **extra):
    return (
        get_user_model().objects.get(username=name)
        if not extra
        else get_user_model().objects.create_user(username=name, password="x", **extra)
    )


def project_with(seed, visibility, owner=None, number="V-1"):
    return services.create(
        Project,
        agreement=seed.protocol,
        number=number,
        title={"en": f"A {visibility} project"},
        visibility=visibility,
        owner_party=owner,
    )


def test_demo_accounts_exist_one_per_role(seed):
    names = set(get_user_model().objects.values_list("username", flat=True))
    assert {"admin", "cn-coordinator", "su-coordinator", "cas-reporter", "msu-reporter", "cn-observer"} <= names


def test_each_role_reads_what_its_party_may_see(seed):
    internal_cn = project_with(seed, Visibility.INTERNAL, seed.cn, "V-CN")
    internal_su = project_with(seed, Visibility.INTERNAL, seed.su, "V-SU")
    bilateral = project_with(seed, Visibility.BILATERAL, None, "V-BI")
    public = project_with(seed, Visibility.PUBLIC, None, "V-PU")
    ours = {internal_cn.pk, internal_su.pk, bilateral.pk, public.pk}

    def seen(u):
        return set(visible(Project.objects.filter(pk__in=ours), u).values_list("pk", flat=True))

    assert seen(user("admin")) == ours
    assert seen(user("cn-coordinator")) == {internal_cn.pk, bilateral.pk, public.pk}
    assert seen(user("cn-observer")) == {internal_cn.pk, bilateral.pk, public.pk}
    assert seen(user("msu-reporter")) == {internal_su.pk, bilateral.pk, public.pk}
    assert seen(None) == {public.pk}
    # A third party with no share in the protocol sees only what is public.
    third = create_party(code="GB", name={"en": "United Kingdom"}, languages=["en"])
    outsider = user("gb-coordinator", email="")
    accounts.grant(outsider, third, "coordinator")
    assert seen(outsider) == {public.pk}


def test_bilateral_records_of_another_agreement_stay_hidden(seed):
    third = create_party(code="GB", name={"en": "United Kingdom"}, languages=["en"])
    other = create_agreement(
        parties=[third, seed.su], kind="agreement", title={"en": "UK–USSR"}, visibility=Visibility.BILATERAL
    )
    hidden = services.create(Project, agreement=other, number="X-1", title={"en": "Not yours"})
    assert hidden.visibility == Visibility.BILATERAL
    assert not visible(Project.objects.filter(pk=hidden.pk), user("cn-coordinator")).exists()
    assert visible(Project.objects.filter(pk=hidden.pk), user("su-coordinator")).exists()


def test_coordinators_change_their_side_and_the_shared_records_only(seed):
    cn, su = user("cn-coordinator"), user("su-coordinator")
    own = project_with(seed, Visibility.INTERNAL, seed.cn, "V-OWN")
    shared = project_with(seed, Visibility.BILATERAL, None, "V-SHARED")
    assert can(cn, "change", own) and not can(su, "change", own)
    assert can(cn, "change", shared) and can(su, "change", shared)
    assert not can(user("cn-observer"), "change", shared)
    assert not can(None, "change", shared)
    assert can(user("admin"), "change", own)


def test_only_designated_coordinators_sign_and_only_for_their_party(seed):
    cn = user("cn-coordinator")
    assert can(cn, "sign", seed.plan_1960, party=seed.cn)
    assert not can(cn, "sign", seed.plan_1960, party=seed.su)
    helper = user("cn-helper", email="")
    accounts.grant(helper, seed.cn, "coordinator", may_sign=False)
    assert can(helper, "agree", seed.plan_1960, party=seed.cn) and not can(helper, "sign", seed.plan_1960)
    assert not can(user("cn-observer"), "agree", seed.plan_1960)


def test_reporters_report_only_for_their_institutions_projects(seed):
    cas = user("cas-reporter")
    items = PlanItem.objects.filter(plan=seed.plan_1960).select_related("project")
    theirs = [i for i in items if i.project.participations.filter(organisation=seed.cas).exists()]
    others = [i for i in items if not i.project.participations.filter(organisation=seed.cas).exists()]
    assert theirs and others
    assert can(cas, "report", theirs[0])
    assert not can(cas, "report", others[0])
    assert not can(cas, "change", theirs[0])  # the plan item itself is the coordinators'


def test_memberships_are_cached_per_user_object_and_can_be_forgotten(seed, django_assert_num_queries):
    cn = user("cn-coordinator")
    visible(Project.objects.all(), cn)
    with django_assert_num_queries(0):
        visible(Project.objects.all(), cn)
    forget(cn)
    with django_assert_num_queries(1):
        visible(Project.objects.all(), cn)


def test_a_reporter_must_name_an_institution_of_their_party(seed):
    from accord.core.errors import ValidationFailed

    someone = user("someone", email="")
    with pytest.raises(ValidationFailed, match="institution"):
        accounts.grant(someone, seed.cn, "reporter")
    with pytest.raises(ValidationFailed, match="another party"):
        accounts.grant(someone, seed.cn, "reporter", organisation=seed.msu)
