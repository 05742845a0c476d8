"""All the handouts of one build: the editions of its audience (mkdocs.yml, extra.handouts.editions), in every
paper size (one worker per paper, side by side), each checked before it is written; an unchanged one is reused
from the cache after the same checks."""

import hashlib
import json
import re
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import cache, editions, finishing, layout, project, sections, what_to_print
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


def render_all(config, site_dir=None, files=None, log=print, only=None, in_process=False, on_made=None):
    """Render the editions of this build's audience into <site>/handouts/ (only: the names of some of them;
    in_process: lay out here rather than in one worker per paper, as the long-lived preview does to keep its
    sections between edits, calling on_made with each PDF's path as soon as it is written).
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
    with Renderers(config, in_process, on_made) as renderers:
        results = _render_editions(documents, papers, counts, css, site_dir, config, log, renderers)
        if audience == "teacher" and any(what_to_print.TABLE.search(document) for document in documents.values()):
            # The teacher's "What to print" table counts the teacher editions too: they are laid out again
            # (only the section holding the table: the workers keep the others) when their own page counts
            # were not known yet (a first build) or have changed.
            made = {
                (edition.name, paper): pages
                for edition in chosen
                for paper in papers
                for path, pages, _ in results
                if Path(path).name == edition.pdf_name(paper)
            }
            if any(counts.get(key) != pages for key, pages in made.items()):
                counts.update(made)
                results = _render_editions(documents, papers, counts, css, site_dir, config, log, renderers)
            what_to_print.remember_counts(config, counts)
            _fill_what_to_print(config, site_dir, chosen, papers, counts)
    return results


class Renderers:
    """One worker process per paper size, for the whole build: a section shared by several editions (and laid
    out again for "What to print") is laid out once in its paper's worker, and both papers run side by side."""

    def __init__(self, config, in_process, on_made=None):
        self.config, self.in_process = config, in_process
        self.on_made = on_made or (lambda path: None)
        self.pools, self.scratch = {}, None

    def __enter__(self):
        if not self.in_process:
            self.scratch = tempfile.mkdtemp(prefix="handouts-", dir=_private_temp())
        return self

    def __exit__(self, *exception):
        for pool in self.pools.values():
            pool.shutdown(cancel_futures=True)
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)  # WeasyPrint's own weasyprint-* font folders

    def render(self, jobs):
        """Lay out the jobs, each paper's in its own worker; results in the order of the jobs."""
        if self.in_process:
            results = []
            for job in jobs:
                results.append(_render_job(job))
                self.on_made(job[4])
            return results
        by_paper = {}
        for job in jobs:
            by_paper.setdefault(job[3], []).append(job)
        futures = {}
        for paper, paper_jobs in by_paper.items():
            if paper not in self.pools:
                self.pools[paper] = ProcessPoolExecutor(
                    max_workers=1, initializer=_start_worker, initargs=(self.scratch, self.config["config_file_path"])
                )
            futures[paper] = self.pools[paper].submit(_render_jobs, paper_jobs)
        results = {paper: iter(future.result()) for paper, future in futures.items()}
        return [next(results[job[3]]) for job in jobs]


def _render_editions(documents, papers, counts, css, site_dir, config, log, renderers):
    """Each edition in each paper: reused from the cache after the same checks as a new PDF, or laid out.
    Returns [(path, pages, bytes)]."""
    jobs = []
    guesses = page_number_guesses(config)
    for edition, document in documents.items():
        if counts and what_to_print.TABLE.search(document):
            document = what_to_print.with_counts(document, config, counts)
        for paper in papers:
            output = site_dir / OUTPUT_FOLDER / edition.pdf_name(paper)
            key = cache.key([document, css, edition, paper])
            guess = guesses.get(edition.pdf_name(paper), {})
            jobs.append((document, str(site_dir), edition, paper, str(output), key, guess))
    results, to_render = [], []
    for job in jobs:
        reused = cache.lookup(job[5], site_dir)
        if reused:
            data, record = reused
            finishing.check_pdf_fonts(data, job[2].pdf_name(job[3]))
            write_atomically(job[4], data)
            log(f"Handout {job[4]}: {record['pages']} pages, {len(data) // 1024} KB (unchanged, reused)")
            renderers.on_made(job[4])
            results.append((job[4], record["pages"], len(data)))
        else:
            to_render.append(job)
    if to_render:
        for job, (pages, data, corrections, fetched, numbers) in zip(to_render, renderers.render(to_render)):
            note = f", {corrections} note(s) kept on their call's page by a page break" if corrections else ""
            log(f"Handout {job[4]}: {pages} pages, {len(data) // 1024} KB{note}")
            results.append((job[4], pages, len(data)))
            cache.store(job[5], data, fetched, pages, site_dir)
            guesses[job[2].pdf_name(job[3])] = numbers
        remember_page_numbers(config, guesses)
    return results


def page_number_guesses(config):
    """The page numbers of every link target in the last build's PDFs ({pdf name: {id: page}}): a good first
    guess for the next layout (sections.py checks every number; a wrong guess only costs time)."""
    path = _page_numbers_file(config)
    try:
        return json.loads(path.read_text()) if path else {}
    except (OSError, ValueError):
        return {}


def remember_page_numbers(config, guesses):
    path = _page_numbers_file(config)
    if path:
        try:
            write_atomically(path, json.dumps(guesses).encode("utf-8"))
        except (OSError, HandoutError):
            pass


def _page_numbers_file(config):
    folder = cache.private_folder("page-numbers") if cache.enabled() else None
    name = hashlib.sha256(str(Path(config["config_file_path"]).resolve()).encode("utf-8")).hexdigest()[:16]
    return folder / f"{name}.json" if folder else None


def _private_temp():
    folder = cache.private_folder("tmp")
    return str(folder) if folder else None


def _start_worker(folder, config_file):
    """A render worker (forked or spawned) uses the build's project and a temporary folder that is removed."""
    tempfile.tempdir = folder
    project.use({"config_file_path": config_file})


def _render_jobs(jobs):
    results = [_render_job(job) for job in jobs]
    sections.forget_unused()  # what the next round (What to print) does not lay out again is freed then
    return results


def _render_job(job):
    document, site_dir, edition, paper, output, _, guess = job
    return render_pdf(document, site_dir, edition, paper, output, guess)


def render_pdf(document, site_dir, edition, paper, output, guess=None):
    """Lay out, check and write one PDF: (pages, bytes, notes corrected, files loaded, link targets' pages)."""
    name = edition.pdf_name(paper)
    laid_out, corrections, fetched, numbers = sections.layout_edition(
        document, site_dir, paper, editions.PAPERS[paper], name, guess
    )
    data = finishing.pdf_bytes(laid_out)
    finishing.check_layout_fonts(laid_out, name)  # the fonts are known once the PDF is drawn
    finishing.check_pdf_fonts(data, name)
    write_atomically(output, data)
    return len(laid_out.pages), data, corrections, fetched, numbers


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
