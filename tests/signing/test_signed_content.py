"""A signed plan is what was signed, for ever: the demo's signed 1960 plan after its records change.

Editing a project the plan lists (through the service, the page and the API), correcting the agreement's
title or recording an organisation's new dated name leaves `accord verify`, `export-signed` and the bundle
whole, and the plan's page shows what was signed with a note of the change. Tampering with the stored
content or with a signed row behind Accord's back still fails.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from accord.accounts import services as accounts
from accord.agreements.services import update_agreement
from accord.core.actor import Actor, acting_as
from accord.core.errors import TransitionRefused
from accord.core.models import ChangeRecord
from accord.core.verify import verify
from accord.directory.services import add_organisation_name, update_organisation
from accord.programmes.choices import PlanStatus
from accord.programmes.services import add_plan_item, update_plan, update_project
from accord.signing.bundle import export_signed, verify_bundle
from accord.signing.models import SignedContent
from accord.signing.services import check_signature, signed_content_of, signed_plan_content

pytestmark = pytest.mark.django_db

NEW_TITLE = {"en": "Corrected title of the project", "zh": "更正后的项目名称", "ru": "Исправленное название"}


def user(name):
    return get_user_model().objects.get(username=name)


def signatures(plan):
    from django.contrib.contenttypes.models import ContentType

    from accord.agreements.models import Signature

    on_plan = ContentType.objects.get_for_model(plan)
    return list(
        Signature.objects.filter(target_type=on_plan, target_id=plan.pk, target_version=plan.signed_version).exclude(
            signature=""
        )
    )


def first_project(plan):
    return plan.items.order_by("position", "id").first().project


def assert_still_what_was_signed(plan, tmp_path, signed_before):
    """verify is clean, every signature holds, the bundle exports and verifies, and carries the signed bytes."""
    report = verify()
    assert report.ok, [str(p) for p in report.problems[:5]]
    assert all(check_signature(s).ok for s in signatures(plan))
    stored = signed_content_of(plan)
    assert stored.payload_bytes == signed_before
    out = tmp_path / "1960.json"
    call_command("export-signed", str(plan.pk), "-o", str(out))
    bundle = out.read_bytes()
    assert verify_bundle(bundle).ok
    call_command("verify-bundle", str(out))
    assert stored.payload_bytes in bundle  # the stored bytes, not today's records


@pytest.fixture
def plan(seed):
    plan = seed.plan_1960
    assert plan.status == PlanStatus.SIGNED
    return plan


@pytest.fixture
def signed_before(plan):
    return signed_content_of(plan).payload_bytes


def test_signing_stored_one_content_that_both_parties_signed(plan):
    stored = SignedContent.objects.get(plan=plan)
    assert stored.plan_version == plan.signed_version
    sigs = signatures(plan)
    assert len(sigs) == 2 and {s.content_hash for s in sigs} == {stored.payload_sha256}
    content = signed_plan_content(stored)
    assert content["title"] == plan.title and len(content["items"]) == plan.items.count()
    signed_entries = ChangeRecord.objects.filter(
        object_type="agreements.signature", object_id__in=[str(s.pk) for s in sigs]
    ).order_by("id")
    assert 0 < stored.chain_position < signed_entries.first().pk


def test_a_project_title_corrected_through_the_service(plan, tmp_path, signed_before):
    project = first_project(plan)
    signed_title = dict(project.title)
    update_project(project, expected_version=project.version, title=NEW_TITLE)
    assert_still_what_was_signed(plan, tmp_path, signed_before)
    assert signed_plan_content(signed_content_of(plan))["items"][0]["project"]["title"] == signed_title


def test_a_project_title_corrected_through_the_page(client, plan, tmp_path, signed_before):
    project = first_project(plan)
    signed_title = dict(project.title)
    client.force_login(user("cn-coordinator"))
    form = {
        "version": project.version,
        **{f"title__{lang}": text for lang, text in NEW_TITLE.items()},
        "field": project.field,
        "modality": project.modality,
        "provider_party": project.provider_party_id or "",
        "recipient_party": project.recipient_party_id or "",
        "start_on": project.start_on.isoformat() if project.start_on else "",
        "end_on": project.end_on.isoformat() if project.end_on else "",
        "visibility": project.visibility,
    }
    response = client.post(reverse("programmes:projects-edit", args=[project.pk]), form)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    project.refresh_from_db()
    assert project.title == NEW_TITLE
    assert_still_what_was_signed(plan, tmp_path, signed_before)

    page = client.get(reverse("programmes:plans-detail", args=[plan.pk])).content.decode()
    items = page[page.index('data-testid="plan-items"') :]
    assert signed_title["en"] in items  # the title as signed
    changes = page[page.index('data-testid="changed-since-signing"') :]
    assert "Title changed on" in changes and "by cn-coordinator" in changes
    assert signed_title["en"] in changes and NEW_TITLE["en"] in changes  # the diff: signed → now
    workflow = client.get(reverse("programmes:plans-detail", args=[plan.pk])).content.decode()
    assert signed_title["en"] in workflow and "Title changed on" in workflow


def test_a_reader_in_another_language_sees_which_language_version_changed(client, plan):
    project = first_project(plan)
    signed_title = dict(project.title)
    update_project(project, expected_version=project.version, title={**signed_title, "en": "Only English changed"})
    client.force_login(user("su-coordinator"))
    page = client.get(reverse("programmes:plans-detail", args=[plan.pk]), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    changes = page[page.index('data-testid="changed-since-signing"') :]
    assert "Изменения после подписания" in page
    # The English version is the one that changed: shown as such, not as two identical Russian titles.
    assert "[en]" in changes and signed_title["en"] in changes and "Only English changed" in changes
    assert "[ru]" not in changes


def test_a_project_title_corrected_through_the_api(plan, tmp_path, signed_before):
    project = first_project(plan)
    token = accounts.issue_token(user("cn-coordinator"), "test", scope="read-write")[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/projects/{project.pk}"
    etag = api.get(url)["ETag"]
    response = api.patch(url, {"title": NEW_TITLE}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    assert_still_what_was_signed(plan, tmp_path, signed_before)


def test_the_agreement_title_corrected(client, seed, plan, tmp_path, signed_before):
    agreement = plan.agreement
    signed_title = dict(agreement.title)
    with acting_as(Actor(user("su-coordinator").pk, "su-coordinator", "test")):
        update_agreement(agreement, expected_version=agreement.version, title={**agreement.title, "en": "Corrected"})
    assert_still_what_was_signed(plan, tmp_path, signed_before)
    client.force_login(user("cn-coordinator"))
    page = client.get(reverse("programmes:plans-detail", args=[plan.pk])).content.decode()
    facts = page[page.index('class="facts"') :]
    assert signed_title["en"] in facts
    changes = page[page.index('data-testid="changed-since-signing"') :]
    assert "Title changed on" in changes and "by su-coordinator" in changes and "Corrected" in changes


def test_an_organisations_new_dated_name(client, seed, plan, tmp_path, signed_before):
    org = plan.items.order_by("position").first().responsibilities.order_by("id").first().organisation
    signed_name = dict(org.name_on(plan.period_start))
    # A name in force from before the plan's period, recorded later: the records now name it otherwise then.
    assert not org.names.exists()
    add_organisation_name(org, {"en": "Renamed institute", "zh": "更名后的研究所"}, valid_from=dt.date(1950, 1, 1))
    org.refresh_from_db()
    update_organisation(org, expected_version=org.version, name={"en": "Renamed institute"})
    assert signed_content_of(plan) is not None
    assert_still_what_was_signed(plan, tmp_path, signed_before)
    client.force_login(user("cn-coordinator"))
    page = client.get(reverse("programmes:plans-detail", args=[plan.pk])).content.decode()
    changes = page[page.index('data-testid="changed-since-signing"') :]
    assert "Name changed on" in changes and signed_name["en"] in changes and "Renamed institute" in changes


def test_tampering_with_the_stored_content_fails_verify(plan):
    stored = signed_content_of(plan)
    changed = stored.payload.replace('"revision":1', '"revision":2')
    assert changed != stored.payload
    with connection.cursor() as cur:
        cur.execute("UPDATE signing_signedcontent SET payload = %s WHERE id = %s", [changed, stored.pk])
    problems = [str(p) for p in verify().problems]
    assert any(p.startswith(f"signing.signedcontent {stored.pk}: differs from change record") for p in problems)
    for sig in signatures(plan):
        assert any(
            p.startswith(f"agreements.signature {sig.pk}: does not verify: the stored signed content was changed")
            for p in problems
        )
    with pytest.raises(TransitionRefused, match="does not verify"):
        export_signed(plan)


def test_tampering_with_stored_content_and_its_hash_still_fails(plan):
    stored = signed_content_of(plan)
    from accord.signing import crypto

    changed = stored.payload.replace('"revision":1', '"revision":2')
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE signing_signedcontent SET payload = %s, payload_sha256 = %s WHERE id = %s",
            [changed, crypto.sha256_hex(changed.encode()), stored.pk],
        )
    for sig in signatures(plan):
        check = check_signature(sig)
        assert not check.ok and "is not what was signed" in check.reason


def test_a_signed_row_changed_behind_accords_back_fails_verify(plan):
    project = first_project(plan)
    with connection.cursor() as cur:
        cur.execute("UPDATE programmes_project SET title = %s WHERE id = %s", ['{"en": "Forged"}', project.pk])
    problems = [str(p) for p in verify().problems]
    assert f"programmes.project {project.pk}: differs from change record" in problems[0]
    for sig in signatures(plan):
        assert any(
            p.startswith(f"agreements.signature {sig.pk}: does not verify: the plan's records no longer match")
            for p in problems
        )
    with pytest.raises(CommandError, match="verification failed"):
        call_command("verify", "--all")


def test_a_signed_plan_is_changed_only_by_an_amendment(client, seed, plan):
    client.force_login(user("cn-coordinator"))
    page = client.get(reverse("programmes:plans-detail", args=[plan.pk])).content.decode()
    assert 'data-testid="edit"' not in page and "Add an item" not in page and 'data-testid="edit-item-' not in page
    workflow = client.get(reverse("programmes:plans-detail", args=[plan.pk])).content.decode()
    assert "Add an item" not in workflow and "Amend" in workflow
    with pytest.raises(TransitionRefused):
        add_plan_item(plan, first_project(plan))
    with pytest.raises(TransitionRefused):
        update_plan(plan, expected_version=plan.version, title={"en": "Changed"})
    amend = reverse("web:step", args=["plans", plan.pk, "amend"])
    assert amend in page
    response = client.post(amend, {"version": plan.version})
    assert response.status_code == 302
    amendment = plan.amendments.get()
    assert amendment.status == PlanStatus.DRAFT and amendment.revision == plan.revision + 1
    assert amendment.items.count() == plan.items.count()
    assert verify().ok
    # An observer is not offered it.
    other = Client()
    other.force_login(user("cn-observer"))
    assert amend not in other.get(reverse("programmes:plans-detail", args=[plan.pk])).content.decode()


def test_the_signed_plans_text_is_written_from_what_was_signed(plan):
    from accord.documents.plan_text import build_plan_text
    from accord.documents.services import generate_document

    project = first_project(plan)
    signed_title = dict(project.title)
    before = generate_document("plan_text", plan, "zh+ru", "html").data
    update_project(project, expected_version=project.version, title=NEW_TITLE)
    after = generate_document("plan_text", plan, "zh+ru", "html").data
    assert after == before  # deterministic, and today's records do not reach it
    text = after.decode()
    assert signed_title["zh"] in text and NEW_TITLE["zh"] not in text and NEW_TITLE["ru"] not in text
    content = build_plan_text(plan, ["en"])
    assert content.titles["en"] == plan.title["en"]


@pytest.mark.parametrize("language, kind", [("ru", "Проект"), ("zh-hans", "项目"), ("en", "Project")])
def test_the_changed_records_kind_is_named_in_the_readers_language(client, plan, language, kind):
    project = first_project(plan)
    update_project(project, expected_version=project.version, title={**project.title, "en": "Renamed"})
    client.force_login(user("su-coordinator"))
    page = client.get(
        reverse("programmes:plans-detail", args=[plan.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    changes = page[page.index('data-testid="changed-since-signing"') :]
    assert f"{kind} {project.number}:" in changes
    assert language == "en" or "Project" not in changes
