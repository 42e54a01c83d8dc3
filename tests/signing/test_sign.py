import datetime as dt
import hashlib

import pytest
import rfc8785
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from accord.agreements.models import Signature
from accord.agreements.services import signatures_of
from accord.core.errors import StaleVersion, TransitionRefused, ValidationFailed
from accord.core.models import ChangeRecord
from accord.directory.services import add_organisation_name, update_organisation
from accord.programmes import services as programmes
from accord.programmes.choices import PlanStatus
from accord.programmes.models import Plan
from accord.signing import crypto
from accord.signing.content import plan_content, signed_payload
from accord.signing.models import SignatureSeal
from accord.signing.services import check_signature, create_signing_key, verify_signature

from .conftest import PASS_CN, TEXTS, agree, make_plan, sign_cn, sign_su

pytestmark = pytest.mark.django_db
D = dt.date


def test_one_party_signing_leaves_the_plan_agreed(seed, keys, agreed_plan):
    version = agreed_plan.version
    sig = sign_cn(seed, agreed_plan)
    agreed_plan.refresh_from_db()
    assert agreed_plan.status == PlanStatus.AGREED and agreed_plan.signed_version is None
    assert sig.target_version == version and sig.public_key == keys.cn.public_key
    payload = signed_payload(
        plan_content(agreed_plan),
        version=version,
        texts={lang: hashlib.sha256(body).hexdigest() for lang, body in TEXTS.items()},
    )
    assert sig.content_hash == hashlib.sha256(rfc8785.dumps(payload)).hexdigest()
    assert crypto.signature_holds(keys.cn.public_key, sig.signature, rfc8785.dumps(payload))
    assert sig.seal.texts == payload["texts"] and sig.seal.signatory_name == seed.wu_heng.name
    assert verify_signature(sig)


def test_both_parties_signing_make_the_plan_signed(seed, keys, agreed_plan):
    version = agreed_plan.version
    sign_cn(seed, agreed_plan)
    sign_su(seed, agreed_plan)
    assert agreed_plan.status == PlanStatus.SIGNED  # the caller's instance is brought up to date
    agreed_plan.refresh_from_db()
    assert agreed_plan.status == PlanStatus.SIGNED and agreed_plan.signed_version == version
    assert agreed_plan.signed_on == D(1961, 2, 2)
    sigs = on_plan(agreed_plan).filter(target_version=version)
    assert sigs.count() == 2 and len({s.content_hash for s in sigs}) == 1
    assert all(verify_signature(s) for s in sigs)


def test_the_payload_holds_the_content_and_not_the_lifecycle(seed, signed_plan):
    content = plan_content(signed_plan)
    assert content["uid"] == str(signed_plan.uid) and content["revision"] == 1
    assert content["period"] == {"start": "1961-01-01", "end": "1961-12-31"}
    assert [p["code"] for p in content["parties"]] == ["CN", "SU"]
    assert content["agreement"]["uid"] == str(seed.protocol.uid)
    item = content["items"][0]
    assert item["objectives"]["en"] == "Objectives 1" and item["position"] == 1
    assert [r["side"] for r in item["responsibilities"]] == ["CN", "SU"]
    assert item["responsibilities"][0]["organisation"]["uid"] == str(seed.cas.uid)
    assert [d["kind"] for d in item["deliverables"]] == ["report", "samples"]  # dated first, undated last
    assert item["deliverables"][0] == {
        "uid": item["deliverables"][0]["uid"],
        "kind": "report",
        "title": {"en": "Report 1"},
        "due_on": "1961-12-01",
        "responsible_party": "CN",
    }
    assert not {"status", "version", "signed_on", "signed_version", "visibility"} & set(content)
    # What changes after signature without changing the content keeps the signatures valid.
    plan = programmes.transition_plan(signed_plan, PlanStatus.IN_FORCE, expected_version=signed_plan.version)
    deliverable = plan.items.first().deliverables.first()
    programmes.mark_delivered(deliverable, delivered_on=D(1961, 11, 1), expected_version=deliverable.version)
    assert all(verify_signature(s) for s in on_plan(plan).exclude(signature=""))


def test_a_later_renaming_does_not_disturb_the_signature(seed, signed_plan):
    cas = seed.cas
    old = dict(cas.name)
    update_organisation(cas, expected_version=cas.version, name={"en": "Academia Sinica (renamed)"})
    sig = on_plan(signed_plan).exclude(signature="").first()
    # The records now name it differently on the plan's date; what was signed is stored, and the chain
    # shows the name it bore when it was signed.
    assert verify_signature(sig)
    add_organisation_name(cas, old, valid_from=D(1949, 11, 1), valid_to=D(1999, 12, 31))
    assert verify_signature(sig)


def test_signing_a_plan_that_is_not_agreed_is_refused(seed, keys):
    draft = make_plan(seed)
    with pytest.raises(TransitionRefused) as err:
        sign_cn(seed, draft)
    assert err.value.field == "status" and "only an agreed plan" in err.value.message
    with pytest.raises(TransitionRefused, match="signed"):
        sign_cn(seed, seed.plan_1960)


def test_wrong_passphrase_refused_with_nothing_written(seed, keys, agreed_plan):
    before = (ChangeRecord.objects.count(), Signature.objects.count(), SignatureSeal.objects.count())
    with pytest.raises(ValidationFailed) as err:
        sign_cn(seed, agreed_plan, passphrase=PASS_CN[:-1])
    assert err.value.field == "passphrase" and "wrong passphrase" in err.value.message
    assert (ChangeRecord.objects.count(), Signature.objects.count(), SignatureSeal.objects.count()) == before
    agreed_plan.refresh_from_db()
    assert agreed_plan.status == PlanStatus.AGREED


