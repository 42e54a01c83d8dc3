"""The audit trail keeps the server's own request id (the client's, when well-formed, apart); the CLI prints
record text with control characters and direction overrides escaped."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.db import connection

from accord.core import services
from accord.core.models import ChangeRecord
from accord.core.text import for_terminal
from accord.programmes.models import PlanItem
from tests.api.test_writes import api

pytestmark = pytest.mark.django_db


def _patch_title(c, project, title, **headers):
    etag = c.get(f"/api/v1/projects/{project.pk}")["ETag"]
    return c.patch(
        f"/api/v1/projects/{project.pk}",
        {"title": title},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
        **headers,
    )


def _project(seed):
    return PlanItem.objects.filter(plan=seed.plan_1960).select_related("project").first().project


def test_the_server_keeps_its_own_request_id_and_the_clients_apart(seed):
    project = _project(seed)
    c = api("admin")
    r = _patch_title(c, project, {"en": "Renamed once"}, HTTP_X_REQUEST_ID="client-trace-42")
    assert r.status_code == 200
    entry = ChangeRecord.objects.order_by("-id").first()
    assert entry.request_id == r["X-Request-ID"] and entry.request_id != "client-trace-42"
    assert len(entry.request_id) == 32
    assert entry.client_request_id == "client-trace-42"


@pytest.mark.parametrize(
    "given", ["x" * 65, "has space", "semi;colon", "a\tb", "<script>", "job:1 request-of-another", "é"]
)
def test_a_malformed_client_request_id_is_dropped(seed, given):
    project = _project(seed)
    c = api("admin")
    r = _patch_title(c, project, {"en": f"Renamed {len(given)}"}, HTTP_X_REQUEST_ID=given)
    assert r.status_code == 200
    entry = ChangeRecord.objects.order_by("-id").first()
    assert entry.client_request_id == "" and entry.request_id == r["X-Request-ID"]


def test_a_client_cannot_pass_its_change_for_another_request(seed):
    project = _project(seed)
    c = api("admin")
    _patch_title(c, project, {"en": "First"})
    first = ChangeRecord.objects.order_by("-id").first()
    _patch_title(c, project, {"en": "Second"}, HTTP_X_REQUEST_ID=first.request_id)
    second = ChangeRecord.objects.order_by("-id").first()
    assert second.request_id != first.request_id


def test_for_terminal_escapes_controls_and_overrides_but_keeps_lines():
    assert for_terminal("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert for_terminal("x\x9b31my") == "x\\x9b31my"
    assert for_terminal("evil\u202eexe.txt") == "evil\\u202eexe.txt"
    assert for_terminal("cr\rover") == "cr\\x0dover"
    assert for_terminal("two\nlines\tand tab") == "two\nlines\tand tab"
    assert for_terminal("武衡 / У Хэн") == "武衡 / У Хэн"


def test_plan_show_prints_record_text_escaped(seed, capsys):
    project = _project(seed)
    # Allowed in records (XML carries them) but never raw to a terminal: C1 CSI and a right-to-left override.
    services.update(project, expected_version=project.version, title={"en": "Ores\x9b2J \u202eevil", "zh": "矿"})
    # An ESC stored before the rule that refuses it (written behind the application's back).
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE programmes_plan SET title = %s{cast} WHERE id = %s",
            [json.dumps({"en": "Plan \x1b]0;pwned\x07\x1b[2J1960"}), seed.plan_1960.pk],
        )
    call_command("plan", "show", str(seed.plan_1960.pk))
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x9b" not in out and "\u202e" not in out and "\x07" not in out
    assert "Plan \\x1b]0;pwned\\x07\\x1b[2J1960" in out
    assert "Ores\\x9b2J \\u202eevil" in out
