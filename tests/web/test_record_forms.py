"""Edit forms: the localized editor, errors that keep the input, the stale-version refusal, history, journal."""

import re

import pytest
from django.urls import reverse

from accord.core.actor import Actor, acting_as
from accord.core.models import ChangeRecord
from accord.programmes.models import PlanItem
from accord.programmes.services import create_plan, update_plan_item, update_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_item(seed):
    """An item of a draft plan (signed plans are frozen), to edit."""
    import datetime as dt

    from accord.programmes.services import add_plan_item

    plan = create_plan(
        agreement=seed.protocol,
        title={"en": "1961 plan"},
        period_start=dt.date(1961, 1, 1),
        period_end=dt.date(1961, 12, 31),
    )
    project = seed.protocol.projects.order_by("id").first()
    return add_plan_item(plan, project, objectives={"en": "Survey the basin"})


def _project(seed):
    return seed.protocol.projects.order_by("id").first()


def test_the_localized_editor_has_one_labelled_input_per_party_language(client, users, seed):
    client.force_login(users.cn_coordinator)
    project = _project(seed)
    page = client.get(reverse("programmes:projects-edit", args=[project.pk])).content.decode()
    for tag, name in (("zh", "Chinese"), ("ru", "Russian"), ("en", "English")):
        assert f'name="title__{tag}"' in page and f'lang="{tag}"' in page
        assert re.search(rf'<label for="id_title_{tag}">{name} ', page)
    assert f'value="{project.title["zh"]}"' in page
    assert "<legend>Title" in page


def test_the_editor_keeps_languages_beyond_the_parties(client, users, seed):
    project = _project(seed)
    update_project(project, expected_version=project.version, title={**project.title, "de": "Vermessung"})
    client.force_login(users.cn_coordinator)
    project.refresh_from_db()
    page = client.get(reverse("programmes:projects-edit", args=[project.pk])).content.decode()
    assert 'name="title__de"' in page and "German" in page


def test_a_chinese_edit_is_saved_as_the_dict_the_model_expects_and_shows_in_history(client, users, draft_item):
    client.force_login(users.cn_coordinator)
    url = reverse("programmes:plan-items-edit", args=[draft_item.pk])
    response = client.post(
        url,
        {
            "version": draft_item.version,
            "objectives__en": "Survey the basin",
            "objectives__zh": "流域调查",
            "objectives__ru": "",
            "position": 1,
        },
    )
    assert response.status_code == 302
    draft_item.refresh_from_db()
    assert draft_item.objectives == {"en": "Survey the basin", "zh": "流域调查"}
    rec = ChangeRecord.objects.order_by("-id").first()
    assert rec.actor_name == "cn-coordinator" and rec.after["objectives"]["zh"] == "流域调查"
    page = client.get(reverse("programmes:plan-items-detail", args=[draft_item.pk])).content.decode()
    assert '<p lang="zh">流域调查</p>' in page
    history = page[page.index('id="history-h"') :]
    assert (
        "cn-coordinator" in history
        and '<del><span lang="en">Survey the basin</span></del></td><td class="after">'
        '<ins><span lang="en">Survey the basin</span>; zh: <span lang="zh">流域调查</span></ins>'
        in history
    )


def test_bad_input_names_the_field_keeps_the_input_and_changes_nothing(client, users, seed):
    client.force_login(users.cn_coordinator)
    project = _project(seed)
    entries = ChangeRecord.objects.count()
    response = client.post(
        reverse("programmes:projects-edit", args=[project.pk]),
        {
            "version": project.version,
            "title__en": "Typed title",
            "modality": "joint",
            "start_on": "1960-05-01",
            "end_on": "1959-01-01",
            "visibility": "public",
        },
    )
    assert response.status_code == 422  # refused by the service: the form again, as the API answers
    form = response.context["form"]
    assert "end_on" in form.errors
    page = response.content.decode()
    assert 'value="Typed title"' in page and 'value="1959-01-01"' in page
    assert ChangeRecord.objects.count() == entries
    project.refresh_from_db()
    assert project.title["en"] != "Typed title"


