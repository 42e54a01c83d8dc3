"""Content -> printable HTML: one self-contained file (the print CSS inlined), what the PDF is made from."""

from __future__ import annotations

import functools
from pathlib import Path

from django.template.loader import render_to_string

from accord.documents.content import Content

STATIC_DIR = Path(__file__).resolve().parent / "static" / "documents"


@functools.cache
def print_css() -> str:
    return (STATIC_DIR / "print.css").read_text(encoding="utf-8")


def write_html(content: Content) -> bytes:
    return render_to_string("documents/document.html", {"content": content, "css": print_css()}).encode("utf-8")
