import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_keys_are_shown_read_only_without_sealed_material(admin_client, signed_plan, keys):
    page = admin_client.get(reverse("admin:signing_signingkey_changelist"))
    assert page.status_code == 200
    body = page.content.decode()
    assert keys.cn.fingerprint in body and "Add signing key" not in body
    page = admin_client.get(reverse("admin:signing_signingkey_change", args=[keys.cn.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and keys.cn.public_key in body
    for secret in (keys.cn.encrypted_private_key, keys.cn.kdf_salt, keys.cn.nonce):
        assert secret not in body
    assert admin_client.post(reverse("admin:signing_signingkey_delete", args=[keys.cn.pk])).status_code == 403
    seal = keys.cn.seals.get()
    page = admin_client.get(reverse("admin:signing_signatureseal_change", args=[seal.pk]))
    assert page.status_code == 200 and seal.attestation not in page.content.decode()


def test_signing_from_the_admin_asks_for_the_passphrase_and_signs(seed, keys, admin_client):
    from django.urls import reverse

    from tests.signing.conftest import PASS_CN, PASS_SU, agree, make_plan

    plan = agree(seed, make_plan(seed))
    url = reverse("admin:programmes_plan_changelist")
    base = {"action": "sign_plan_action", "_selected_action": [str(plan.pk)]}
    page = admin_client.post(url, base)
    assert page.status_code == 200 and b'type="password"' in page.content
    form = {**base, "sign": "Sign", "signed_on": "1961-02-01", "signed_at": "Beijing"}
    wrong = admin_client.post(
        url, {**form, "party": seed.cn.pk, "signatory": seed.wu_heng.pk, "passphrase": "wrong one!!!!"}
    )
    assert wrong.status_code == 200 and "passphrase" in wrong.content.decode()
    plan.refresh_from_db()
    assert plan.status == "agreed"
    for party, person, passphrase in ((seed.cn, seed.wu_heng, PASS_CN), (seed.su, seed.aleksenko, PASS_SU)):
        done = admin_client.post(url, {**form, "party": party.pk, "signatory": person.pk, "passphrase": passphrase})
        assert done.status_code == 302, done.content.decode()[:2000]
    plan.refresh_from_db()
    assert plan.status == "signed"
