"""The plan's cycle in the pages: many carried-over items decided at once, dense numbers, signed plans offering
no edits but an amendment, and step forms whose dates, numbers and choices work in Chinese and Russian as in English
(each form is submitted as a browser would: a date input holding a value it cannot read sends nothing)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from accord.core.models import ChangeRecord
from accord.core.pages.lookup import LOOKUP_MAX
from accord.meetings.models import Minutes
from accord.programmes import services
from accord.programmes.choices import CarryOver
from accord.programmes.models import Exchange, Plan, PlanItem, ProgressReport

pytestmark = pytest.mark.django_db

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FormReader(HTMLParser):
    """What a browser sends for the step's form (form.step-form): each field's shown value."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self.dates: dict[str, str] = {}
        self._select: str | None = None
        self._first: str | None = None
        self._chosen = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "step-form" in a.get("class", ""):
            self.inside = True
        if not self.inside:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            value = a.get("value", "")
            if kind == "date":
                self.dates[name] = value
                value = value if ISO.match(value) else ""  # the browser drops a value it cannot read
            self.data.setdefault(name, []).append(value)
        elif tag == "select":
            self._select, self._first, self._chosen = name, None, False
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a.get("value", "")
            if "selected" in a:
                self.data.setdefault(self._select, []).append(a.get("value", ""))
                self._chosen = True
        elif tag == "textarea":
            self._textarea = name
            self.data.setdefault(name, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        if tag == "select" and self._select:
            if not self._chosen and self._first is not None:
                self.data.setdefault(self._select, []).append(self._first)
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][-1] += data


def read_form(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader


def in_language(client: Client, language: str) -> Client:
    client.cookies["django_language"] = language
    return client


def _next_plan(seed: Any) -> tuple[str, str, dict[str, str]]:
    return (
        "cn-coordinator",
        f"/workflow/plans/{seed.plan_1960.pk}/next/",
        {"title_zh": "1961年计划", "title_ru": "План"},
    )


def _progress(seed: Any) -> tuple[str, str, dict[str, str]]:
    item = PlanItem.objects.filter(plan=seed.plan_1960, project__participations__organisation=seed.cas).first()
    return "cas-reporter", f"/workflow/items/{item.pk}/progress/", {"percent": "40", "status": "on_track"}


def _review(seed: Any) -> tuple[str, str, dict[str, str]]:
    return "cn-coordinator", f"/workflow/plans/{seed.plan_1960.pk}/review/", {}


def _receipt(seed: Any) -> tuple[str, str, dict[str, str]]:
    exchange = Exchange.objects.filter(received_on=None, sent_on__isnull=False, kind="sample_shipment").first()
    return "su-coordinator", f"/workflow/exchanges/{exchange.pk}/confirm-receipt/", {"reference": "SU-60/1"}


def _minutes(seed: Any) -> tuple[str, str, dict[str, str]]:
    from accord.meetings.services import minutes as minutes_services

    minutes_services.start_minutes(seed.meeting, {"zh": "会议纪要", "ru": "Протокол", "en": "Minutes"})
    minutes = Minutes.objects.get(meeting=seed.meeting)
    return "cn-coordinator", f"/workflow/minutes/{minutes.pk}/approve/", {}


FORMS = {"next plan": _next_plan, "progress": _progress, "review": _review, "receipt": _receipt, "minutes": _minutes}


@pytest.mark.parametrize("language", ["zh-hans", "ru", "en"])
@pytest.mark.parametrize("form", FORMS)
def test_date_fields_show_their_value_and_the_form_submits_in_every_language(client, users, seed, form, language):
    username, url, typed = FORMS[form](seed)
    client.force_login(getattr(users, username.replace("-", "_")))
    in_language(client, language)
    response = client.get(url)
    assert response.status_code == 200
    shown = read_form(response.content.decode())
    assert shown.dates, f"the {form} form has a date field"
    for name, value in shown.dates.items():
        assert ISO.match(value), f"{name} holds {value!r}: an <input type=date> shows only an ISO date"
    before = ChangeRecord.objects.count()
    response = client.post(url, {**shown.data, **typed})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ChangeRecord.objects.count() > before


def test_a_date_typed_in_the_languages_own_format_is_read_too(client, users, seed):
    item = PlanItem.objects.filter(plan=seed.plan_1960, project__participations__organisation=seed.cas).first()
    client.force_login(users.cas_reporter)
    in_language(client, "ru")
    url = f"/workflow/items/{item.pk}/progress/"
    data = {
        "version": item.version,
        "reporting_organisation": seed.cas.pk,
        "period_start": "01.07.1960",  # a script or an older browser typing the Russian way
        "period_end": "1960-09-30",
        "status": "delayed",
        "percent": "35",
        "narrative_language": "ru",
    }
    assert client.post(url, data).status_code == 302
    report = ProgressReport.objects.get(plan_item=item, percent=35)
    assert (report.period_start.isoformat(), report.period_end.isoformat()) == ("1960-07-01", "1960-09-30")


def test_numbers_are_not_localized_in_number_inputs(client, users, seed):
    item = PlanItem.objects.filter(plan=seed.plan_1960, project__participations__organisation=seed.cas).first()
    client.force_login(users.cas_reporter)
    in_language(client, "ru")
    response = client.post(f"/workflow/items/{item.pk}/progress/", {"percent": "1000", "version": item.version})
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'<input type="number" name="percent" value="1000"', html)  # not "1 000"


