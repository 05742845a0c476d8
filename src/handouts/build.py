"""All the handouts of one build: the editions of its audience (mkdocs.yml, extra.handouts.editions), in every
paper size, two at a time, each checked before it is written; an unchanged one is reused from the cache after
the same checks."""

import os
import re
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import cache, editions, finishing, layout, project, what_to_print
from .errors import HandoutError
from .files import write_atomically
from .fonts import print_stylesheet
from .print_html import edition_html, escape

OUTPUT_FOLDER = "handouts"


def built_pages(site_dir, files=None):
    """{src_uri: dest_uri} of the pages of this build (from MkDocs' files, or from what is in site_dir)."""
    if files is not None:
        return {file.src_uri: file.dest_uri for file in files.documentation_pages()}
    pages = {}
    for html in Path(site_dir).rglob("*.html"):
        relative = html.relative_to(site_dir).as_posix()
        pages[re.sub(r"\.html$", ".md", relative)] = relative
    return pages


def render_all(config, site_dir=None, files=None, log=print, only=None):
    """Render the editions of this build's audience into <site>/handouts/ (only: the names of some of them).
    Returns [(path, pages, bytes)]."""
    project.use(config)
    site_dir = Path(site_dir or config["site_dir"])
    if not (site_dir / "index.html").is_file():
        raise HandoutError(
            f"{site_dir}/index.html is missing: there is no built site to print. Run ./scripts/build first."
        )
    audience = config["extra"].get("audience", "student")
    chosen, papers = editions.for_audience(config, audience)
    chosen = [edition for edition in chosen if only is None or edition.name in only]
    layout.import_weasyprint()
    css, _ = print_stylesheet()  # decompress the fonts once, here, rather than in both workers at once
    built = built_pages(site_dir, files)
    documents = {edition: edition_html(site_dir, edition, built, config) for edition in chosen}
    counts = what_to_print.known_counts(config) if audience == "teacher" else {}
    results = _render_editions(documents, papers, counts, css, site_dir, config, log)
    if audience == "teacher" and any(what_to_print.TABLE.search(document) for document in documents.values()):
        # The teacher's "What to print" table counts the teacher editions too: they are laid out again, once,
        # when their own page counts were not known yet (a first build) or have changed.
        made = {
            (edition.name, paper): pages
            for edition in chosen
            for paper in papers
            for path, pages, _ in results
            if Path(path).name == edition.pdf_name(paper)
        }
        if any(counts.get(key) != pages for key, pages in made.items()):
            counts.update(made)
            results = _render_editions(documents, papers, counts, css, site_dir, config, log)
        what_to_print.remember_counts(config, counts)
        _fill_what_to_print(config, site_dir, chosen, papers, counts)
    return results


def _render_editions(documents, papers, counts, css, site_dir, config, log):
    """Each edition in each paper: reused from the cache after the same checks as a new PDF, or laid out, two at
    a time. Returns [(path, pages, bytes)]."""
    jobs = []
    for edition, document in documents.items():
        if counts and what_to_print.TABLE.search(document):
            document = what_to_print.with_counts(document, config, counts)
        for paper in papers:
            output = site_dir / OUTPUT_FOLDER / edition.pdf_name(paper)
            key = cache.key([document, css, edition, paper])
            jobs.append((document, str(site_dir), edition, paper, str(output), key))
    results, to_render = [], []
    for job in jobs:
        reused = cache.lookup(job[5], site_dir)
        if reused:
            data, record = reused
            finishing.check_pdf_fonts(data, job[2].pdf_name(job[3]))
            write_atomically(job[4], data)
            log(f"Handout {job[4]}: {record['pages']} pages, {len(data) // 1024} KB (unchanged, reused)")
            results.append((job[4], record["pages"], len(data)))
        else:
            to_render.append(job)
    if to_render:
        scratch = tempfile.mkdtemp(prefix="handouts-", dir=_private_temp())
        try:
            with ProcessPoolExecutor(
                max_workers=min(len(to_render), os.cpu_count() or 1),
                initializer=_start_worker,
                initargs=(scratch, config["config_file_path"]),
            ) as pool:
                for job, (pages, data, corrections, fetched) in zip(to_render, pool.map(_render_job, to_render)):
                    note = f", {corrections} note(s) kept on their call's page by a page break" if corrections else ""
                    log(f"Handout {job[4]}: {pages} pages, {len(data) // 1024} KB{note}")
                    results.append((job[4], pages, len(data)))
                    cache.store(job[5], data, fetched, pages, site_dir)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)  # WeasyPrint's own weasyprint-* font folders
    return results


def _private_temp():
    folder = cache.private_folder("tmp")
    return str(folder) if folder else None


def _start_worker(folder, config_file):
    """A render worker (forked or spawned) uses the build's project and a temporary folder that is removed."""
    tempfile.tempdir = folder
    project.use({"config_file_path": config_file})


def _render_job(job):
    document, site_dir, edition, paper, output, _ = job
    return render_pdf(document, site_dir, edition, paper, output)


def render_pdf(document, site_dir, edition, paper, output):
    """Lay out, check and write one PDF: (pages, bytes, notes corrected, files loaded)."""
    name = edition.pdf_name(paper)
    laid_out, corrections, fetched = layout.layout_edition(document, site_dir, paper, editions.PAPERS[paper], name)
    data = finishing.pdf_bytes(laid_out)
    finishing.check_layout_fonts(laid_out, name)  # the fonts are known once the PDF is drawn
    finishing.check_pdf_fonts(data, name)
    write_atomically(output, data)
    return len(laid_out.pages), data, corrections, fetched


def what_to_print_table(config):
    """The table for a page's `<!-- what-to-print -->`, with the student PDFs counted; the teacher editions'
    own pages are filled in once they are made (see _fill_what_to_print)."""
    all_editions, papers = editions.load(config)
    students = [edition for edition in all_editions if edition.audience == "student"]
    counts = what_to_print.student_counts(config, students, papers)
    return what_to_print.table(all_editions, papers, counts)


def _fill_what_to_print(config, site_dir, teacher_editions, papers, counts):
    """On the teacher's website copy, the table gets the teacher editions' page counts as well."""
    for page in Path(site_dir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if what_to_print.TABLE.search(text):
            filled = what_to_print.with_counts(text, config, counts)
            write_atomically(page, filled.encode("utf-8"))


def handout_links(config):
    """The download links of this build's editions (HTML, for a page's `<!-- handouts -->`)."""
    audience = config["extra"].get("audience", "student")
    chosen, papers = editions.for_audience(config, audience)
    items = []
    for edition in chosen:
        links = " / ".join(
            f'<a href="{OUTPUT_FOLDER}/{edition.pdf_name(paper)}" download>{editions.PAPER_LABELS[paper]}</a>'
            for paper in papers
        )
        items.append(f"<li>{escape(edition.title)} (PDF): {links}</li>")
    return '<ul class="handout-links">\n' + "\n".join(items) + "\n</ul>"
