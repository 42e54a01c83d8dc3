"""Accord's canonical JSON is RFC 8785 for everything it signs: checked against the rfc8785 package."""

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.agreements.models import Signature
from accord.core.errors import TransitionRefused
from accord.signing import crypto
from accord.signing.bundle import export_signed
from accord.signing.content import UnsignableContent, plan_content, signed_payload
from accord.signing.services import check_signature

pytestmark = pytest.mark.django_db

ascii_keys = st.text(st.characters(max_codepoint=127), max_size=8)
# Any Unicode text except lone surrogates (RFC 8785 refuses them, and so does canonical_bytes).
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
scalars = st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | texts
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ascii_keys, inner, max_size=4)
)


@settings(max_examples=500, deadline=None)
@given(values)
def test_canonical_bytes_equal_rfc_8785_on_the_json_accord_writes(value):
    assert crypto.canonical_bytes(value) == crypto.canonical_bytes_reference(value)


def test_control_characters_and_escapes_are_written_as_rfc_8785_says():
    value = {"b": '\x00\x08\t\n\x0b\x0c\r\x1f\x7f"\\/\u2028\U0001f600é', "a": [True, False, None, 0, -1]}
    assert crypto.canonical_bytes(value) == crypto.canonical_bytes_reference(value)
    with pytest.raises(ValueError):
        crypto.canonical_bytes({"x": "\ud800"})


def test_a_real_payload_is_rfc_8785(signed_plan):
    payload = signed_payload(plan_content(signed_plan), version=signed_plan.signed_version, texts={"zh": "0" * 64})
    assert crypto.canonical_bytes(payload) == crypto.canonical_bytes_reference(payload)


def test_stored_texts_outside_the_subset_are_refused_and_reported(seed, signed_plan):
    item = signed_plan.items.first()
    sig = Signature.objects.exclude(signature="").get(target_id=signed_plan.pk, party=seed.cn)
    for bad in ('{"en": 1.5}', '{"en": "x", "язык": "y"}', '{"en": ["x"]}', '"just text"', "[1]"):
        with connection.cursor() as cur:
            cur.execute("UPDATE programmes_planitem SET objectives = %s WHERE id = %s", [bad, item.pk])
        with pytest.raises(UnsignableContent):
            plan_content(signed_plan)
        check = check_signature(sig)
        assert not check.ok and "cannot be read as signed content" in check.reason
        with pytest.raises(TransitionRefused, match="cannot be read as signed content"):
            export_signed(signed_plan)
