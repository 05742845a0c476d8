"""Page numbers in the handout PDFs, every edition declared in mkdocs.yml in every paper size: what a teacher relies
on when saying "turn to page 12". Every page but the cover says at its foot "Page N of T" and which module and
edition it belongs to; the cover's contents give the page each section starts on; every cross-reference's
"(p. N)" is the page its link leads to; every link inside a PDF leads to one of its own pages, and none to a file
on the computer that made it."""

import functools
import re
from dataclasses import dataclass, field

import pdfplumber
import pikepdf
import pytest
from pypdf import PdfReader
from test_handouts import BY_NAME, EDITIONS, pdf_path

import handouts.build
import handouts.print_html
import handouts.sections

FOOT = 25 * 72 / 25.4  # the bottom 25 mm of a page: the running footer, below the last footnotes
PAGE_N_OF_T = re.compile(r"Page (\d+) of (\d+)")
# print/handout.css, a.xref::after: "(p.", a no-break space, the page, ")". The teacher's guide types "(p. 5)" with
# an ordinary space for pages of the class packet, which is another PDF: those are text, not cross-references.
XREF_MARK = re.compile(r"\(p\.\xa0(\d+)\)")
WEB_OR_MAIL = re.compile(r"(https?|mailto):", re.IGNORECASE)
WITH_COVER = [(edition, paper) for edition, paper in EDITIONS if BY_NAME[edition].cover]


@dataclass
class Link:
    page: int  # the page the link is on, from 1
    box: tuple  # (x0, top, x1, bottom) in points from the top left, as pdfplumber measures text
    leads_to: int = None  # the page of an internal link's destination
    uri: str = None
    problem: str = None  # why an internal link leads nowhere

    def holds(self, x, y):
        x0, top, x1, bottom = self.box
        return x0 - 1 <= x <= x1 + 1 and top <= y <= bottom


@dataclass
class Page:
    text: str  # whitespace collapsed
    footer: str  # the lowest line of the page
    xref_marks: list = field(default_factory=list)  # [(N of "(p. N)", x, y of its middle)]


@dataclass
class Handout:
    name: str
    pages: list
    links: list
    bookmarks: list  # [(title, page)]


@pytest.fixture(scope="session")
def site_names(config, teacher_config):
    return {"student": config["site_name"], "teacher": teacher_config["site_name"]}


def handout(built_site, edition, paper):
    return read_handout(str(pdf_path(built_site, edition, paper)))


@functools.cache
def read_handout(path):
    """What a reader sees of one PDF: each page's text, footer and "(p. N)" marks, its links and its bookmarks."""
    pages = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            # One entry a letter: a ligature's char holds two or three.
            letters = [char for char in page.chars for _ in char["text"]]
            text = "".join(char["text"] for char in page.chars)
            marks = []
            for mark in XREF_MARK.finditer(text):
                first, last = letters[mark.start()], letters[mark.end() - 1]
                marks.append((int(mark.group(1)), (first["x0"] + last["x1"]) / 2, (first["top"] + first["bottom"]) / 2))
            pages.append(Page(" ".join((page.extract_text() or "").split()), footer(page), marks))
    reader = PdfReader(path)
    marks = [(title, reader.get_destination_page_number(item)) for title, item in bookmarks(reader.outline)]
    marks = [(title, None if index is None else index + 1) for title, index in marks]  # None: not a page of it
    return Handout(path.rsplit("/", 1)[-1], pages, links(path), marks)


def footer(page):
    words = page.crop((0, page.height - FOOT, page.width, page.height)).extract_words()
    if not words:
        return ""
    lowest = max(word["bottom"] for word in words)
    return " ".join(word["text"] for word in sorted(words, key=lambda w: w["x0"]) if word["bottom"] > lowest - 5)


def bookmarks(outline):
    for item in outline:
        if isinstance(item, list):
            yield from bookmarks(item)
        else:
            yield " ".join(item.title.split()), item


