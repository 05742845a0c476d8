"""The teacher's "What to print" table, counted from the real PDFs of this build: each edition's pages and
sheets, single- and double-sided, on A4 and US Letter, and for a class."""

import hashlib
import json
import math
import re
from pathlib import Path

from .cache import private_folder
from .editions import PAPER_LABELS, load
from .errors import HandoutError
from .print_html import escape

CLASS_SIZE = 28
MARKER = "<!-- what-to-print -->"
THIS_EDITION = '<span class="this-edition-pages">see the last page number</span>'
# In a plain <div>, so that the table itself has no class and gets the website's table style.
TABLE = re.compile(r'<div class="what-to-print">.*?</div>', re.DOTALL)


def page_count(pdf):
    import pikepdf

    with pikepdf.open(pdf) as document:
        return len(document.pages)


def student_pdf_folder(config):
    """Where the student build left its PDFs: STUDENT_SITE_DIR (set by ./scripts/build) or site/."""
    import os

    root = Path(config["config_file_path"]).parent
    return Path(os.environ.get("STUDENT_SITE_DIR") or root / "site") / "handouts"


def table(editions, papers, counts):
    """Markdown-safe HTML. counts: {(edition name, paper): pages or None (not known yet: this edition)}."""
    rows = []
    for edition in editions:
        for paper in papers:
            pages = counts.get((edition.name, paper))
            copies = CLASS_SIZE if edition.audience == "student" else 1
            if pages is None:
                cells = [THIS_EDITION, "", "", ""]
            else:
                sheets = math.ceil(pages / 2)
                cells = [
                    str(pages),
                    str(pages),
                    str(sheets),
                    f"{copies * sheets:,} ({copies} × {sheets})" if copies > 1 else str(sheets),
                ]
            rows.append(
                f"<tr><td>{escape(edition.title)}</td><td>{PAPER_LABELS[paper]}</td>"
                + "".join(f"<td>{cell}</td>" for cell in cells)
                + "</tr>"
            )
    return (
        '<div class="what-to-print"><table>\n<thead><tr><th>Edition</th><th>Paper</th><th>Pages</th>'
        "<th>Sheets, single-sided</th><th>Sheets, double-sided</th>"
        f"<th>Sheets for a class of {CLASS_SIZE}, double-sided (teacher: one copy)</th></tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table></div>"
    )


def student_counts(config, student_editions, papers):
    folder = student_pdf_folder(config)
    counts = {}
    for edition in student_editions:
        for paper in papers:
            pdf = folder / edition.pdf_name(paper)
            if not pdf.is_file():
                raise HandoutError(
                    f"{pdf} is missing, so the teacher's 'What to print' table cannot be counted. "
                    "Build the student site first: ./scripts/build makes both."
                )
            counts[(edition.name, paper)] = page_count(pdf)
    return counts


def with_counts(document, config, counts):
    """The table with these counts; put into `document` in place of the one there (or alone if None)."""
    all_editions, papers = load(config)
    filled = table(
        all_editions,
        papers,
        {**student_counts(config, [e for e in all_editions if e.audience == "student"], papers), **counts},
    )
    return filled if document is None else TABLE.sub(lambda _: filled, document)


def _counts_file(config):
    folder = private_folder("what-to-print")
    key = hashlib.sha256(str(Path(config["config_file_path"]).resolve()).encode("utf-8")).hexdigest()[:12]
    return folder / f"{key}.json" if folder else None


def known_counts(config):
    """The teacher editions' page counts from the last build, if they were kept."""
    path = _counts_file(config)
    try:
        return {tuple(key.split("|")): pages for key, pages in json.loads(path.read_text()).items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def remember_counts(config, counts):
    path = _counts_file(config)
    if path:
        try:
            path.write_text(json.dumps({"|".join(key): pages for key, pages in counts.items()}))
        except OSError:
            pass
