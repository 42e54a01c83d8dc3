"""The HTTP endpoints (signed requests, refusals as JSON, never a 500), witnessing our chain head in verify,
the peers page for administrators and the scheduled sync."""

from __future__ import annotations

import json
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from accord.core.verify import verify
from accord.directory.services import create_person
from accord.federation import envelope, services
from accord.federation.models import AckedHead, OutMessage, Peer, Refusal
from accord.jobs.models import Job
from accord.jobs.runner import queue_scheduled
from tests.federation.conftest import FakePeer, people

pytestmark = pytest.mark.django_db


def post(peer: FakePeer, path: str, body: bytes, *, stamp: int | None = None, key=None) -> object:
    stamp_text = str(int(stamp if stamp is not None else time.time()))
    signature = envelope.sign_text(key or peer.key, envelope.request_text("POST", path, stamp_text, body))
    return Client().post(
        path,
        body,
        content_type="application/json",
        headers={"Accord-Node": peer.node_id, "Accord-Timestamp": stamp_text, "Accord-Signature": signature},
    )


def test_node_endpoint_says_who_this_node_is(node):
    answer = Client().get("/federation/v1/node").json()
    assert answer == services.describe_node(node)


def test_endpoints_of_a_hosted_installation_answer_404(db):
    assert Client().get("/federation/v1/node").status_code == 404
    assert Client().post("/federation/v1/push", b"{}", content_type="application/json").status_code == 404


def test_push_applies_and_answers_a_signed_acknowledgement(su, node, applied):
    response = post(su, "/federation/v1/push", su.of(1, 2))
    assert response.status_code == 200
    answer = json.loads(response.content)
    assert envelope.signature_ok(node.public_key, answer)
    assert answer["ack"] == {"seq": 2, "head": su.head} and answer["applied"] == 2 and answer["refused"] is None
    assert people("person 1", "person 2") == ["person 1", "person 2"]
    # The same push again: acknowledged, nothing applied twice.
    answer = json.loads(post(su, "/federation/v1/push", su.of(1, 2)).content)
    assert answer["duplicates"] == 2 and len(applied) == 2


@pytest.mark.parametrize("case", ["unknown", "stale", "bad-signature", "removed"])
def test_requests_not_signed_by_a_trusted_key_get_nothing(su, node, applied, case):
    sender, kwargs = su, {}
    if case == "unknown":
        sender = FakePeer(node.node_id)
    elif case == "stale":
        kwargs = {"stamp": time.time() - envelope.MAX_SKEW_SECONDS - 60}
    elif case == "bad-signature":
        kwargs = {"key": FakePeer(node.node_id).key}
    else:
        services.remove_peer("su")
    response = post(sender, "/federation/v1/push", sender.of(1), **kwargs)
    assert response.status_code == 403
    assert response.json()["code"] in {"unknown-node", "stale", "bad-signature"}
    assert applied == [] and people("person 1") == []
    assert Refusal.objects.exists()
    assert post(sender, "/federation/v1/pull", b'{"after":0}', **kwargs).status_code == 403


def test_a_refused_push_answers_why_never_a_500(su, node, applied):
    answer = json.loads(post(su, "/federation/v1/push", b"garbage").content)
    assert "malformed" in answer["refused"] and answer["ack"]["seq"] == 0
    response = post(su, "/federation/v1/pull", b'{"after":"x"}')
    assert response.status_code == 422 and response.json()["code"] == "malformed"


def test_pull_answers_our_messages_after_a_number_signed(su, node, outgoing):
    outgoing.extend({"entry": e} for e in (3, 4, 5))
    response = post(su, "/federation/v1/pull", b'{"after":1}')
    assert response.status_code == 200
    batch = envelope.check_batch(envelope.parse_json(response.content, strict=True))
    assert envelope.signature_ok(node.public_key, batch)
    assert [m["seq"] for m in batch["messages"]] == [2, 3]
    assert OutMessage.objects.filter(sent_at__isnull=False).count() == 2


