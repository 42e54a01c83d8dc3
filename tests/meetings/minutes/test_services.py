import datetime as dt

import pytest

from accord.core import services as records
from accord.core.errors import TransitionRefused, ValidationFailed
from accord.core.models import ChangeRecord
from accord.core.verify import VerifyReport
from accord.directory.services import create_party
from accord.meetings.checks import check_minutes
from accord.meetings.models import Minutes, MinutesRevision, MinutesSignOff
from accord.meetings.services import create_meeting
from accord.meetings.services import minutes as services
from accord.meetings.services.minutes import Change, StaleRevision

from .conftest import RU_1, RU_3, RU_ITEM_2, RU_ITEM_4, ZH_1, ZH_2, ZH_ITEM_2

pytestmark = pytest.mark.django_db

FEB_23, FEB_24 = dt.date(1960, 2, 23), dt.date(1960, 2, 24)


def fresh(minutes: Minutes) -> Minutes:
    return Minutes.objects.get(pk=minutes.pk)


def revision_entries() -> list[str]:
    return list(
        ChangeRecord.objects.filter(object_type="meetings.minutesrevision")
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- starting ----------------------------------------------------------------------------------------


def test_start_opens_the_minutes_with_revision_1_by_the_secretariat(seed):
    first = services.start_minutes(seed.meeting, {"zh": ZH_1, "ru": RU_1}, note="first draft")
    minutes = first.minutes
    assert (first.number, first.based_on, first.party, first.author_name) == (1, None, None, "tester")
    assert first.body == {"zh": ZH_1, "ru": RU_1}
    assert (minutes.status, minutes.current_revision, minutes.finalised_on) == ("draft", 1, None)
    assert minutes.visibility == seed.meeting.visibility  # follows the meeting's
    assert services.parties_of(minutes) == [seed.cn, seed.su]  # the parties that sent delegations
    assert services.pending_parties(minutes) == [seed.cn, seed.su]
    # one audit entry each, the revision's shown in the minutes' history
    assert ChangeRecord.objects.filter(object_type="meetings.minutes", object_id=str(minutes.pk)).count() == 1
    assert revision_entries() == ["create"]


def test_one_minutes_per_meeting_with_a_text_and_a_party_of_the_meeting(seed, minutes):
    with pytest.raises(ValidationFailed) as err:
        services.start_minutes(seed.meeting, {"zh": "再来一次"})
    assert err.value.field == "meeting" and "already started" in str(err.value)
    other = create_meeting(agreement=seed.protocol, title={"en": "Second session"}, end_on=dt.date(1961, 3, 1))
    with pytest.raises(ValidationFailed) as err:
        services.start_minutes(other, {"zh": "  "})
    assert err.value.field == "body"
    with pytest.raises(ValidationFailed) as err:
        services.start_minutes(other, {"zh_CN": "文本"})
    assert err.value.field == "body"
    mongolia = create_party(code="MN", name={"en": "Mongolia"}, languages=["mn"])
    with pytest.raises(ValidationFailed) as err:
        services.start_minutes(other, {"mn": "Протокол"}, party=mongolia)
    assert err.value.field == "party"
    assert not Minutes.objects.filter(meeting=other).exists()


def test_without_delegations_the_parties_are_the_agreements(seed):
    other = create_meeting(agreement=seed.protocol, title={"en": "Second session"}, end_on=dt.date(1961, 3, 1))
    assert services.meeting_parties(other) == [seed.cn, seed.su]


# --- amending ----------------------------------------------------------------------------------------


def test_delegations_amend_in_turn_and_each_revision_is_kept(seed, minutes):
    second = services.amend_minutes(minutes, based_on=1, body={"zh": ZH_2}, party=seed.cn, note="CN: item 2")
    assert (second.number, second.based_on, second.party) == (2, 1, seed.cn)
    assert second.body == {"zh": ZH_2, "ru": RU_1}  # the Russian text is carried over unchanged
    assert minutes.current_revision == 2  # the caller's instance follows
    third = services.amend_minutes(minutes, based_on=2, body={"ru": RU_3}, party=seed.su)
    assert (third.number, third.based_on, third.party) == (3, 2, seed.su)
    assert third.body == {"zh": ZH_2, "ru": RU_3}
    assert fresh(minutes).current_revision == 3
    stored = {r.number: dict(r.body) for r in MinutesRevision.objects.filter(minutes=minutes)}
    assert stored == {1: {"zh": ZH_1, "ru": RU_1}, 2: {"zh": ZH_2, "ru": RU_1}, 3: {"zh": ZH_2, "ru": RU_3}}
    assert revision_entries() == ["create", "create", "create"]


def test_an_amendment_may_add_or_remove_a_language_but_must_change_something(seed, minutes):
    added = services.amend_minutes(minutes, based_on=1, body={"en": "1. Reviewed.\r\n2. Signed."}, party=seed.su)
    assert added.body["en"] == "1. Reviewed.\n2. Signed."  # line endings normalised
    removed = services.amend_minutes(minutes, based_on=2, body={"en": ""}, party=seed.cn)
    assert removed.body.languages() == ["ru", "zh"]
    before = ChangeRecord.objects.count()
    with pytest.raises(ValidationFailed, match="nothing changed") as err:
        services.amend_minutes(minutes, based_on=3, body={"zh": ZH_1 + "\n"}, party=seed.cn)
    assert err.value.field == "body"
    with pytest.raises(ValidationFailed) as err:
        services.amend_minutes(minutes, based_on=3, body={"zh": "", "ru": ""}, party=seed.cn)
    assert err.value.field == "body"
    assert ChangeRecord.objects.count() == before


def test_a_stale_amendment_is_refused_naming_who_changed_what_and_nothing_is_written(seed, minutes):
    services.amend_minutes(minutes, based_on=1, body={"zh": ZH_2}, party=seed.cn, author_name="Wu Heng's secretary")
    before = (ChangeRecord.objects.count(), MinutesRevision.objects.count(), fresh(minutes).version)
    # The Soviet delegation edited revision 1 while the Chinese delegation saved revision 2.
    with pytest.raises(StaleRevision) as err:
        services.amend_minutes(minutes, based_on=1, body={"ru": RU_3}, party=seed.su)
    stale = err.value
    assert stale.code == "stale_revision" and stale.field == "based_on"
    assert (stale.started_from, stale.current) == (1, 2)
    assert "modified in the meantime by the CN delegation (Wu Heng's secretary)" in stale.message
    assert "revision 2" in stale.message
    assert (
        stale.as_dict()["changed_at"] == MinutesRevision.objects.get(minutes=minutes, number=2).created_at.isoformat()
    )
    assert (ChangeRecord.objects.count(), MinutesRevision.objects.count(), fresh(minutes).version) == before
    with pytest.raises(ValidationFailed) as missing:
        services.amend_minutes(minutes, based_on=7, body={"ru": RU_3}, party=seed.su)
    assert missing.value.field == "based_on" and "no revision 7" in str(missing.value)
    # Started again from the current revision, it goes through.
    assert services.amend_minutes(minutes, based_on=2, body={"ru": RU_3}, party=seed.su).number == 3


def test_only_a_party_of_the_meeting_amends_or_signs_off(seed, minutes):
    mongolia = create_party(code="MN", name={"en": "Mongolia"}, languages=["mn"])
    before = ChangeRecord.objects.count()
    with pytest.raises(ValidationFailed) as err:
        services.amend_minutes(minutes, based_on=1, body={"mn": "Протокол"}, party=mongolia)
    assert err.value.field == "party" and "MN is not a party" in str(err.value) and "CN, SU" in str(err.value)
    with pytest.raises(ValidationFailed) as err:
        services.sign_off(minutes, party=mongolia, revision=1, signed_on=FEB_24)
    assert err.value.field == "party"
    assert ChangeRecord.objects.count() == before


# --- comparing ---------------------------------------------------------------------------------------


def test_any_two_revisions_compare_in_each_language(amended):
    old_zh_2, old_ru_2 = ZH_1.splitlines()[1], RU_1.splitlines()[1]
    assert services.compare(amended, 1, 3, "zh") == [Change("replace", (old_zh_2,), (ZH_ITEM_2,), 2, 2)]
    assert services.compare(amended, 1, 3, "ru") == [
        Change("replace", (old_ru_2,), (RU_ITEM_2,), 2, 2),
        Change("insert", (), (RU_ITEM_4,), 4, 4),
    ]
    # Backwards and between neighbours too; a revision against itself has no changes.
    assert [c.op for c in services.compare(amended, 3, 1, "ru")] == ["replace", "delete"]
    assert services.compare(amended, 2, 3, "zh") == []
    assert services.compare(amended, 1, 2, "ru") == []
    assert services.compare(amended, 2, 2, "ru") == []
    # The same language under another tag form.
    assert services.compare(amended, 1, 3, "zh-Hans") == services.compare(amended, 1, 3, "zh")
    diff = services.unified_diff(amended, 1, 3, "ru")
    assert diff.startswith("--- revision 1 (ru)\n+++ revision 3 (ru)")
    assert f"-{old_ru_2}" in diff and f"+{RU_ITEM_2}" in diff and f"+{RU_ITEM_4}" in diff
    assert services.unified_diff(amended, 2, 3, "zh") == ""


def test_a_language_present_in_one_revision_compares_with_nothing(seed, amended):
    services.amend_minutes(amended, based_on=3, body={"en": "1. Reviewed.\n2. Signed."}, party=seed.su)
    assert services.compare(amended, 1, 4, "en") == [Change("insert", (), ("1. Reviewed.", "2. Signed."), 1, 1)]
    with pytest.raises(ValidationFailed) as err:
        services.compare(amended, 1, 2, "en")
    assert err.value.field == "language" and "ru, zh" in str(err.value)
    with pytest.raises(ValidationFailed) as err:
        services.compare(amended, 1, 9, "zh")
    assert err.value.field == "b"


# --- signing off -------------------------------------------------------------------------------------


def test_one_sign_off_keeps_the_draft_both_on_the_current_revision_make_it_final(seed, amended):
    cn = services.sign_off(amended, party=seed.cn, revision=3, signed_by=seed.wu_heng, signed_on=FEB_23)
    assert (cn.revision, cn.signer_name, cn.owner_party) == (3, "武衡", seed.cn)  # name as the party writes it
    assert cn.body_sha256 == services.body_sha256(services.current_revision(amended).body)
    assert fresh(amended).status == Minutes.Status.DRAFT
    assert services.pending_parties(amended) == [seed.su]
    su = services.sign_off(amended, party=seed.su, revision=3, signed_by=seed.aleksenko, signed_on=FEB_24)
    assert su.signer_name == "Алексенко"
    stored = fresh(amended)
    assert (stored.status, stored.finalised_on, stored.current_revision) == ("final", FEB_24, 3)
    assert amended.is_final  # the caller's instance follows
    assert services.pending_parties(stored) == []
    finals = ChangeRecord.objects.filter(object_type="meetings.minutes", object_id=str(amended.pk), action="update")
    assert [r.changed_fields() for r in finals] == [
        ["current_revision"],
        ["current_revision"],
        ["finalised_on", "status"],
    ]


def test_final_minutes_are_neither_amended_nor_signed_off_again(seed, amended):
    services.sign_off(amended, party=seed.cn, revision=3, signed_on=FEB_24)
    services.sign_off(amended, party=seed.su, revision=3, signed_on=FEB_24)
    before = ChangeRecord.objects.count()
    with pytest.raises(TransitionRefused, match="the minutes are final") as err:
        services.amend_minutes(amended, based_on=3, body={"zh": "改动"}, party=seed.cn)
    assert err.value.field == "status"
    with pytest.raises(TransitionRefused, match="the minutes are final"):
        services.sign_off(amended, party=seed.cn, revision=3, signed_on=FEB_24)
    assert ChangeRecord.objects.count() == before


def test_an_amendment_after_a_sign_off_means_that_sign_off_no_longer_counts(seed, minutes):
    services.sign_off(minutes, party=seed.cn, revision=1, signed_by=seed.wu_heng, signed_on=FEB_23)
    services.amend_minutes(minutes, based_on=1, body={"ru": RU_3}, party=seed.su)
    assert services.pending_parties(minutes) == [seed.cn, seed.su]  # CN agreed to revision 1, not 2
    services.sign_off(minutes, party=seed.su, revision=2, signed_on=FEB_24)
    assert fresh(minutes).status == Minutes.Status.DRAFT  # CN's sign-off was for another text
    assert services.pending_parties(minutes) == [seed.cn]
    services.sign_off(minutes, party=seed.cn, revision=2, signed_by=seed.wu_heng, signed_on=FEB_24)
    assert fresh(minutes).status == Minutes.Status.FINAL
    # The earlier sign-off stays on record, for the revision it was given on.
    assert list(MinutesSignOff.objects.filter(minutes=minutes).values_list("revision", "party__code")) == [
        (1, "CN"),
        (2, "SU"),
        (2, "CN"),
    ]


def test_a_sign_off_is_of_the_current_revision_once_per_party(seed, amended):
    before = ChangeRecord.objects.count()
    with pytest.raises(StaleRevision) as err:
        services.sign_off(amended, party=seed.cn, revision=2, signed_on=FEB_24)
    assert err.value.field == "revision" and "by the SU delegation" in err.value.message
    with pytest.raises(ValidationFailed) as missing:
        services.sign_off(amended, party=seed.cn, revision=4, signed_on=FEB_24)
    assert missing.value.field == "revision"
    with pytest.raises(ValidationFailed) as err:
        services.sign_off(amended, party=seed.cn, revision=3, signed_by=seed.aleksenko, signed_on=FEB_24)
    assert err.value.field == "signed_by"
    assert ChangeRecord.objects.count() == before
    services.sign_off(amended, party=seed.cn, revision=3, signed_on=FEB_24)
    with pytest.raises(ValidationFailed, match="already signed off revision 3") as err:
        services.sign_off(amended, party=seed.cn, revision=3, signed_on=FEB_24)
    assert err.value.field == "party"


def test_a_sign_off_is_not_dated_before_the_meeting_began(seed):
    other = create_meeting(
        agreement=seed.protocol,
        title={"en": "Second session"},
        start_on=dt.date(1961, 3, 1),
        end_on=dt.date(1961, 3, 10),
    )
    first = services.start_minutes(other, {"zh": ZH_1})
    with pytest.raises(ValidationFailed) as err:
        services.sign_off(first.minutes, party=seed.cn, revision=1, signed_on=dt.date(1961, 2, 28))
    assert err.value.field == "signed_on"


# --- revisions are append-only -------------------------------------------------------------------------


def test_revisions_are_only_ever_created(seed, amended, monkeypatch):
    """The services never update or delete a revision: a whole negotiation leaves only "create" entries."""
    touched: list[object] = []
    real_update, real_delete = records.update, records.delete

    def spy_update(obj, **kwargs):
        touched.append(obj)
        return real_update(obj, **kwargs)

    def spy_delete(obj, **kwargs):
        touched.append(obj)
        return real_delete(obj, **kwargs)

    monkeypatch.setattr(records, "update", spy_update)
    monkeypatch.setattr(records, "delete", spy_delete)
    services.sign_off(amended, party=seed.cn, revision=3, signed_on=FEB_24)
    services.amend_minutes(amended, based_on=3, body={"zh": ZH_2 + "\n4. 双方表示满意。"}, party=seed.cn)
    services.sign_off(amended, party=seed.cn, revision=4, signed_on=FEB_24)
    services.sign_off(amended, party=seed.su, revision=4, signed_on=FEB_24)
    assert touched and all(isinstance(obj, Minutes) for obj in touched)
    assert revision_entries() == ["create"] * 4
    first = MinutesRevision.objects.get(minutes=amended, number=1)
    assert first.body == {"zh": ZH_1, "ru": RU_1} and first.version == 1
    # And the model itself refuses a second save or a delete.
    first.note = "rewritten"
    with pytest.raises(TransitionRefused, match="never changed"):
        first.save()
    with pytest.raises(TransitionRefused, match="never deleted"):
        first.delete()


def test_verify_names_a_revision_changed_after_it_was_made(seed, amended):
    report = VerifyReport()
    check_minutes(report)
    assert report.ok
    # A bug (or a hand) that rewrites history through the generic write path is caught.
    first = MinutesRevision.objects.get(minutes=amended, number=1)
    records.update(first, expected_version=1, note="rewritten")
    check_minutes(report)
    assert [p.where for p in report.problems] == [f"meetings.minutesrevision {first.pk}"]
    assert "append-only" in report.problems[0].what
