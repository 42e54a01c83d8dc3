"""The programme's rules hold on every channel because the services check the acting account themselves.

Each case found on a fresh demo (issue 13, "Who may do what differs by channel"), through each channel that
offers it: the page, the API, the import and the CLI. A refusal answers 403 (not allowed) or 409 (frozen,
stale) with a message naming the record and the reason, and writes nothing (no audit entry either); the
allowed change works.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from accord.accounts import services as accounts
from accord.core.actor import Actor, acting_as, actor_for_user
from accord.core.errors import Forbidden, TransitionRefused, ValidationFailed
from accord.core.models import ChangeRecord
from accord.directory.services import create_party
from accord.interop.report import ImportRefused
from accord.interop.services import import_file
from accord.programmes import services
from accord.programmes.models import Exchange, Plan, PlanItem, ProgressReport, Project

pytestmark = pytest.mark.django_db


def user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def api(name: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {accounts.issue_token(user(name), 'test', scope='read-write')[1]}")


def page(name: str) -> Client:
    client = Client()
    client.force_login(user(name))
    return client


def text(response: Any) -> str:
    return response.content.decode()


@contextlib.contextmanager
def nothing_written(model: Any = None) -> Iterator[None]:
    """Asserts the block adds no audit entry (and no row of `model`)."""

    def counts() -> tuple[int, int]:
        return ChangeRecord.objects.count(), model._default_manager.count() if model else 0

    before = counts()
    yield
    assert counts() == before


def item_with(seed: Any, organisation: Any) -> PlanItem:
    """An item of the signed 1960 plan whose project `organisation` takes part in."""
    return (
        PlanItem.objects.filter(plan=seed.plan_1960, project__participations__organisation=organisation)
        .order_by("position")
        .first()
    )


PROGRESS = {"period_start": "1960-01-01", "period_end": "1960-06-30", "status": "on_track", "percent": 40}


# --- the acting account -----------------------------------------------------------------------------------


def test_anonymous_is_not_the_system_and_the_system_keeps_full_rights(seed):
    item = item_with(seed, seed.ussr_academy)
    with acting_as(actor_for_user(None, "req")), nothing_written(ProgressReport), pytest.raises(Forbidden):
        services.record_progress(item, reporting_organisation=seed.ussr_academy, **PROGRESS)
    with acting_as(Actor(None, "cli:clerk", "cli-1", system=True)):
        report = services.record_progress(item, reporting_organisation=seed.ussr_academy, **PROGRESS)
    assert report.owner_party == seed.su


def test_an_actor_known_only_by_its_user_id_has_that_accounts_rights(seed):
    """A job run for someone (or any actor without the account at hand) is held to that account's rights."""
    cn = user("cn-coordinator")
    item = item_with(seed, seed.ussr_academy)
    with acting_as(Actor(cn.pk, cn.username, "job:1")), nothing_written(ProgressReport), pytest.raises(Forbidden):
        services.record_progress(item, reporting_organisation=seed.ussr_academy, **PROGRESS)
    with acting_as(Actor(cn.pk, cn.username, "job:1")):
        assert services.record_progress(item_with(seed, seed.cas), reporting_organisation=seed.cas, **PROGRESS)


# --- a party records progress only for its own institutions ---------------------------------------------------


