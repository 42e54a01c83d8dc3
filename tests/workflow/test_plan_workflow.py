"""The plan's way through the interface: add an item, propose, each side agrees and signs; refusals change nothing."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape

from accord.agreements.services import signatures_of
from accord.core.models import ChangeRecord
from accord.core.pages.steps import actions_of as actions_for
from accord.demo.seed import DEMO_PASSPHRASES
from accord.programmes.models import Plan, Project


def page(response: Any) -> str:
    return response.content.decode()


def said(text: str) -> str:
    """How `text` appears in the page (the templates escape apostrophes and quotes)."""
    return escape(text)


def step_url(plan: Plan, name: str) -> str:
    return f"/workflow/plans/{plan.pk}/{name}/"


def fresh(plan: Plan) -> Plan:
    return Plan.objects.get(pk=plan.pk)


def audited(user: Any, object_type: str, **filters: Any) -> bool:
    return ChangeRecord.objects.filter(
        actor=user, actor_name=user.username, object_type=object_type, **filters
    ).exists()


def test_a_plan_is_completed_agreed_and_signed_by_both_sides_through_the_pages(client, users, draft_plan, seed):
    cn, su = users["cn-coordinator"], users["su-coordinator"]
    plan = draft_plan

    # A coordinator adds an item: the page says what will happen, the POST adds it.
    client.force_login(cn)
    response = client.get(step_url(plan, "add-item"))
    assert response.status_code == 200
    assert "Add a project to plan “1961 cooperation plan” as a new item." in page(response)
    project = Project.objects.filter(agreement=seed.protocol).exclude(plan_items__plan=plan).order_by("number").first()
    response = client.post(
        step_url(plan, "add-item"),
        {"version": plan.version, "project": project.pk, "objectives_zh": "联合研究", "objectives_ru": "Совместное"},
    )
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    item = fresh(plan).items.get(project=project)
    assert item.objectives == {"zh": "联合研究", "ru": "Совместное"}
    assert audited(cn, "programmes.planitem", object_id=str(item.pk))

    # Proposed to the parties.
    plan = fresh(plan)
    response = client.get(step_url(plan, "propose"))
    assert said(f"Propose plan “1961 cooperation plan” version {plan.version} (3 items)") in page(response)
    assert client.post(step_url(plan, "propose"), {"version": plan.version}).status_code == 302
    plan = fresh(plan)
    assert plan.status == "proposed"
    assert audited(cn, "programmes.plan", object_id=str(plan.pk))

    # Each side agrees, on its own behalf.
    response = client.get(step_url(plan, "agree"))
    assert said(
        f"Agree to plan “1961 cooperation plan” version {plan.version} on behalf of People's Republic of China."
    ) in page(response)
    assert client.post(step_url(plan, "agree"), {"version": plan.version, "party": seed.cn.pk}).status_code == 302
    assert fresh(plan).approvals.filter(party=seed.cn).exists()
    client.force_login(su)
    plan = fresh(plan)
    assert client.post(step_url(plan, "agree"), {"version": plan.version, "party": seed.su.pk}).status_code == 302
    plan = fresh(plan)
    assert plan.status == "agreed"
    assert audited(su, "programmes.planapproval")

    # Each side signs with its signatory's key and passphrase.
    response = client.get(step_url(plan, "sign"))
    assert said(
        f"Sign plan “1961 cooperation plan” version {plan.version} on behalf of Union of Soviet Socialist Republics "
        "with Aleksenko's key. The signed version cannot be changed afterwards; changes need an amendment."
    ) in page(response)
    assert 'type="password"' in page(response)
    response = client.post(
        step_url(plan, "sign"),
        {
            "version": plan.version,
            "party": seed.su.pk,
            "signatory": seed.aleksenko.pk,
            "passphrase": DEMO_PASSPHRASES["aleksenko"],
        },
    )
    assert response.status_code == 302
    assert list(signatures_of(fresh(plan)).values_list("party__code", flat=True)) == ["SU"]
    client.force_login(cn)
    plan = fresh(plan)
    response = client.get(step_url(plan, "sign"))
    assert said("on behalf of People's Republic of China with Wu Heng's key.") in page(response)
    response = client.post(
        step_url(plan, "sign"),
        {
            "version": plan.version,
            "party": seed.cn.pk,
            "signatory": seed.wu_heng.pk,
            "passphrase": DEMO_PASSPHRASES["wu_heng"],
        },
    )
    assert response.status_code == 302
    plan = fresh(plan)
    assert plan.status == "signed" and plan.signed_version is not None
    assert audited(cn, "agreements.signature")
    assert audited(su, "agreements.signature")
    # No passphrase anywhere in the audit trail.
    assert not ChangeRecord.objects.filter(after__icontains="demo-passphrase").exists()

    response = client.get(f"/plans/{plan.pk}/")
    assert 'data-testid="plan-status">Signed<' in page(response)


def test_a_wrong_passphrase_is_refused_on_its_field_and_nothing_is_signed(client, users, draft_plan, seed):
    from accord.programmes import services

    plan = services.transition_plan(draft_plan, "proposed", expected_version=draft_plan.version)
    for party in (seed.cn, seed.su):
        services.approve_plan(fresh(plan), party=party, expected_version=fresh(plan).version, approved_on=None)
    plan = fresh(plan)
    documents_before = ChangeRecord.objects.filter(object_type__startswith="documents.").count()
    client.force_login(users["cn-coordinator"])
    response = client.post(
        step_url(plan, "sign"),
        {"version": plan.version, "party": seed.cn.pk, "signatory": seed.wu_heng.pk, "passphrase": "not-the-one-1234"},
    )
    assert response.status_code == 400
    body = page(response)
    assert 'data-field="passphrase"' in body and "wrong passphrase for the signing key of Wu Heng" in body
    assert "not-the-one-1234" not in body  # a password field is never filled back in
    assert signatures_of(fresh(plan)).count() == 0
    assert fresh(plan).status == "agreed" and fresh(plan).version == plan.version
    # The rendered texts the signature would have covered were not kept either.
    assert ChangeRecord.objects.filter(object_type__startswith="documents.").count() == documents_before


def test_roles_that_may_not_act_neither_see_the_step_nor_may_post_it(client, users, draft_plan, seed):
    plan = draft_plan
    observer, reporter = users["cn-observer"], users["cas-reporter"]
    assert [a.label for a in actions_for(users["cn-coordinator"], plan)][:1] == ["Propose to the parties"]
    assert actions_for(observer, plan) == []
    client.force_login(observer)
    assert client.get(step_url(plan, "propose")).status_code == 403
    assert client.post(step_url(plan, "propose"), {"version": plan.version}).status_code == 403
    assert "Propose to the parties" not in page(client.get(f"/plans/{plan.pk}/"))
    assert fresh(plan).status == "draft"
    # A reporter may not sign, nor may a coordinator who is not their party's designated signatory's side.
    client.force_login(reporter)
    assert client.post(step_url(plan, "sign"), {"version": plan.version}).status_code == 403
    client.force_login(users["cn-coordinator"])
    response = client.post(step_url(plan, "agree"), {"version": plan.version, "party": seed.su.pk})
    assert response.status_code == 400  # SU is not offered to a CN coordinator
    assert "Select a valid choice" in page(response)
    assert not fresh(plan).approvals.exists()


def test_a_refused_transition_is_shown_on_the_page_and_changes_nothing(client, users, seed):
    from accord.programmes import services

    empty = services.create_plan(
        agreement=seed.protocol,
        title={"zh": "空计划", "ru": "Пустой план"},
        visibility="bilateral",
        period_start=seed.plan_1960.period_end.replace(year=1962, month=1, day=1),
        period_end=seed.plan_1960.period_end.replace(year=1962),
    )
    client.force_login(users["cn-coordinator"])
    response = client.post(step_url(empty, "propose"), {"version": empty.version})
    assert response.status_code == 409
    assert "a plan without items cannot be proposed" in page(response)
    assert fresh(empty).status == "draft" and fresh(empty).version == empty.version


def test_a_stale_version_is_refused(client, users, draft_plan):
    client.force_login(users["cn-coordinator"])
    response = client.post(step_url(draft_plan, "propose"), {"version": draft_plan.version - 1 or 99})
    assert response.status_code == 409
    assert "Reload and apply your change again" in page(response)
    assert fresh(draft_plan).status == "draft"


def test_the_plan_page_lists_what_is_missing(client, users, draft_plan, seed):
    from accord.programmes import services

    services.transition_plan(draft_plan, "proposed", expected_version=draft_plan.version)
    plan = fresh(draft_plan)
    services.approve_plan(plan, party=seed.cn, expected_version=plan.version, approved_on=None)
    client.force_login(users["su-coordinator"])
    body = page(client.get(f"/plans/{plan.pk}/"))
    assert "Still to agree to this version:" in body and "(SU)" in body
    assert "Agree to this version" in body
    client.force_login(users["cn-coordinator"])
    assert "Agree to this version" not in page(client.get(f"/plans/{plan.pk}/"))  # CN has agreed
