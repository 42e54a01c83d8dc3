"""Generated documents are stored as Document records: one hashed text per language, hashed renderings."""

import datetime as dt
import hashlib

import pytest

from accord.core import services as records
from accord.core.models import ChangeRecord
from accord.core.verify import verify
from accord.documents.models import Document, DocumentFile, DocumentText
from accord.documents.services import generate_document
from accord.meetings.services import update_meeting

from .extract import pdf_text

pytestmark = pytest.mark.django_db


def sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def test_a_communique_is_stored_with_its_hashes(seed, media):
    before = ChangeRecord.objects.count()
    made = generate_document("communique", seed.meeting, "zh", "pdf")
    doc = made.document
    assert (doc.kind, doc.origin) == (Document.Kind.COMMUNIQUE, Document.Origin.GENERATED)
    assert doc.meeting == seed.meeting and doc.agreement == seed.protocol and doc.plan is None
    assert doc.issued_on == dt.date(1960, 2, 24)  # the meeting's date, not today's
    assert doc.title["zh"].startswith("公报：")
    [text] = DocumentText.objects.filter(document=doc)
    assert text.language == "zh" and "武衡" in text.body and "122" in text.body
    assert text.sha256 == sha(text.body)
    [stored] = DocumentFile.objects.filter(document=doc)
    assert (stored.format, stored.languages, stored.layout) == ("pdf", "zh", "")
    assert stored.sha256 == sha(made.data) and stored.size == len(made.data)
    on_disk = (media / stored.file.name).read_bytes()
    assert on_disk == made.data and "莫斯科" in pdf_text(on_disk)
    # One audit entry per record written: the document, its text, its file.
    assert ChangeRecord.objects.count() - before == 3
    assert verify().ok


def test_regenerating_from_unchanged_records_writes_nothing(seed, media):
    first = generate_document("communique", seed.meeting, "ru", "docx")
    before = ChangeRecord.objects.count()
    again = generate_document("communique", seed.meeting, "ru", "docx")
    assert again.document.pk == first.document.pk and again.data == first.data  # same bytes: same hash
    assert ChangeRecord.objects.count() == before


def test_each_language_and_format_adds_to_the_same_document(seed, media):
    for lang, fmt in (("zh", "html"), ("ru", "pdf"), ("en", "docx"), ("zh", "docx")):
        generate_document("communique", seed.meeting, lang, fmt)
    doc = Document.objects.get(kind="communique", origin="generated", meeting=seed.meeting)
    assert sorted(doc.texts.values_list("language", flat=True)) == ["en", "ru", "zh"]
    assert sorted(doc.files.values_list("languages", "format")) == [
        ("en", "docx"),
        ("ru", "pdf"),
        ("zh", "docx"),
        ("zh", "html"),
    ]
    assert set(doc.title) == {"en", "ru", "zh"}
    for stored in doc.files.all():
        assert sha((media / stored.file.name).read_bytes()) == stored.sha256


def test_a_change_in_the_records_changes_the_text_and_its_hash(seed, media):
    made = generate_document("communique", seed.meeting, "en", "html")
    text, stored = made.texts[0], made.rendering
    old_text_hash, old_file_hash, old_name = text.sha256, stored.sha256, stored.file.name
    meeting = update_meeting(
        seed.meeting,
        expected_version=seed.meeting.version,
        place={**seed.meeting.place, "en": "Moscow, Spiridonovka Palace"},
    )
    changed = generate_document("communique", meeting, "en", "html")
    text.refresh_from_db()
    stored.refresh_from_db()
    assert "Spiridonovka Palace" in text.body and text.sha256 == sha(text.body) != old_text_hash
    assert stored.sha256 == sha(changed.data) != old_file_hash and text.version == 2
    # The earlier rendering stays where the audit trail says it was.
    assert stored.file.name != old_name and (media / old_name).exists()


def test_a_plan_text_is_stored_per_language(seed, media):
    made = generate_document("plan_text", seed.plan_1960, "zh+ru", "pdf", with_english=True)
    doc = made.document
    assert doc.plan == seed.plan_1960 and doc.meeting is None and doc.issued_on == seed.plan_1960.signed_on
    texts = {t.language: t for t in doc.texts.all()}
    assert set(texts) == {"zh", "ru", "en"}
    assert all(t.sha256 == sha(t.body) for t in texts.values())
    assert texts["zh"].body == made.content.text_of("zh") and "武衡" in texts["zh"].body
    # The demo stored the zh and ru HTML its signatures cover; this adds the PDF.
    [stored] = doc.files.filter(format="pdf")
    assert (stored.languages, stored.layout, stored.format) == ("zh+ru+en", "parallel", "pdf")
    assert stored.sha256 == sha(made.data)
    generate_document("plan_text", seed.plan_1960, "zh+ru", "pdf", layout="sequential")
    assert sorted(doc.files.filter(format="pdf").values_list("layout", flat=True)) == ["parallel", "sequential"]


def test_without_a_format_only_the_texts_are_stored(seed, media):
    made = generate_document("communique", seed.meeting, "zh")
    assert made.rendering is None and made.data is None and not made.document.files.exists()
    assert not media.exists()


def test_a_stored_pdf_is_served_again_while_its_source_is_unchanged(seed, media, monkeypatch):
    from accord.documents import pdf_output, services

    first = generate_document("communique", seed.meeting, "zh", "pdf")
    assert len(first.rendering.source_sha256) == 64

    def no_layout(*args, **kwargs):
        raise AssertionError("laid out again although nothing changed")

    monkeypatch.setattr(pdf_output, "write_pdf", no_layout)
    again = generate_document("communique", seed.meeting, "zh", "pdf")
    assert again.data == first.data and again.rendering.pk == first.rendering.pk
    # A stored file that no longer matches its hash is not trusted: it is laid out again.
    (media / first.rendering.file.name).write_bytes(b"%PDF-tampered")
    with pytest.raises(AssertionError, match="laid out again"):
        generate_document("communique", seed.meeting, "zh", "pdf")
    # Nor is one made with other fonts or another WeasyPrint.
    (media / first.rendering.file.name).write_bytes(first.data)
    monkeypatch.setattr(services, "engine_signature", lambda: "weasyprint 99; cjk fonts: Other Font")
    with pytest.raises(AssertionError, match="laid out again"):
        generate_document("communique", seed.meeting, "zh", "pdf")


def test_generated_language_versions_are_checked_against_each_other(seed, media):
    for lang in ("zh", "ru", "en"):
        made = generate_document("communique", seed.meeting, lang)
    assert {t.language for t in made.document.texts.all()} == {"zh", "ru", "en"}
    assert made.language_findings() == []  # the three communiqués say the same thing
    text = made.document.texts.get(language="en")
    records.update(text, expected_version=text.version, body=text.body.replace("122", "112"))
    findings = made.language_findings()
    assert findings and all("112" in f.message for f in findings)
