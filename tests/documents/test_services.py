import hashlib

import pytest

from accord.core.errors import ValidationFailed
from accord.documents.models import Document
from accord.documents.services import add_text, create_document

pytestmark = pytest.mark.django_db


def test_each_language_text_is_hashed(seed):
    doc = create_document(
        kind="communique",
        agreement=seed.protocol,
        meeting=seed.meeting,
        title={"en": "Communiqué"},
        texts={"zh-hans": "公报", "ru": "Коммюнике"},
    )
    texts = {t.language: t for t in doc.texts.all()}
    assert set(texts) == {"zh-Hans", "ru"}
    assert texts["ru"].sha256 == hashlib.sha256("Коммюнике".encode()).hexdigest()


def test_bad_texts_are_refused_and_nothing_is_written(seed):
    count = Document.objects.count()
    with pytest.raises(ValidationFailed) as err:
        create_document(kind="communique", agreement=seed.protocol, title={"en": "C"}, texts={"Chinese": "公报"})
    assert err.value.field == "language"
    with pytest.raises(ValidationFailed):
        create_document(kind="communique", agreement=seed.protocol, title={"en": "C"}, texts={})
    with pytest.raises(ValidationFailed):
        create_document(kind="communique", agreement=seed.protocol, title={"en": "C"}, texts={"en": "  "})
    assert Document.objects.count() == count
    with pytest.raises(ValidationFailed, match="already exists"):
        add_text(seed.press_report, "en", "again")
