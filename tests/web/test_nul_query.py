"""A NUL character in a page's query string or form: PostgreSQL text cannot hold one, so it must not reach a query."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accord.core.models import ChangeRecord

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/search/?q=a%00b", "/projects/?q=a%00b", "/plans/?q=%00", "/dashboard/?year%00=1"])
def test_a_nul_in_a_query_is_a_bad_request_in_the_readers_language(seed, path):
    c = Client()
    c.force_login(get_user_model().objects.get(username="admin"))
    r = c.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 400
    assert "错误的请求" in r.content.decode()


def test_a_nul_in_a_form_changes_nothing(seed):
    c = Client()
    c.force_login(get_user_model().objects.get(username="admin"))
    before = ChangeRecord.objects.count()
    r = c.post("/login/", {"username": "admin\x00", "password": "x"})
    assert r.status_code == 400
    assert ChangeRecord.objects.count() == before


@pytest.mark.parametrize("argument", ["metadataPrefix", "identifier", "set", "from", "resumptionToken"])
def test_oai_pmh_answers_a_nul_with_its_own_error(seed, argument):
    # OAI-PMH reports bad arguments in its XML with HTTP 200, as the protocol requires, NUL included.
    params = {"verb": "GetRecord" if argument == "identifier" else "ListRecords", "metadataPrefix": "oai_dc"}
    params[argument] = "x\x00y"
    r = Client().get("/oai", params)
    assert r.status_code == 200
    assert b"<error code=" in r.content