def test_resend_makes_acknowledged_messages_wait_again(su, node, outgoing):
    outgoing.extend({"entry": e} for e in (3, 4, 5))
    peer = Peer.objects.get(name="su")
    services.prepare_outbox(peer)
    OutMessage.objects.update(acked_at="2026-01-01T00:00:00Z")
    answer = json.loads(post(su, "/federation/v1/resend", b'{"from":2}').content)
    assert envelope.signature_ok(node.public_key, answer) and answer["resent"] == 2
    waiting = OutMessage.objects.filter(acked_at__isnull=True).order_by("seq")
    assert list(waiting.values_list("seq", flat=True)) == [2, 3]


# --- witnessing --------------------------------------------------------------------------------------------


def test_verify_reports_a_truncated_chain_the_peer_had_witnessed(su, node):
    assert verify().ok
    person = create_person(name={"en": "Witnessed"})
    head = services.current_head()
    services.receive_batch(su.batch([], ack={"seq": 0, "head": head}), channel="file")
    assert AckedHead.objects.filter(entry=head["entry"], hash=head["hash"]).exists()
    assert verify().ok
    # The operator deletes the last entries and reverts the rows: the chain alone walks clean again.
    with connection.cursor() as cur:
        cur.execute("DELETE FROM directory_person WHERE id = %s", [person.pk])
        cur.execute("DELETE FROM core_changerecord WHERE id >= %s", [head["entry"]])
    report = verify()
    problems = [str(p) for p in report.problems]
    assert problems == [
        f"change record #{head['entry']}: peer su acknowledged it with hash {head['hash'][:12]}…; it is gone "
        "(our history was truncated or rewritten after the peer witnessed it)"
    ]
    # Even with the witnessed heads deleted too, the peer's next batch acknowledges the head again.
    AckedHead.objects.all().delete()
    services.receive_batch(su.batch([], ack={"seq": 0, "head": head}), channel="file")
    assert not verify().ok
    assert "truncated or rewritten" in Peer.objects.get(name="su").last_error


def test_the_peers_head_going_back_is_noted(su):
    services.receive_batch(su.batch([]), channel="file")
    su.head = {"entry": 7, "hash": "b" * 64}
    services.receive_batch(su.batch([]), channel="file")
    peer = Peer.objects.get(name="su")
    assert peer.head_entry == 7 and "went back from #41 to #7" in peer.last_error


# --- the page and the schedule -----------------------------------------------------------------------------


@pytest.fixture
def admin_client(db) -> Client:
    user = get_user_model().objects.create_user("fed-admin", password="x-very-long-pass-1", is_staff=True)
    client = Client()
    client.force_login(user)
    return client


def test_the_peers_page_shows_each_peers_state_and_refusals(su, node, applied, admin_client):
    services.receive_batch(su.of(1), channel="file")
    assert services.receive_batch(su.of(3), channel="file").held == [3]
    page = admin_client.get("/federation/").content.decode()
    assert node.node_id in page and services.describe_node(node)["fingerprint"] in page
    assert 'data-peer="su"' in page and "applied through 1" in page
    assert "gap: message 2 is missing" in page


def test_administrators_add_and_remove_peers_in_the_page(node, admin_client):
    other = FakePeer(node.node_id)
    response = admin_client.post(
        "/federation/", {"action": "add", "name": "moscow", "key": other.public_key, "party": "SU", "url": ""}
    )
    assert response.status_code == 302 and Peer.objects.get(name="moscow").party == "SU"
    response = admin_client.post("/federation/", {"action": "add", "name": "bad", "key": "xyz", "party": "SU"})
    assert response.status_code == 422 and "not an Ed25519 public key" in response.content.decode()
    assert not Peer.objects.filter(name="bad").exists()
    response = admin_client.post("/federation/", {"action": "remove", "name": "moscow"})
    assert response.status_code == 302 and not Peer.objects.exists()


def test_only_administrators_see_the_peers_page(node):
    user = get_user_model().objects.create_user("plain", password="x-very-long-pass-2")
    client = Client()
    assert client.get("/federation/").status_code == 302  # to sign in
    client.force_login(user)
    assert client.get("/federation/").status_code == 403