def test_api_refuses_progress_in_the_other_sides_name(seed):
    item = item_with(seed, seed.ussr_academy)
    url = f"/api/v1/plan-items/{item.pk}/progress"
    cn = api("cn-coordinator")
    with nothing_written(ProgressReport):
        r = cn.post(
            url, {**PROGRESS, "reporting_organisation_id": seed.ussr_academy.pk}, content_type="application/json"
        )
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert "Academy of Sciences of the USSR" in r.json()["message"] and str(item) in r.json()["message"]
    # for its own institution taking part in the project: recorded, owned by its side
    mine = item_with(seed, seed.cas)
    r = cn.post(
        f"/api/v1/plan-items/{mine.pk}/progress",
        {**PROGRESS, "reporting_organisation_id": seed.cas.pk},
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    assert ProgressReport.objects.get(pk=r.json()["id"]).owner_party == seed.cn


def test_api_refuses_a_reporter_reporting_for_another_institution_of_their_side(seed):
    item = PlanItem.objects.filter(
        plan=seed.plan_1960, project__participations__organisation=seed.msu
    ).first() or item_with(seed, seed.ussr_academy)
    msu = api("msu-reporter")
    with nothing_written(ProgressReport):
        r = msu.post(
            f"/api/v1/plan-items/{item.pk}/progress",
            {**PROGRESS, "reporting_organisation_id": seed.ussr_academy.pk},
            content_type="application/json",
        )
    assert r.status_code == 403 and "Academy of Sciences of the USSR" in r.json()["message"]


def test_page_offers_and_accepts_only_the_sides_own_institutions(seed):
    item = item_with(seed, seed.ussr_academy)
    url = f"/workflow/items/{item.pk}/progress/"
    client = page("cn-coordinator")
    offered = client.get(url)
    assert offered.status_code == 200
    assert f'value="{seed.ussr_academy.pk}"' not in text(offered)
    # a forged choice meets the service's refusal, as on the API
    form = {**PROGRESS, "version": item.version, "narrative_language": "en", "narrative": "", "evidence": ""}
    with nothing_written(ProgressReport):
        response = client.post(url, {**form, "reporting_organisation": seed.ussr_academy.pk})
    assert response.status_code == 403
    assert "Academy of Sciences of the USSR" in text(response) and "own" in text(response)
    cn_org = item.project.participations.get(side=seed.cn).organisation
    assert client.post(url, {**form, "reporting_organisation": cn_org.pk}).status_code == 302
    assert ProgressReport.objects.get(plan_item=item, reporting_organisation=cn_org).owner_party == seed.cn


# --- a record's owner is a party of its agreement and, for a coordinator, their own party ------------------------


def project_body(seed: Any, number: str, **extra: Any) -> dict[str, Any]:
    return {"agreement_id": seed.protocol.pk, "number": number, "title": {"en": f"Project {number}"}, **extra}


def test_api_refuses_a_project_owned_by_the_other_side(seed):
    cn = api("cn-coordinator")
    with nothing_written(Project):
        r = cn.post(
            "/api/v1/projects", project_body(seed, "901", owner_party_id=seed.su.pk), content_type="application/json"
        )
    assert r.status_code == 403 and "SU" in r.json()["message"] and "project 901" in r.json()["message"]
    r = cn.post(
        "/api/v1/projects", project_body(seed, "902", owner_party_id=seed.cn.pk), content_type="application/json"
    )
    assert r.status_code == 201 and Project.objects.get(pk=r.json()["id"]).owner_party == seed.cn


def test_a_project_owned_by_a_party_outside_the_agreement_is_refused_to_everyone(seed):
    third = create_party(code="GB", name={"en": "United Kingdom"}, languages=["en"])
    for client in (api("cn-coordinator"), api("admin")):
        with nothing_written(Project):
            r = client.post(
                "/api/v1/projects", project_body(seed, "903", owner_party_id=third.pk), content_type="application/json"
            )
        assert r.status_code == 422 and r.json()["field"] == "owner_party"
        assert "GB is not a party of" in r.json()["message"]
    with nothing_written(Project), pytest.raises(ValidationFailed):
        services.create_project(agreement=seed.protocol, number="904", title={"en": "x"}, owner_party=third)


def test_import_refuses_a_project_owned_by_a_party_outside_the_agreement(seed):
    create_party(code="GB", name={"en": "United Kingdom"}, languages=["en"])
    ref = seed.protocol.reference or seed.protocol.title["en"]
    data = f'agreement,number,title[en],owner_party\r\n"{ref}",905,T,GB\r\n'.encode()
    with nothing_written(Project), pytest.raises(ImportRefused) as refused:
        import_file("projects", data, "p.csv")
    problem = refused.value.problems[0]
    assert (problem.row, problem.column) == (2, "owner_party") and "GB is not a party of" in problem.reason


def test_a_coordinator_adds_participations_for_their_own_side_only(seed):
    project = Project.objects.filter(agreement=seed.protocol).order_by("id").first()
    cn = user("cn-coordinator")
    with acting_as(actor_for_user(cn)), nothing_written(), pytest.raises(Forbidden):
        services.add_participation(project, seed.msu)
    with acting_as(actor_for_user(cn)):
        assert services.add_participation(project, seed.embassy).owner_party == seed.cn


# --- the next plan takes the previous one's kind and visibility ---------------------------------------------------


def test_the_next_plan_is_of_the_previous_kind_and_visibility_on_api_page_and_cli(seed):
    previous = seed.plan_1960
    assert previous.visibility == "public"
    etag = api("cn-coordinator").get(f"/api/v1/plans/{previous.pk}")["ETag"]
    r = api("cn-coordinator").post(
        f"/api/v1/plans/{previous.pk}/next",
        {"period_start": "1961-01-01", "period_end": "1961-12-31", "title": {"en": "1961 plan"}},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert r.status_code == 201, r.json()
    assert (r.json()["visibility"], r.json()["kind"]) == (previous.visibility, previous.kind)
    Plan.objects.filter(pk=r.json()["id"]).update(previous=None)  # let the page and the CLI draft one too

    titles = {f"title_{lang}": "1961" for lang in previous.agreement.authentic_languages or ["en"]}
    response = page("su-coordinator").post(
        f"/workflow/plans/{previous.pk}/next/",
        {"version": previous.version, "period_start": "1962-01-01", "period_end": "1962-12-31", **titles},
    )
    assert response.status_code == 302, text(response)
    drafted = previous.next.get()
    assert (drafted.visibility, drafted.kind) == (previous.visibility, previous.kind)
    Plan.objects.filter(pk=drafted.pk).update(previous=None)

    out = io.StringIO()
    call_command(
        "plan", "next", str(previous.pk), "--from", "1963-01-01", "--to", "1963-12-31", "--title", "en=1963", stdout=out
    )
    drafted = previous.next.get()
    assert (drafted.visibility, drafted.kind) == (previous.visibility, previous.kind)


def test_the_next_plan_is_refused_to_an_observer_and_from_a_draft(seed, draft_plan):
    observer, cn = api("cn-observer"), api("cn-coordinator")
    with nothing_written(Plan):
        r = observer.post(
            f"/api/v1/plans/{seed.plan_1960.pk}/next",
            {"period_start": "1961-01-01", "period_end": "1961-12-31"},
            content_type="application/json",
        )
    assert r.status_code == 403 and seed.plan_1960.title["en"] in r.json()["message"]
    with nothing_written(Plan):
        r = cn.post(
            f"/api/v1/plans/{draft_plan.pk}/next",
            {"period_start": "1962-01-01", "period_end": "1962-12-31"},
            content_type="application/json",
        )
    assert r.status_code == 409 and "draft" in r.json()["message"] and "1961" in r.json()["message"]


@pytest.fixture
def draft_plan(seed: Any) -> Plan:
    plan = services.create_plan(
        agreement=seed.protocol,
        title={"en": "1961 cooperation plan"},
        period_start=dt.date(1961, 1, 1),
        period_end=dt.date(1961, 12, 31),
    )
    return plan


# --- an exchange's receipt is confirmed only by the receiving side -------------------------------------------------


@pytest.fixture
def shipment(seed: Any) -> Exchange:
    """Samples sent by the Soviet side, awaiting the Chinese side's receipt."""
    return services.record_exchange(
        agreement=seed.protocol,
        kind="sample_shipment",
        from_party=seed.su,
        to_party=seed.cn,
        description={"en": "Seed samples"},
        sent_on=dt.date(1960, 3, 1),
        quantity=5,
        unit="samples",
    )


def test_api_receipt_by_the_sending_side_is_refused(shipment):
    url = f"/api/v1/exchanges/{shipment.pk}/confirm-receipt"
    body = {"received_on": "1960-04-01", "reference": "MTA-1960-7"}
    su = api("su-coordinator")
    etag = su.get(f"/api/v1/exchanges/{shipment.pk}")["ETag"]
    with nothing_written():
        r = su.post(url, body, content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 403 and "confirm receipt of" in r.json()["message"]
    assert str(shipment) in r.json()["message"]
    r = api("cn-coordinator").post(url, body, content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 200 and r.json()["received_on"] == "1960-04-01"


def test_api_receipt_by_the_receiving_institutions_reporter_and_not_the_senders(seed):
    """The receiving institution's reporter confirms (core.permissions "confirm_receipt"); a reporter of the sending
    party's institution is refused, on the API as on the page."""
    sent = services.record_exchange(
        agreement=seed.protocol,
        kind="data_transfer",
        from_party=seed.su,
        to_party=seed.cn,
        sending_organisation=seed.msu,
        receiving_organisation=seed.cas,
        sent_on=dt.date(1960, 3, 1),
        unit="data_sets",
    )
    url = f"/api/v1/exchanges/{sent.pk}/confirm-receipt"
    body = {"received_on": "1960-04-01", "reference": "DATA-60/1"}
    sender = api("msu-reporter")
    etag = sender.get(f"/api/v1/exchanges/{sent.pk}")["ETag"]
    with nothing_written():
        r = sender.post(url, body, content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 403
    r = api("cas-reporter").post(url, body, content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 200 and r.json()["received_on"] == "1960-04-01"


def test_page_receipt_by_the_sending_side_is_refused(shipment):
    url = f"/workflow/exchanges/{shipment.pk}/confirm-receipt/"
    form = {"version": shipment.version, "received_on": "1960-04-01", "reference": "MTA"}
    su = page("su-coordinator")
    with nothing_written():
        response = su.post(url, form)
    assert response.status_code == 403 and "confirm receipt of" in text(response)
    assert page("cn-coordinator").post(url, form).status_code == 302


def test_api_records_an_exchange_for_the_sending_side_only(seed):
    body = {
        "agreement_id": seed.protocol.pk,
        "kind": "data_transfer",
        "from_party_id": seed.su.pk,
        "to_party_id": seed.cn.pk,
        "unit": "data_sets",
    }
    cn = api("cn-coordinator")
    with nothing_written(Exchange):
        r = cn.post("/api/v1/exchanges", body, content_type="application/json")
    assert r.status_code == 403 and "SU" in r.json()["message"]
    r = api("su-coordinator").post("/api/v1/exchanges", body, content_type="application/json")
    assert r.status_code == 201 and r.json()["received_on"] is None


def exchanges_csv(seed: Any, *rows: str, columns: str = "") -> bytes:
    ref = seed.protocol.reference or seed.protocol.title["en"]
    head = "agreement,kind,from_party,to_party,start_on,sent_on" + columns
    return "\r\n".join([head, *(f'"{ref}",{row}' for row in rows)]).encode() + b"\r\n"


def test_import_refuses_receipt_on_a_new_exchange_naming_row_and_column(seed):
    data = exchanges_csv(
        seed,
        "sample_shipment,SU,CN,1960-05-01,1960-05-01,",
        "sample_shipment,SU,CN,1960-05-02,1960-05-02,1960-06-01",
        columns=",received_on",
    )
    with nothing_written(Exchange), pytest.raises(ImportRefused) as refused:
        import_file("exchanges", data, "e.csv")
    [problem] = refused.value.problems
    assert (problem.row, problem.column) == (3, "received_on") and "receiving side" in problem.reason
    # the same file without the receipt imports
    report = import_file("exchanges", exchanges_csv(seed, "sample_shipment,SU,CN,1960-05-02,1960-05-02"), "e.csv")
    assert report.created["exchange"] == 1


def test_import_refuses_confirming_a_stored_exchange(seed, shipment):
    data = (
        "uid,agreement,kind,from_party,to_party,received_reference\r\n"
        f'{shipment.uid},"{seed.protocol.reference or seed.protocol.title["en"]}",sample_shipment,SU,CN,MTA-FORGED\r\n'
    ).encode()
    with nothing_written(Exchange), pytest.raises(ImportRefused) as refused:
        import_file("exchanges", data, "e.csv")
    problems = {(p.row, p.column): p.reason for p in refused.value.problems}
    assert "only the receiving side confirms receipt" in problems[(2, "received_reference")]
    shipment.refresh_from_db()
    assert shipment.received_reference == ""


def test_cli_import_and_confirm_receipt_refusals_name_the_reason(seed, shipment, tmp_path: Path):
    path = tmp_path / "e.csv"
    path.write_bytes(
        exchanges_csv(seed, "sample_shipment,SU,CN,1960-05-02,1960-05-02,1960-06-01", columns=",received_on")
    )
    stderr = io.StringIO()
    with nothing_written(Exchange), pytest.raises(CommandError) as refused:
        call_command("import", "exchanges", str(path), stdout=io.StringIO(), stderr=stderr)
    assert "nothing was imported" in str(refused.value)
    assert "row 2, received_on: only the receiving side confirms receipt" in stderr.getvalue()
    call_command("exchange", "confirm-receipt", str(shipment.pk), "--on", "1960-04-01", stdout=io.StringIO())
    with nothing_written(), pytest.raises(CommandError) as refused:
        call_command("exchange", "confirm-receipt", str(shipment.pk), "--on", "1960-04-02", stdout=io.StringIO())
    assert "already confirmed on 1960-04-01" in str(refused.value)


def test_record_exchange_refuses_a_receipt_and_parties_outside_the_agreement(seed):
    third = create_party(code="GB", name={"en": "United Kingdom"}, languages=["en"])
    base = {"agreement": seed.protocol, "kind": "data_transfer", "from_party": seed.su, "unit": "data_sets"}
    with nothing_written(Exchange), pytest.raises(ValidationFailed) as refused:
        services.record_exchange(**base, to_party=seed.cn, received_on=dt.date(1960, 1, 1))
    assert "received_on" in refused.value.errors
    with nothing_written(Exchange), pytest.raises(ValidationFailed) as refused:
        services.record_exchange(**base, to_party=third)
    assert "to_party" in refused.value.errors


# --- the frozen-plan and back-to-draft rules: the programme's own, on every channel ----------------------------------


def test_import_sends_a_proposed_plan_back_to_draft_through_the_plan_rule(seed, draft_plan):
    project = Project.objects.filter(agreement=seed.protocol).order_by("id").first()
    services.add_plan_item(draft_plan, project)
    draft_plan.refresh_from_db()
    services.transition_plan(draft_plan, "proposed", expected_version=draft_plan.version)
    other = Project.objects.filter(agreement=seed.protocol).order_by("id")[1]
    ref = seed.protocol.reference or seed.protocol.title["en"]
    data = f'agreement,plan,project\r\n"{ref}",1961,{other.number}\r\n'.encode()
    report = import_file("plan-items", data, "i.csv")
    draft_plan.refresh_from_db()
    assert draft_plan.status == "draft" and any("went back to draft" in note for note in report.notes)


def test_frozen_plan_refusals_alike_on_api_and_page(seed):
    item = seed.plan_1960.items.order_by("position").first()
    cn = api("cn-coordinator")
    etag = cn.get(f"/api/v1/plan-items/{item.pk}")["ETag"]
    with nothing_written():
        r = cn.patch(
            f"/api/v1/plan-items/{item.pk}",
            {"objectives": {"en": "x"}},
            content_type="application/json",
            HTTP_IF_MATCH=etag,
        )
    assert r.status_code == 409 and seed.plan_1960.title["en"] in r.json()["message"]
    cn_page = page("cn-coordinator")
    with nothing_written():
        response = cn_page.post(
            f"/plan-items/{item.pk}/edit/", {"version": item.version, "objectives__en": "x", "position": item.position}
        )
    assert response.status_code == 409 and "amend it with a new revision" in text(response)
    with acting_as(actor_for_user(user("admin"))), nothing_written(), pytest.raises(TransitionRefused):
        services.update_plan_item(item, expected_version=item.version, objectives={"en": "x"})


def test_cli_records_progress_only_for_an_organisation_taking_part(seed):
    """The CLI acts as the system (full rights), yet only an organisation taking part in the project reports."""
    item = item_with(seed, seed.cas)
    outsider = next(
        org
        for org in (seed.embassy, seed.cn_commission, seed.su_committee)
        if not item.project.participations.filter(organisation=org).exists()
        and not item.responsibilities.filter(organisation=org).exists()
    )
    args = ["progress", "record", str(item.pk), "--from", "1960-01-01", "--to", "1960-06-30"]
    args += ["--status", "on_track", "--percent", "40"]
    with nothing_written(ProgressReport), pytest.raises(CommandError) as refused:
        call_command(*args, "--organisation", str(outsider.pk), stdout=io.StringIO())
    assert "takes no part in the project of" in str(refused.value) and str(item) in str(refused.value)
    out = io.StringIO()
    call_command(*args, "--organisation", str(seed.cas.pk), stdout=out)
    assert "recorded" in out.getvalue()