# --- carry-over of many items at once ------------------------------------------------------------------------


@pytest.fixture
def next_plan(seed):
    return services.draft_next_plan(seed.plan_1960, title={"zh": "1961年计划", "ru": "План на 1961 год"})


def test_the_plan_page_offers_carry_over_of_all_and_of_the_selected(client, users, next_plan):
    client.force_login(users.cn_coordinator)
    html = client.get(f"/plans/{next_plan.pk}/").content.decode()
    assert 'id="carry-over"' in html and "42 items carried over from the previous plan are still proposed" in html
    boxes = re.findall(r'<input type="checkbox" name="items" value="(\d+)" form="carry-over"', html)
    assert len(boxes) == 42
    for name in ("carry-over-selected", "leave-out-selected", "carry-over-all"):
        assert f"/workflow/plans/{next_plan.pk}/{name}/" in html
    # An observer reads the plan, and is offered no decision.
    client.force_login(users.cn_observer)
    html = client.get(f"/plans/{next_plan.pk}/").content.decode()
    assert 'id="carry-over"' not in html and 'name="items"' not in html


def test_leave_out_two_then_carry_over_all_numbers_stay_dense(client, users, next_plan):
    client.force_login(users.cn_coordinator)
    items = list(next_plan.items.order_by("position"))
    url = f"/workflow/plans/{next_plan.pk}"
    response = client.post(
        f"{url}/leave-out-selected/", {"version": next_plan.version, "items": [items[0].pk, items[1].pk]}, follow=True
    )
    assert response.redirect_chain == [(f"/plans/{next_plan.pk}/", 302)]
    assert response.content.decode().count("Done: Leave out the selected.") == 1  # shown once
    assert list(next_plan.items.order_by("position").values_list("position", flat=True)) == list(range(1, 41))
    next_plan.refresh_from_db()
    assert client.post(f"{url}/carry-over-all/", {"version": next_plan.version}).status_code == 302
    assert set(next_plan.items.values_list("carry_over", flat=True)) == {CarryOver.ACCEPTED}
    html = client.get(f"/plans/{next_plan.pk}/").content.decode()
    assert 'id="carry-over"' not in html
    assert re.findall(r'<td class="num">(\d+)</td>', html) == [str(n) for n in range(1, 41)]


def test_carry_over_the_selected_refusals_change_nothing(client, users, next_plan):
    items = list(next_plan.items.order_by("position")[:3])
    url = f"/workflow/plans/{next_plan.pk}/carry-over-selected/"
    client.force_login(users.cn_coordinator)
    before = ChangeRecord.objects.count()
    response = client.post(url, {"version": next_plan.version})  # nothing ticked
    assert response.status_code == 400 and "Choose at least one item." in response.content.decode()
    response = client.post(url, {"version": next_plan.version + 1, "items": [i.pk for i in items]})  # stale
    assert response.status_code == 409
    client.force_login(users.cas_reporter)  # not a coordinator
    assert client.post(url, {"version": next_plan.version, "items": [items[0].pk]}).status_code == 403
    assert ChangeRecord.objects.count() == before
    client.force_login(users.cn_coordinator)
    response = client.get(url)
    assert response.status_code == 200 and response.content.decode().count('type="checkbox"') == 42
    assert client.post(url, {"version": next_plan.version, "items": [i.pk for i in items]}).status_code == 302
    assert next_plan.items.filter(carry_over=CarryOver.ACCEPTED).count() == 3


# --- a signed plan: no edits offered, an amendment instead --------------------------------------------------------


