"""Content -> PDF: WeasyPrint lays out the very HTML Accord serves as printable, with no network access.

Two guards keep empty boxes off the page: a language whose script no installed font covers is refused
before layout (fonts.require_fonts), and any character that still finds no glyph (a rare name, a symbol)
is caught from WeasyPrint's report of the .notdef glyphs it drew, and the PDF is refused naming it.

A long document (a table of more than PIECE_ROWS * 2 rows: a 1,000-item plan text is 1,002) is laid out
in pieces of PIECE_ROWS rows, side by side in worker processes, one per core: WeasyPrint lays out about
ten pages a second on one core, and it is single-threaded. The pieces' pages are joined in order (pypdf)
and the page numbers ("12 / 215") stamped on once the total is known, in the same font and place as a
single layout would draw them. Each piece starts on a new page, so the last page of a piece may be short;
the content, its order, the fonts and the footer are the same. Where the pieces are cut depends only on
the number of rows, never on the machine, so the same records give the same PDF everywhere.
"""

from __future__ import annotations

import atexit
import io
import os
import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from accord.core.errors import DomainError
from accord.documents import fonts
from accord.documents.content import Block, Content, Table
from accord.documents.html_output import print_css, write_html
from accord.documents.pdf_engine import fetcher as _fetcher  # noqa: F401  (tests check the offline fetcher)
from accord.documents.pdf_engine import lay_out, warm

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

PIECE_ROWS = 125
# A piece costs a start (style sheet, fonts embedded again): below this, one layout is as quick.
MIN_PIECES = 2
# The pieces' own footers are left empty: the numbers are stamped on the joined pages.
NO_FOOTER_CSS = "\n@page { @bottom-center { content: none; } }\n"


def engine_signature() -> str:
    """What besides the HTML decides how a PDF comes out: WeasyPrint's version, the CJK fonts installed, and
    how a long document is cut into pieces."""
    from weasyprint import __version__

    return f"weasyprint {__version__}; cjk fonts: {', '.join(fonts.cjk_fonts('zh'))}; pieces of {PIECE_ROWS} rows"


def _refuse_missing(missing: dict[str, int]) -> None:
    if missing:
        listed = ", ".join(f"{char} (U+{code:04X})" for char, code in sorted(missing.items())[:10])
        raise DomainError(
            f"No installed font has these characters, which would print as empty boxes: {listed}; {fonts.INSTALL_HINT}",
            field="language",
            code="font_missing",
        )


def write_pdf(content: Content, html: bytes | None = None, *, workers: int | None = None) -> bytes:
    """The PDF of `content`; refuses (DomainError) what no installed font can print.

    `workers`: processes laying out the pieces of a long document (default: the cores this process may
    use, or ACCORD_PDF_WORKERS); 1 lays the pieces out one after the other here, which gives the same PDF.
    """
    fonts.require_fonts(content.languages)
    pieces = split(content)
    if pieces is None:
        source = (html if html is not None else write_html(content)).decode("utf-8")
        pdf, no_glyph = lay_out(source)
        _refuse_missing(no_glyph)
        return pdf
    sources = [write_html(piece, extra_css=NO_FOOTER_CSS).decode("utf-8") for piece in pieces]
    if workers is None:
        from django.conf import settings

        workers = getattr(settings, "ACCORD_PDF_WORKERS", 0) or available_cores()
    laid_out = _lay_out_all(sources, workers)
    missing: dict[str, int] = {}
    for _pdf, piece_missing in laid_out:
        missing.update(piece_missing)
    _refuse_missing(missing)
    return join([pdf for pdf, _missing in laid_out])


# --- pieces ------------------------------------------------------------------------------------------------


def _long_table(blocks: list[Block]) -> int | None:
    """The index of the table worth cutting into pieces (the longest, if long enough), or None."""
    tables = [(len(b.rows), i) for i, b in enumerate(blocks) if isinstance(b, Table)]
    if not tables:
        return None
    rows, index = max(tables)
    return index if rows >= MIN_PIECES * PIECE_ROWS else None


def split(content: Content) -> list[Content] | None:
    """`content` cut into pieces at its longest table's rows, PIECE_ROWS each (what comes before the table in
    the first piece, what follows it in the last, the table's header in each); None when it is short."""
    index = _long_table(content.blocks)
    if index is None:
        return None
    table = content.blocks[index]
    assert isinstance(table, Table)
    before, after = content.blocks[:index], content.blocks[index + 1 :]
    starts = list(range(0, len(table.rows), PIECE_ROWS))
    if len(table.rows) - starts[-1] < PIECE_ROWS // 2 and len(starts) > 1:
        starts.pop()  # a short tail goes with the piece before it
    ends = [*starts[1:], len(table.rows)]
    pieces = []
    for n, (start, end) in enumerate(zip(starts, ends, strict=True)):
        blocks: list[Block] = [
            *(before if n == 0 else []),
            replace(table, rows=table.rows[start:end]),
            *(after if n == len(starts) - 1 else []),
        ]
        pieces.append(replace(content, blocks=blocks))
    return pieces


