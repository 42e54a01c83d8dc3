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
