"""The bulletin as one PDF: the narrative on A4 portrait pages, rendered by WeasyPrint from
templates/bulletin/bulletin_pdf.html, then the table as its annex (附件) on A3 landscape,
drawn by bulletin/annex.py into the same document before WeasyPrint writes it."""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string

from gongjian.bulletin.annex import append_annex
from gongjian.bulletin.data import Bulletin
from gongjian.bulletin.text import RED_LIST_LIMIT, sections, title


def render_pdf(bulletin: Bulletin) -> bytes:
    from weasyprint import HTML  # imported when needed: loading it takes a second

    html = render_to_string(
        "bulletin/bulletin_pdf.html",
        {
            "bulletin": bulletin,
            "title": title(bulletin),
            "sections": sections(bulletin),
            "red": bulletin.red[:RED_LIST_LIMIT],
        },
    )
    return HTML(string=html).write_pdf(finisher=lambda _document, pdf: append_annex(pdf, bulletin))


def write_pdf(bulletin: Bulletin, path: str | Path) -> None:
    Path(path).write_bytes(render_pdf(bulletin))
