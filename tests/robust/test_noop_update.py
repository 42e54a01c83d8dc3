"""A change that changes nothing is a no-op on every channel: same version, no audit entry."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accord.core import services
from accord.core.models import ChangeRecord
from accord.programmes.models import Project
from tests.api.test_writes import api

pytestmark = pytest.mark.django_db


def _project() -> Project:
    return Project.objects.filter(visibility="public").order_by("id").first()


def test_a_patch_that_changes_nothing_is_a_no_op(seed):
    project = _project()
    c = api("admin")
    got = c.get(f"/api/v1/projects/{project.pk}")
    before = ChangeRecord.objects.count()
    body = {"title": dict(project.title), "modality": project.modality, "number": project.number}
    r = c.patch(f"/api/v1/projects/{project.pk}", body, content_type="application/json", HTTP_IF_MATCH=got["ETag"])
    assert r.status_code == 200
    assert r.json()["version"] == project.version and r["ETag"] == got["ETag"]
    assert ChangeRecord.objects.count() == before
    project.refresh_from_db()
    assert project.version == got.json()["version"]


def test_values_that_clean_to_the_stored_ones_are_no_change_either(seed):
    project = _project()
    before = ChangeRecord.objects.count()
    # Tags and spacing normalised by the localized-text rules: the same title once cleaned.
    padded = {tag.upper() if len(tag) == 2 else tag: f"  {text} " for tag, text in project.title.items()}
    saved = services.update(project, expected_version=project.version, title=padded)
    assert saved.version == project.version and ChangeRecord.objects.count() == before


def test_a_real_change_still_bumps_the_version_once(seed):
    project = _project()
    before = ChangeRecord.objects.count()
    saved = services.update(project, expected_version=project.version, title={"en": "Renamed"})
    assert saved.version == 2 or saved.version > 1
    assert ChangeRecord.objects.count() == before + 1


def test_a_stale_no_op_is_still_refused(seed):
    project = _project()
    services.update(project, expected_version=project.version, title={"en": "Renamed"})
    from accord.core.errors import StaleVersion

    with pytest.raises(StaleVersion):
        services.update(project, expected_version=project.version - 1, title={"en": "Renamed"})


def test_saving_a_page_form_unchanged_writes_nothing(seed):
    project = _project()
    c = Client()
    c.force_login(get_user_model().objects.get(username="admin"))
    before = ChangeRecord.objects.count()
    data = {"version": project.version, "modality": project.modality, "visibility": project.visibility}
    data.update({f"title__{tag}": text for tag, text in project.title.items()})
    data.update({"number": project.number, "field": project.field or ""})
    data.update({"start_on": project.start_on.isoformat() if project.start_on else ""})
    data.update({"end_on": project.end_on.isoformat() if project.end_on else ""})
    for key in ("provider_party", "recipient_party"):
        value = getattr(project, f"{key}_id")
        data[key] = value if value is not None else ""
    r = c.post(reverse("programmes:projects-edit", args=[project.pk]), data)
    assert r.status_code == 302, r.content.decode()[-2000:]
    project.refresh_from_db()
    assert ChangeRecord.objects.count() == before
