"""Content -> PDF: WeasyPrint lays out the very HTML Accord serves as printable, with no network access.

Two guards keep empty boxes off the page: a language whose script no installed font covers is refused
before layout (fonts.require_fonts), and any character that still finds no glyph (a rare name, a symbol)
is caught from WeasyPrint's report of the .notdef glyphs it drew, and the PDF is refused naming it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from accord.core.errors import DomainError
from accord.documents import fonts
from accord.documents.content import Content
from accord.documents.html_output import STATIC_DIR, write_html


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    class LocalOnly(URLFetcher):
        """Documents are printed offline: only inline data and Accord's own document static files may be read."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            local = url.startswith("file:") and url.removeprefix("file://").startswith(str(STATIC_DIR) + "/")
            if url.startswith("data:") or local:
                return super().fetch(url, headers)
            raise ValueError(f"Accord does not fetch {url!r} when printing a document")

    return LocalOnly()


class _MissingGlyphs(logging.Handler):
    """Collects the characters WeasyPrint drew as .notdef boxes in this thread's rendering."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.missing: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args
        ours = threading.get_ident() == self.thread and str(record.msg).startswith(".notdef glyph")
        if ours and isinstance(args, tuple) and len(args) == 2:
            self.missing[str(args[0])] = int(str(args[1]))


def engine_signature() -> str:
    """What besides the HTML decides how a PDF comes out: WeasyPrint's version and the CJK fonts installed."""
    from weasyprint import __version__

    return f"weasyprint {__version__}; cjk fonts: {', '.join(fonts.cjk_fonts('zh'))}"


def write_pdf(content: Content, html: bytes | None = None) -> bytes:
    """The PDF of `content`; refuses (DomainError) what no installed font can print."""
    fonts.require_fonts(content.languages)
    # Imported here: WeasyPrint loads Pango through cffi, which costs start-up time every command would pay.
    from weasyprint import HTML

    source = (html if html is not None else write_html(content)).decode("utf-8")
    watcher = _MissingGlyphs()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(watcher)
    try:
        pdf = HTML(string=source, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=_fetcher()).write_pdf()
    finally:
        logger.removeHandler(watcher)
    if watcher.missing:
        listed = ", ".join(f"{char} (U+{code:04X})" for char, code in sorted(watcher.missing.items())[:10])
        raise DomainError(
            f"No installed font has these characters, which would print as empty boxes: {listed}; {fonts.INSTALL_HINT}",
            field="language",
            code="font_missing",
        )
    assert pdf is not None
    return bytes(pdf)