def test_a_signatory_needs_an_active_key(seed, agreed_plan):
    with pytest.raises(ValidationFailed) as err:
        sign_cn(seed, agreed_plan)
    assert err.value.field == "signatory" and "no active signing key" in err.value.message


def test_every_authentic_text_is_needed_and_no_other(seed, keys, agreed_plan):
    with pytest.raises(ValidationFailed) as err:
        sign_cn(seed, agreed_plan, texts={"zh": TEXTS["zh"]})
    assert err.value.field == "texts" and "missing: ru" in err.value.message
    with pytest.raises(ValidationFailed, match="not an authentic language"):
        sign_cn(seed, agreed_plan, texts={**TEXTS, "en": b"English"})
    with pytest.raises(ValidationFailed, match="not empty"):
        sign_cn(seed, agreed_plan, texts={**TEXTS, "ru": b""})


def test_signatory_party_and_signing_twice(seed, keys, agreed_plan):
    with pytest.raises(ValidationFailed) as err:
        sign_cn(seed, agreed_plan, party=seed.su)
    assert err.value.field == "signatory" and "another party" in err.value.message
    sign_cn(seed, agreed_plan)
    with pytest.raises(ValidationFailed, match="already signed"):
        sign_cn(seed, agreed_plan)


def test_both_parties_must_sign_the_same_texts(seed, keys, agreed_plan):
    sign_cn(seed, agreed_plan)
    with pytest.raises(ValidationFailed) as err:
        sign_su(seed, agreed_plan, texts={**TEXTS, "ru": TEXTS["ru"] + b"!"})
    assert err.value.field == "texts" and "differs from the one CN signed: ru" in err.value.message


def test_stale_version_refused(seed, keys, agreed_plan):
    with pytest.raises(StaleVersion):
        sign_cn(seed, agreed_plan, expected_version=agreed_plan.version - 1)
    assert not signatures_of(agreed_plan).exists()


def test_capacity_defaults_to_the_post_held(seed, keys, agreed_plan):
    sig = sign_cn(seed, agreed_plan)
    assert sig.capacity["en"] == "Vice Chairman of the Scientific and Technological Commission"
    sig = sign_su(seed, agreed_plan, capacity={"en": "Acting chairman"})
    assert sig.capacity == {"en": "Acting chairman"}


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params)


def test_verify_signature_fails_when_what_it_covers_changes(seed, signed_plan):
    sig = signatures_of_version(signed_plan)[0]
    item = signed_plan.items.order_by("position").first()
    assert verify_signature(sig)
    raw("UPDATE programmes_planitem SET objectives = %s WHERE id = %s", ['{"en": "Something else"}', item.pk])
    check = check_signature(sig)
    assert not check.ok and "no longer match what was signed" in check.reason


def test_verify_signature_fails_when_the_signature_or_its_details_change(seed, signed_plan):
    cn, su = signatures_of_version(signed_plan)
    forged = crypto.b64(bytes(64))
    raw("UPDATE agreements_signature SET signature = %s WHERE id = %s", [forged, cn.pk])
    raw("UPDATE agreements_signature SET signed_on = %s WHERE id = %s", ["1961-03-01", su.pk])
    cn.refresh_from_db()
    su.refresh_from_db()
    assert check_signature(cn).reason == "the signature value does not match the signed content and public key"
    assert "when or where was changed" in check_signature(su).reason
    assert not verify_signature(cn) and not verify_signature(su)


def test_a_key_made_later_does_not_vouch_for_a_signature(seed, signed_plan):
    cn, _ = signatures_of_version(signed_plan)
    other = create_signing_key(seed.petukhov, "Petukhov's passphrase")
    raw("UPDATE agreements_signature SET public_key = %s WHERE id = %s", [other.public_key, cn.pk])
    cn.refresh_from_db()
    assert check_signature(cn).reason == "its public key is not the signatory's signing key"


def test_signatures_without_a_key_do_not_verify(seed):
    sig = on_plan(seed.plan_1959).first()
    assert not verify_signature(sig) and "no cryptographic signature" in check_signature(sig).reason


def test_content_change_between_two_signatures_is_refused(seed, keys):
    plan = agree(seed, make_plan(seed))
    sign_cn(seed, plan)
    item = plan.items.first()
    # Behind the lifecycle's back (the services would send the plan back to draft): SU must not sign other bytes.
    raw("UPDATE programmes_planitem SET objectives = %s WHERE id = %s", ['{"en": "Changed"}', item.pk])
    with pytest.raises(TransitionRefused, match="differs from what CN signed"):
        sign_su(seed, plan)


def on_plan(plan):
    return Signature.objects.filter(target_type=ContentType.objects.get_for_model(Plan), target_id=plan.pk)


def signatures_of_version(plan):
    return list(on_plan(plan).filter(target_version=plan.signed_version).exclude(signature="").order_by("party__code"))


def test_a_plan_reopened_after_one_signature_is_signed_anew_on_its_new_version(seed, keys, agreed_plan):
    first = sign_cn(seed, agreed_plan)
    plan = programmes.transition_plan(agreed_plan, PlanStatus.DRAFT, expected_version=agreed_plan.version)
    item = plan.items.order_by("position").first()
    programmes.update_plan_item(item, expected_version=item.version, objectives={"en": "Revised"})
    plan.refresh_from_db()
    plan = agree(seed, plan)
    again = sign_cn(seed, plan)
    sign_su(seed, plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SIGNED and plan.signed_version == again.target_version > first.target_version
    assert again.content_hash != first.content_hash and verify_signature(again)
