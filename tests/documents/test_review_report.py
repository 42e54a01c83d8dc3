"""The review report of the seed's published review of 1959, in Chinese and English, as HTML, PDF and DOCX.

Every figure the tests look for is read from the review's stored snapshot (review.figures), so the tests
say "the report shows the snapshot", not "the report shows 122".
"""

import datetime as dt
import re

import pytest
from django.core.management import CommandError, call_command

from accord.core.errors import ValidationFailed
from accord.core.models import ChangeRecord
from accord.core.verify import verify
from accord.documents.models import Document
from accord.documents.renderers import build, render
from accord.documents.services import generate_document
from accord.documents.wording import format_percent
from accord.meetings.selectors import compute_review
from accord.meetings.services import add_agenda_item, reviews
from accord.programmes.services import record_progress

from .extract import contains, html_text, squash, text_of

pytestmark = pytest.mark.django_db

# The report's words for the headline figures (what the tests look for beside the numbers).
WORDS = {
    "zh": {
        "planned": "已签订计划的项目",
        "completed": "已完成",
        "carried": "未完成，转入下一计划",
        "published": "已发布",
    },
    "en": {
        "planned": "Items of the signed plan",
        "completed": "Completed",
        "carried": "Open, carried over to the next plan",
        "published": "Published",
    },
}


def statements_of(review):
    return {s.party.code: s.text for s in review.statements.select_related("party")}


def assert_report_shows_the_snapshot(text, review, lang):
    figures = review.figures
    completion = figures["completion"]
    words = WORDS[lang]
    # Each headline figure beside its label, as one row of the completion table.
    assert contains(text, f"{words['planned']} {completion['planned']}")
    assert contains(text, f"{words['completed']} {completion['completed']}")
    assert contains(text, f"{words['carried']} {completion['carried_over']}")
    assert contains(text, format_percent(completion["percent_complete"], lang))
    assert contains(text, words["published"])
    headline = figures["exchanges"]["headline"]["all"]
    for name in ("experts", "trainees", "documents", "samples"):
        assert headline[name] in text, name
    # The carry-over list: each open item's position, project number and title, in the report's language.
    assert len(figures["carry_over"]) == completion["carried_over"]
    for row in figures["carry_over"]:
        assert contains(text, f"{row['position']}{row['project']}{row['title'][lang]}"), row["project"]
    # Both parties' statements, in the report's language.
    for code, statement in statements_of(review).items():
        assert contains(text, statement[lang]), code


