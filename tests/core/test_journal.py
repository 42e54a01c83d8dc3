import datetime as dt

import pytest

from accord.core.actor import Actor, acting_as
from accord.core.errors import ValidationFailed
from accord.core.journal import add_journal_entry, journal_of
from accord.core.models import ChangeRecord

pytestmark = pytest.mark.django_db


def test_a_note_is_kept_on_its_record_with_its_author(seed):
    with acting_as(Actor(None, "li.officer", "req-9", system=True)):
        entry = add_journal_entry(
            seed.meeting,
            text=" Phoned the embassy about the programme. ",
            occurred_on=dt.date(1960, 2, 20),
            owner_party=seed.cn,
            visibility="internal",
        )
    assert entry.author_name == "li.officer" and entry.text == "Phoned the embassy about the programme."
    assert list(journal_of(seed.meeting)) == [entry]
    rec = ChangeRecord.objects.order_by("-id").first()
    assert (rec.object_type, rec.related_type, rec.related_id) == (
        "core.journalentry",
        "meetings.meeting",
        str(seed.meeting.pk),
    )


def test_empty_or_unowned_internal_notes_are_refused(seed):
    with pytest.raises(ValidationFailed) as err:
        add_journal_entry(seed.meeting, text="  ")
    assert err.value.field == "text"
    with pytest.raises(ValidationFailed) as err:
        add_journal_entry(seed.meeting, text="note", visibility="internal")
    assert err.value.field == "owner_party"


def test_the_request_id_is_always_the_servers_own(client):
    # The client's X-Request-ID is kept apart (ChangeRecord.client_request_id, tests/robust), never taken as ours.
    given = client.get("/health", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"]
    generated = client.get("/health", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert given != "abc-123" and generated != "<script>" and len(given) == len(generated) == 32
