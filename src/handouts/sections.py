"""Laying out an edition section by section.

Every section of a handout starts on a new page, so each is laid out as a document of its own, once per paper
size and process: editions of one build that hold the same section (a teacher's own packet of questions taken
from the reader's Questions page; the teacher edition laid out again for its "What to print" table; the
preview under `mkdocs serve` after each edit) reuse its pages. What depends on a section's place in an
edition is kept out of its layout and added afterwards:

- "Page X of Y" and the footer's title: a document of empty pages with only the page furniture
  (print/handout.css @page), laid out for the edition's page count, and drawn over the sections' pages;
- the page numbers of cross-references and of the contents ("(p. 12)"): written into each link as
  data-page before its section is laid out (print/handout.css prints attr(data-page)). A section's numbers are
  first estimated, then checked against where every target really is; a section is laid out again only if a
  number it printed was wrong, until none is (WeasyPrint's own target-counter() laid out a whole edition
  twice for this).

The result is one WeasyPrint document, written as one PDF (links, bookmarks and tags are per page).
"""

import atexit
import hashlib
from html import escape
from pathlib import Path

from lxml import html as lxml_html

from . import layout
from .cache import sha256_file
from .errors import HandoutError
from .fonts import cache_folder, print_stylesheet

MAX_ROUNDS = 6
NO_FURNITURE = "@page { @bottom-left { content: none; } @bottom-right { content: none; } }"
SHEETS = ".furniture-sheet { height: 1px; } .furniture-sheet + .furniture-sheet { break-before: page; }"
PAGE_REFERENCES = (  # a.xref, .cover .contents a (print/handout.css prints their data-page)
    './/a[contains(concat(" ", @class, " "), " xref ")]'
    ' | self::section[contains(concat(" ", @class, " "), " cover ")]'
    '//div[contains(concat(" ", @class, " "), " contents ")]//a'
)
_laid_out = {}  # (paper, stylesheet and section's HTML) -> (layout, corrections, files, numbers printed, site)
_used = set()  # the keys of _laid_out used since the last forget_unused()


def layout_edition(document, site_dir, paper, paper_size, pdf_name, guess=None):
    """(layout, corrections, {file loaded: its SHA-256}, {target id: page}) of one edition in one paper size.

    guess: page numbers to start from (those of the last build: then each section is usually laid out once).
    The numbers printed are always the checked ones, whatever the guess."""
    import weasyprint

    head, section_head, (html_attributes, body_attributes), sections = split(document)
    numbers = {**estimated_numbers(sections), **(guess or {})}
    for _ in range(MAX_ROUNDS):
        laid_out, real, page_count = [], {}, 0
        for section in sections:  # in order: every number of an earlier section is known exactly
            numbers.update({target: real[target] for target in section.targets if target in real})
            section_layout = _section_layout(
                (section_head, html_attributes), section, numbers, site_dir, paper, paper_size, pdf_name
            )
            real.update(anchor_pages(section_layout[0], page_count))
            page_count += len(section_layout[0].pages)
            laid_out.append((section, section_layout))
        unprinted = sorted({target for section in sections for target in section.targets if target not in real})
        if unprinted:
            raise HandoutError(
                f"{pdf_name}: a cross-reference or contents entry leads to #{unprinted[0]}, which is not printed "
                "(hidden in print?). Link to text the handout shows."
            )
        wrong = {
            target: real[target]
            for section, (_, _, _, printed) in laid_out
            for target in section.targets
            if printed[target] != real[target]
        }
        numbers.update(real)
        if not wrong:
            break
    else:
        raise HandoutError(
            f"{pdf_name}: the page numbers of its cross-references do not settle (each correction moves "
            f"another page). Remove one of these links or shorten the section around it: {sorted(wrong)[:5]}"
        )
    pages = [page for _, (layout_, _, _, _) in laid_out for page in layout_.pages]
    furniture = _furniture(head, (html_attributes, body_attributes), pages, site_dir, paper, paper_size)
    merged = [with_furniture(page, sheet, weasyprint) for page, sheet in zip(pages, furniture.pages)]
    fetched = {}
    for _, (_, _, files, _) in laid_out:
        fetched.update(files)
    corrections = sum(section_corrections for _, (_, section_corrections, _, _) in laid_out)
    return furniture.copy(merged), corrections, fetched, real  # the furniture's <head> has the edition's metadata


class Section:
    """One top-level <section> of an edition: its HTML and the ids its page references lead to."""

    def __init__(self, element):
        self.element = element
        self.links = [link for link in element.xpath(PAGE_REFERENCES) if link.get("href", "").startswith("#")]
        self.targets = [link.get("href")[1:] for link in self.links]
        self.ids = [node.get("id") for node in element.iter() if node.get("id")]
        self.size = len(lxml_html.tostring(element))

    def html(self, numbers):
        for link, target in zip(self.links, self.targets):
            link.set("data-page", str(numbers[target]))
        return lxml_html.tostring(self.element, encoding="unicode")


