"""The JSON API's read side: domain-named resources, cursor pages, visibility, ETags, errors as JSON."""

import pytest
from django.contrib.auth import get_user_model

from accord.programmes.models import Exchange, Project

pytestmark = pytest.mark.django_db


def test_the_schema_names_the_domain_resources(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    for resource in (
        "parties",
        "organisations",
        "people",
        "agreements",
        "plans",
        "projects",
        "plan-items",
        "exchanges",
    ):
        assert f"/api/v1/{resource}" in paths and f"/api/v1/{resource}/{{ref}}" in paths


def test_the_docs_page_uses_no_cdn(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert b"cdn." not in page.content and b"/static/ninja/swagger-ui-bundle.js" in page.content


def test_cursor_pages_walk_every_project_once(client, seed, django_assert_max_num_queries):
    seen, url = [], "/api/v1/projects?page_size=50"
    while url:
        with django_assert_max_num_queries(3):
            page = client.get(url).json()
        seen += [p["number"] for p in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == Project.objects.filter(visibility="public").count() == 122


def test_detail_by_id_or_uid_with_etag(client, seed):
    by_id = client.get(f"/api/v1/plans/{seed.plan_1960.pk}")
    by_uid = client.get(f"/api/v1/plans/{seed.plan_1960.uid}")
    assert by_id.json() == by_uid.json()
    body = by_id.json()
    assert (body["status"], body["signed_on"], body["signed_at"]["ru"]) == ("signed", "1960-02-24", "Москва")
    tag = by_id["ETag"]
    assert tag == f'W/"{seed.plan_1960.uid}:{seed.plan_1960.version}"'
    assert client.get(f"/api/v1/plans/{seed.plan_1960.pk}", HTTP_IF_NONE_MATCH=tag).status_code == 304
    protocol = client.get(f"/api/v1/agreements/{seed.protocol.uid}").json()
    assert [p["code"] for p in protocol["parties"]] == ["CN", "SU"]


def test_the_public_reads_only_public_records(client, seed):
    assert Exchange.objects.exists()
    assert client.get("/api/v1/exchanges").json()["results"] == []  # exchanges are bilateral
    hidden = Exchange.objects.first()
    assert client.get(f"/api/v1/exchanges/{hidden.pk}").status_code == 404
    staff = get_user_model().objects.create_user("officer", password="x-very-long-pass", is_staff=True)
    client.force_login(staff)
    assert len(client.get("/api/v1/exchanges").json()["results"]) == Exchange.objects.count()


def test_errors_are_json_with_a_stable_code_and_the_field(client, seed):
    missing = client.get("/api/v1/plans/999999")
    assert missing.status_code == 404 and missing.json() == {
        "code": "not_found",
        "message": "no plan '999999'",
        "field": "ref",
    }
    bad_ref = client.get("/api/v1/plans/the-1960-plan").json()
    assert bad_ref["code"] == "not_found" and "global id" in bad_ref["message"]
    bad_filter = client.get("/api/v1/plan-items?plan=abc")
    assert bad_filter.status_code == 422 and bad_filter.json()["field"] == "plan"
    bad_size = client.get("/api/v1/projects?page_size=many")
    assert bad_size.status_code == 422 and bad_size.json()["code"] == "invalid_request"
    assert bad_size.json()["field"] == "page_size"


def test_list_filters(client, seed):
    items = client.get(f"/api/v1/plan-items?plan={seed.plan_1960.pk}&page_size=500").json()["results"]
    assert len(items) == seed.plan_1960.items.count()
    assert {i["carry_over"] for i in items} == {"accepted"}
