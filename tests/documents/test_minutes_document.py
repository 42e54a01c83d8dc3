"""The minutes of the seed meeting as a document: draft and final, in Chinese, Russian and English."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from accord.core.errors import ValidationFailed
from accord.documents.models import Document
from accord.documents.renderers import build, render
from accord.documents.services import generate_document
from accord.meetings.services.minutes import amend_minutes, sign_off, start_minutes

from .extract import contains, text_of

pytestmark = pytest.mark.django_db

FIRST_DRAFT = {
    "en": "1. The delegations reviewed the implementation of the 1959 cooperation plan.\n"
    "2. The delegations discussed the 1960 annual plan.",
    "zh": "一、双方代表团审查了1959年合作计划的执行情况。\n二、双方代表团商谈了1960年年度计划。",
    "ru": "1. Делегации рассмотрели выполнение плана сотрудничества на 1959 год.\n"
    "2. Делегации обсудили годовой план на 1960 год.",
}
# The Soviet delegation's amendment: item 2 says the plan was signed, and an item 3 is added.
AMENDED = {
    "en": "1. The delegations reviewed the implementation of the 1959 cooperation plan.\n"
    "2. The delegations discussed and signed the 1960 annual plan.\n"
    "3. The next session will be held in Beijing.",
    "zh": "一、双方代表团审查了1959年合作计划的执行情况。\n二、双方代表团商谈和签订了1960年年度计划。\n"
    "三、下次会议将在北京举行。",
    "ru": "1. Делегации рассмотрели выполнение плана сотрудничества на 1959 год.\n"
    "2. Делегации обсудили и подписали годовой план на 1960 год.\n"
    "3. Следующая сессия состоится в Пекине.",
}
REPLACED = {"en": FIRST_DRAFT["en"].splitlines()[1], "zh": FIRST_DRAFT["zh"].splitlines()[1]}
REPLACED["ru"] = FIRST_DRAFT["ru"].splitlines()[1]

EXPECTED = {
    "zh": {
        "heading": [
            "会议纪要",
            "中国科学技术委员会和苏联部长会议国家科学技术委员会的代表团会议",
            "莫斯科，1960年2月24日",
        ],
        "draft": "状态：草稿（第2稿），尚未经各方签字确认",
        "final": "状态：定稿（第2稿），各方已于1960年2月25日签字确认",
        "pending": ["中华人民共和国代表：尚未签字确认", "苏维埃社会主义共和国联盟代表：尚未签字确认"],
        "signed": [
            "中华人民共和国代表：武衡，1960年2月24日",
            "苏维埃社会主义共和国联盟代表：阿列克先科，1960年2月25日",
        ],
    },
    "ru": {
        "heading": [
            "Протокол совещания",
            "Совещание делегаций Научно-технической комиссии КНР",
            "Москва, 24 февраля 1960 г.",
        ],
        "draft": "Статус: Проект (редакция 2), ещё не согласован всеми сторонами",
        "final": "Статус: Окончательный текст (редакция 2), согласован всеми сторонами 25 февраля 1960 г.",
        "pending": [
            "От стороны «Китайская Народная Республика»: ещё не подписан",
            "От стороны «Союз Советских Социалистических Республик»: ещё не подписан",
        ],
        "signed": [
            "От стороны «Китайская Народная Республика»: У Хэн, 24 февраля 1960 г.",
            "От стороны «Союз Советских Социалистических Республик»: Алексенко, 25 февраля 1960 г.",
        ],
    },
    "en": {
        "heading": ["Minutes", "Meeting of the delegations of the Chinese Scientific", "Moscow, 24 February 1960"],
        "draft": "Status: Draft (revision 2), not yet agreed by all parties",
        "final": "Status: Final (revision 2), agreed by all parties on 25 February 1960",
        "pending": [
            "For the People's Republic of China: not yet signed off",
            "For the Union of Soviet Socialist Republics: not yet signed off",
        ],
        "signed": [
            "For the People's Republic of China: Wu Heng, 24 February 1960",
            "For the Union of Soviet Socialist Republics: Aleksenko, 25 February 1960",
        ],
    },
}


@pytest.fixture
def draft(seed):
    """The seed meeting's minutes: the secretariat's first draft, amended by the Soviet delegation."""
    first = start_minutes(seed.meeting, FIRST_DRAFT, author_name="Secretariat")
    amend_minutes(first.minutes, based_on=1, body=AMENDED, party=seed.su, author_name="SU delegation")
    first.minutes.refresh_from_db()
    return first.minutes


@pytest.fixture
def final(seed, draft):
    sign_off(draft, party=seed.cn, revision=2, signed_on=dt.date(1960, 2, 24), signed_by=seed.wu_heng)
    sign_off(draft, party=seed.su, revision=2, signed_on=dt.date(1960, 2, 25), signed_by=seed.aleksenko)
    draft.refresh_from_db()
    assert draft.is_final
    return draft


def assert_current_text(text, lang):
    for line in AMENDED[lang].splitlines():
        assert contains(text, line), line
    assert not contains(text, REPLACED[lang])  # revision 1's line that revision 2 changed


@pytest.mark.parametrize("fmt", ["html", "docx"])
@pytest.mark.parametrize("lang", ["zh", "ru", "en"])
def test_draft_minutes_show_the_current_revision_and_who_has_not_signed(draft, lang, fmt):
    text = text_of(fmt, render("minutes", draft, lang, fmt))
    expected = EXPECTED[lang]
    for phrase in [*expected["heading"], expected["draft"], *expected["pending"]]:
        assert contains(text, phrase), phrase
    assert_current_text(text, lang)
    assert not contains(text, expected["final"])


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
@pytest.mark.parametrize("lang", ["zh", "ru", "en"])
def test_final_minutes_show_the_sign_offs_on_the_final_revision(final, lang, fmt):
    text = text_of(fmt, render("minutes", final, lang, fmt))
    expected = EXPECTED[lang]
    for phrase in [*expected["heading"], expected["final"], *expected["signed"]]:
        assert contains(text, phrase), phrase
    assert_current_text(text, lang)
    assert not any(contains(text, phrase) for phrase in expected["pending"])


def test_a_sign_off_on_an_earlier_revision_does_not_count(seed):
    first = start_minutes(seed.meeting, FIRST_DRAFT, author_name="Secretariat")
    minutes = first.minutes
    sign_off(minutes, party=seed.cn, revision=1, signed_on=dt.date(1960, 2, 24), signed_by=seed.wu_heng)
    en = build("minutes", minutes, "en")[2].text_of("en")
    assert "For the People's Republic of China: Wu Heng, 24 February 1960" in en
    assert "For the Union of Soviet Socialist Republics: not yet signed off" in en
    assert "Revision 1 by the secretariat." in en
    amend_minutes(minutes, based_on=1, body=AMENDED, party=seed.su, author_name="SU delegation")
    minutes.refresh_from_db()
    en = build("minutes", minutes, "en")[2].text_of("en")
    assert "For the People's Republic of China: not yet signed off" in en  # Wu Heng agreed to another text
    assert "Wu Heng" not in en
    assert "Revision 2 by the delegation of the Union of Soviet Socialist Republics." in en


def test_a_signer_without_a_person_record_appears_under_the_name_given(seed, draft):
    sign_off(draft, party=seed.su, revision=2, signed_on=dt.date(1960, 2, 24), signer_name="В. Алексенко")
    zh = build("minutes", draft, "zh")[2].text_of("zh")
    assert "苏维埃社会主义共和国联盟代表：В. Алексенко，1960年2月24日" in zh


def test_a_language_the_revision_lacks_falls_back_to_english_and_says_so(seed):
    body = {"en": FIRST_DRAFT["en"], "ru": FIRST_DRAFT["ru"]}
    minutes = start_minutes(seed.meeting, body, author_name="Secretariat").minutes
    zh = build("minutes", minutes, "zh")[2].text_of("zh")
    assert "本稿没有中文文本，以下为英文文本。" in zh
    assert "1. The delegations reviewed the implementation of the 1959 cooperation plan." in zh
    ru = build("minutes", minutes, "ru")[2].text_of("ru")
    assert "Текста этой редакции" not in ru and "2. Делегации обсудили годовой план на 1960 год." in ru


@pytest.mark.parametrize("language", ["fr", "", "xx-!!"])
def test_a_language_the_minutes_cannot_be_written_in_is_refused(draft, language):
    with pytest.raises(ValidationFailed) as err:
        render("minutes", draft, language, "html")
    assert err.value.field == "language"


def test_the_stored_minutes_move_their_date_to_the_day_they_became_final(seed, draft, media):
    doc = generate_document("minutes", draft, "ru", "docx").document
    assert (doc.kind, doc.origin) == (Document.Kind.MINUTES, Document.Origin.GENERATED)
    assert (doc.agreement, doc.meeting, doc.plan) == (seed.protocol, seed.meeting, None)
    assert doc.issued_on == seed.meeting.end_on
    # Made by the system: a draft the parties share, public only once published.
    assert (doc.status, doc.visibility) == (Document.Status.DRAFT, "bilateral")
    sign_off(draft, party=seed.cn, revision=2, signed_on=dt.date(1960, 2, 24), signed_by=seed.wu_heng)
    sign_off(draft, party=seed.su, revision=2, signed_on=dt.date(1960, 2, 26), signed_by=seed.aleksenko)
    draft.refresh_from_db()
    again = generate_document("minutes", draft, "ru", "docx")
    assert again.document.pk == doc.pk  # the same document, brought up to date
    doc.refresh_from_db()
    assert doc.issued_on == dt.date(1960, 2, 26) and "Окончательный текст" in again.texts[0].body
    # The communiqué of the same meeting stays a document of its own.
    assert generate_document("communique", seed.meeting, "ru").document.pk != doc.pk


def test_cli_writes_the_minutes(seed, final, tmp_path, capsys):
    target = tmp_path / "minutes-zh.pdf"
    call_command("document", "minutes", str(final.pk), "--lang", "zh", "--format", "pdf", "-o", str(target))
    assert f"Wrote {target}" in capsys.readouterr().out
    text = text_of("pdf", target.read_bytes())
    assert contains(text, "三、下次会议将在北京举行。") and contains(text, "阿列克先科")


@pytest.mark.parametrize(
    ("ref", "message"),
    [("999999", "ref: no minutes with id or uid '999999'"), ("nope", "ref: no minutes with id or uid 'nope'")],
)
def test_cli_refuses_a_bad_minutes_ref_in_one_line(seed, tmp_path, ref, message):
    target = tmp_path / "out.docx"
    with pytest.raises(CommandError) as err:
        call_command("document", "minutes", ref, "--lang", "en", "--format", "docx", "-o", str(target))
    assert message in str(err.value) and "\n" not in str(err.value)
    assert not target.exists()


def test_the_minutes_document_is_published_only_once_the_minutes_are_final(seed, draft, media):
    from accord.core.errors import TransitionRefused
    from accord.documents.services import approve_document, publish_document

    doc = generate_document("minutes", draft, "ru", "html").document
    for party in (seed.cn, seed.su):
        approve_document(doc, party)
    with pytest.raises(TransitionRefused, match="are not final yet"):
        publish_document(doc)
    sign_off(draft, party=seed.cn, revision=2, signed_on=dt.date(1960, 2, 24), signed_by=seed.wu_heng)
    sign_off(draft, party=seed.su, revision=2, signed_on=dt.date(1960, 2, 26), signed_by=seed.aleksenko)
    draft.refresh_from_db()
    final = generate_document("minutes", draft, "ru", "html").document  # the text now says they are final
    assert final.pk == doc.pk
    with pytest.raises(TransitionRefused, match="not approved yet by: CN, SU"):
        publish_document(doc)
    for party in (seed.cn, seed.su):
        approve_document(doc, party)
    assert publish_document(doc).status == "published"