def links(path):
    """Every /Link annotation, with the page it leads to (through named destinations too) or its address."""
    found = []
    with pikepdf.open(path) as pdf:
        numbers = {page.objgen: number for number, page in enumerate(pdf.pages, 1)}
        names = pdf.Root.get("/Names")
        named = pikepdf.NameTree(names.Dests) if names is not None and "/Dests" in names else None
        for number, page in enumerate(pdf.pages, 1):
            height = float(page.mediabox[3])
            for annotation in page.get("/Annots", []):
                if annotation.get("/Subtype") != "/Link":
                    continue
                x0, y0, x1, y1 = (float(value) for value in annotation.Rect)
                link = Link(number, (min(x0, x1), height - max(y0, y1), max(x0, x1), height - min(y0, y1)))
                action = annotation.get("/A")
                kind = action.get("/S") if action is not None else None
                if "/Dest" in annotation or kind == "/GoTo":
                    dest = annotation.Dest if "/Dest" in annotation else action.get("/D")
                    link.leads_to, link.problem = destination(dest, named, pdf.Root.get("/Dests"), numbers)
                elif kind == "/URI":
                    link.uri = str(action.URI)
                else:
                    link.problem = f"neither a destination nor a web address (action {kind})"
                found.append(link)
    return found


def destination(dest, named, old_named, numbers):
    """(page number, None), or (None, what is wrong)."""
    if isinstance(dest, pikepdf.String):  # a named destination, in /Names /Dests (what WeasyPrint writes)
        if named is None or str(dest) not in named:
            return None, f"the named destination {str(dest)!r} is not defined"
        dest = named[str(dest)]
    elif isinstance(dest, pikepdf.Name):  # a named destination in the old /Dests dictionary
        if old_named is None or str(dest) not in old_named:
            return None, f"the named destination {str(dest)!r} is not defined"
        dest = old_named[str(dest)]
    if isinstance(dest, pikepdf.Dictionary):
        dest = dest.get("/D")
    if not isinstance(dest, pikepdf.Array) or not len(dest) or not isinstance(dest[0], pikepdf.Dictionary):
        return None, f"the destination {dest!r} names no page"
    if dest[0].objgen not in numbers:
        return None, "the destination is not a page of this PDF"
    return numbers[dest[0].objgen], None


def shown(problems, limit=8):
    return "\n  ".join(problems[:limit]) + (f"\n  … and {len(problems) - limit} more" if len(problems) > limit else "")


@pytest.mark.parametrize("edition,paper", EDITIONS)
def test_every_page_but_the_cover_says_page_n_of_t_at_its_foot(built_site, teacher_site, edition, paper):
    pdf = handout(built_site, edition, paper)
    total, problems = len(pdf.pages), []
    for number, page in enumerate(pdf.pages, 1):
        if number == 1 and BY_NAME[edition].cover:
            if PAGE_N_OF_T.search(page.text):
                problems.append(f"p. 1 is the cover and should show no page number, but shows {page.text!r}")
        elif PAGE_N_OF_T.findall(page.footer) != [(str(number), str(total))]:
            problems.append(f"p. {number}: the foot should say 'Page {number} of {total}', it says {page.footer!r}")
    assert not problems, f"{pdf.name}:\n  {shown(problems)}"


@pytest.mark.parametrize("edition,paper", EDITIONS)
def test_every_page_but_the_cover_names_the_module_and_edition_at_its_foot(
    built_site, teacher_site, site_names, edition, paper
):
    pdf = handout(built_site, edition, paper)
    title_line = f"{site_names[BY_NAME[edition].audience]} · {BY_NAME[edition].title}"
    start = 2 if BY_NAME[edition].cover else 1
    problems = [
        f"p. {number}: the foot should say {title_line!r}, it says {page.footer!r}"
        for number, page in enumerate(pdf.pages[start - 1 :], start)
        if title_line not in page.footer
    ]
    assert not problems, f"{pdf.name}:\n  {shown(problems)}"


@pytest.mark.parametrize("edition,paper", WITH_COVER)
def test_the_contents_give_the_page_each_section_starts_on(built_site, teacher_site, print_documents, edition, paper):
    # Each entry of the cover's contents is a link: its printed number, the page it leads to, the page that starts
    # with the section's heading and the page of that heading's bookmark must all be one.
    pdf = handout(built_site, edition, paper)
    entries, problems = contents(built_site, edition, paper), []
    for title, printed, leads_to in entries:
        said = f"the contents give {title!r} p. {printed}"
        if leads_to != {printed}:
            problems.append(f"{said}, but its link leads to p. {', '.join(map(str, sorted(leads_to))) or 'nowhere'}")
        if not 1 <= printed <= len(pdf.pages) or not pdf.pages[printed - 1].text.startswith(title):
            top = pdf.pages[printed - 1].text[:60] if 1 <= printed <= len(pdf.pages) else "(no such page)"
            problems.append(f"{said}, but p. {printed} starts with {top!r}")
        if printed not in [page for name, page in pdf.bookmarks if name == title]:
            problems.append(f"{said}, but its bookmark leads to {[p for n, p in pdf.bookmarks if n == title]}")
    expected = len(print_documents[edition].xpath('//*[@class="contents"]//a'))
    assert len(entries) == expected, f"{pdf.name}: {len(entries)} contents entries found on the cover, {expected} made"
    assert not problems, f"{pdf.name}, cover:\n  {shown(problems)}"


