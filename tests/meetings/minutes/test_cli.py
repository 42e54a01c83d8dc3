from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accord.core.models import ChangeRecord
from accord.meetings.models import Minutes, MinutesRevision

from .conftest import RU_1, RU_3, RU_ITEM_2, ZH_1, ZH_2, ZH_ITEM_2

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("minutes", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def files(tmp_path):
    paths = {}
    for name, text in {"zh1": ZH_1, "ru1": RU_1, "zh2": ZH_2, "ru3": RU_3}.items():
        paths[name] = tmp_path / f"{name}.txt"
        paths[name].write_text(text, encoding="utf-8")
    return {k: str(v) for k, v in paths.items()}


def test_start_show_amend_diff_and_sign_off_from_the_command_line(seed, files):
    ref = str(seed.meeting.uid)  # by uid ...
    out = run("start", ref, "--lang", "zh", "--file", files["zh1"], "--lang", "ru", "--file", files["ru1"])
    assert "revision 1 by the secretariat (tester)" in out
    shown = run("show", str(seed.meeting.pk))  # ... or by id
    assert "(draft; current revision 1)" in shown and "Awaiting sign-off: CN, SU" in shown
    assert f"[zh]\n{ZH_1}" in shown and f"[ru]\n{RU_1}" in shown

    out = run("amend", ref, "--based-on", "1", "--party", "cn", "--lang", "zh", "--file", files["zh2"], "--note", "CN")
    assert out.strip() == "revision 2 saved (based on 1) by the CN delegation (tester)"
    out = run("amend", ref, "--based-on", "2", "--party", "SU", "--lang", "ru", "--file", files["ru3"])
    assert "revision 3 saved (based on 2)" in out
    minutes = Minutes.objects.get(meeting=seed.meeting)
    assert MinutesRevision.objects.get(minutes=minutes, number=3).body == {"zh": ZH_2, "ru": RU_3}

    older = run("show", ref, "--rev", "1", "--lang", "ru")
    assert RU_1 in older and ZH_1 not in older and "Revision 1 is not the current one." in older
    diff = run("diff", ref, "1", "3", "--lang", "zh")
    assert "--- revision 1 (zh)" in diff and f"+{ZH_ITEM_2}" in diff and RU_ITEM_2 not in diff
    both = run("diff", ref, "1", "3")
    assert f"+{ZH_ITEM_2}" in both and f"+{RU_ITEM_2}" in both
    assert run("diff", ref, "2", "3", "--lang", "zh").strip() == "revisions 2 and 3 do not differ in zh"

    out = run("sign-off", ref, "--party", "CN", "--revision", "3", "--by", str(seed.wu_heng.pk), "--on", "1960-02-24")
    assert out.strip() == "CN signed off revision 3; awaiting SU"
    out = run(
        "sign-off", ref, "--party", "SU", "--revision", "3", "--by", str(seed.aleksenko.uid), "--on", "1960-02-24"
    )
    assert "the minutes are final (since 1960-02-24)" in out
    shown = run("show", ref)
    assert "(final since 1960-02-24; current revision 3)" in shown
    assert "Signed off revision 3: CN by 武衡 on 1960-02-24; SU by Алексенко on 1960-02-24" in shown


def test_a_stale_amendment_is_a_one_line_refusal_and_writes_nothing(seed, files):
    ref = str(seed.meeting.pk)
    run("start", ref, "--lang", "zh", "--file", files["zh1"], "--lang", "ru", "--file", files["ru1"])
    run("amend", ref, "--based-on", "1", "--party", "CN", "--lang", "zh", "--file", files["zh2"])
    before = ChangeRecord.objects.count()
    with pytest.raises(CommandError) as err:
        run("amend", ref, "--based-on", "1", "--party", "SU", "--lang", "ru", "--file", files["ru3"])
    message = str(err.value)
    assert "modified in the meantime by the CN delegation" in message and "\n" not in message
    with pytest.raises(CommandError, match="modified in the meantime"):
        run("sign-off", ref, "--party", "SU", "--revision", "1")
    assert ChangeRecord.objects.count() == before


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["show", "no-such-meeting"], "id or uid"),
        (["show", "999999"], "there is no meeting 999999"),
        (["show", "{meeting}"], "have not been started"),
        (["diff", "{meeting}", "1", "2"], "have not been started"),
    ],
)
def test_bad_references_are_refused_with_a_reason(seed, args, reason):
    args = [a.format(meeting=seed.meeting.pk) for a in args]
    with pytest.raises(CommandError, match=reason):
        run(*args)


def test_bad_arguments_on_started_minutes_are_refused_with_a_reason(seed, files):
    ref = str(seed.meeting.pk)
    run("start", ref, "--lang", "zh", "--file", files["zh1"])
    before = ChangeRecord.objects.count()
    cases = [
        (["amend", ref, "--based-on", "1", "--party", "XX", "--lang", "zh", "--file", files["zh2"]], "no party"),
        (["amend", ref, "--based-on", "1", "--party", "CN", "--lang", "zh", "--file", "/nonexistent"], "cannot read"),
        (
            ["amend", ref, "--based-on", "1", "--party", "CN", "--lang", "zh", "--lang", "ru", "--file", files["zh2"]],
            "one --file per --lang",
        ),
        (["sign-off", ref, "--party", "CN", "--revision", "1", "--on", "24.02.1960"], "not a date"),
        (["sign-off", ref, "--party", "CN", "--revision", "1", "--by", "424242"], "no person"),
        (["show", ref, "--lang", "ru"], "no text in ru"),
        (["diff", ref, "1", "5"], "no revision 5"),
        (["start", ref, "--lang", "zh", "--file", files["zh1"]], "already started"),
    ]
    for args, reason in cases:
        with pytest.raises(CommandError, match=reason):
            run(*args)
    assert ChangeRecord.objects.count() == before
