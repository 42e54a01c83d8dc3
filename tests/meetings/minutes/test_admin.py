import pytest
from django.contrib import admin
from django.urls import reverse

from accord.core.models import ChangeRecord
from accord.meetings.models import Minutes, MinutesRevision, MinutesSignOff

pytestmark = pytest.mark.django_db


def test_revisions_and_sign_offs_are_read_only_in_the_admin(seed, amended, admin_client, admin_user, rf):
    request = rf.get("/")
    request.user = admin_user
    for model in (MinutesRevision, MinutesSignOff):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request, None)
        assert not model_admin.has_delete_permission(request, None)
        assert model_admin.has_view_permission(request, None)
    minutes_admin = admin.site._registry[Minutes]
    assert not minutes_admin.has_add_permission(request) and not minutes_admin.has_delete_permission(request, amended)
    assert {"status", "current_revision", "finalised_on", "meeting"} <= set(minutes_admin.get_readonly_fields(request))

    revision = MinutesRevision.objects.get(minutes=amended, number=1)
    url = reverse("admin:meetings_minutesrevision_change", args=[revision.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin_client.post(url, {"note": "rewritten"}).status_code == 403
    assert MinutesRevision.objects.get(pk=revision.pk).note == "first draft"
    assert admin_client.get(reverse("admin:meetings_minutesrevision_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:meetings_minutes_change", args=[amended.pk]))
    assert page.status_code == 200 and "SU: items 2 and 4" in page.content.decode()  # revisions shown inline


def test_the_minutes_are_not_changed_in_the_admin(seed, amended, admin_client):
    """Minutes have no admin write: their visibility is their publication, the parties' joint act."""
    url = reverse("admin:meetings_minutes_change", args=[amended.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    entries = ChangeRecord.objects.count()
    response = admin_client.post(url, {"visibility": "public", "expected_version": str(amended.version)})
    assert response.status_code == 403
    stored = Minutes.objects.get(pk=amended.pk)
    assert (stored.visibility, stored.version) == (amended.visibility, amended.version)
    assert ChangeRecord.objects.count() == entries
