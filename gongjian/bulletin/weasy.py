"""HTML → PDF in a worker process. Kept free of Django imports: the workers start from a clean
forkserver (bulletin/pdf.py), which imports this module and WeasyPrint only."""

from __future__ import annotations


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported when needed: loading it takes a second

    return HTML(string=html).write_pdf()