def test_the_job_worker_syncs_on_a_schedule_only_as_a_node_with_a_reachable_peer(settings, node):
    settings.ACCORD_FEDERATION_SYNC_SECONDS = 300
    assert not [j for j in queue_scheduled() if j.kind == "federation-sync"]  # no peer with an address
    other = FakePeer(node.node_id)
    services.add_peer("su", "http://127.0.0.1:9", other.public_key, "SU")
    assert [j.kind for j in queue_scheduled() if j.kind == "federation-sync"] == ["federation-sync"]
    assert not [j for j in queue_scheduled() if j.kind == "federation-sync"]  # one waits already
    Job.objects.filter(kind="federation-sync").delete()
    settings.ACCORD_FEDERATION_SYNC_SECONDS = None
    assert not [j for j in queue_scheduled() if j.kind == "federation-sync"]


def test_a_failed_sync_backs_off_and_says_why(su, node, monkeypatch):
    from accord.federation import transport

    monkeypatch.setattr(transport, "ATTEMPTS", 1)
    Peer.objects.filter(name="su").update(url="http://127.0.0.1:9")
    outcome = transport.sync_due()
    assert outcome["su"].startswith("failed: cannot reach su")
    peer = Peer.objects.get(name="su")
    assert peer.failures == 1 and peer.retry_after is not None and "cannot reach" in peer.last_error
    assert transport.sync_due()["su"].startswith("waiting until")


def test_a_successful_sync_clears_the_last_error_shown(su, node, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    from accord.federation import transport

    earlier = timezone.now() - dt.timedelta(minutes=5)
    Peer.objects.filter(name="su").update(
        url="http://su.example", failures=2, last_error="cannot reach su", last_error_at=earlier
    )
    monkeypatch.setattr(transport, "push", lambda peer: 0)
    monkeypatch.setattr(transport, "pull", lambda peer: services.Received(peer))
    assert transport.sync_due()["su"] == "sent 0, applied 0"
    peer = Peer.objects.get(name="su")
    assert (peer.last_error, peer.last_error_at, peer.failures) == ("", None, 0)
    admin = get_user_model().objects.create_superuser("fed-admin", password="x-long-passphrase-1")
    client = Client()
    client.force_login(admin)
    page = client.get("/federation/").content.decode()
    assert "cannot reach su" not in page

    # An error noted during the sync itself (here: a gap in what the peer sent) stays shown.
    def pull_with_a_gap(peer):
        services.refuse("gap: message 3 is missing", channel="http", peer=peer)
        return services.Received(peer)

    monkeypatch.setattr(transport, "pull", pull_with_a_gap)
    transport.sync(Peer.objects.get(name="su"))
    assert Peer.objects.get(name="su").last_error == "gap: message 3 is missing"


@pytest.mark.parametrize("language", ["en", "zh-hans", "ru"])
def test_the_hosted_page_shows_the_node_init_command_as_code(db, language):
    admin = get_user_model().objects.create_superuser("fed-admin", password="x-long-passphrase-1")
    client = Client(headers={"Accept-Language": language})
    client.force_login(admin)
    page = client.get("/federation/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    hint = page[page.index('data-testid="hosted"') :]
    hint = hint[: hint.index("</p>")]
    assert "<code>accord node init --party CODE</code>" in hint and "`" not in hint
    if language != "en":
        assert "hosted mode" not in hint  # translated


def test_the_scheduled_sync_keeps_only_its_latest_runs(settings, node):
    import datetime as dt

    from django.utils import timezone

    from accord.jobs.runner import KEEP_REPEATED

    settings.ACCORD_FEDERATION_SYNC_SECONDS = 300
    services.add_peer("su", "http://127.0.0.1:9", FakePeer(node.node_id).public_key, "SU")
    start = timezone.now() - dt.timedelta(days=1)
    for n in range(60):  # a day of runs, each done before the next is queued
        made = [j for j in queue_scheduled(start + dt.timedelta(minutes=5 * n)) if j.kind == "federation-sync"]
        assert len(made) == 1
        Job.objects.filter(pk=made[0].pk).update(status=Job.Status.DONE, created_at=start + dt.timedelta(minutes=5 * n))
    runs = Job.objects.filter(kind="federation-sync")
    assert runs.count() == KEEP_REPEATED
    newest = runs.order_by("-created_at").first()
    assert newest.created_at == start + dt.timedelta(minutes=5 * 59)
    other = Job.objects.create(kind="export", title="an export someone asked for", status=Job.Status.DONE)
    queue_scheduled(start + dt.timedelta(minutes=5 * 60))
    assert Job.objects.filter(pk=other.pk).exists()  # other kinds' jobs are theirs to keep
