"""Chinese prints with real glyphs, or Accord refuses and says why: never empty boxes."""

import os
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from accord.core.errors import DomainError
from accord.documents import checks, fonts
from accord.documents.content import Content, Heading
from accord.documents.html_output import write_html
from accord.documents.models import Document
from accord.documents.pdf_output import _fetcher, write_pdf
from accord.documents.renderers import render
from accord.documents.services import generate_document

from .extract import pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db

BOXES = "\U000f0000" * 8  # private use: no font has a glyph for it
PIXELS_TOP = (0, 0, 414, 80)  # the top of an A4 page at 50 dpi
# On a developer's machine without these Debian packages the raster tests are skipped; CI installs them and sets
# ACCORD_REQUIRE_TOOLS=1, so there a missing tool fails the test instead of skipping it.
_OPTIONAL = os.environ.get("ACCORD_REQUIRE_TOOLS") != "1"
needs_poppler = pytest.mark.skipif(
    _OPTIONAL and shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed"
)
needs_cjk = pytest.mark.skipif(
    _OPTIONAL and not fonts.cjk_font_available(), reason="no CJK font installed (fonts-noto-cjk)"
)


def rasterise(pdf: bytes, tmp_path, page: int = 1) -> Image.Image:
    """Page `page` as a greyscale image at 50 dpi, drawn by poppler (not by the library that wrote it)."""
    source = tmp_path / "page.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "50",
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(source),
            str(tmp_path / "page"),
        ],
        check=True,
        timeout=60,
    )
    return Image.open(tmp_path / "page.png").convert("L")


def ink(image: Image.Image, box: tuple[float, float, float, float] = (0, 0, 1, 1)) -> float:
    """Share of dark pixels in a region given as fractions of the page (left, top, right, bottom)."""
    w, h = image.size
    region = image.crop((int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)))
    histogram = region.histogram()
    return sum(histogram[:128]) / max(1, sum(histogram))


@needs_cjk
@needs_poppler
def test_chinese_pdf_page_shows_real_glyphs(seed, tmp_path):
    pdf = render("communique", seed.meeting, "zh", "pdf")
    # The page's fonts: Chinese set in a CJK font, embedded, not in a Latin font that lacks the glyphs.
    used = pdf_fonts(pdf)
    assert any("CJK" in name for name in used), used
    assert "公报" in pdf_text(pdf) and "莫斯科" in pdf_text(pdf)
    page = rasterise(pdf, tmp_path)
    assert 0.002 < ink(page) < 0.3  # printed, and not a page of black boxes
    title = ink(page, (0.3, 0.03, 0.7, 0.12))  # 公报, centred at the top
    assert title > 0.01, title
    assert ink(page, (0.0, 0.0, 0.06, 1.0)) == 0  # the left margin stays white


@needs_cjk
@needs_poppler
def test_chinese_glyphs_differ_from_missing_glyph_boxes(tmp_path):
    """The same title in real characters and in code points no font has (WeasyPrint draws .notdef boxes)."""
    from weasyprint import HTML

    def page_of(text: str) -> Image.Image:
        content = Content(kind="communique", titles={"zh": text}, languages=["zh"], blocks=[Heading(text, "zh", 1)])
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        folder.mkdir()
        return rasterise(HTML(string=write_html(content).decode()).write_pdf(), folder)

    real, boxes = page_of("中苏科学技术合作"), page_of(BOXES)
    title = (0.2, 0.03, 0.8, 0.12)
    assert ink(real, title) > 0.01 and ink(boxes, title) > 0.01
    pairs = zip(real.crop(PIXELS_TOP).tobytes(), boxes.crop(PIXELS_TOP).tobytes(), strict=True)
    differing = sum(1 for a, b in pairs if abs(a - b) > 96)
    assert differing > 100, differing


def test_characters_without_a_glyph_are_refused_not_boxed():
    content = Content(
        kind="communique", titles={"en": "x"}, languages=["en"], blocks=[Heading(f"Name {BOXES}", "en", 1)]
    )
    with pytest.raises(DomainError, match="U\\+F0000") as err:
        write_pdf(content)
    assert "empty boxes" in err.value.message


def test_without_a_chinese_font_the_pdf_is_refused_plainly(seed, monkeypatch, tmp_path, media):
    monkeypatch.setattr(fonts, "cjk_font_available", lambda language="zh": False)
    documents = Document.objects.count()
    with pytest.raises(DomainError) as err:
        render("communique", seed.meeting, "zh", "pdf")
    assert "No Chinese font is installed" in err.value.message and "fonts-noto-cjk" in err.value.message
    with pytest.raises(DomainError, match="No Chinese font"):
        generate_document("communique", seed.meeting, "zh", "pdf")
    with pytest.raises(DomainError, match="No Chinese font"):
        render("plan_text", seed.plan_1960, "zh+ru", "pdf")
    target = tmp_path / "c.pdf"
    with pytest.raises(CommandError, match="No Chinese font"):
        call_command(
            "document", "communique", str(seed.meeting.pk), "--lang", "zh", "--format", "pdf", "-o", str(target)
        )
    assert not target.exists() and not media.exists()
    assert Document.objects.count() == documents
    # What needs no CJK font still prints; HTML and DOCX of Chinese are unaffected.
    assert render("communique", seed.meeting, "ru", "pdf").startswith(b"%PDF")
    assert render("communique", seed.meeting, "zh", "docx")
    # And start-up says so.
    warnings = checks.check_cjk_font()
    assert [w.id for w in warnings] == ["documents.W001"] and "No Chinese font" in warnings[0].msg


def test_font_detection_reads_fontconfig_and_falls_back_to_font_files(monkeypatch, tmp_path):
    fonts.forget()
    try:
        assert fonts.cjk_font_available() == bool(fonts.cjk_fonts("zh"))
        monkeypatch.setattr(fonts.shutil, "which", lambda name: None)  # no fc-list: look at the font files
        monkeypatch.setattr(fonts, "_FONT_DIRS", (str(tmp_path),))
        fonts.forget()
        assert not fonts.cjk_font_available()
        (tmp_path / "truetype").mkdir()
        (tmp_path / "truetype" / "NotoSansCJK-Regular.ttc").write_bytes(b"")
        fonts.forget()
        assert fonts.cjk_font_available()
    finally:
        fonts.forget()


def test_start_up_check_is_quiet_when_a_font_is_there(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font_available", lambda language="zh": True)
    assert checks.check_cjk_font() == []


def test_printing_fetches_nothing_from_the_network(monkeypatch):
    fetcher = _fetcher()
    for url in (
        "http://example.org/style.css",
        "https://fonts.example.org/cjk.woff2",
        "file:///etc/passwd",
        "ftp://x/y",
    ):
        with pytest.raises(ValueError, match="does not fetch"):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/css,p%7B%7D").read() == b"p{}"
    # A document that links out still prints, without a connection being attempted.
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("WeasyPrint tried to connect")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    html = b'<html><head><link rel="stylesheet" href="https://example.org/x.css"></head><body><p>x</p></body></html>'
    content = Content(kind="communique", titles={"en": "x"}, languages=["en"])
    assert write_pdf(content, html=html).startswith(b"%PDF")
