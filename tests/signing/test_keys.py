import base64
import datetime as dt
import unicodedata

import pytest
from django.db import connection

from accord.core.errors import TransitionRefused, ValidationFailed
from accord.core.models import ChangeRecord
from accord.signing import crypto
from accord.signing.models import SigningKey
from accord.signing.services import _unlock, active_key, create_signing_key, revoke_signing_key

from .conftest import PASS_CN

pytestmark = pytest.mark.django_db


def all_text_in(table: str) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {table}")  # test only: fixed table names
        return "\n".join(repr(row) for row in cur.fetchall())


def test_a_key_pair_is_made_and_its_private_half_is_stored_only_sealed(seed):
    key = create_signing_key(seed.wu_heng, PASS_CN)
    assert len(crypto.unb64(key.public_key, length=32)) == 32
    assert key.kdf == "argon2id" and key.cipher == "AES-256-GCM" and key.is_active
    assert len(crypto.unb64(key.kdf_salt)) == 16 and len(crypto.unb64(key.nonce)) == 12
    private = _unlock(key, PASS_CN)
    assert crypto.b64(crypto.raw_public(private.public_key())) == key.public_key
    raw = crypto.raw_private(private)
    stored = all_text_in("signing_signingkey") + all_text_in("core_changerecord")
    spellings = (raw.hex(), raw.hex().upper(), base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode())
    for spelling in spellings:
        assert spelling not in stored
    assert PASS_CN not in stored
    # The audit entry holds the sealed blob (that is fine), not the key.
    entry = ChangeRecord.objects.filter(object_type="signing.signingkey", object_id=str(key.pk)).get()
    assert entry.after["encrypted_private_key"] == key.encrypted_private_key
    assert entry.after["public_key"] == key.public_key


def test_the_real_defaults_are_memory_hard(monkeypatch):
    monkeypatch.undo()  # the suite's quick KDF off: this is what production keys get
    kdf, params = crypto.default_kdf()
    assert kdf == "argon2id" and params["memory_kib"] >= 64 * 1024 and params["iterations"] >= 3
    sealed = crypto.seal_new_key("a long enough passphrase", b"owner:")
    assert sealed.kdf_params == params
    opened = crypto.open_sealed_key("a long enough passphrase", b"owner:", **sealed.__dict__)
    assert crypto.b64(crypto.raw_public(opened.public_key())) == sealed.public_key


def test_scrypt_keys_open_too():
    sealed = crypto.seal_new_key("a long enough passphrase", b"o:", kdf="scrypt", params={"n": 2**13, "r": 8, "p": 1})
    assert crypto.open_sealed_key("a long enough passphrase", b"o:", **sealed.__dict__)
    with pytest.raises(crypto.WrongPassphrase):
        crypto.open_sealed_key("a long enough passphrasE", b"o:", **sealed.__dict__)


def test_wrong_passphrase_is_refused(seed):
    key = create_signing_key(seed.wu_heng, PASS_CN)
    with pytest.raises(ValidationFailed) as err:
        _unlock(key, PASS_CN + "x")
    assert err.value.field == "passphrase" and "wrong passphrase" in err.value.message


def test_passphrase_is_compared_in_one_unicode_form(seed):
    decomposed = unicodedata.normalize("NFD", "Пётр Алексеевич, 1961")
    key = create_signing_key(seed.wu_heng, decomposed)
    assert _unlock(key, unicodedata.normalize("NFC", decomposed))


def test_a_sealed_key_copied_onto_another_person_does_not_open(seed):
    key = create_signing_key(seed.wu_heng, PASS_CN)
    other = create_signing_key(seed.aleksenko, "another long passphrase")
    other.encrypted_private_key, other.nonce, other.kdf_salt = key.encrypted_private_key, key.nonce, key.kdf_salt
    other.public_key = key.public_key
    with pytest.raises(ValidationFailed, match="wrong passphrase"):
        _unlock(other, PASS_CN)


def test_short_passphrase_refused_and_nothing_written(seed):
    before, keys = ChangeRecord.objects.count(), SigningKey.objects.count()
    with pytest.raises(ValidationFailed) as err:
        create_signing_key(seed.wu_heng, "too short")
    assert err.value.field == "passphrase" and "12" in err.value.message
    assert ChangeRecord.objects.count() == before and SigningKey.objects.count() == keys


def test_one_active_key_per_person_and_revocation(seed):
    key = create_signing_key(seed.wu_heng, PASS_CN)
    with pytest.raises(ValidationFailed) as err:
        create_signing_key(seed.wu_heng, PASS_CN)
    assert err.value.field == "person" and "revoke it first" in err.value.message
    revoked = revoke_signing_key(key, expected_version=key.version, revoked_on=dt.date(1962, 1, 1))
    assert revoked.revoked_on == dt.date(1962, 1, 1) and active_key(seed.wu_heng) is None
    with pytest.raises(TransitionRefused, match="already revoked"):
        revoke_signing_key(revoked, expected_version=revoked.version)
    new = create_signing_key(seed.wu_heng, PASS_CN)
    assert active_key(seed.wu_heng) == new and new.public_key != key.public_key


def test_tampered_kdf_parameters_are_refused_not_run(seed):
    key = create_signing_key(seed.wu_heng, PASS_CN)
    key.kdf_params = {"memory_kib": 64 * 1024 * 1024, "iterations": 3, "lanes": 4}
    with pytest.raises(ValidationFailed) as err:
        _unlock(key, PASS_CN)
    assert err.value.field == "signing_key" and "out of range" in err.value.message


def test_base64_has_one_spelling():
    assert crypto.unb64("AA==") == b"\x00"
    for bad in ("AB==", "AA=", "A A==", "AA==\n", "AA-_"):
        with pytest.raises(ValueError):
            crypto.unb64(bad)
