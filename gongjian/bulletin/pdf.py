"""The bulletin as a PDF: the narrative (A4 portrait), then the table as its annex (附件, A3
landscape), in Noto Sans CJK, rendered by WeasyPrint from templates/bulletin/bulletin_pdf.html.

WeasyPrint lays out about 1,500 table cells a second on one core (measured: 2,500 projects,
22,500 cells, in 16 s), so a table of 20,000 projects takes over two minutes as one document.
With `parallel=True` (the command) a longer table is cut into parts of PART_ROWS rows, each
rendered as its own document on every core, and the parts are joined with poppler's
`pdfunite`: each part starts on a new page (the page before it may end short), and the header
row repeats on every page as before. Without `pdfunite` on the PATH, or for a table of one
part, the whole document is rendered at once.

The workers come from a forkserver that has imported WeasyPrint and nothing else: forked from
the command's process instead, each worker started with its memory (Django, the bulletin) and
spent a third more time, mostly in the kernel, copying pages it wrote to.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from django.template.loader import render_to_string

from gongjian.bulletin.data import Bulletin, Kind, Row
from gongjian.bulletin.text import RED_LIST_LIMIT, sections, title
from gongjian.bulletin.weasy import html_to_pdf
from gongjian.bulletin.xlsx import headers

PART_ROWS = 2500  # about 700 MB of memory per worker while it renders
MAX_WORKERS = 4
ROW_CLASS = {Kind.TOTAL: "t", Kind.STAGE: "g", Kind.AREA: "g", Kind.PROJECT: ""}


def render_pdf(bulletin: Bulletin, *, parallel: bool = False) -> bytes:
    rows = [_cells(row) for row in bulletin.rows]
    parts = [rows[start : start + PART_ROWS] for start in range(0, len(rows), PART_ROWS)] or [[]]
    workers = min(os.cpu_count() or 1, MAX_WORKERS, len(parts))
    if not parallel or workers < 2 or shutil.which("pdfunite") is None:
        return html_to_pdf(_html(bulletin, rows, front=True))
    pages = [_html(bulletin, part, front=index == 0) for index, part in enumerate(parts)]
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["gongjian.bulletin.weasy", "weasyprint"])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return _join(list(pool.map(html_to_pdf, pages)))


def write_pdf(bulletin: Bulletin, path: str | Path, *, parallel: bool = False) -> None:
    Path(path).write_bytes(render_pdf(bulletin, parallel=parallel))


def _cells(row: Row) -> tuple[str, ...]:
    """The row's class and its nine cells as text (formatted once, here, not in the template)."""
    figures = row.figures
    share = figures.share
    return (
        ROW_CLASS[row.kind],
        "" if row.seq is None else str(row.seq),
        row.label,
        f"{figures.total_investment:.2f}",
        f"{figures.annual_plan:.2f}",
        f"{figures.completed:.2f}",
        "" if share is None else f"{share:.1f}",
        row.progress,
        row.unit,
        row.leader,
    )


def _html(bulletin: Bulletin, rows: list[tuple], *, front: bool) -> str:
    ctx = {
        "bulletin": bulletin,
        "title": title(bulletin),
        "sections": sections(bulletin) if front else [],
        "red": bulletin.red[:RED_LIST_LIMIT],
        "headers": headers(bulletin),
        "rows": rows,
        "front": front,
    }
    return render_to_string("bulletin/bulletin_pdf.html", ctx)


def _join(parts: list[bytes]) -> bytes:
    with tempfile.TemporaryDirectory(prefix="bulletin-") as tmp:
        names = []
        for index, part in enumerate(parts):
            name = Path(tmp) / f"part-{index:03d}.pdf"
            name.write_bytes(part)
            names.append(str(name))
        joined = Path(tmp) / "bulletin.pdf"
        subprocess.run(["pdfunite", *names, str(joined)], check=True, capture_output=True)
        return joined.read_bytes()
