import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def user(name: str):
    return get_user_model().objects.get(username=name)


def code_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    """The code an authenticator app would show now (or `offset_steps` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(account) -> TOTPDevice:
    """A confirmed second factor for `account`, as the enrolment page would leave it."""
    return TOTPDevice.objects.create(user=account, name="accord", confirmed=True)


@pytest.fixture
def admin_device(db):
    return enrol(user("admin"))