def contents(built_site, edition, paper):
    """[(title, printed page, {pages its links lead to})] of the cover's contents, one a line with a link (a title
    that runs over two lines is joined to its number on the next)."""
    path = str(pdf_path(built_site, edition, paper))
    lines = {}
    for link in read_handout(path).links:
        if link.page == 1 and link.leads_to:
            lines.setdefault(round(link.box[1]), [link.box, set()])[1].add(link.leads_to)
    entries, pending, leads_to = [], "", set()
    with pdfplumber.open(path) as pdf:
        cover = pdf.pages[0]
        for box, pages in (lines[top] for top in sorted(lines)):
            text = " ".join((cover.crop((0, box[1], cover.width, box[3])).extract_text() or "").split())
            pending, leads_to = f"{pending} {text}".strip(), leads_to | pages
            entry = re.fullmatch(r"(.*\S) (\d+)", pending)
            if entry:
                entries.append((entry.group(1), int(entry.group(2)), leads_to))
                pending, leads_to = "", set()
    assert not pending, f"{read_handout(path).name}, cover: a contents entry without a page number: {pending!r}"
    return entries


@pytest.mark.parametrize("edition,paper", EDITIONS)
def test_every_cross_reference_gives_the_page_it_leads_to(built_site, teacher_site, print_documents, edition, paper):
    # Every "(p. N)" that print adds after a cross-reference is inside that link, which leads to page N; and there
    # are as many of them as cross-references in the print HTML, so none is missed.
    pdf = handout(built_site, edition, paper)
    problems, found = [], 0
    for number, page in enumerate(pdf.pages, 1):
        for printed, x, y in page.xref_marks:
            found += 1
            leads_to = {link.leads_to for link in pdf.links if link.page == number and link.holds(x, y)}
            if leads_to != {printed}:
                where = ", ".join(
                    f"p. {page}" if page else "nowhere" for page in sorted(leads_to, key=lambda p: p or 0)
                )
                problems.append(f"p. {number}: '(p. {printed})' should lead to p. {printed}; its link leads to {where}")
    made = len(print_documents[edition].xpath('//a[contains(concat(" ", normalize-space(@class), " "), " xref ")]'))
    assert not problems, f"{pdf.name}:\n  {shown(problems)}"
    assert found == made, f"{pdf.name}: {found} '(p. N)' printed, for {made} cross-references in the print HTML"


@pytest.mark.parametrize("edition,paper", EDITIONS)
def test_every_link_leads_to_a_page_of_the_same_pdf_or_to_the_web(built_site, teacher_site, edition, paper):
    pdf = handout(built_site, edition, paper)
    problems = []
    for link in pdf.links:
        if link.uri is not None:
            if not WEB_OR_MAIL.match(link.uri):
                problems.append(f"p. {link.page}: a link to {link.uri!r}; expected a web (or mail) address")
        elif link.problem or not 1 <= link.leads_to <= len(pdf.pages):
            problems.append(f"p. {link.page}: a link that leads nowhere: {link.problem or link.leads_to}")
    assert not problems, f"{pdf.name}:\n  {shown(problems)}"
    if BY_NAME[edition].cover:
        assert any(link.leads_to for link in pdf.links), f"{pdf.name}: no internal link at all (the contents?)"


def test_a_link_to_a_part_the_edition_leaves_out_prints_as_text_without_a_page_number():
    # A teacher's own packet may take questions.md#q2 alone, whose text links to #q7: no "(p. 0)", no dead link.
    document = (
        '<!DOCTYPE html><html lang="en"><head><title>T</title></head><body data-title="M" data-edition="E">'
        '<section class="page" id="q2"><p>As in <a class="xref" href="#q2-note">the note</a> and '
        '<a class="xref" href="#q7">question 7</a>.</p><p id="q2-note">A note.</p></section></body></html>'
    )
    _, _, _, (section,) = handouts.sections.split(document)
    assert section.targets == ["q2-note"]
    assert "question 7" in section.html({"q2-note": 1}) and 'href="#q7"' not in section.html({"q2-note": 1})