def test_an_empty_required_text_is_refused_in_the_users_language(client, users, seed):
    client.force_login(users.cn_coordinator)
    project = _project(seed)
    response = client.post(
        reverse("programmes:projects-edit", args=[project.pk]),
        {
            "version": project.version,
            "title__en": "",
            "title__zh": "",
            "title__ru": "",
            "modality": "joint",
            "visibility": "public",
        },
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 200 and "title" in response.context["form"].errors


def test_a_stale_edit_says_who_changed_what_and_keeps_the_input(client, users, draft_item):
    client.force_login(users.cn_coordinator)
    seen = draft_item.version
    with acting_as(Actor(users.su_coordinator.pk, "su-coordinator", "other")):
        update_plan_item(draft_item, expected_version=seen, objectives={"ru": "Изучение бассейна"})
    entries = ChangeRecord.objects.count()
    response = client.post(
        reverse("programmes:plan-items-edit", args=[draft_item.pk]),
        {"version": seen, "objectives__zh": "我的修改", "position": 1},
    )
    assert response.status_code == 409  # stale: the form again, as the API answers
    page = response.content.decode()
    assert "changed by su-coordinator at" in page and "changed: objectives" in page
    assert "我的修改" in page and "Изучение бассейна" in page  # the user's input and what is stored now
    assert ChangeRecord.objects.count() == entries
    draft_item.refresh_from_db()
    assert draft_item.objectives == {"ru": "Изучение бассейна"}
    # saving again, having seen the other change, applies the user's version
    response = client.post(
        reverse("programmes:plan-items-edit", args=[draft_item.pk]),
        {"version": draft_item.version, "objectives__zh": "我的修改", "position": 1},
    )
    assert response.status_code == 302


def test_a_refusal_of_the_service_is_shown_on_the_form(client, users, seed):
    """Items of a signed plan are frozen: the service's refusal comes back as a form error."""
    item = seed.plan_1960.items.order_by("position").first()
    client.force_login(users.cn_coordinator)
    response = client.post(
        reverse("programmes:plan-items-edit", args=[item.pk]),
        {"version": item.version, "objectives__en": "Changed after signature", "position": item.position},
    )
    assert response.status_code == 409  # as the API answers it: the form again, with the reason
    assert "amend it with a new revision" in response.content.decode()
    item.refresh_from_db()
    assert item.objectives.get("en") != "Changed after signature"


def test_inline_edit_with_htmx_returns_the_updated_row(client, users, draft_item):
    client.force_login(users.cn_coordinator)
    url = reverse("programmes:plan-items-edit", args=[draft_item.pk]) + "?inline=1"
    form = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert form.startswith('<tr class="editing">') and 'hx-post="' in form
    row = client.post(
        url, {"version": draft_item.version, "objectives__zh": "流域调查", "position": 1}, HTTP_HX_REQUEST="true"
    )
    assert row.status_code == 200
    html = row.content.decode()
    assert html.lstrip().startswith(f'<tr id="item-{draft_item.pk}"') and "流域调查" in html


def test_journal_notes_are_added_by_those_who_may_change_and_read_by_their_side(client, users, seed):
    project = _project(seed)
    url = reverse("programmes:projects-journal", args=[project.pk])
    client.force_login(users.cn_observer)
    assert client.post(url, {"occurred_on": "1960-03-01", "text": "x", "visibility": "internal"}).status_code == 403
    client.force_login(users.cn_coordinator)
    response = client.post(
        url, {"occurred_on": "1960-03-01", "text": "Phoned the institute; samples delayed", "visibility": "internal"}
    )
    assert response.status_code == 302
    detail = reverse("programmes:projects-detail", args=[project.pk])
    assert "samples delayed" in client.get(detail).content.decode()
    client.force_login(users.cn_observer)  # same side: reads the internal note
    assert "samples delayed" in client.get(detail).content.decode()
    client.force_login(users.su_coordinator)  # the other side does not
    assert "samples delayed" not in client.get(detail).content.decode()
    assert "Phoned the institute" not in client.get(detail).content.decode()


def test_empty_note_is_refused_with_the_field_named(client, users, seed):
    client.force_login(users.cn_coordinator)
    project = _project(seed)
    response = client.post(
        reverse("programmes:projects-journal", args=[project.pk]),
        {"occurred_on": "1960-03-01", "text": "", "visibility": "internal"},
    )
    assert response.status_code == 200 and "text" in response.context["journal_form"].errors


def test_plan_item_creation_takes_the_project_number(client, users, draft_item):
    client.force_login(users.cn_coordinator)
    plan = draft_item.plan
    url = reverse("programmes:plan-items-create") + f"?plan={plan.pk}"
    response = client.post(url, {"plan": plan.pk, "project": "no-such", "objectives__en": "x"})
    assert response.status_code == 200 and "project" in response.context["form"].errors
    number = plan.agreement.projects.exclude(pk=draft_item.project_id).order_by("id").first().number
    response = client.post(url, {"plan": plan.pk, "project": number, "objectives__en": "Second item"})
    assert response.status_code == 302
    assert PlanItem.objects.filter(plan=plan, project__number=number, objectives__en="Second item").exists()