def test_a_signed_plan_offers_no_edit_nor_new_item_and_refuses_them_if_asked(client, users, seed):
    signed = seed.plan_1960
    item = signed.items.order_by("position").first()
    client.force_login(users.cn_coordinator)
    html = client.get(f"/plans/{signed.pk}/").content.decode()
    assert 'data-testid="edit"' not in html and "Add an item" not in html and "edit-item-" not in html
    assert "/plan-items/new/" not in client.get(f"/plan-items/?plan={signed.pk}").content.decode()
    before = ChangeRecord.objects.count()
    for url in (f"/plans/{signed.pk}/edit/", f"/plan-items/{item.pk}/edit/", f"/plan-items/new/?plan={signed.pk}"):
        response = client.get(url)
        assert response.status_code == 409 and "amend it with a new revision" in response.content.decode(), url
    response = client.post(f"/plan-items/{item.pk}/edit/", {"version": item.version, "position": "7"})
    assert response.status_code == 409
    assert ChangeRecord.objects.count() == before
    # A draft plan still offers them.
    draft = services.draft_next_plan(signed, title={"zh": "1961", "ru": "1961"})
    html = client.get(f"/plans/{draft.pk}/").content.decode()
    assert 'data-testid="edit"' in html and "Add an item" in html


def test_amend_this_plan_from_its_page_shows_on_both_pages(client, users, seed):
    signed = seed.plan_1960
    client.force_login(users.su_coordinator)
    html = client.get(f"/plans/{signed.pk}/").content.decode()
    assert f'href="/workflow/plans/{signed.pk}/amend/">Amend this plan<' in html
    assert f"/workflow/plans/{signed.pk}/amend/" in client.get("/workflow/").content.decode()  # and in "Your work"
    response = client.post(f"/workflow/plans/{signed.pk}/amend/", {"version": signed.version})
    amendment = Plan.objects.get(supersedes=signed)
    assert response.status_code == 302 and response["Location"] == f"/plans/{amendment.pk}/"
    assert (amendment.status, amendment.revision, amendment.items.count()) == ("draft", 2, signed.items.count())
    html = client.get(f"/plans/{signed.pk}/").content.decode()
    assert 'data-testid="amended-by"' in html and f'href="/plans/{amendment.pk}/"' in html
    assert "/amend/" not in html  # one amendment at a time
    html = client.get(f"/plans/{amendment.pk}/").content.decode()
    assert 'data-testid="amends"' in html and f'href="/plans/{signed.pk}/"' in html
    assert "This draft amends the signed plan" in html
    client.force_login(users.cn_observer)
    assert client.post(f"/workflow/plans/{signed.pk}/amend/", {"version": signed.version}).status_code == 403


# --- the shell: your work in the navigation, messages once, projects in number order -----------------------------


def test_your_work_is_in_the_navigation_for_signed_in_users_only(client, users):
    assert 'data-testid="nav-your-work"' not in client.get("/plans/").content.decode()
    client.force_login(users.cn_coordinator)
    assert 'data-testid="nav-your-work"' in client.get("/plans/").content.decode()
    html = client.get("/workflow/").content.decode()
    assert 'aria-current="page"' in html


def test_a_done_message_shows_once_on_your_work(client, users, seed):
    client.force_login(users.cn_coordinator)
    url = f"/workflow/plans/{seed.plan_1960.pk}/review/"
    response = client.post(url, {"version": seed.plan_1960.version, "as_of": "1960-12-31"})
    assert response.status_code == 302
    html = client.get("/workflow/").content.decode()  # the page read next shows it, once
    assert html.count("Done: Review the implementation.") == 1


def test_add_an_item_lists_projects_in_number_order(client, users, seed):
    draft = services.create_plan(
        agreement=seed.protocol,
        title={"zh": "x", "ru": "x"},
        period_start=seed.plan_1960.period_end.replace(year=1962, month=1, day=1),
        period_end=seed.plan_1960.period_end.replace(year=1962),
    )
    client.force_login(users.cn_coordinator)
    html = client.get(f"/workflow/plans/{draft.pk}/add-item/").content.decode()
    numbers = re.findall(r'<option value="\d+">(\d+)\. ', html)
    # The first of the 122 in number order; the others are found by the search box beside the select.
    assert numbers == [str(n) for n in range(1, LOOKUP_MAX + 1)]
    assert "type in the box to find more" in html and 'data-testid="lookup-project"' in html


def test_the_dashboard_counts_overdue_days_from_the_installations_date(client, users, settings):
    client.force_login(users.cn_coordinator)
    settings.ACCORD_TODAY = "1960-02-26"
    html = client.get("/dashboard/").content.decode()
    assert 'data-testid="fixed-date"' in html and "ACCORD_TODAY" in html
    assert '<time datetime="1960-02-26">' in html
    days = [int(d) for d in re.findall(r'<td class="num">(\d+)</td></tr>', html)]
    assert days and max(days) < 400  # counted from 1960, not from today (24,000 days and more)
    settings.ACCORD_TODAY = ""
    html = client.get("/dashboard/").content.decode()
    assert 'data-testid="fixed-date"' not in html
