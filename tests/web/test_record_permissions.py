"""Who may read and change what, page by page: every role × list, detail, edit form, edit post."""

import pytest
from django.urls import reverse

from accord.core.models import ChangeRecord
from accord.programmes.models import Project
from accord.programmes.services import create_project

pytestmark = pytest.mark.django_db

ROLES = ["admin", "cn_coordinator", "su_coordinator", "cas_reporter", "cn_observer", "anonymous"]


@pytest.fixture
def projects(seed):
    """One project per visibility: internal to China's side, bilateral (shared), public (shared)."""
    common = {"agreement": seed.protocol, "modality": "joint"}
    return {
        "internal": create_project(
            number="T-INT", title={"en": "Internal topic"}, visibility="internal", owner_party=seed.cn, **common
        ),
        "bilateral": create_project(number="T-BIL", title={"en": "Bilateral topic"}, visibility="bilateral", **common),
        "public": create_project(number="T-PUB", title={"en": "Public topic"}, visibility="public", **common),
    }


# What each role may do: (reads, changes) per visibility.
EXPECTED = {
    "admin": {"internal": (True, True), "bilateral": (True, True), "public": (True, True)},
    "cn_coordinator": {"internal": (True, True), "bilateral": (True, True), "public": (True, True)},
    "su_coordinator": {"internal": (False, False), "bilateral": (True, True), "public": (True, True)},
    "cas_reporter": {"internal": (True, False), "bilateral": (True, False), "public": (True, False)},
    "cn_observer": {"internal": (True, False), "bilateral": (True, False), "public": (True, False)},
    "anonymous": {"internal": (False, False), "bilateral": (False, False), "public": (True, False)},
}


def _login(client, users, role):
    if role != "anonymous":
        client.force_login(getattr(users, role))


@pytest.mark.parametrize("role", ROLES)
def test_list_and_detail_follow_visibility(client, users, projects, role):
    _login(client, users, role)
    listed = client.get(reverse("programmes:projects-list"), {"q": "topic"}).content.decode()
    for vis, project in projects.items():
        reads, changes = EXPECTED[role][vis]
        assert (project.number in listed) is reads, (role, vis)
        detail = client.get(reverse("programmes:projects-detail", args=[project.pk]))
        assert detail.status_code == (200 if reads else 404), (role, vis)
        if reads:
            page = detail.content.decode()
            # the edit control is shown exactly when the change would be accepted
            assert ('data-testid="edit"' in page) is changes, (role, vis)
            assert (f'action="/projects/{project.pk}/journal/"' in page) is changes


@pytest.mark.parametrize("role", ROLES)
def test_edit_form_and_post_follow_permissions(client, users, projects, role):
    _login(client, users, role)
    for vis, project in projects.items():
        reads, changes = EXPECTED[role][vis]
        url = reverse("programmes:projects-edit", args=[project.pk])
        expected = 200 if changes else (403 if reads else 404)
        assert client.get(url).status_code == expected, (role, vis)
        before = ChangeRecord.objects.count()
        response = client.post(
            url,
            {"version": project.version, "title__en": f"Changed by {role}", "modality": "joint", "visibility": vis},
        )
        project.refresh_from_db()
        if changes:
            assert response.status_code == 302, response.content.decode()[:2000]
            assert project.title["en"] == f"Changed by {role}"
        else:
            assert response.status_code == expected
            assert project.title["en"] != f"Changed by {role}"
            assert ChangeRecord.objects.count() == before  # nothing written


def test_a_reporter_cannot_edit_another_institutions_project(client, users, seed):
    """cas-reporter reports for CAS only: on a project CAS has no part in there is no edit control, and the
    edit URL answers 403 whether asked for the form or posted to."""
    project = Project.objects.filter(agreement=seed.protocol).exclude(participations__organisation=seed.cas).first()
    client.force_login(users.cas_reporter)
    page = client.get(reverse("programmes:projects-detail", args=[project.pk])).content.decode()
    assert 'data-testid="edit"' not in page and "/edit/" not in page
    url = reverse("programmes:projects-edit", args=[project.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"version": project.version, "title__en": "x", "modality": "joint"}).status_code == 403
    project.refresh_from_db()
    assert project.title["en"] != "x"


def test_plan_item_edit_controls_only_for_those_who_may_change(client, users, seed):
    item = seed.plan_1960.items.order_by("position").first()
    client.force_login(users.cn_observer)
    page = client.get(reverse("programmes:plans-detail", args=[seed.plan_1960.pk])).content.decode()
    assert f'data-testid="edit-item-{item.pk}"' not in page
    assert client.get(reverse("programmes:plan-items-edit", args=[item.pk])).status_code == 403
    client.force_login(users.cn_coordinator)
    page = client.get(reverse("programmes:plans-detail", args=[seed.plan_1960.pk])).content.decode()
    assert f'data-testid="edit-item-{item.pk}"' not in page  # a signed plan changes only by an amendment
    import datetime as dt

    from accord.programmes.services import add_plan_item, create_plan

    draft = create_plan(
        agreement=seed.protocol,
        title={"en": "1961 plan"},
        period_start=dt.date(1961, 1, 1),
        period_end=dt.date(1961, 12, 31),
    )
    draft_item = add_plan_item(draft, item.project, objectives={"en": "Survey"})
    page = client.get(reverse("programmes:plans-detail", args=[draft.pk])).content.decode()
    assert f'data-testid="edit-item-{draft_item.pk}"' in page


def test_create_needs_the_right_to_change_the_parent(client, users, seed):
    url = reverse("programmes:projects-create") + f"?agreement={seed.protocol.pk}"
    assert client.get(url).status_code == 403  # anonymous
    client.force_login(users.cn_observer)
    assert client.get(url).status_code == 403
    client.force_login(users.cn_coordinator)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "agreement": seed.protocol.pk,
            "number": "NEW-1",
            "title__zh": "新课题",
            "modality": "joint",
            "visibility": "bilateral",
        },
    )
    assert response.status_code == 302
    created = Project.objects.get(agreement=seed.protocol, number="NEW-1")
    assert created.title == {"zh": "新课题"}
    assert response["Location"] == reverse("programmes:projects-detail", args=[created.pk])
