"""Content -> printable HTML: one self-contained file (the print CSS inlined), what the PDF is made from."""

from __future__ import annotations

import functools

from django.template.loader import render_to_string

from accord.documents.content import Content
from accord.documents.pdf_engine import STATIC_DIR


@functools.cache
def print_css() -> str:
    return (STATIC_DIR / "print.css").read_text(encoding="utf-8")


def write_html(content: Content, *, extra_css: str = "") -> bytes:
    """The printable HTML; `extra_css` follows the print style (a piece of a long PDF drops the page footer)."""
    css = print_css() + extra_css
    return render_to_string("documents/document.html", {"content": content, "css": css}).encode("utf-8")