# --- laying the pieces out side by side ----------------------------------------------------------------------

_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _get_pool(size: int) -> ProcessPoolExecutor:
    """The worker processes, started once and kept (each has WeasyPrint and the fonts loaded).

    Started from a fork server, not forked from this process: a web server's threads (the job runner, the
    request threads) may hold locks at the moment of a fork, and a forked child would wait on them forever.
    Imported here, not at the top: every `accord` command loads this module, and the process pool's modules
    cost a tenth of a second at each start.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size != size:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["accord.documents.pdf_engine"])
            _pool = ProcessPoolExecutor(max_workers=size, mp_context=context, initializer=warm)
            _pool_size = size
        return _pool


def _forget_pool() -> None:
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


atexit.register(_forget_pool)


def _lay_out_all(sources: list[str], workers: int) -> list[tuple[bytes, dict[str, int]]]:
    """Each HTML laid out, in order: in the worker processes when there are cores to share, else here."""
    size = min(workers, len(sources))
    if size <= 1:
        return [lay_out(source) for source in sources]
    from concurrent.futures.process import BrokenProcessPool

    try:
        futures = [_get_pool(size).submit(lay_out, source) for source in sources]
        return [future.result() for future in futures]
    except BrokenProcessPool:  # a worker died (killed, out of memory): lay out here rather than fail the reader
        _forget_pool()
        return [lay_out(source) for source in sources]


# --- joining the pages and numbering them -------------------------------------------------------------------


def footers(pages: int) -> bytes:
    """`pages` empty pages carrying only the print style's footer ("1 / N" ... "N / N")."""
    body = "<div></div>" + '<div style="break-before: page"></div>' * (pages - 1)
    head = f'<meta charset="utf-8"><style>{print_css()}</style>'
    source = f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"
    pdf, _missing = lay_out(source)
    return pdf


def join(pieces: list[bytes]) -> bytes:
    """The pieces' pages in order in one PDF (their bookmarks and metadata kept), each page numbered."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    readers = [PdfReader(io.BytesIO(pdf)) for pdf in pieces]
    for reader in readers:
        writer.append(reader)
    if readers[0].metadata:
        writer.add_metadata({k: v for k, v in readers[0].metadata.items() if isinstance(k, str)})
    language = readers[0].root_object.get("/Lang")
    if language is not None:
        from pypdf.generic import NameObject

        writer.root_object[NameObject("/Lang")] = language
    numbers = PdfReader(io.BytesIO(footers(len(writer.pages))))
    for number, (page, footer) in enumerate(zip(writer.pages, numbers.pages, strict=True), start=1):
        _stamp(writer, page, footer, f"/AccordPage{number}")
    # The file identifier from the content, not the clock: the same pieces give the same bytes.
    import hashlib

    from pypdf.generic import ArrayObject, ByteStringObject

    digest = ByteStringObject(hashlib.md5(b"".join(pieces), usedforsecurity=False).digest())
    writer._ID = ArrayObject([digest, digest])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _stamp(writer: Any, page: Any, footer: Any, name: str) -> None:
    """Draw `footer` (a page of the footers PDF) over `page`, as the form XObject `name`: the page's own
    content stream is neither parsed nor rewritten, only wrapped in q ... Q and followed by the footer.
    (A piece's pages share one resource dictionary, hence a name per page.)"""
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
    )

    form = DecodedStreamObject()
    form.set_data(footer.get_contents().get_data())
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): footer.mediabox,
            NameObject("/Resources"): footer["/Resources"].clone(writer),
        }
    )
    form_ref = writer._add_object(form)
    resources = page["/Resources"].get_object()
    if "/XObject" not in resources:
        resources[NameObject("/XObject")] = DictionaryObject()
    resources["/XObject"].get_object()[NameObject(name)] = form_ref
    before = DecodedStreamObject()
    before.set_data(b"q\n")
    after = DecodedStreamObject()
    after.set_data(b"\nQ\nq " + name.encode() + b" Do Q\n")
    contents = page["/Contents"]
    streams = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([writer._add_object(before), *streams, writer._add_object(after)])
