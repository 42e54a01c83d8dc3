"""A meeting prepared on its one page, and its minutes started, amended, compared and signed off in the pages.

Every write goes through meetings.services: each side adds its own delegation and members, the other side's
coordinator and reporters or observers are refused there, bad input is named by field with nothing written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from accord.core.models import ChangeRecord
from accord.meetings import services
from accord.meetings.models import AgendaItem, Delegation, DelegationMember, Meeting, MeetingAttendee, Minutes

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def users(seed: Any) -> dict[str, Any]:
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def meeting(seed: Any) -> Meeting:
    return services.create_meeting(
        agreement=seed.protocol,
        title={"zh": "第二次会议", "ru": "Второе совещание", "en": "Second session"},
        place={"zh": "北京", "ru": "Пекин"},
        start_on=dt.date(1961, 3, 1),
        end_on=dt.date(1961, 3, 10),
    )


def page(response: Any) -> str:
    return response.content.decode()


def audited(model: type, actor: str, action: str = "create") -> int:
    return ChangeRecord.objects.filter(object_type=model._meta.label_lower, actor_name=actor, action=action).count()


def test_a_coordinator_creates_a_meeting_under_an_agreement(client, users, seed):
    url = f"/meetings/new/?agreement={seed.protocol.pk}"
    data = {
        "agreement": seed.protocol.pk,
        "title__zh": "第二次会议",
        "title__ru": "Второе совещание",
        "kind": "joint_commission",
        "place__zh": "北京",
        "start_on": "1961-03-10",
        "end_on": "1961-03-01",
        "visibility": "bilateral",
    }
    client.force_login(users["cn-coordinator"])
    assert "/meetings/new/?agreement=" in page(client.get(f"/agreements/{seed.protocol.pk}/"))
    assert client.get(url).status_code == 200
    # Bad input: the dates out of order are named, what was typed is kept, nothing written.
    before = Meeting.objects.count()
    response = client.post(url, data)
    assert response.status_code == 422
    assert "第二次会议" in page(response) and 'id="id_end_on_errors"' in page(response)
    assert Meeting.objects.count() == before
    response = client.post(url, {**data, "start_on": "1961-03-01", "end_on": "1961-03-10"})
    assert response.status_code == 302
    made = Meeting.objects.get(title__zh="第二次会议")
    assert response["Location"] == f"/meetings/{made.pk}/"
    assert (made.agreement, made.end_on, made.place) == (seed.protocol, dt.date(1961, 3, 10), {"zh": "北京"})
    assert audited(Meeting, "cn-coordinator") == 1
    # Neither an observer nor a reporter adds meetings.
    for name in ("cn-observer", "cas-reporter"):
        client.force_login(users[name])
        assert client.post(url, {**data, "end_on": "1961-03-10"}).status_code == 403
    assert Meeting.objects.count() == before + 1


def test_each_side_adds_its_own_delegation_on_the_meeting_page(client, users, seed, meeting):
    url = f"/meetings/{meeting.pk}/delegations/"
    client.force_login(users["cn-coordinator"])
    shown = page(client.get(f"/meetings/{meeting.pk}/"))
    assert 'data-testid="add-delegation"' in shown and 'data-testid="add-attendee"' in shown
    # The other side's delegation is refused by the service: each side records its own side.
    response = client.post(url, {"delegation-party": seed.su.pk, "delegation-head": seed.aleksenko.pk})
    assert response.status_code == 403 and "each side records its own side" in page(response)
    assert not Delegation.objects.filter(meeting=meeting).exists()
    # Bad input by field (a head from the other side is not offered), nothing written.
    response = client.post(url, {"delegation-party": seed.cn.pk, "delegation-head": seed.aleksenko.pk}, **HTMX)
    assert response.status_code == 422 and 'id="id_delegation-head_errors"' in page(response)
    assert not Delegation.objects.filter(meeting=meeting).exists()
    data = {
        "delegation-party": seed.cn.pk,
        "delegation-organisation": seed.cn_commission.pk,
        "delegation-head": seed.wu_heng.pk,
        "delegation-head_capacity__zh": "科学技术委员会副主任",
    }
    response = client.post(url, data, **HTMX)
    assert response.status_code == 200 and 'id="parts"' in page(response) and "<html" not in page(response)
    cn = Delegation.objects.get(meeting=meeting, party=seed.cn)
    head = cn.members.get()
    assert (cn.organisation, head.person, head.role) == (seed.cn_commission, seed.wu_heng, "head")
    assert head.capacity == {"zh": "科学技术委员会副主任"}
    assert audited(Delegation, "cn-coordinator") == 1 and audited(DelegationMember, "cn-coordinator") == 1

    client.force_login(users["su-coordinator"])
    assert client.post(url, {"delegation-party": seed.su.pk, "delegation-head": seed.aleksenko.pk}).status_code == 302
    su = Delegation.objects.get(meeting=meeting, party=seed.su)
    # The SU coordinator may neither add to nor remove the Chinese delegation.
    member_url = f"/meetings/{meeting.pk}/delegations/{cn.pk}/members/"
    other = {f"member-{cn.pk}-person": seed.liu_xiao.pk, f"member-{cn.pk}-role": "member"}
    assert client.post(member_url, other).status_code == 403
    assert client.post(f"/meetings/{meeting.pk}/delegations/{cn.pk}/remove/").status_code == 403
    assert Delegation.objects.filter(pk=cn.pk).exists() and cn.members.count() == 1

    # A second head is refused by the service, named on the role field, nothing written.
    client.force_login(users["cn-coordinator"])
    second_head = {f"member-{cn.pk}-person": seed.liu_xiao.pk, f"member-{cn.pk}-role": "head"}
    response = client.post(member_url, second_head, **HTMX)
    assert response.status_code == 422 and "already has a head" in page(response)
    assert f'id="id_member-{cn.pk}-role_errors"' in page(response)
    assert client.post(member_url, {**second_head, f"member-{cn.pk}-role": "member"}).status_code == 302
    assert cn.members.count() == 2

    # Reporters and observers change nothing here.
    for name in ("cn-observer", "cas-reporter"):
        client.force_login(users[name])
        assert 'data-testid="add-delegation"' not in page(client.get(f"/meetings/{meeting.pk}/"))
        assert client.post(member_url, {**second_head, f"member-{cn.pk}-role": "adviser"}).status_code == 403
        assert client.post(f"/meetings/{meeting.pk}/delegations/{su.pk}/remove/").status_code == 403
    assert cn.members.count() == 2 and Delegation.objects.filter(meeting=meeting).count() == 2

    # A side removes its own delegation, with its members.
    client.force_login(users["su-coordinator"])
    assert client.post(f"/meetings/{meeting.pk}/delegations/{su.pk}/remove/").status_code == 302
    assert not Delegation.objects.filter(pk=su.pk).exists()
    assert audited(Delegation, "su-coordinator", "delete") == 1


def test_attendees_and_an_ordered_agenda(client, users, seed, meeting):
    client.force_login(users["su-coordinator"])
    url = f"/meetings/{meeting.pk}/attendees/"
    response = client.post(url, {"attendee-party": seed.su.pk}, **HTMX)
    assert response.status_code == 422 and 'id="id_attendee-person_errors"' in page(response)
    data = {"attendee-person": seed.petukhov.pk, "attendee-party": seed.su.pk, "attendee-capacity__ru": "Председатель"}
    assert client.post(url, data).status_code == 302
    attendee = MeetingAttendee.objects.get(meeting=meeting)
    assert (attendee.person, attendee.capacity) == (seed.petukhov, {"ru": "Председатель"})

    url = f"/meetings/{meeting.pk}/agenda/"
    # A review item names its plan: the service's rule, shown on the plan field.
    response = client.post(url, {"agenda-title__ru": "Обзор", "agenda-kind": "review"}, **HTMX)
    assert response.status_code == 422 and 'id="id_agenda-plan_errors"' in page(response) and "Обзор" in page(response)
    assert not AgendaItem.objects.filter(meeting=meeting).exists()
    titles = ["Обзор выполнения плана 1960 года", "Принятие плана 1961 года", "Разное"]
    for title in titles:
        kind = "review" if title.startswith("Обзор") else "other"
        plan = seed.plan_1960.pk if kind == "review" else ""
        assert (
            client.post(url, {"agenda-title__ru": title, "agenda-kind": kind, "agenda-plan": plan}).status_code == 302
        )
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position"))
    assert [(i.position, i.title["ru"]) for i in items] == list(enumerate(titles, start=1))
    # The last item moved to the top, and back: the others move by one, numbered 1, 2, 3.
    move = f"/meetings/{meeting.pk}/agenda/{items[2].pk}/move/"
    response = client.post(move, {"to": "9"}, **HTMX)
    assert response.status_code == 422 and "from 1 to 3" in page(response)
    assert client.post(move, {"to": "1"}, **HTMX).status_code == 200
    order = [i.title["ru"] for i in meeting.agenda_items.order_by("position")]
    assert order == [titles[2], titles[0], titles[1]]
    assert list(meeting.agenda_items.order_by("position").values_list("position", flat=True)) == [1, 2, 3]
    assert client.post(move, {"to": "3"}).status_code == 302
    # Removing the second renumbers the third: the agenda stays 1, 2.
    client.force_login(users["cn-observer"])
    assert client.post(f"/meetings/{meeting.pk}/agenda/{items[1].pk}/remove/").status_code == 403
    client.force_login(users["cn-coordinator"])  # a shared item: either side's coordinator
    response = client.post(f"/meetings/{meeting.pk}/agenda/{items[1].pk}/remove/", **HTMX)
    assert response.status_code == 200
    assert [(i.position, i.title["ru"]) for i in meeting.agenda_items.order_by("position")] == [
        (1, titles[0]),
        (2, titles[2]),
    ]
    assert client.post(f"/meetings/{meeting.pk}/attendees/{attendee.pk}/remove/").status_code == 403  # SU's
    client.force_login(users["su-coordinator"])
    assert client.post(f"/meetings/{meeting.pk}/attendees/{attendee.pk}/remove/").status_code == 302
    assert not MeetingAttendee.objects.filter(meeting=meeting).exists()


def test_minutes_started_amended_compared_and_signed_off_in_the_pages(client, users, seed):
    meeting = seed.meeting  # CN and SU delegations
    client.force_login(users["cn-coordinator"])
    start = f"/workflow/meetings/{meeting.pk}/start-minutes/"
    assert "Start the minutes" in page(client.get(f"/meetings/{meeting.pk}/"))
    response = client.post(start, {"version": meeting.version, "party": seed.cn.pk, "note": "x"})
    assert response.status_code == 400 and "Give the text in at least one language" in page(response)
    assert not Minutes.objects.filter(meeting=meeting).exists()
    body = {
        "body__zh": "一、双方审查了1959年计划。\n二、双方商谈了1960年计划。",
        "body__ru": "1. Рассмотрели план 1959 года.",
    }
    response = client.post(start, {"version": meeting.version, "party": seed.cn.pk, "note": "初稿", **body})
    assert response.status_code == 302 and response["Location"].endswith(f"/meetings/{meeting.pk}/#minutes")
    minutes = Minutes.objects.get(meeting=meeting)

    # Everyone asked to sign them off reads the text on the meeting's page, in every language, and on the step.
    client.force_login(users["su-coordinator"])
    shown = page(client.get(f"/meetings/{meeting.pk}/"))
    assert "二、双方商谈了1960年计划。" in shown and "1. Рассмотрели план 1959 года." in shown
    assert "二、双方商谈了1960年计划。" in page(client.get(f"/workflow/minutes/{minutes.pk}/approve/"))

    amend = f"/workflow/minutes/{minutes.pk}/amend/"
    ru_2 = "1. Рассмотрели план 1959 года.\n2. Обсудили план 1960 года."
    data = {"version": minutes.version, "based_on": 1, "party": seed.su.pk, "body__zh": body["body__zh"]}
    # The SU coordinator does not amend on behalf of CN (not offered), a reporter not at all.
    response = client.post(amend, {**data, "party": seed.cn.pk, "body__ru": ru_2})
    assert response.status_code == 400 and 'data-field="party"' in page(response)
    assert client.post(amend, {**data, "body__ru": ru_2}).status_code == 302
    minutes.refresh_from_db()
    assert minutes.current_revision == 2

    # The Chinese side, still on revision 1, is told who changed them since; its text is kept, nothing written.
    client.force_login(users["cn-coordinator"])
    stale = {"version": 1, "based_on": 1, "party": seed.cn.pk, "body__zh": "一、修改稿", "body__ru": ru_2}
    response = client.post(amend, stale)
    assert response.status_code == 409
    assert "you started from revision 1, the current one is revision 2" in page(response)
    assert "一、修改稿" in page(response) and 'name="based_on" value="2"' in page(response)
    minutes.refresh_from_db()
    assert minutes.current_revision == 2
    assert client.post(amend, {**stale, "based_on": 2, "body__zh": "一、双方审查了1959年计划。"}).status_code == 302
    minutes.refresh_from_db()
    assert minutes.current_revision == 3

    # Any two revisions compared, per language, side by side and as a diff.
    shown = page(client.get(f"/meetings/{meeting.pk}/?a=1&b=3&lang=ru"))
    assert 'data-testid="comparison"' in shown and "<ins>2. Обсудили план 1960 года.</ins>" in shown
    assert "+2. Обсудили план 1960 года." in shown
    shown = page(client.get(f"/meetings/{meeting.pk}/?a=1&b=9"))
    assert "the minutes have no revision 9" in shown and 'data-testid="comparison"' not in shown

    # Sign-off by both parties makes them final; reporters and observers may not.
    approve = f"/workflow/minutes/{minutes.pk}/approve/"
    signed = {"version": minutes.version, "revision": 3, "signed_on": "1960-02-24"}
    for name in ("cas-reporter", "cn-observer"):
        client.force_login(users[name])
        assert client.post(approve, {**signed, "party": seed.cn.pk}).status_code == 403
        assert client.post(amend, {**stale, "based_on": 3}).status_code == 403
    client.force_login(users["cn-coordinator"])
    assert client.post(approve, {**signed, "party": seed.su.pk}).status_code == 400  # not CN's to give
    assert client.post(approve, {**signed, "party": seed.cn.pk}).status_code == 302
    client.force_login(users["su-coordinator"])
    assert client.post(approve, {**signed, "party": seed.su.pk}).status_code == 302
    minutes.refresh_from_db()
    assert minutes.status == "final" and minutes.finalised_on == dt.date(1960, 2, 24)
    shown = page(client.get(f"/meetings/{meeting.pk}/"))
    assert "Amend the minutes" not in shown and "一、双方审查了1959年计划。" in shown
    # Final: the delegations who signed stay (the page no longer offers to change them; the service refuses).
    su = Delegation.objects.get(meeting=meeting, party=seed.su)
    assert f'data-testid="remove-delegations-{su.pk}"' not in shown and "add-member-SU" not in shown
    response = client.post(f"/meetings/{meeting.pk}/delegations/{su.pk}/remove/", **HTMX)
    assert response.status_code == 409 and "are final" in page(response)
    assert Delegation.objects.filter(pk=su.pk).exists()


def test_the_services_refuse_the_same_on_every_channel(seed, users):
    """The rules live in the services: an account acting outside the pages meets the same refusals."""
    from accord.core.actor import Actor, acting_as
    from accord.core.errors import Forbidden
    from accord.meetings.services import minutes as minutes_services

    with acting_as(Actor(users["su-coordinator"].pk, "su-coordinator", "test")):
        with pytest.raises(Forbidden):
            minutes_services.start_minutes(seed.meeting, {"zh": "纪要"}, party=seed.cn)
        started = minutes_services.start_minutes(seed.meeting, {"ru": "Протокол"}, party=seed.su)
        with pytest.raises(Forbidden):
            minutes_services.sign_off(started.minutes, party=seed.cn, revision=1, signed_on=dt.date(1960, 2, 24))
    with acting_as(Actor(users["cn-observer"].pk, "cn-observer", "test")), pytest.raises(Forbidden):
        minutes_services.amend_minutes(started.minutes, based_on=1, body={"zh": "纪要"}, party=seed.cn)


def test_the_meeting_page_and_a_stale_amendment_in_chinese_and_russian(client, users, seed):
    from accord.meetings.services import minutes as minutes_services

    minutes = minutes_services.start_minutes(seed.meeting, {"zh": "纪要", "ru": "Протокол"}).minutes
    minutes_services.amend_minutes(minutes, based_on=1, body={"ru": "Протокол совещания"}, party=seed.su)
    client.force_login(users["cn-coordinator"])
    client.cookies["django_language"] = "zh-hans"
    shown = page(client.get(f"/meetings/{seed.meeting.pk}/?a=1&b=2&lang=ru"))
    for words in ("添加成员", "添加出席人员", "添加议程项目", "比较两稿", "第 1 稿至第 2 稿的改动", "尚待签认"):
        assert words in shown, words
    stale = {"version": minutes.version, "based_on": 1, "party": seed.cn.pk, "body__zh": "纪要（修改）"}
    response = client.post(f"/workflow/minutes/{minutes.pk}/amend/", stale)
    assert response.status_code == 409 and "您依据的是第 1 稿，当前为第 2 稿" in page(response)
    client.cookies["django_language"] = "ru"
    response = client.post(f"/meetings/{seed.meeting.pk}/agenda/", {"agenda-kind": "other"}, **HTMX)
    assert response.status_code == 422 and "Добавить пункт повестки дня" in page(response)
    response = client.post(f"/workflow/minutes/{minutes.pk}/amend/", {**stale, "based_on": 2, "body__zh": "纪要"})
    assert "вы начали" not in page(response)
    assert response.status_code == 400 and "ничего не изменено: текст совпадает с редакцией 2" in page(response)


def test_an_agenda_item_is_edited_with_its_decision(client, users, seed, meeting):
    item = services.add_agenda_item(meeting, title={"zh": "其他事项"})
    url = f"/meetings/{meeting.pk}/agenda/{item.pk}/edit/"
    data = {"version": item.version, "title__zh": "其他事项", "kind": "other", "decision__zh": "下次会议在莫斯科举行。"}
    client.force_login(users["cn-observer"])
    assert client.get(url).status_code == 403
    client.force_login(users["su-coordinator"])
    assert "其他事项" in page(client.get(url))
    response = client.post(url, {**data, "title__zh": ""})
    assert response.status_code == 422 and 'id="id_title_errors"' in page(response)
    assert client.post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.decision == {"zh": "下次会议在莫斯科举行。"} and item.version == 2
    assert audited(AgendaItem, "su-coordinator", "update") == 1
    # Saved from the version first seen: refused, with who changed it; nothing written.
    response = client.post(url, {**data, "decision__zh": "另议。"})
    assert response.status_code == 409 and "su-coordinator" in page(response)
    item.refresh_from_db()
    assert item.decision == {"zh": "下次会议在莫斯科举行。"}
