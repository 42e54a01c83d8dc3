"""Every role × record × channel of the permission matrix (tests/permissions/matrix.py), one case each.

A case fails if a record is shown, listed, exported, harvested or changed where the table says it must not
be (a leak), and also if it is withheld where the table says it must be shown. Lists are fetched once per
role and channel and shared by that role's cases.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache

from accord.core.models import ChangeRecord
from tests.permissions import matrix
from tests.permissions.conftest import World

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("permissions-matrix")]

CASES = matrix.cases()
SYSTEM_CASES = matrix.system_cases()
# The number of generated cases (reported by the test run's ids; kept here for the record).
CASE_COUNT = len(CASES) + len(SYSTEM_CASES) + len(matrix.ROLES) + 1


def _login(client: Any, world: World, role: str) -> None:
    """Sign in with the role's session, made once for the module (force_login per case is slow)."""
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]


def _once(world: World, key: tuple[str, ...], fetch: Any) -> Any:
    if key not in world.cache:
        world.cache[key] = fetch()
    return world.cache[key]


def _html(client: Any, url: str, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _api_ids(client: Any, kind: str) -> set[int]:
    ids: set[int] = set()
    url: str | None = f"/api/v1/{kind}?page_size=500"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content[:500]
        page = response.json()
        ids |= {row["id"] for row in page["results"]}
        url = page["next"]
    return ids


def _export(client: Any, kind: str) -> str:
    response = client.get(f"/api/v1/exports/{kind}", {"format": "csv"})
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def _oai_list(client: Any) -> str:
    pages = []
    params = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    while True:
        body = _html(client, "/oai", **params)
        pages.append(body)
        found = re.search(r"<resumptionToken[^>]*>([^<]+)</resumptionToken>", body)
        if not found:
            return "\n".join(pages)
        params = {"verb": "ListRecords", "resumptionToken": found.group(1)}


def _present(body: str, kind: str, record: Any, token: str) -> bool:
    """Whether a page or file shows the record: its link or its unique token."""
    return f'href="/{kind}/{record.pk}/"' in body or token in body


EDIT_DATA: dict[str, dict[str, Any]] = {
    "agreements": {"title__en": "Changed zqchanged", "reference": "MX"},
    "plans": {"title__en": "Changed zqchanged", "kind": "annual"},
    "projects": {"title__en": "Changed zqchanged", "modality": "joint"},
    "plan-items": {"objectives__en": "Changed zqchanged"},
    "organisations": {"name__en": "Changed zqchanged", "kind": "institute"},
}
PATCH_DATA: dict[str, dict[str, Any]] = {
    "plans": {"title": {"en": "Changed zqchanged"}},
    "projects": {"title": {"en": "Changed zqchanged"}},
    "plan-items": {"objectives": {"en": "Changed zqchanged"}},
}


def _edit_post_data(kind: str, record: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"version": record.version, **EDIT_DATA[kind]}
    for name in ("visibility", "position"):
        if hasattr(record, name):
            data[name] = getattr(record, name)
    for name in ("period_start", "period_end", "start_on", "end_on", "signed_on"):
        value = getattr(record, name, None)
        if value is not None:
            data[name] = value.isoformat()
    return data


def _refused_status(case: matrix.Case) -> int:
    return 403 if matrix.may_read(case.role, case.kind, case.slot) else 404


def _check_change(client: Any, world: World, case: matrix.Case) -> None:
    cached = world.record(case.kind, case.slot)
    record = type(cached)._default_manager.get(pk=cached.pk)  # as stored now (earlier cases rolled back)
    before = (ChangeRecord.objects.count(), record.version)
    if case.channel == "page-edit":
        url = f"/{case.kind}/{record.pk}/edit/"
        form = client.get(url)
        assert form.status_code == (200 if case.allowed else _refused_status(case))
        response = client.post(url, _edit_post_data(case.kind, record))
    else:
        headers: dict[str, str] = {"If-Match": str(record.version)}
        if case.role != "anonymous":
            headers["Authorization"] = f"Bearer {world.tokens[case.role]}"
        client.cookies.clear()  # the token alone speaks for the caller
        response = client.patch(
            f"/api/v1/{case.kind}/{record.pk}",
            PATCH_DATA[case.kind],
            content_type="application/json",
            headers=headers,
        )
    record.refresh_from_db()
    if case.allowed:
        assert response.status_code in (200, 302), response.content.decode()[:3000]
        assert record.version == before[1] + 1
    else:
        refused = _refused_status(case)
        if case.channel == "api-patch" and case.role == "anonymous":
            refused = 401
        assert response.status_code == refused
        assert (ChangeRecord.objects.count(), record.version) == before  # nothing written


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_matrix(client: Any, world: World, case: matrix.Case) -> None:
    kind, slot, role = case.kind, case.slot, case.role
    record = world.record(kind, slot)
    token = matrix.token(kind, slot)
    _login(client, world, role)
    channel = case.channel
    if channel in ("page-edit", "api-patch"):
        _check_change(client, world, case)
        return
    if channel == "page-detail":
        response = client.get(f"/{kind}/{record.pk}/")
        assert response.status_code == (200 if case.allowed else 404)
        if case.allowed:
            assert token in response.content.decode()
        return
    if channel == "api-detail":
        response = client.get(f"/api/v1/{kind}/{record.pk}")
        assert response.status_code == (200 if case.allowed else 404)
        return
    if channel == "raid":
        response = client.get(f"/api/v1/projects/{record.pk}/raid")
        assert response.status_code == (200 if case.allowed else 404)
        return
    if channel == "document-file":
        rendering = world.files[(kind, slot)]
        response = client.get(f"/documents/{record.pk}/files/{rendering.pk}/")
        assert response.status_code == (200 if case.allowed else 404)
        if case.allowed:
            assert token in b"".join(response.streaming_content).decode()
        return
    if channel == "oai-get":
        from accord.interop.standards.cerif import entity_id

        body = _html(
            client, "/oai", verb="GetRecord", metadataPrefix="oai_dc", identifier=f"oai:testserver:{entity_id(record)}"
        )
        assert (token in body) is case.allowed
        assert ("idDoesNotExist" in body) is not case.allowed
        return
    if channel == "api-list":
        ids = _once(world, (role, channel, kind), lambda: _api_ids(client, kind))
        assert (record.pk in ids) is case.allowed
        return
    fetchers = {
        "page-list": lambda: _html(client, f"/{kind}/", q=matrix.COMMON_TOKEN),
        "search": lambda: _html(client, "/search/", q=matrix.COMMON_TOKEN),
        "home": lambda: _html(client, "/"),
        "export-csv": lambda: _export(client, kind),
        "oai-list": lambda: _oai_list(client),
    }
    key = (role, channel) if channel in ("search", "home", "oai-list") else (role, channel, kind)
    body = _once(world, key, fetchers[channel])
    assert _present(body, kind, record, token) is case.allowed


@pytest.mark.parametrize("case", SYSTEM_CASES, ids=[c.id for c in SYSTEM_CASES])
def test_cerif_export_holds_public_records_only(world: World, case: matrix.Case) -> None:
    import io

    from accord.interop.standards.cerif import write_cerif

    def written() -> str:
        out = io.BytesIO()
        write_cerif(out)
        return out.getvalue().decode()

    body = _once(world, ("system", "cerif"), written)
    assert (matrix.token(case.kind, case.slot) in body) is case.allowed


@pytest.mark.parametrize("role", matrix.ROLES)
def test_dashboard_counts_only_readable_projects(client: Any, world: World, role: str) -> None:
    _login(client, world, role)
    cache.clear()  # figures are cached per audience and audit head; recompute them here
    from accord.programmes.models import Project

    ours = [world.record("projects", slot).pk for slot in matrix.SLOTS]
    others = Project.objects.exclude(pk__in=ours)
    assert not others.exclude(visibility="public").exists()  # the seed's projects are all public
    body = _html(client, "/dashboard/")
    found = re.search(r'data-testid="project-total">\s*(\d+)', body)
    assert found, body[:2000]
    assert int(found.group(1)) == others.count() + matrix.dashboard_expected(role)


def test_the_table_is_consistent_and_covers_every_channel() -> None:
    matrix.self_check()
    print(f"permission matrix: {CASE_COUNT} generated cases")
    per_role = sum(len(kinds) * len(matrix.SLOTS) for _, kinds in matrix.CHANNELS.values())
    assert len(CASES) == len(matrix.ROLES) * per_role
    # Each role has at least one allowed and, except the admin, one denied read on every reading channel.
    for role in matrix.ROLES:
        assert any(c.allowed for c in CASES if c.role == role)
        if role != "admin":
            assert any(not c.allowed for c in CASES if c.role == role and c.channel == "page-detail")