def split(document):
    """(head HTML, <head> of its sections, <html>/<body> attributes, [Section]) of an edition's print HTML.
    The sections' <head> keeps the edition's styles, not its title and metadata (the furniture's)."""
    tree = lxml_html.document_fromstring(document)
    head = lxml_html.tostring(tree.head, encoding="unicode")
    styles = "".join(
        lxml_html.tostring(child, encoding="unicode") for child in tree.head if child.tag in ("style", "link")
    )
    attributes = (dict(tree.attrib), dict(tree.body.attrib))
    stray = [child.tag for child in tree.body if child.tag != "section"]
    if stray or any((text or "").strip() for text in [tree.body.text, *(child.tail for child in tree.body)]):
        raise HandoutError(f"the print HTML has content outside its sections ({stray[:3]}): it would be lost")
    present = {node.get("id") for node in tree.body.iter() if node.get("id")}
    for link in (link for section in tree.body for link in section.xpath(PAGE_REFERENCES)):
        if link.get("href", "").startswith("#") and link.get("href")[1:] not in present:
            link.drop_tag()  # a part of a page the edition leaves out (questions.md#q2 linking to #q7): text only
    sections = [Section(child) for child in tree.body]
    return head, f'<head><meta charset="utf-8">{styles}</head>', attributes, sections


def estimated_numbers(sections, pages_per_byte=1 / 5000):
    """A first guess of each target's page, from the sections' sizes: a wrong guess costs one more layout of
    the section that printed it, never a wrong number."""
    numbers, start = {}, 1.0
    for section in sections:
        pages = max(1.0, section.size * pages_per_byte)
        for position, target in enumerate(section.ids):
            numbers[target] = int(start + pages * position / max(1, len(section.ids)))
        start += round(pages)
    return numbers


def anchor_pages(laid_out, pages_before):
    """{id: page number in the edition} of every element with an id in a laid-out section."""
    pages = {}
    for number, page in enumerate(laid_out.pages, pages_before + 1):
        for anchor in page.anchors:
            pages.setdefault(anchor, number)
    return pages


def _document(head, attributes, body):
    html_attributes, body_attributes = (
        "".join(f' {name}="{escape(value)}"' for name, value in group.items()) for group in attributes
    )
    return f"<!DOCTYPE html>\n<html{html_attributes}>{head}<body{body_attributes}>{body}</body></html>"


def _section_layout(edition_styles, section, numbers, site_dir, paper, paper_size, pdf_name):
    """(layout, corrections, files loaded, {target: the number it printed}), laid out once per paper and
    process. Only the edition's styles and <html> attributes (the language) go with it: its title and footer
    strings are the furniture's, so the same section is the same document in every edition."""
    printed = {target: numbers.get(target, 0) for target in section.targets}
    head, html_attributes = edition_styles
    document = _document(head, (html_attributes, {}), section.html(printed))
    stylesheet, _ = print_stylesheet()  # edited under `mkdocs serve`: then every section is laid out anew
    key = (paper, hashlib.sha256(f"{stylesheet}\0{document}".encode()).hexdigest())
    kept = _laid_out.get(key)
    reused = kept and _same_files(kept, site_dir)
    if reused is None:
        reused = layout.layout_document(document, site_dir, paper, paper_size, pdf_name, extra_css=NO_FURNITURE)
        reused = (*reused, printed, Path(site_dir).resolve())
    _laid_out[key] = reused
    _used.add(key)
    return reused[:4]


def _same_files(kept, site_dir):
    """A section laid out earlier, if every file it loaded is the same now (in this build's site, when it was
    laid out from another: the preview's snapshot of each rebuild), with the files' paths in this site; else
    None. The decompressed fonts are named by their content (and so are in the stylesheet's text)."""
    laid_out, corrections, fetched, printed, kept_site = kept
    fonts, site = cache_folder(), Path(site_dir).resolve()
    now = {}
    for path, digest in fetched.items():
        current = site / Path(path).relative_to(kept_site) if Path(path).is_relative_to(kept_site) else Path(path)
        if not (fonts and current.is_relative_to(fonts)):
            try:
                if sha256_file(current) != digest:
                    return None
            except OSError:
                return None
        now[str(current)] = digest
    return laid_out, corrections, now, printed, site


def forget_unused():
    """Drop the sections no edition laid out since the last call (a long-lived preview keeps the rest)."""
    for key in set(_laid_out) - _used:
        del _laid_out[key]
    _used.clear()


def forget():
    """Drop every laid-out section (a process that lays out editions one by one and keeps going)."""
    _laid_out.clear()
    _used.clear()


atexit.register(forget)  # while WeasyPrint's modules are still there to free the fonts (else a warning at exit)


def _furniture(head, attributes, pages, site_dir, paper, paper_size):
    """The page furniture alone, on as many empty pages as the edition has (a cover's page has none)."""
    sheets = "".join(
        f'<div class="furniture-sheet" style="page: {page._page_box.page_type.name or "auto"}"></div>' for page in pages
    )
    furniture, _, _ = layout.layout_document(
        _document(head, attributes, sheets), site_dir, paper, paper_size, "page furniture", extra_css=SHEETS
    )
    if len(furniture.pages) != len(pages):
        raise HandoutError(f"the page furniture took {len(furniture.pages)} pages for {len(pages)}")
    return furniture


def with_furniture(page, sheet, weasyprint):
    """A section's page with the furniture's margin boxes (footer) drawn on it."""
    from weasyprint.formatting_structure.boxes import MarginBox

    box = page._page_box
    margin_boxes = [child for child in sheet._page_box.children if isinstance(child, MarginBox)]
    body = [child for child in box.children if not isinstance(child, MarginBox)]
    return weasyprint.document.Page(box.copy_with_children(body + margin_boxes))
