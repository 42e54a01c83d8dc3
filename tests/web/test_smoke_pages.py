"""Every list and detail page renders, for an administrator and for the public."""

import pytest
from django.urls import reverse

from accord.core.pages.records import record_types
from accord.core.visibility import visible

pytestmark = pytest.mark.django_db

KINDS = [rt.kind for rt in record_types()]


@pytest.mark.parametrize("kind", KINDS)
def test_list_and_first_detail_render_for_the_administrator(client, users, kind):
    client.force_login(users.admin)
    rt = next(t for t in record_types() if t.kind == kind)
    response = client.get(reverse(rt.url_name("list")))
    assert response.status_code == 200
    first = rt.model._default_manager.order_by("pk").first()
    assert first is not None, f"the seed has no {kind}"
    response = client.get(reverse(rt.url_name("detail"), args=[first.pk]))
    assert response.status_code == 200, response.content.decode()[:3000]
    if rt.edit:
        response = client.get(reverse(rt.url_name("edit"), args=[first.pk]))
        # A signed or reviewed plan (and its items) is changed only by an amendment: its edit page says why.
        assert response.status_code == (409 if rt.frozen(first) else 200)


@pytest.mark.parametrize("kind", KINDS)
def test_lists_render_for_the_public(client, kind):
    rt = next(t for t in record_types() if t.kind == kind)
    response = client.get(reverse(rt.url_name("list")), {"q": "plan", "sort": "-" + rt.default_sort.lstrip("-")})
    assert response.status_code == 200
    first = visible(rt.model._default_manager.order_by("pk"), None).first()
    if first is not None:
        assert client.get(reverse(rt.url_name("detail"), args=[first.pk])).status_code == 200
