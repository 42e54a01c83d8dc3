"""One set of filters per record kind (<app>/filters.py), shared by its list page, its API list and its export.

For every kind: the same filter through each channel that lists the kind gives the same records, and a bad
value is refused on each, naming the parameter (page 400, API 422, export 422, CLI one-line error).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accord.core.pages.records import record_types
from accord.interop.services import KINDS as EXPORT_KINDS

BY_KIND = {rt.kind: rt for rt in record_types()}  # the record pages, by kind

pytestmark = pytest.mark.django_db

API_LISTS = {"agreements", "plans", "projects", "plan-items", "exchanges", "organisations", "people", "documents"}

# kind -> (a filter that picks some records but not all, a refused value); callables take the seed
Params = Callable[[Any], dict[str, Any]]
CASES: dict[str, tuple[Params, Params]] = {
    "agreements": (lambda s: {"status": "in_force", "party": s.cn.pk}, lambda s: {"status": "nonsense"}),
    "plans": (lambda s: {"agreement": s.protocol.pk, "status": s.plan_1960.status}, lambda s: {"agreement": "abc"}),
    "projects": (lambda s: {"field": "2.2", "party": "CN"}, lambda s: {"field": "9.9"}),
    "plan-items": (lambda s: {"plan": s.plan_1960.pk}, lambda s: {"plan": "999999"}),
    "organisations": (lambda s: {"party": s.su.pk}, lambda s: {"kind": "guild"}),
    "people": (lambda s: {"party": "SU"}, lambda s: {"party": "ZZ"}),
    "exchanges": (lambda s: {"from": "CN"}, lambda s: {"kind": "teleport"}),
    "meetings": (lambda s: {"agreement": s.protocol.pk}, lambda s: {"kind": "party"}),
    "documents": (lambda s: {"agreement": s.protocol.pk, "kind": "press_report"}, lambda s: {"status": "lost"}),
    "reviews": (lambda s: {"plan": s.plan_1959.pk}, lambda s: {"plan": "x"}),
    "progress-reports": (lambda s: {"plan": s.plan_1959.pk, "status": "delayed"}, lambda s: {"status": "late"}),
    "participations": (lambda s: {"side": "SU", "agreement": s.protocol.pk}, lambda s: {"side": "1e9"}),
}


def _client(username: str | None) -> Client:
    client = Client()
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


def _page(client: Client, kind: str, params: dict[str, Any]) -> set[str]:
    response = client.get(reverse(BY_KIND[kind].url_name("list")), {**params, "per": 100})
    assert response.status_code == 200, response.content.decode()[:500]
    listing = response.context["listing"]
    assert listing.total == len(listing.rows), "the case must fit one page"
    return {str(r.uid) for r in listing.rows}


def _api(client: Client, kind: str, params: dict[str, Any]) -> set[str]:
    response = client.get(f"/api/v1/{kind}", {**params, "page_size": 500})
    assert response.status_code == 200, response.content
    return {r["uid"] for r in response.json()["results"]}


def _export(client: Client, kind: str, params: dict[str, Any]) -> set[str]:
    response = client.get(f"/api/v1/exports/{kind}", {**params, "format": "json"})
    assert response.status_code == 200, response.content
    return {r["uid"] for r in json.loads(b"".join(response.streaming_content))}


def _cli(kind: str, params: dict[str, Any], tmp_path: Path) -> set[str]:
    out = tmp_path / f"{kind}.json"
    call_command("export", kind, "-o", str(out), *[a for k, v in params.items() for a in ("--filter", f"{k}={v}")])
    return {r["uid"] for r in json.loads(out.read_text(encoding="utf-8"))}


def _channels(kind: str) -> list[str]:
    return [
        c for c, has in (("page", kind in BY_KIND), ("api", kind in API_LISTS), ("export", kind in EXPORT_KINDS)) if has
    ]


@pytest.mark.parametrize("username", ["admin", None], ids=["admin", "public"])
@pytest.mark.parametrize("kind", list(CASES))
def test_the_same_filter_gives_the_same_records_on_every_channel(kind, username, seed, tmp_path):
    if kind == "agreements":  # the seed has one: a second, not yet in force, for the filter to leave out
        from accord.agreements.services import create_agreement

        create_agreement(parties=[seed.cn, seed.su], title={"en": "A later agreement"})
    params = CASES[kind][0](seed)
    client = _client(username)
    read = {"page": _page, "api": _api, "export": _export}
    found = {channel: read[channel](client, kind, params) for channel in _channels(kind)}
    if username == "admin" and kind in EXPORT_KINDS:
        found["cli"] = _cli(kind, params, tmp_path)  # the CLI reads every record, as an administrator does
    assert len({frozenset(v) for v in found.values()}) == 1, {c: len(v) for c, v in found.items()}
    if username == "admin":
        # the filter narrows: some records, not all of them
        everything = {c: read[c](client, kind, {}) for c in _channels(kind) if c != "page"}
        chosen = next(iter(found.values()))
        assert chosen, f"{kind}: the case picks no record"
        assert all(chosen < all_of for all_of in everything.values()), f"{kind}: the case picks every record"


@pytest.mark.parametrize("kind", list(CASES))
def test_a_bad_value_is_refused_naming_the_parameter_on_every_channel(kind, seed, tmp_path):
    params = CASES[kind][1](seed)
    (name,) = params
    client = _client("admin")
    if kind in BY_KIND:
        page = client.get(reverse(BY_KIND[kind].url_name("list")), params)
        assert page.status_code == 400
        assert f"({name}): “{params[name]}” is not one of the choices" in page.content.decode()
    if kind in API_LISTS:
        api = client.get(f"/api/v1/{kind}", params)
        assert api.status_code == 422 and api.json()["field"] == name, api.content
        assert "is not one of the choices" in api.json()["message"]
    if kind in EXPORT_KINDS:
        export = client.get(f"/api/v1/exports/{kind}", {**params, "format": "csv"})
        assert export.status_code == 422 and export.json()["field"] == name, export.content
        out = tmp_path / "refused.csv"
        with pytest.raises(CommandError, match=rf"^{name}: “.*” is not one of the choices"):
            call_command("export", kind, "-o", str(out), "--filter", f"{name}={params[name]}")
        assert not out.exists()  # refused before the file is opened


def test_a_record_the_reader_may_not_see_is_no_choice_on_any_channel(seed):
    from accord.core import services
    from accord.core.models import Visibility

    services.update(seed.plan_1960, expected_version=seed.plan_1960.version, visibility=Visibility.BILATERAL)
    public = Client()
    page = public.get(reverse("programmes:plan-items-list"), {"plan": seed.plan_1960.pk})
    assert page.status_code == 400 and "no plan with that id that you may see" in page.content.decode()
    api = public.get("/api/v1/plan-items", {"plan": seed.plan_1960.pk})
    assert api.status_code == 422 and api.json()["field"] == "plan"
    export = public.get("/api/v1/exports/plan-items", {"plan": seed.plan_1960.pk})
    assert export.status_code == 422 and "no plan with that id that you may see" in export.json()["message"]
    # the same plan is a choice for a side of the agreement
    assert _client("cn-coordinator").get("/api/v1/plan-items", {"plan": seed.plan_1960.pk}).status_code == 200


def test_an_export_refuses_a_name_that_is_no_filter_of_its_kind(seed, tmp_path):
    response = _client("admin").get("/api/v1/exports/projects", {"format": "csv", "feild": "2.2"})
    assert response.status_code == 422 and response.json()["field"] == "feild"
    assert "field" in response.json()["message"]  # the names it takes are listed
    with pytest.raises(CommandError, match=r"^feild: not a filter"):
        call_command("export", "projects", "-o", str(tmp_path / "p.csv"), "--filter", "feild=2.2")
    with pytest.raises(CommandError, match="is not name=value"):
        call_command("export", "projects", "-o", str(tmp_path / "p.csv"), "--filter", "field")


def test_older_names_are_accepted_as_aliases(seed):
    client = _client("admin")
    by_name = _api(client, "plan-items", {"plan": seed.plan_1960.pk})
    assert _api(client, "plan-items", {"plan_id": seed.plan_1960.pk}) == by_name
    assert _page(client, "plan-items", {"plan_id": seed.plan_1960.pk}) == by_name
    assert _export(client, "plan-items", {"plan_id": seed.plan_1960.pk}) == by_name
    assert _api(client, "exchanges", {"from_party": "CN"}) == _api(client, "exchanges", {"from": "CN"})


def test_the_list_page_links_to_the_export_of_what_it_shows(seed):
    client = _client("admin")
    params = {"field": "2.2", "party": str(seed.cn.pk)}
    response = client.get(reverse("programmes:projects-list"), params)
    url = response.context["export_url"]
    assert url.startswith("/api/v1/exports/projects?") and "field=2.2" in url and f"party={seed.cn.pk}" in url
    assert 'data-testid="export-these"' in response.content.decode()
    exported = _export(client, "projects", {k: v for k, v in params.items()})
    assert exported == _page(client, "projects", params)
    # a kind without an export (meetings) offers no link
    assert client.get(reverse("meetings:meetings-list")).context["export_url"] == ""


def test_the_api_documents_each_lists_filters():
    schema = Client().get("/api/v1/openapi.json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/projects"]["get"]["parameters"]}
    assert {"agreement", "field", "modality", "party", "visibility"} <= parameters.keys()
    assert "2.2" in parameters["field"]["schema"]["enum"]
    assert "agreement_id" in parameters["agreement"]["description"]


def test_an_export_job_takes_the_same_filters(seed, settings, tmp_path):
    from django.core.files.storage import default_storage

    from accord.jobs.runner import run_pending
    from accord.jobs.services import enqueue

    settings.MEDIA_ROOT = tmp_path / "media"
    admin = get_user_model().objects.get(username="admin")
    job = enqueue(
        "export", {"kind": "plan-items", "format": "json", "filters": {"plan": seed.plan_1960.pk}}, user=admin
    )
    refused = enqueue("export", {"kind": "plan-items", "format": "json", "filters": {"plan": "abc"}}, user=admin)
    run_pending()
    job.refresh_from_db()
    refused.refresh_from_db()
    assert job.status == "done", job.error
    with default_storage.open(job.result_file) as fh:
        exported = {r["uid"] for r in json.loads(fh.read())}
    assert exported == _page(_client("admin"), "plan-items", {"plan": seed.plan_1960.pk})
    assert refused.status == "failed" and "plan" in refused.error and "is not one of the choices" in refused.error
