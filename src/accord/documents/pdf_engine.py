"""WeasyPrint laying out one HTML string into PDF bytes, offline, reporting the glyphs no font had.

No Django here: besides the request's own process, this runs in the processes that lay out the pieces of a
long document side by side (pdf_output.write_pdf), which never touch the database or the settings.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

STATIC_DIR = Path(__file__).resolve().parent / "static" / "documents"


def fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    class LocalOnly(URLFetcher):
        """Documents are printed offline: only inline data and Accord's own document static files may be read."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            local = url.startswith("file:") and url.removeprefix("file://").startswith(str(STATIC_DIR) + "/")
            if url.startswith("data:") or local:
                return super().fetch(url, headers)
            raise ValueError(f"Accord does not fetch {url!r} when printing a document")

    return LocalOnly()


class MissingGlyphs(logging.Handler):
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


def lay_out(source: str) -> tuple[bytes, dict[str, int]]:
    """The PDF of the HTML `source`, and the characters drawn as empty boxes (character -> code point)."""
    # Imported here: WeasyPrint loads Pango through cffi, which costs start-up time every command would pay.
    from weasyprint import HTML

    watcher = MissingGlyphs()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(watcher)
    try:
        pdf = HTML(string=source, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher()).write_pdf()
    finally:
        logger.removeHandler(watcher)
    assert pdf is not None
    return bytes(pdf), watcher.missing


def warm() -> int:
    """Load WeasyPrint and the fonts in a fresh worker process (its first document would pay for it)."""
    lay_out('<p lang="zh">中文</p><p lang="ru">Русский</p>')
    return 0
