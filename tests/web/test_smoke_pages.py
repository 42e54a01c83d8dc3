"""Every list and detail page renders, for an administrator and for the public."""

import pytest
from django.urls import reverse

from accord.core.visibility import visible
from accord.web.records import RECORD_TYPES

pytestmark = pytest.mark.django_db

KINDS = [rt.kind for rt in RECORD_TYPES]


@pytest.mark.parametrize("kind", KINDS)
def test_list_and_first_detail_render_for_the_administrator(client, users, kind):
    client.force_login(users.admin)
    response = client.get(reverse(f"web:{kind}-list"))
    assert response.status_code == 200
    rt = next(t for t in RECORD_TYPES if t.kind == kind)
    first = rt.model._default_manager.order_by("pk").first()
    assert first is not None, f"the seed has no {kind}"
    response = client.get(reverse(f"web:{kind}-detail", args=[first.pk]))
    assert response.status_code == 200, response.content.decode()[:3000]
    if rt.edit:
        response = client.get(reverse(f"web:{kind}-edit", args=[first.pk]))
        assert response.status_code == 200


@pytest.mark.parametrize("kind", KINDS)
def test_lists_render_for_the_public(client, kind):
    rt = next(t for t in RECORD_TYPES if t.kind == kind)
    response = client.get(reverse(f"web:{kind}-list"), {"q": "plan", "sort": "-" + rt.default_sort.lstrip("-")})
    assert response.status_code == 200
    first = visible(rt.model._default_manager.order_by("pk"), None).first()
    if first is not None:
        assert client.get(reverse(f"web:{kind}-detail", args=[first.pk])).status_code == 200
