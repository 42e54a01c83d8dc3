"""A composite never shows a part its reader may not see (issue 13).

The case the attacker found: China's internal project placed in a public plan. The public and the other
side (the USSR) must not read it on any channel — the plan page, the item page, the plan's item list, the
API, the CSV/XLSX/JSON exports, the generated plan text, search and OAI-PMH — and each channel that lists
the plan's parts says one is withheld. The expectations are written out here, not computed with
core.visibility.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accord.core import services as core
from accord.core.models import Visibility
from accord.core.visibility import can_read, visible
from accord.meetings.models import Review, ReviewStatement
from accord.meetings.services import reviews
from accord.programmes import services as programmes
from accord.programmes.models import Deliverable, PlanItem, PlanItemResponsibility, ProgressReport

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("permissions-composites")]

SECRET = "Zircon-7 enrichment"  # the internal project's title: it must appear nowhere but for its own side
SECRET_NUMBER = "CN-INT-77"
OPEN = "Open seismology"
READERS = ("anonymous", "su-coordinator")  # the public and the other side


def client_for(role: str) -> Client:
    browser = Client()
    if role != "anonymous":
        browser.force_login(get_user_model().objects.get(username=role))
    return browser


@pytest.fixture
def case(seed: Any) -> SimpleNamespace:
    plan = programmes.create_plan(
        agreement=seed.protocol,
        title={"en": "Public plan 1975"},
        kind="annual",
        period_start=dt.date(1975, 1, 1),
        period_end=dt.date(1975, 12, 31),
        visibility=Visibility.PUBLIC,
    )
    open_project = programmes.create_project(
        agreement=seed.protocol, number="PUB-75", title={"en": OPEN}, visibility=Visibility.PUBLIC
    )
    secret_project = programmes.create_project(
        agreement=seed.protocol,
        number=SECRET_NUMBER,
        title={"en": SECRET},
        visibility=Visibility.INTERNAL,
        owner_party=seed.cn,
    )
    open_item = programmes.add_plan_item(plan, open_project, objectives={"en": "Map the faults"})
    secret_item = programmes.add_plan_item(plan, secret_project, objectives={"en": "Enrich the samples"})
    return SimpleNamespace(
        plan=plan,
        open_project=open_project,
        secret_project=secret_project,
        open_item=open_item,
        secret_item=secret_item,
    )


def shows_secret(content: bytes) -> bool:
    return SECRET.encode() in content or SECRET_NUMBER.encode() in content


# --- the rule --------------------------------------------------------------------------------------------


def test_an_item_follows_the_stricter_of_its_plan_and_its_project(case: SimpleNamespace) -> None:
    # The item itself took the plan's visibility (public) when it was made ...
    assert case.secret_item.visibility == Visibility.PUBLIC
    # ... yet only China (the project's owner) reads it, because its project is internal to China.
    for role, reads in (("cn-coordinator", True), ("cn-observer", True), ("su-coordinator", False), ("admin", True)):
        user = get_user_model().objects.get(username=role)
        assert can_read(user, case.secret_item) is reads, role
        assert can_read(user, case.open_item), role
    assert not can_read(None, case.secret_item)
    assert can_read(None, case.open_item)


def test_the_parts_of_an_item_follow_it(case: SimpleNamespace, seed: Any) -> None:
    programmes.add_responsibility(case.secret_item, seed.cas)
    programmes.add_deliverable(case.secret_item, title={"en": "Enriched samples"}, kind="samples")
    su = get_user_model().objects.get(username="su-coordinator")
    cn = get_user_model().objects.get(username="cn-coordinator")
    for model in (PlanItemResponsibility, Deliverable):
        rows = model.objects.filter(plan_item=case.secret_item)
        assert rows.count() == 1 and rows.get().visibility == Visibility.PUBLIC
        assert not visible(rows, None).exists() and not visible(rows, su).exists(), model
        assert visible(rows, cn).exists(), model


def test_switching_a_plan_to_bilateral_hides_its_items_at_once(case: SimpleNamespace) -> None:
    anonymous = Client()
    assert anonymous.get(f"/plan-items/{case.open_item.pk}/").status_code == 200
    core.update(case.plan, expected_version=case.plan.version, visibility=Visibility.BILATERAL)
    case.open_item.refresh_from_db()
    assert case.open_item.visibility == Visibility.PUBLIC  # nothing was copied down: the rule is read live
    assert anonymous.get(f"/plan-items/{case.open_item.pk}/").status_code == 404
    assert anonymous.get(f"/api/v1/plan-items/{case.open_item.pk}").status_code == 404
    # a plan the reader may not see is no filter choice: refused alike by the list page and the API (core.filters)
    refused = anonymous.get(f"/api/v1/plan-items?plan={case.plan.pk}")
    assert refused.status_code == 422 and refused.json()["field"] == "plan"
    assert client_for("su-coordinator").get(f"/plan-items/{case.open_item.pk}/").status_code == 200


def test_items_of_a_bilateral_plan_are_not_readable_signed_out(seed: Any) -> None:
    plan = programmes.create_plan(
        agreement=seed.protocol,
        title={"en": "Bilateral plan 1976"},
        kind="annual",
        period_start=dt.date(1976, 1, 1),
        period_end=dt.date(1976, 12, 31),
        visibility=Visibility.BILATERAL,
    )
    project = programmes.create_project(
        agreement=seed.protocol, number="PUB-76", title={"en": "Public tides"}, visibility=Visibility.PUBLIC
    )
    # Even an item marked public by hand stays inside its bilateral plan.
    item = programmes.add_plan_item(plan, project, visibility=Visibility.PUBLIC)
    assert Client().get(f"/plan-items/{item.pk}/").status_code == 404
    assert Client().get(f"/api/v1/plan-items/{item.pk}").status_code == 404
    assert client_for("su-coordinator").get(f"/plan-items/{item.pk}/").status_code == 200


# --- each channel --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_plan_page_withholds_the_internal_item_and_says_so(case: SimpleNamespace, role: str) -> None:
    page = client_for(role).get(f"/plans/{case.plan.pk}/")
    assert page.status_code == 200
    assert OPEN.encode() in page.content
    assert not shows_secret(page.content)
    assert b"1 item not shown" in page.content


def test_the_owner_side_sees_the_whole_plan(case: SimpleNamespace) -> None:
    page = client_for("cn-coordinator").get(f"/plans/{case.plan.pk}/")
    assert shows_secret(page.content) and b"not shown" not in page.content


@pytest.mark.parametrize("language,expected", [("zh-hans", "有 1 个项目未显示"), ("ru", "1 пункт не показан")])
def test_the_withheld_note_is_translated(case: SimpleNamespace, language: str, expected: str) -> None:
    page = Client().get(f"/plans/{case.plan.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    assert expected in page.content.decode()


@pytest.mark.parametrize("role", READERS)
def test_item_page_and_item_list(case: SimpleNamespace, role: str) -> None:
    browser = client_for(role)
    assert browser.get(f"/plan-items/{case.secret_item.pk}/").status_code == 404
    listing = browser.get(f"/plan-items/?plan={case.plan.pk}")
    assert listing.status_code == 200
    assert b"Map the faults" in listing.content and not shows_secret(listing.content)
    assert b"1 item not shown" in listing.content
    assert client_for("cn-coordinator").get(f"/plan-items/{case.secret_item.pk}/").status_code == 200


@pytest.mark.parametrize("role", READERS)
def test_api(case: SimpleNamespace, role: str) -> None:
    browser = client_for(role)
    assert browser.get(f"/api/v1/plan-items/{case.secret_item.pk}").status_code == 404
    items = browser.get(f"/api/v1/plan-items?plan={case.plan.pk}").json()["results"]
    assert [i["id"] for i in items] == [case.open_item.pk]
    assert browser.get(f"/api/v1/plans/{case.plan.pk}").json()["items_withheld"] == 1
    listed = browser.get(f"/api/v1/plans?agreement={case.plan.agreement_id}&page_size=500").json()["results"]
    assert next(p for p in listed if p["id"] == case.plan.pk)["items_withheld"] == 1
    assert browser.get(f"/api/v1/projects/{case.secret_project.pk}").status_code == 404
    own = client_for("cn-coordinator").get(f"/api/v1/plans/{case.plan.pk}").json()
    assert own["items_withheld"] == 0


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
@pytest.mark.parametrize("role", READERS)
def test_exports(case: SimpleNamespace, role: str, fmt: str) -> None:
    response = client_for(role).get(f"/api/v1/exports/plan-items?format={fmt}")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert response["Accord-Withheld"] == "1"
    if fmt == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row]
        assert "Map the faults" in cells
        assert not any(SECRET in c or "Enrich the samples" in c for c in cells)
        assert book.sheetnames[1] == "Not shown" and "1 record not shown: you may not see it." in cells
    else:
        assert b"Map the faults" in body and b"Enrich the samples" not in body
        if fmt == "json":
            assert all(row["objectives"] != {"en": "Enrich the samples"} for row in json.loads(body))
    own = client_for("cn-coordinator").get(f"/api/v1/exports/plan-items?format={fmt}")
    assert own["Accord-Withheld"] == "0"


def test_generated_plan_text_is_made_for_its_readers(case: SimpleNamespace) -> None:
    from accord.documents.services import generate_document

    generated = generate_document("plan_text", case.plan, "en", "html")
    # A draft until both parties approve and one publishes it; written for a public plan's readers, so that
    # publishing it then shows the public only what is public.
    assert generated.document.status == "draft"
    texts = " ".join(t.body for t in generated.texts)
    assert OPEN in texts and SECRET not in texts and SECRET_NUMBER not in texts
    assert "1 item of the plan is not shown" in texts
    assert generated.data is not None and not shows_secret(generated.data)
    download = Client().get(generated.rendering.file.url) if generated.rendering else None
    assert download is None or not shows_secret(download.content)
    # In the parties' languages the note is theirs.
    zh = generate_document("plan_text", case.plan, "zh", "html")
    assert "本计划有 1 个项目未列出" in zh.texts[0].body and SECRET not in zh.texts[0].body


def test_a_plan_text_for_the_owner_side_has_every_item(case: SimpleNamespace, seed: Any) -> None:
    from accord.core.visibility import Audience
    from accord.documents.plan_text import build_plan_text

    internal = build_plan_text(case.plan, ["en"], audience=Audience.of(Visibility.INTERNAL, owner=seed.cn.pk))
    assert SECRET in internal.text_of("en") and "not shown" not in internal.text_of("en")
    both = build_plan_text(
        case.plan, ["en"], audience=Audience.of(Visibility.BILATERAL, parties=[seed.cn.pk, seed.su.pk])
    )
    assert SECRET not in both.text_of("en") and "1 item of the plan is not shown" in both.text_of("en")


@pytest.mark.parametrize("role", READERS)
def test_search(case: SimpleNamespace, role: str) -> None:
    browser = client_for(role)
    link = f"/projects/{case.secret_project.pk}/".encode()
    for query in ("Zircon", SECRET_NUMBER):  # the page repeats the query: look for the record, not the words
        page = browser.get("/search/", {"q": query})
        assert page.status_code == 200 and link not in page.content and SECRET.encode() not in page.content, query
    assert link in client_for("cn-coordinator").get("/search/", {"q": "Zircon"}).content


def test_oai_pmh(case: SimpleNamespace) -> None:
    from accord.interop.standards.catalogue import OAI

    bodies, params = [], {"verb": "ListRecords", "metadataPrefix": "oai_cerif_openaire"}
    while True:
        response = Client().get("/oai", params)
        assert response.status_code == 200
        bodies.append(response.content)
        token = re.search(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>", response.content)
        if token is None:
            break
        params = {"verb": "ListRecords", "resumptionToken": token.group(1).decode()}
    harvested = b"".join(bodies)
    assert OPEN.encode() in harvested and b"Public plan 1975" in harvested
    assert not shows_secret(harvested)
    record = Client().get(
        "/oai",
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"oai:testserver:{case.secret_project.uid}"},
    )
    assert b"idDoesNotExist" in record.content and not shows_secret(record.content), OAI


# --- reviews ---------------------------------------------------------------------------------------------


def test_a_draft_review_and_its_statements_stay_with_the_parties(seed: Any) -> None:
    review = reviews.create_review(seed.plan_1959, dt.date(1960, 1, 15), visibility=Visibility.PUBLIC)
    statement = reviews.add_statement(review, seed.cn, {"en": "We met our targets."})
    assert review.status == Review.Status.DRAFT and statement.visibility == Visibility.PUBLIC
    su = get_user_model().objects.get(username="su-coordinator")
    for model, record in ((Review, review), (ReviewStatement, statement)):
        rows = model.objects.filter(pk=record.pk)
        assert not visible(rows, None).exists(), model  # not the public's before publication
        assert visible(rows, su).exists(), model  # the other party reads it
    assert Client().get(f"/reviews/{review.pk}/").status_code == 404
    assert client_for("su-coordinator").get(f"/reviews/{review.pk}/").status_code == 200

    review = reviews.publish_review(review, expected_version=review.version)
    assert visible(Review.objects.filter(pk=review.pk), None).exists()
    assert visible(ReviewStatement.objects.filter(pk=statement.pk), None).exists()
    assert Client().get(f"/reviews/{review.pk}/").status_code == 200


# --- a part takes its parent's visibility and flag when made ---------------------------------------------


def test_a_new_part_inherits_its_parents_visibility_and_illustrative_flag(case: SimpleNamespace, seed: Any) -> None:
    internal_plan = programmes.create_plan(
        agreement=seed.protocol,
        title={"en": "CN working plan"},
        kind="annual",
        period_start=dt.date(1977, 1, 1),
        period_end=dt.date(1977, 12, 31),
        visibility=Visibility.INTERNAL,
        owner_party=seed.cn,
    )
    illustrative = seed.plan_1959.items.select_related("project").first().project
    assert illustrative.is_illustrative
    # The plan (the first parent) gives the visibility, and its party with it; the project the demo flag.
    item = core.create(PlanItem, plan=internal_plan, project=illustrative, position=1)
    assert (item.visibility, item.owner_party_id, item.is_illustrative) == (Visibility.INTERNAL, seed.cn.pk, True)
    explicit = core.create(PlanItem, plan=case.plan, project=illustrative, position=9, visibility="bilateral")
    assert explicit.visibility == Visibility.BILATERAL  # a given value is kept
    # The services no longer copy it by hand: a progress report takes its item's.
    programmes.add_participation(case.open_project, seed.cas)
    report = programmes.record_progress(
        case.open_item,
        reporting_organisation=seed.cas,
        period_start=dt.date(1975, 1, 1),
        period_end=dt.date(1975, 6, 30),
        status="on_track",
        percent=40,
    )
    assert report.visibility == case.open_item.visibility == Visibility.PUBLIC
    assert ProgressReport.objects.get(pk=report.pk).is_illustrative is False


def test_a_review_report_lists_only_the_parts_its_readers_may_see(seed: Any) -> None:
    from accord.core.visibility import Audience
    from accord.documents.review_report import build_review_report

    as_of = dt.date(1960, 1, 20)
    row = reviews.review_figures(seed.plan_1959, as_of)["carry_over"][0]
    project = PlanItem.objects.get(uid=row["item"]).project
    core.update(
        project, expected_version=project.version, title={"en": SECRET}, visibility="internal", owner_party=seed.cn
    )
    review = reviews.create_review(seed.plan_1959, as_of)
    for_public = build_review_report(review, "en", audience=Audience.of(Visibility.PUBLIC)).text_of("en")
    assert SECRET not in for_public and "1 item of the plan is not shown" in for_public
    for_china = build_review_report(review, "en", audience=Audience.of(Visibility.INTERNAL, owner=seed.cn.pk))
    assert SECRET in for_china.text_of("en") and "not shown" not in for_china.text_of("en")


def test_a_draft_reviews_report_is_made_for_the_parties(seed: Any) -> None:
    from accord.documents.renderers import get_kind, readers_of

    review = reviews.create_review(seed.plan_1959, dt.date(1960, 1, 21), visibility=Visibility.PUBLIC)
    readers = readers_of(get_kind("review_report"), review)
    assert not readers.public and readers.parties == {seed.cn.pk, seed.su.pk}
    review = reviews.publish_review(review, expected_version=review.version)
    assert readers_of(get_kind("review_report"), review).public
