"""The admin writes only through the apps' services: what it offers, how it refuses, and that every page opens."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib import admin
from django.urls import reverse

from accord.core import services as records
from accord.core.admin import AuditedModelAdmin
from accord.core.models import ChangeRecord
from accord.programmes import services as programmes
from accord.programmes.choices import PlanStatus
from accord.programmes.models import PlanItem

pytestmark = pytest.mark.django_db

AUDITED = {m: a for m, a in admin.site._registry.items() if isinstance(a, AuditedModelAdmin)}


def test_each_action_offered_is_one_a_service_does(admin_user, rf):
    request = rf.get("/")
    request.user = admin_user
    for model, model_admin in AUDITED.items():
        writes = model_admin.writes
        assert model_admin.has_add_permission(request) <= (writes.create is not None), model
        assert model_admin.has_change_permission(request) <= (writes.update is not None), model
        assert model_admin.has_delete_permission(request) <= (writes.delete is not None), model
        for operation in (writes.create, writes.update, writes.delete):
            if operation is not None:  # a service, or the app admin's thin adapter onto its services
                app = model._meta.app_config.name
                owner = [*app.split("."), "services"], [*app.split("."), "admin"]
                assert operation.__module__.split(".")[:3] in owner, (model, operation)


@pytest.mark.parametrize("model", sorted(AUDITED, key=lambda m: m._meta.label), ids=lambda m: m._meta.label)
def test_every_admin_page_opens(model, admin_client, seed):
    opts = model._meta
    assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200
    if AUDITED[model].writes.create is not None:
        assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200
    record = model._default_manager.order_by("pk").first()
    if record is not None:
        page = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk]))
        assert page.status_code == 200
        may_change = AUDITED[model].has_change_permission(page.wsgi_request, record)
        assert ('name="_save"' in page.content.decode()) is may_change
        assert not may_change or AUDITED[model].writes.update is not None


def test_a_refused_change_names_the_record_and_the_reason_and_writes_nothing(admin_client, seed):
    item = seed.plan_1959.items.order_by("position").first()
    url = reverse("admin:programmes_planitem_change", args=[item.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {b.html_name: b.value() for b in form if b.value() not in (None, False)}
    data["objectives"] = '{"en": "Changed after the review"}'
    entries = ChangeRecord.objects.count()
    page = admin_client.post(url, data)
    text = page.content.decode()
    assert page.status_code == 409  # the form again, as the pages and the API answer a refused change
    assert f"“{item}”" in text and "is reviewed: its items can no longer change" in text
    assert "nothing was saved" in text
    assert ChangeRecord.objects.count() == entries
    assert PlanItem.objects.get(pk=item.pk).objectives == item.objectives


def test_a_refused_bulk_delete_deletes_none_and_says_why(admin_client, seed):
    def plan(year: int) -> Any:
        return programmes.create_plan(
            agreement=seed.protocol,
            title={"en": str(year)},
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
        )

    project = seed.protocol.projects.get(number="3")
    deletable = programmes.add_plan_item(plan(1961), project)
    signed = plan(1962)
    frozen = programmes.add_plan_item(signed, project)  # nothing refers to it: only the service stands in the way
    records.update(signed, expected_version=signed.version, status=PlanStatus.SIGNED)  # as if both had signed
    entries = ChangeRecord.objects.count()
    url = reverse("admin:programmes_planitem_changelist")
    selected = {"action": "delete_selected", "_selected_action": [deletable.pk, frozen.pk], "post": "yes"}
    page = admin_client.post(url, selected, follow=True)
    assert page.status_code == 200
    assert "is signed: its items can no longer change" in page.content.decode()
    assert PlanItem.objects.filter(pk__in=[deletable.pk, frozen.pk]).count() == 2  # all or none
    assert ChangeRecord.objects.count() == entries
