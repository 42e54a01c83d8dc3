"""The optional second factor (TOTP) for administrators and signatories: enrolment, sign-in, throttle."""

from __future__ import annotations

import re

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accord.accounts import throttle
from accord.accounts.models import SecurityEvent
from tests.accounts.conftest import code_for, user

ADMIN_PASSWORD = "accord-demo-admin"


def sign_in_admin(client: Client):
    return client.post("/login/", {"username": "admin", "password": ADMIN_PASSWORD, "next": "/admin/"})


def test_enrolment_shows_a_qr_code_and_the_secret_and_needs_a_right_code(client, seed):
    sign_in_admin(client)
    page = client.get("/account/two-factor/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in html  # made here: no outside service sees the secret
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html).group(1)
    device = TOTPDevice.objects.get(user=user("admin"), confirmed=False)
    assert secret.replace(" ", "") in device.config_url
    wrong = client.post("/account/two-factor/", {"action": "enable", "code": "000000"})
    assert wrong.status_code == 422 and not TOTPDevice.objects.filter(confirmed=True).exists()
    device.refresh_from_db()
    right = client.post("/account/two-factor/", {"action": "enable", "code": code_for(device)})
    assert right.status_code == 302
    assert TOTPDevice.objects.get(user=user("admin")).confirmed
    assert SecurityEvent.objects.filter(kind="otp-enabled", account="admin").exists()
    assert 'data-testid="two-factor-state">On' in client.get("/account/").content.decode()


def test_a_reporter_is_not_offered_a_second_factor(client, seed):
    client.post("/login/", {"username": "cas-reporter", "password": "accord-demo-cas-reporter"})
    assert client.get("/account/two-factor/").status_code == 403
    assert SecurityEvent.objects.filter(kind="permission-refused", account="cas-reporter").exists()


def test_a_signatory_may_enrol(client, seed):
    client.post("/login/", {"username": "cn-coordinator", "password": "accord-demo-cn-coordinator"})
    assert client.get("/account/two-factor/").status_code == 200


def test_sign_in_with_a_second_factor_asks_for_the_code(client, admin_device):
    response = sign_in_admin(client)
    assert response.status_code == 302 and response["Location"] == "/login/code/"
    assert "_auth_user_id" not in client.session  # not signed in with the password alone
    assert client.get("/admin/").status_code == 302
    wrong = client.post("/login/code/", {"code": "123456" if code_for(admin_device) != "123456" else "654321"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    right = client.post("/login/code/", {"code": code_for(admin_device)})
    assert right.status_code == 302 and right["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert SecurityEvent.objects.filter(kind="otp-failed", account="admin").count() == 1
    assert SecurityEvent.objects.filter(kind="signin", account="admin", detail="with a one-time code").exists()


def test_a_code_is_accepted_once(client, admin_device):
    code = code_for(admin_device)
    sign_in_admin(client)
    assert client.post("/login/code/", {"code": code}).status_code == 302
    other = Client()
    sign_in_admin(other)
    assert other.post("/login/code/", {"code": code}).status_code == 200  # replayed: refused
    assert "_auth_user_id" not in other.session


def test_guessing_codes_goes_through_the_sign_in_throttle(client, admin_device):
    sign_in_admin(client)
    right = code_for(admin_device)
    for n in range(5):
        client.post("/login/code/", {"code": f"{(int(right) + 1 + n) % 10**6:06d}"})
    response = client.post("/login/code/", {"code": right})
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    assert throttle.wait_for([throttle.subject("account", "admin")]) > 0


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(client, admin_device):
    response = client.post("/login/code/", {"code": code_for(admin_device)})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_turning_the_second_factor_off_needs_a_code(client, admin_device):
    sign_in_admin(client)
    client.post("/login/code/", {"code": code_for(admin_device)})
    assert client.post("/account/two-factor/", {"action": "disable", "code": "000000"}).status_code == 422
    assert TOTPDevice.objects.filter(user=user("admin")).exists()
    response = client.post("/account/two-factor/", {"action": "disable", "code": code_for(admin_device, 1)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user("admin")).exists()
