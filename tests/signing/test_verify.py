import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection

from accord.agreements.models import Signature
from accord.core.verify import verify
from accord.programmes.models import Plan

pytestmark = pytest.mark.django_db


def test_accord_verify_accepts_valid_signatures(signed_plan):
    report = verify()
    assert report.ok, report.problems[:5]


def test_accord_verify_names_the_signature_after_a_change_behind_accords_back(signed_plan, capsys):
    item = signed_plan.items.order_by("position").first()
    with connection.cursor() as cur:
        cur.execute("UPDATE programmes_planitem SET objectives = %s WHERE id = %s", ['{"en": "Not agreed"}', item.pk])
    sigs = Signature.objects.filter(
        target_type=ContentType.objects.get_for_model(Plan),
        target_id=signed_plan.pk,
        target_version=signed_plan.signed_version,
    ).exclude(signature="")
    assert sigs.count() == 2
    with pytest.raises(CommandError, match="verification failed"):
        call_command("verify", "--all")
    err = capsys.readouterr().err
    assert f"programmes.planitem {item.pk}: differs from change record" in err
    for sig in sigs:
        assert f"agreements.signature {sig.pk}: does not verify: the plan's records no longer match" in err


def test_a_signature_on_a_version_the_plan_has_left_is_not_a_problem(seed, keys, agreed_plan):
    from accord.programmes import services as programmes
    from accord.signing.services import check_signature

    from .conftest import sign_cn

    sig = sign_cn(seed, agreed_plan)
    # The parties reopen the plan and change it: CN's signature now covers a version the plan has left.
    plan = programmes.transition_plan(agreed_plan, "draft", expected_version=agreed_plan.version)
    item = plan.items.order_by("position").first()
    programmes.update_plan_item(item, expected_version=item.version, objectives={"en": "Revised"})
    plan.refresh_from_db()
    check = check_signature(sig)
    assert not check.ok and check.superseded and f"signs version {sig.target_version}" in check.reason
    assert verify().ok
    # Its attestation is still checked: changing who signed is a problem even there.
    with connection.cursor() as cur:
        cur.execute("UPDATE agreements_signature SET signed_at = %s WHERE id = %s", ['{"en": "Moscow"}', sig.pk])
    sig.refresh_from_db()
    check = check_signature(sig)
    assert not check.ok and not check.superseded
    assert f"agreements.signature {sig.pk}: does not verify: who signed" in [str(p) for p in verify().problems][-1]
