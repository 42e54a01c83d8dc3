"""The domain's refusals read in the reader's language (issue 14, "forms that work in every language"): a step or
an edit the services refuse, posted in the pages as the role that would try it in Chinese and in Russian, shows the
service's message translated (not the English sentence) and writes nothing; the API answers a refusal in the
language asked for, with the same code and field as in English."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from accord.core.models import ChangeRecord
from accord.programmes import services as programmes
from accord.programmes.models import Exchange, PlanItem

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@dataclass
class Refusal:
    user: str  # the role that tries it
    url: str
    data: dict[str, Any]
    english: str  # a piece of the English sentence, which must not show
    zh: str  # the same piece in Chinese
    ru: str  # and in Russian


def step_url(slug: str, record: Any, name: str) -> str:
    return f"/workflow/{slug}/{record.pk}/{name}/"


def _next_plan(seed: Any) -> Any:
    return programmes.draft_next_plan(seed.plan_1960, title={"zh": "1961年计划", "ru": "План на 1961 год"})


def frozen_plan(seed: Any) -> Refusal:
    plan = seed.plan_1960  # signed: its content no longer changes
    return Refusal(
        "cn_coordinator",
        f"/plans/{plan.pk}/edit/",
        {"version": plan.version, "title_zh": "改过的标题"},
        "can no longer change; amend it with a new revision instead",
        "不能再更改；请以新的修订本进行修正",
        "больше не может меняться; внесите изменения новой редакцией",
    )


def frozen_items(seed: Any) -> Refusal:
    item = seed.plan_1960.items.first()
    return Refusal(
        "cn_coordinator",
        step_url("items", item, "responsibility"),
        {"organisation": seed.cas.pk},
        "its items can no longer change",
        "其项目条目不能再更改",
        "его пункты больше не может меняться",
    )


def undecided_carry_over(seed: Any) -> Refusal:
    plan = _next_plan(seed)
    return Refusal(
        "cn_coordinator",
        step_url("plans", plan, "propose"),
        {"version": plan.version},
        "decide on the carried-over items first",
        "请先决定结转的条目：仍有42项待定",
        "сначала примите решение по переносимым пунктам: ещё 42 предложено",
    )


def stale_plan(seed: Any) -> Refusal:
    plan = _next_plan(seed)
    items = list(plan.items.order_by("position")[:2])
    opened = plan.version
    programmes.update_plan(plan, expected_version=opened, title={"zh": "1961年计划（修订）"})  # another coordinator
    return Refusal(
        "cn_coordinator",
        step_url("plans", plan, "carry-over-selected"),
        {"version": opened, "items": [items[1].pk]},
        "Reload and apply your change again",
        "请重新加载后再次进行修改",
        "Перезагрузите страницу и внесите изменение снова",
    )


def receipt_twice(seed: Any) -> Refusal:
    exchange = Exchange.objects.filter(kind="sample_shipment").exclude(received_on=None).first()
    return Refusal(
        "cn_coordinator" if exchange.to_party_id == seed.cn.pk else "su_coordinator",  # the receiving side
        step_url("exchanges", exchange, "confirm-receipt"),
        {"received_on": "1960-06-01", "reference": "SU-60/9", "version": exchange.version},
        "receipt was already confirmed on",
        "已于",
        "получение уже подтверждено",
    )


def review_before_period(seed: Any) -> Refusal:
    plan = seed.plan_1960
    return Refusal(
        "cn_coordinator",
        step_url("plans", plan, "review"),
        {"as_of": "1959-06-30", "version": plan.version},
        "the review date must not be before the plan's period starts",
        "评估日期不得早于计划期开始",
        "дата обзора не может быть раньше начала периода плана",
    )


def minutes_started_twice(seed: Any) -> Refusal:
    from accord.meetings.services import minutes

    minutes.start_minutes(seed.meeting, {"zh": "会议纪要", "ru": "Протокол"})
    return Refusal(
        "cn_coordinator",
        step_url("meetings", seed.meeting, "start-minutes"),
        {"body__zh": "另一份纪要", "party": seed.cn.pk},
        "were already started",
        "的纪要已经开始",
        "уже начат",
    )


def text_not_authentic(seed: Any) -> Refusal:
    from accord.agreements.services import create_agreement

    agreement = create_agreement(
        parties=[seed.cn, seed.su],
        title={"zh": "农业协定", "ru": "Соглашение о сельском хозяйстве"},
        signed_on=dt.date(1961, 3, 2),
        authentic_languages=["zh", "ru"],
    )
    return Refusal(
        "cn_coordinator",
        step_url("agreements", agreement, "add-text"),
        {"language": "en", "body": "Article 1", "is_authentic": "on"},
        "is not an authentic language of this agreement",
        "不是本协定的作准文字",
        "не является аутентичным языком этого соглашения",
    )


def exchange_for_the_other_side(seed: Any) -> Refusal:
    item = PlanItem.objects.filter(plan=seed.plan_1960).first()
    return Refusal(
        "su_coordinator",  # records a shipment sent by the Chinese side
        step_url("items", item, "exchange"),
        {
            "kind": "sample_shipment",
            "from_party": seed.cn.pk,
            "to_party": seed.su.pk,
            "sending_organisation": seed.cas.pk,
            "receiving_organisation": seed.msu.pk,
            "start_on": "1960-04-01",
            "quantity": "12",
            "unit": "samples",
            "description_ru": "семена риса",
        },
        "each side records its own side",
        "各方只登记本方的记录",
        "каждая сторона ведёт записи только своей стороны",
    )


REFUSALS: dict[str, Callable[[Any], Refusal]] = {
    "signed plan edited": frozen_plan,
    "signed plan's items": frozen_items,
    "proposed with undecided carry-over": undecided_carry_over,
    "a step on a version changed meanwhile": stale_plan,
    "receipt confirmed twice": receipt_twice,
    "review dated before the period": review_before_period,
    "minutes started twice": minutes_started_twice,
    "text in a language that is not authentic": text_not_authentic,
    "exchange filed for the other side": exchange_for_the_other_side,
}


def _shown(html: str) -> str:
    """The page's text without its markup (a message may be split by tags or escaped quotes)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'").replace("&quot;", '"')


