import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accord.core.models import ChangeRecord
from accord.programmes.models import Project

pytestmark = pytest.mark.django_db


def test_home_shows_the_protocol_its_plans_and_122_projects(client):
    page = client.get("/").content.decode()
    assert "Protocol on Joint Scientific and Technological Research" in page
    assert "1959 cooperation plan" in page and "1960 annual scientific and technological cooperation plan" in page
    assert 'data-testid="project-count"' in page and ">122</a>" in page
    assert "illustrative" in page
    assert "Feb. 24, 1960" in page and "Moscow" in page


def test_home_speaks_chinese_and_russian(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "关于中苏两国共同进行和苏联帮助中国进行重大科学技术研究的议定书" in page
    assert "1960年年度科学技术合作计划" in page and "莫斯科" in page
    assert "<h1>协定</h1>" in page  # the interface itself speaks Chinese too
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Годовой план научно-технического сотрудничества на 1960 год" in page and "Москва" in page
    assert "<h1>Соглашения</h1>" in page


def test_home_uses_a_constant_number_of_queries(client, django_assert_max_num_queries, seed):
    client.get("/")  # the agreement count kept for the audience and chain head (four more queries the first time)
    with django_assert_max_num_queries(8):  # six for the records, the chain head and the count kept
        client.get("/")


def test_the_public_sees_only_public_records(client, seed):
    from accord.programmes.services import update_project

    project = Project.objects.get(agreement=seed.protocol, number="1")
    update_project(project, expected_version=project.version, visibility="bilateral")
    assert ">121</a>" in client.get("/").content.decode()
    staff = get_user_model().objects.create_user("officer", password="x-very-long-pass", is_staff=True)
    client.force_login(staff)
    assert ">122</a>" in client.get("/").content.decode()


def test_admin_edits_are_audited_under_the_users_name_and_stale_ones_refused(client, seed):
    admin = get_user_model().objects.create_superuser("registrar", password="x-very-long-pass")
    client.force_login(admin)
    person = seed.petukhov
    url = reverse("admin:directory_person_change", args=[person.pk])
    form = {
        "name": '{"en": "Petukhov", "ru": "Петухов", "zh": "佩图霍夫", "de": "Petuchow"}',
        "orcid": "",
        "party": str(seed.su.pk),
        "expected_version": str(person.version),
    }
    response = client.post(url, form, HTTP_X_REQUEST_ID="req-123")
    assert response.status_code == 302, response.content.decode()[:2000]
    rec = ChangeRecord.objects.order_by("-id").first()
    assert (rec.action, rec.actor_name, rec.actor_id) == ("update", "registrar", admin.pk)
    # The chain keeps the server's own request id; the client's X-Request-ID is kept beside it, never as ours.
    assert rec.request_id != "req-123" and rec.client_request_id == "req-123"
    assert rec.after["name"]["de"] == "Petuchow"
    # a second editor still holding the old version is refused, and nothing changes
    entries = ChangeRecord.objects.count()
    response = client.post(url, {**form, "name": '{"en": "Petukhov K."}'})
    assert response.status_code == 409  # the form again, with who changed it: as the pages and the API answer
    assert "was changed by registrar" in response.content.decode()
    assert ChangeRecord.objects.count() == entries


def test_admin_delete_of_a_referenced_record_is_refused(client, seed):
    admin = get_user_model().objects.create_superuser("registrar", password="x-very-long-pass")
    client.force_login(admin)
    response = client.post(reverse("admin:directory_party_delete", args=[seed.cn.pk]), {"post": "yes"})
    assert response.status_code == 403  # directory.services deletes no party: the admin offers no delete
    assert seed.cn.__class__.objects.filter(pk=seed.cn.pk).exists()


def test_health(client):
    assert client.get("/health").content == b"ok"


def test_the_admin_warns_when_language_versions_disagree(client, seed):
    admin = get_user_model().objects.create_superuser("registrar", password="x-very-long-pass")
    client.force_login(admin)
    project = Project.objects.get(agreement=seed.protocol, number="7")
    url = reverse("admin:programmes_project_change", args=[project.pk])
    form = {
        "agreement": seed.protocol.pk,
        "number": "7",
        "field": project.field,
        "modality": project.modality,
        "provider_party": project.provider_party_id or "",
        "recipient_party": project.recipient_party_id or "",
        "title": '{"en": "Survey of 12 river basins", "zh": "21个流域的调查"}',
        "visibility": "public",
        "owner_party": "",
        "start_on": "1958-01-18",
        "end_on": "",
        "expected_version": project.version,
    }
    response = client.post(url, form, follow=True)
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warnings == ['title: number differs: en says "12" (paragraph 1), zh says "21" (paragraph 1)']
    project.refresh_from_db()
    assert project.title["zh"] == "21个流域的调查"


def _counts_agreements(queries) -> int:
    """How many of `queries` count agreements: alone, or as a subquery of the page's agreements (as it was)."""
    counting = re.compile(r'COUNT\([^)]*\) AS "(__count|n)" FROM "agreements_agreement"')
    return sum(1 for q in queries if counting.search(q["sql"]))


def _summary(client) -> str:
    """The summary line's text: "N agreement(s) · ...", or "" when there is none."""
    page = client.get("/").content.decode()
    found = re.search(r'data-testid="agreement-summary">(.*?)</p>', page, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


def test_the_agreement_count_is_counted_once_per_audience_until_a_record_changes(seed):
    """Issue 18: the first page's count of every readable agreement is kept by audience and chain head, so a
    national catalogue is not counted again on each visit; a change (here a new agreement between other parties,
    bilateral, then made public) is counted at once, and each audience gets its own count."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accord.agreements.services import create_agreement, update_agreement
    from accord.directory.services import create_party

    public, coordinator, admin = Client(), Client(), Client()
    coordinator.force_login(get_user_model().objects.get(username="cn-coordinator"))
    admin.force_login(get_user_model().objects.get(username="admin"))
    assert _summary(public).startswith("1 agreement ")
    with CaptureQueriesContext(connection) as again:
        assert _summary(public).startswith("1 agreement ")
    assert _counts_agreements(again.captured_queries) == 0  # nothing changed: not counted again

    gb = create_party(code="GB", name={"en": "United Kingdom"}, languages=["en"])
    other = create_agreement(
        parties=[gb, seed.su], kind="agreement", title={"en": "UK–USSR agreement"}, visibility="bilateral"
    )
    with CaptureQueriesContext(connection) as after_change:
        assert _summary(public).startswith("1 agreement ")  # bilateral between others: not the public's
    assert _counts_agreements(after_change.captured_queries) == 1
    assert _summary(coordinator).startswith("1 agreement ")  # China is not party to it
    assert _summary(admin).startswith("2 agreements ")
    update_agreement(other, expected_version=other.version, visibility="public")
    assert _summary(public).startswith("2 agreements ")
    assert _summary(coordinator).startswith("2 agreements ")
