"""The Sign step in the pages asks where and when the plan is signed: the signatures, the plan, its page and its
generated text state it ("signed in Moscow on the 24th"), in each language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from accord.agreements.models import Signature
from accord.core.models import ChangeRecord
from accord.documents.renderers import render
from tests.documents.extract import squash, text_of
from tests.signing.conftest import PASS_CN, PASS_SU, agree, make_plan

pytestmark = pytest.mark.django_db

MOSCOW = {"zh": "莫斯科", "ru": "Москва", "en": "Moscow"}


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def sign_form(plan, party, signatory, passphrase, day="1961-02-24", place=MOSCOW):
    data = {"version": plan.version, "party": party.pk, "signatory": signatory.pk, "passphrase": passphrase}
    data["signed_on"] = day
    data.update({f"signed_at__{tag}": text for tag, text in place.items()})
    return data


def test_both_sides_sign_with_date_and_place_and_the_plan_and_its_text_state_them(client, seed, keys):
    plan = agree(seed, make_plan(seed))
    url = f"/workflow/plans/{plan.pk}/sign/"

    login(client, "su-coordinator")
    client.cookies["django_language"] = "ru"
    html = client.get(url).content.decode()
    assert re.search(r'<input type="date" name="signed_on" value="\d{4}-\d{2}-\d{2}"', html)  # ISO in Russian too
    for tag in ("zh", "ru", "en"):
        assert f'name="signed_at__{tag}"' in html
    response = client.post(url, sign_form(plan, seed.su, seed.aleksenko, PASS_SU))
    assert response.status_code == 302, response.content.decode()[:2000]

    # The second signatory finds the date and place the first one gave (both sign at one ceremony).
    login(client, "cn-coordinator")
    client.cookies["django_language"] = "zh-hans"
    plan.refresh_from_db()
    html = client.get(url).content.decode()
    assert 'value="1961-02-24"' in html and 'value="莫斯科"' in html and 'value="Москва"' in html
    response = client.post(url, sign_form(plan, seed.cn, seed.wu_heng, PASS_CN))
    assert response.status_code == 302

    plan.refresh_from_db()
    assert plan.status == "signed"
    assert (plan.signed_on, plan.signed_at) == (dt.date(1961, 2, 24), MOSCOW)
    stored = [(s.party.code, s.signed_on, s.signed_at) for s in plan_signatures(plan)]
    assert stored == [("SU", dt.date(1961, 2, 24), MOSCOW), ("CN", dt.date(1961, 2, 24), MOSCOW)]
    assert ChangeRecord.objects.filter(object_type="agreements.signature", actor_name="cn-coordinator").exists()

    # The plan's page says where and when, in the reader's language.
    assert signed_when_where(client.get(f"/plans/{plan.pk}/")) == "莫斯科, 1961年2月24日"
    client.cookies["django_language"] = "ru"
    assert signed_when_where(client.get(f"/plans/{plan.pk}/")) == "Москва, 24 февраля 1961 г."

    # So does the generated plan text, in each language.
    text = squash(text_of("html", render("plan_text", plan, "zh+ru", "html")))
    assert squash("莫斯科，1961年2月24日") in text
    assert squash("Москва, 24 февраля 1961 г.") in text


def signed_when_where(response) -> str:
    found = re.search(r'data-testid="signed-when-where">(.*?)</dd>', response.content.decode())
    assert found, "the plan's page states where and when it was signed"
    return re.sub(r"<[^>]+>", "", found.group(1))


def plan_signatures(plan):
    ct = ContentType.objects.get_for_model(plan)
    return Signature.objects.filter(target_type=ct, target_id=plan.pk).select_related("party").order_by("id")


def test_a_date_or_place_the_step_cannot_read_is_refused_by_field_and_nothing_is_signed(client, seed, keys):
    plan = agree(seed, make_plan(seed))
    login(client, "su-coordinator")
    before = ChangeRecord.objects.count()
    data = sign_form(plan, seed.su, seed.aleksenko, PASS_SU, day="24 Feb")
    response = client.post(f"/workflow/plans/{plan.pk}/sign/", data)
    assert response.status_code == 400
    assert 'data-field="signed_on"' in response.content.decode()
    assert 'value="Москва"' in response.content.decode()  # what was typed is kept
    assert ChangeRecord.objects.count() == before and not plan_signatures(plan).exists()
    # An observer may not sign at all, whatever the date and place.
    login(client, "cn-observer")
    response = client.post(f"/workflow/plans/{plan.pk}/sign/", sign_form(plan, seed.cn, seed.wu_heng, PASS_CN))
    assert response.status_code == 403 and not plan_signatures(plan).exists()