@pytest.mark.parametrize("language", ["zh-hans", "ru"])
@pytest.mark.parametrize("case", REFUSALS)
def test_a_refusal_in_the_pages_reads_in_the_readers_language(client: Client, users, seed, case, language):
    refusal = REFUSALS[case](seed)
    client.force_login(getattr(users, refusal.user))
    client.cookies["django_language"] = language
    before = ChangeRecord.objects.count()
    response = client.post(refusal.url, refusal.data)
    text = _shown(response.content.decode())
    assert response.status_code in (400, 403, 409, 422), (response.status_code, text[:2000])
    expected = refusal.zh if language == "zh-hans" else refusal.ru
    assert expected in text, text[:4000]
    assert refusal.english not in text
    assert (CJK if language == "zh-hans" else CYRILLIC).search(expected)
    assert ChangeRecord.objects.count() == before  # nothing written


def test_the_english_sentence_is_unchanged(client: Client, users, seed):
    refusal = frozen_plan(seed)
    client.force_login(users.cn_coordinator)
    client.cookies["django_language"] = "en"
    text = _shown(client.post(refusal.url, refusal.data).content.decode())
    assert "” is signed: the plan's content can no longer change; amend it with a new revision instead" in text, text


# --- the API: the same refusal, in the language the integrator asks for, with a code and field of no language -------


@pytest.mark.parametrize("language, script", [("zh-hans", CJK), ("ru", CYRILLIC)])
def test_an_api_refusal_reads_in_the_accept_language_with_the_same_code_and_field(seed, language, script):
    from django.contrib.auth import get_user_model

    from accord.accounts import services as accounts

    plan = _next_plan(seed)  # 42 carried-over items still undecided: it cannot be proposed
    token = accounts.issue_token(get_user_model().objects.get(username="cn-coordinator"), "test", scope="read-write")[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/plans/{plan.pk}"
    etag = api.get(url)["ETag"]
    before = ChangeRecord.objects.count()
    english = api.post(f"{url}/propose", HTTP_IF_MATCH=etag, HTTP_ACCEPT_LANGUAGE="en")
    asked = api.post(f"{url}/propose", HTTP_IF_MATCH=etag, HTTP_ACCEPT_LANGUAGE=language)
    assert english.status_code == asked.status_code == 409
    en, shown = english.json(), asked.json()
    assert en["message"] == "decide on the carried-over items first: 42 still proposed"
    assert (shown["code"], shown["field"]) == (en["code"], en["field"]) == ("carry_over_undecided", "status")
    assert script.search(shown["message"]) and "carried-over" not in shown["message"] and "42" in shown["message"]
    assert ChangeRecord.objects.count() == before
