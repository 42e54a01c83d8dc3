"""Reading generated documents back: the text of a PDF (pypdf) and a DOCX (python-docx), and matching in it."""

from __future__ import annotations

import html
import io
import re

import docx
import pypdf


def pdf_text(data: bytes) -> str:
    """The text of every page, without the page furniture (the 'n / N' footers and repeated table headers)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    pages = []
    for page in reader.pages:
        lines = page.extract_text().splitlines()
        pages.append("\n".join(line for line in lines if not re.fullmatch(r"\d+ / \d+|中文 Русский", line.strip())))
    return "\n".join(pages)


def pdf_fonts(data: bytes, page: int = 0) -> list[str]:
    """The base font names used on a page (subset prefixes removed): 'Noto-Serif-CJK-SC', ..."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    fonts = reader.pages[page]["/Resources"]["/Font"]
    return [str(fonts[key].get_object()["/BaseFont"]).split("+", 1)[-1] for key in fonts]


def docx_text(data: bytes) -> str:
    """Paragraphs and table cells in document order."""
    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append("".join(t.text or "" for t in element.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for cell_p in element.iter():
                if cell_p.tag.endswith("}p"):
                    lines.append("".join(t.text or "" for t in cell_p.iter() if t.tag.endswith("}t")))
    return "\n".join(lines)


def squash(text: str) -> str:
    """Text without any whitespace: PDF extraction breaks lines inside words (and CJK has no spaces)."""
    return re.sub(r"\s+", "", text)


def contains(haystack: str, needle: str) -> bool:
    return squash(needle) in squash(haystack)


def html_text(data: bytes) -> str:
    """The visible text of a generated HTML document (its <style> left out)."""
    source = data.decode("utf-8")
    source = re.sub(r"<style>.*?</style>", "", source, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "\n", source))


def text_of(fmt: str, data: bytes) -> str:
    return {"html": html_text, "pdf": pdf_text, "docx": docx_text}[fmt](data)