@pytest.mark.parametrize("fmt", ["html", "docx"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_seed_review_report_shows_the_stored_figures(seed, lang, fmt):
    review = seed.review_1959
    assert review.status == "published" and review.figures["completion"]["planned"] == 122  # the seed's review
    text = text_of(fmt, render("review_report", review, lang, fmt))
    assert_report_shows_the_snapshot(text, review, lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_review_report_as_pdf(seed, lang):
    review = seed.review_1959
    text = text_of("pdf", render("review_report", review, lang, "pdf"))
    assert_report_shows_the_snapshot(text, review, lang)


def test_the_title_names_the_plan_and_the_date_in_each_language(seed):
    titles = {lang: build("review_report", seed.review_1959, lang)[2].titles[lang] for lang in ("zh", "ru", "en")}
    assert titles == {
        "zh": "1959年合作计划执行情况审查报告（截至1960年2月24日）",
        "ru": "Итоги выполнения документа «План сотрудничества на 1959 год» по состоянию на 24 февраля 1960 г.",
        "en": "Review of the 1959 cooperation plan as of 24 February 1960",
    }


def test_the_html_draws_its_own_chart_of_items_by_status(seed):
    review = seed.review_1959
    html = render("review_report", review, "en", "html").decode()
    [svg] = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    by_status = review.figures["items"]["by_status"]
    # One bar per status with items, its length proportional to the count; the largest fills the width.
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert len(widths) == sum(1 for n in by_status.values() if n)
    top = max(by_status.values())
    assert sorted(widths) == sorted(round(330 * n / top, 1) for n in by_status.values() if n)
    for label in ("Not started", "On track", "Delayed", "Completed", "Cancelled"):
        assert f">{label}</text>" in svg
    # Offline and inert: nothing fetched, nothing run.
    assert "<script" not in html and "http://" not in html and "https://" not in html and "<img" not in html
    assert "<figcaption>Items by status as of 24 February 1960 (of 122 items)</figcaption>" in html


def test_the_docx_draws_the_chart_as_a_table_of_bars(seed):
    text = text_of("docx", render("review_report", seed.review_1959, "zh", "docx"))
    completed = seed.review_1959.figures["items"]["by_status"]["completed"]
    assert "已完成\n" + str(completed) + "\n" + "█" * 30 in text  # the largest count: the longest bar


def test_a_published_report_does_not_change_when_the_records_do(seed):
    review = seed.review_1959
    before = render("review_report", review, "en", "html")
    docx_before = render("review_report", review, "en", "docx")
    # A late progress report completes a carried-over item, for a period before the review date.
    first_open = review.figures["carry_over"][0]
    item = review.plan.items.get(uid=first_open["item"])
    record_progress(
        item,
        reporting_organisation=item.progress_reports.first().reporting_organisation,
        period_start=dt.date(1959, 1, 1),
        period_end=dt.date(1959, 12, 31),
        status="completed",
        percent=100,
    )
    now = compute_review(review.plan, review.as_of)["completion"]
    assert now["completed"] == review.figures["completion"]["completed"] + 1  # the records did change
    review.refresh_from_db()
    assert render("review_report", review, "en", "html") == before
    assert render("review_report", review, "en", "docx") == docx_before  # to the byte, DOCX too


def test_a_draft_review_says_so_and_its_statements_fall_back_to_english(seed):
    draft = reviews.create_review(seed.plan_1959, dt.date(1959, 12, 31))
    reviews.add_statement(draft, seed.su, {"en": "Work on the samples continues."})
    en = build("review_report", draft, "en")[2].text_of("en")
    assert "Status: Draft (not yet published)" in en
    assert "they may be computed again before the review is published" in en
    assert "Discussed at" not in en  # no meeting's agenda links this review
    ru = build("review_report", draft, "ru")[2].text_of("ru")
    assert "Статус: Проект (не опубликован)" in ru
    assert "Work on the samples continues." in ru  # no Russian text: the English one
    assert "Сторона «Китайская Народная Республика» заявления не сделала." in ru
    assert "Рассмотрено на совещании" not in ru


def test_a_statement_shared_more_narrowly_than_the_review_stays_out_of_its_report(seed):
    review = reviews.create_review(seed.plan_1959, dt.date(1959, 12, 31), visibility="bilateral")
    reviews.add_statement(review, seed.cn, {"en": "For the parties to read."})
    reviews.add_statement(review, seed.su, {"en": "For our side only."}, visibility="internal")
    en = build("review_report", review, "en")[2].text_of("en")
    assert "For the parties to read." in en
    assert "For our side only." not in en and "Union of Soviet Socialist Republics made no statement" not in en


def test_the_published_review_names_the_meeting_that_discussed_it(seed):
    zh = build("review_report", seed.review_1959, "zh")[2].text_of("zh")
    assert "审议会议：中国科学技术委员会和苏联部长会议国家科学技术委员会的代表团会议，莫斯科，1960年2月24日" in zh
    assert "状态：已发布" in zh


def test_russian_figures_use_the_russian_decimal_comma(seed):
    ru = build("review_report", seed.review_1959, "ru")[2].text_of("ru")
    share = seed.review_1959.figures["completion"]["percent_complete"]
    assert f"Доля выполненных\t{share.replace('.', ',')}\u00a0%" in ru


@pytest.mark.parametrize("language", ["fr", "", "not a tag"])
def test_a_language_the_review_cannot_be_written_in_is_refused(seed, language):
    with pytest.raises(ValidationFailed) as err:
        render("review_report", seed.review_1959, language, "html")
    assert err.value.field == "language"


def test_the_stored_review_report_links_the_plan_the_meeting_and_the_review_date(seed, media):
    review = seed.review_1959
    before = ChangeRecord.objects.count()
    made = generate_document("review_report", review, "zh", "docx")
    doc = made.document
    assert (doc.kind, doc.origin) == (Document.Kind.REVIEW_REPORT, Document.Origin.GENERATED)
    assert (doc.agreement, doc.plan, doc.meeting) == (seed.protocol, seed.plan_1959, seed.meeting)
    assert doc.issued_on == review.as_of
    assert (doc.status, doc.visibility) == (Document.Status.DRAFT, "bilateral")  # public once published
    assert str(review.figures["completion"]["carried_over"]) in made.texts[0].body
    assert ChangeRecord.objects.count() - before == 3  # the document, its text, its file
    # Unchanged records: nothing written. Another review of the same plan: a document of its own.
    generate_document("review_report", review, "zh", "docx")
    assert ChangeRecord.objects.count() - before == 3
    draft = reviews.create_review(seed.plan_1959, dt.date(1959, 12, 31))
    other = generate_document("review_report", draft, "zh").document
    assert other.pk != doc.pk and other.issued_on == dt.date(1959, 12, 31) and other.meeting is None
    assert verify().ok


def test_a_report_stored_before_a_meeting_discussed_the_review_is_linked_to_it_afterwards(seed, media):
    draft = reviews.create_review(seed.plan_1959, dt.date(1959, 12, 31))
    doc = generate_document("review_report", draft, "en").document
    assert doc.meeting is None
    add_agenda_item(seed.meeting, kind="review", plan=seed.plan_1959, review=draft, title={"en": "Year-end review"})
    again = generate_document("review_report", draft, "en")
    assert again.document.pk == doc.pk  # the same document, now naming the meeting
    doc.refresh_from_db()
    assert doc.meeting == seed.meeting and "Discussed at: Meeting of the delegations" in again.texts[0].body


def test_cli_writes_the_review_report(seed, tmp_path, capsys):
    target = tmp_path / "review-en.docx"
    call_command(
        "document", "review_report", str(seed.review_1959.uid), "--lang", "en", "--format", "docx", "-o", str(target)
    )
    assert f"Wrote {target}" in capsys.readouterr().out
    text = text_of("docx", target.read_bytes())
    assert contains(text, "Review of the 1959 cooperation plan as of 24 February 1960")
    assert "The scientific and technological data and experience obtained" in text


@pytest.mark.parametrize(
    ("ref", "message"),
    [("999999", "ref: no review with id or uid '999999'"), ("not-a-ref", "ref: no review with id or uid")],
)
def test_cli_refuses_a_bad_review_ref_in_one_line(seed, tmp_path, ref, message):
    target = tmp_path / "out.html"
    with pytest.raises(CommandError) as err:
        call_command("document", "review_report", ref, "--lang", "en", "-o", str(target))
    assert message in str(err.value) and "\n" not in str(err.value)
    assert not target.exists()


def test_the_chinese_report_is_in_chinese_only(seed):
    """The Chinese report carries no English statement and no Russian label."""
    text = squash(html_text(render("review_report", seed.review_1959, "zh", "html")))
    assert "Thesincere" not in text and "Статус" not in text
