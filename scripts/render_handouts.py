#!/usr/bin/env python3
"""Render the handout PDFs (student and teacher editions, A4 and US Letter) from the built site.

Normally called by hooks/handouts.py at the end of every `mkdocs build`. Run it by hand to re-render the
handouts from an existing build:  .venv/bin/python scripts/render_handouts.py [--site site]

Each page's article is taken from the built HTML (not Material's CSS, which WeasyPrint cannot use), given
print/handout.css, and rendered by WeasyPrint. Footnotes become real page-bottom notes with the same numbers
as on the web. Every PDF is then checked: each note on the same page as its call, none lost, no glyph from a
font the project does not ship, no teacher-only text in the student edition.
"""

import argparse
import copy
import hashlib
import io
import os
import re
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STYLESHEET = ROOT / "print" / "handout.css"
FONTS = ROOT / "docs" / "assets" / "fonts"
EDITIONS = ("student", "teacher")
PAPERS = {"a4": "A4", "letter": "letter"}
OUTPUT_FOLDER = "handouts"
FILE_STEM = "stalin-mao-1952"
MAX_CORRECTIONS = 6
FONT_URL = re.compile(r'url\("\.\./docs/assets/fonts/([^"]+)"\)')
FONT_CACHE = Path(tempfile.gettempdir()) / "stalin-mao-handout-fonts"
PDF_CACHE = Path(tempfile.gettempdir()) / "stalin-mao-handout-pdfs"   # HANDOUT_CACHE=0 turns it off
CACHED_PDFS = 16
PANGO_HINT = ("WeasyPrint needs the Pango libraries. Debian/Ubuntu: sudo apt-get install libpango-1.0-0 "
              "libpangoft2-1.0-0 libharfbuzz-subset0; macOS: brew install pango. Then run the command again.")


class HandoutError(Exception):
    """A problem a teacher can fix; the message names the file and what to do."""


def pdf_name(edition, paper):
    return f"{FILE_STEM}-{edition}-{paper}.pdf"


def handout_links():
    """The download links for the Overview page (HTML, inserted by hooks/handouts.py)."""
    items = []
    for edition in EDITIONS:
        links = " / ".join(f'<a href="{OUTPUT_FOLDER}/{pdf_name(edition, paper)}" download>{label}</a>'
                           for paper, label in (("a4", "A4"), ("letter", "US Letter")))
        items.append(f"<li>Download the {edition} handout (PDF): {links}</li>")
    return '<ul class="handout-links">\n' + "\n".join(items) + "\n</ul>"


# ---------------------------------------------------------------------------------------------------------
# Which pages, and the HTML of one edition


def handout_pages(config):
    """(src_uri, built html path, audience, nav title) for every nav page that goes into a handout, in nav order."""
    from mkdocs.structure.files import get_files
    from mkdocs.structure.nav import get_navigation
    from mkdocs.utils import meta

    for path in _nav_paths(config["nav"] or []):
        if not (Path(config["docs_dir"]) / path).is_file():
            raise HandoutError(f"docs/{path}: listed in the nav of mkdocs.yml but missing; restore the file or "
                               "remove it from the nav.")
    files = get_files(config)
    pages = []
    for page in get_navigation(files, config).pages:
        source = Path(config["docs_dir"]) / page.file.src_uri
        try:
            _, page_meta = meta.get_data(source.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise HandoutError(f"docs/{page.file.src_uri}: listed in the nav of mkdocs.yml but missing; "
                               "restore the file or remove it from the nav.") from None
        if page_meta.get("handout", True):
            pages.append((page.file.src_uri, page.file.dest_uri, page_meta.get("audience", "all"), page.title))
    return pages


def _nav_paths(nav):
    """The Markdown files a nav names (MkDocs itself leaves a missing one out with only an INFO line)."""
    for item in nav if isinstance(nav, list) else [nav]:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, (list, dict)):
            yield from _nav_paths(value)
        elif isinstance(value, str) and value.endswith(".md") and "://" not in value:
            yield value


def edition_html(site_dir, pages, edition, config):
    """One HTML document: a cover, then each page's article as a <section>, transformed for print."""
    from lxml import html as lxml_html

    extra = config["extra"].get("handouts", {})
    title = extra.get("title", config["site_name"])
    sections, contents, teacher_texts = [], [], []
    chosen = [page for page in pages if edition == "teacher" or page[2] != "teacher"]
    slugs = {dest: _slug(src) for src, dest, *_ in chosen}
    for src, dest, audience, nav_title in chosen:
        built = Path(site_dir) / dest
        if not built.is_file():
            raise HandoutError(f"{built}: this built page is missing, so the handout cannot include "
                               f"docs/{src}. Run ./scripts/build (or `mkdocs build`) first.")
        tree = lxml_html.fromstring(built.read_bytes())
        article = tree.find_class("md-content__inner")
        if not article:
            raise HandoutError(f"{built}: no article found in this page; is it a page built by MkDocs Material?")
        article = article[0]
        teacher_texts += [" ".join(" ".join(part.text_content() for part in box if part.tag != "summary").split())
                          for box in article.find_class("teacher")]   # the box's text, not its title
        if article.find_class("telegram"):
            sections.append(_clean_copy(article, slugs[dest]))
            contents.append((f"{slugs[dest]}-clean", "The telegram, to read through first"))
        section = _print_section(article, slugs[dest], dest, slugs, edition)
        heading = section.find(".//h1")
        contents.append((slugs[dest], heading.text_content().strip() if heading is not None else nav_title or src))
        sections.append(lxml_html.tostring(section, encoding="unicode"))

    label = "Teacher edition" if edition == "teacher" else "Student edition"
    site_url = config.get("site_url") or ""
    # A local preview address means nobody has said where the site is published (see README: SITE_URL).
    website = ("not published yet: ask your teacher for the address" if re.match(
        r"https?://(127\.0\.0\.1|localhost)\b", site_url) else _escape(site_url))
    toc = "\n".join(f'<li><a href="#{slug}">{_escape(name)}</a></li>' for slug, name in contents)
    cover = f"""
<section class="cover" data-title="{_escape(config['site_name'])}" data-edition="{label}">
  <h1>{_escape(title)}</h1>
  <p class="subtitle">{_escape(extra.get('subject', ''))}</p>
  <p class="edition">{label}</p>
  <dl>
    <dt>What this is</dt><dd>A printable handout of the online module: the telegram with numbered paragraphs
      (¶1–¶7) and footnotes, its context, questions{' with suggested answers and the teacher’s guide' if edition == 'teacher' else ' with space to answer'}, a glossary and sources.</dd>
    <dt>Version</dt><dd>{_escape(str(extra.get('version', '')))}, {_escape(str(extra.get('date', '')))}</dd>
    <dt>Website</dt><dd>{website}</dd>
    <dt>Editors</dt><dd>{_escape(extra.get('author', config.get('site_author') or ''))}</dd>
  </dl>
  <div class="contents"><h2>Contents</h2><ol>{toc}</ol></div>
  <p class="licence">Module text: CC BY 4.0. The English translation of the telegram is reproduced from the
    Wilson Center Digital Archive under its reuse statement for research and education. Fonts: SIL Open Font
    License 1.1. Details on the Sources page.</p>
</section>"""
    head = f"""<meta charset="utf-8"><title>{_escape(title)} ({label})</title>
<meta name="author" content="{_escape(extra.get('author', ''))}">
<meta name="description" content="{_escape(extra.get('subject', ''))}">
<meta name="keywords" content="{_escape(extra.get('keywords', ''))}">"""
    document = (f'<!DOCTYPE html>\n<html lang="{config["theme"]["language"] or "en"}"><head>{head}</head>'
                f'<body class="{edition}">{cover}\n' + "\n".join(sections) + "</body></html>")
    return document, teacher_texts


def _clean_copy(article, slug):
    """The telegram on a page of its own, without note calls, to read through before the annotated text.

    Same words and ¶ numbers as the annotated version (the build has checked them against the archive)."""
    from lxml import html as lxml_html

    telegram = copy.deepcopy(article.find_class("telegram")[0])
    for call in telegram.xpath('.//sup[starts-with(@id, "fnref")]'):
        call.drop_tree()                      # keeps the text after the call
    for element in telegram.xpath(".//*[@id]"):
        del element.attrib["id"]
    for label in telegram.find_class("para-number"):
        label.tag = "span"
        label.attrib.pop("href", None)
    section = lxml_html.fragment_fromstring(
        f'<section class="page clean-copy" id="{slug}-clean"><h1>The telegram, to read through first</h1>'
        '<p class="clean-intro">The English translation exactly as the archive gives it, without notes. The '
        'annotated version that follows has the same ¶ numbers, with notes at the foot of each page.</p></section>')
    section.append(telegram)
    return lxml_html.tostring(section, encoding="unicode")


def _print_section(article, slug, dest, slugs, edition):
    """The article of one built page, made fit for paper."""
    from lxml import etree
    from lxml import html as lxml_html

    section = lxml_html.Element("section", {"class": "page", "id": slug})
    for child in list(article):
        section.append(copy.deepcopy(child))
    for selector in ("headerlink", "md-content__button", "md-source-file", "handout-links"):
        for element in section.find_class(selector):
            element.drop_tree()

    # Footnotes: each definition moves to its (first) call as a float: footnote element.
    notes = {}
    for item in section.xpath('.//div[contains(@class, "footnote")]/ol/li'):
        for backref in item.find_class("footnote-backref"):
            backref.drop_tree()
        body = "".join(lxml_html.tostring(child, encoding="unicode") for child in item)
        body = re.sub(r"</p>\s*<p>", " ", body)
        body = re.sub(r"^\s*<p>|</p>\s*$", "", body.strip()).strip()
        notes[item.get("id")] = body.replace("\xa0", " ").strip()
    for footnote_list in section.xpath('.//div[contains(@class, "footnote")]'):
        footnote_list.drop_tree()
    placed = set()
    for sup in section.xpath('.//sup[starts-with(@id, "fnref")]'):
        link = sup.find("a")
        target, number = link.get("href", "").lstrip("#"), link.text_content().strip()
        if target in placed or target not in notes:
            repeat = lxml_html.Element("span", {"class": "footnote-repeat"})
            repeat.text = number
            repeat.tail = sup.tail
            sup.getparent().replace(sup, repeat)
            continue
        placed.add(target)
        note = lxml_html.fragment_fromstring(f"<span>{notes[target]}</span>")
        note.set("class", "footnote")
        note.set("id", f"{slug}--{target}".replace(":", "-"))
        note.set("data-n", number)
        note.tail = sup.tail
        sup.getparent().replace(sup, note)

    # Teacher-only blocks: printed in the teacher edition, left out of the student edition.
    for details in section.xpath('.//details[contains(@class, "teacher")]'):
        if edition == "student":
            details.drop_tree()
            continue
        summary = details.find("summary")
        title = summary.text_content().strip() if summary is not None else "For teachers"
        if summary is not None:
            summary.drop_tree()
        box = lxml_html.Element("div", {"class": "teacher-box"})
        label = etree.SubElement(box, "p", {"class": "teacher-label"})
        label.text = f"For teachers: {title}" if title != "For teachers" else title
        for child in list(details):
            box.append(child)
        box.tail = details.tail
        details.getparent().replace(details, box)

    # Questions: ruled space to answer in the student edition.
    if edition == "student":
        for heading in section.xpath('.//h3[@data-answer-lines]'):
            last = heading
            for sibling in heading.itersiblings():
                if sibling.tag in ("h1", "h2", "h3"):
                    break
                last = sibling
            lines = lxml_html.Element("div", {"class": "answer-lines"})
            for _ in range(int(heading.get("data-answer-lines"))):
                etree.SubElement(lines, "div", {"class": "answer-line"})   # one ruled line each
            lines.tail = last.tail
            last.tail = None
            last.addnext(lines)

    # Ids and links: unique across the combined document; links to other pages become links inside it.
    for element in section.xpath(".//*[@id]"):
        if element is not section and not element.get("id").startswith(f"{slug}--"):
            element.set("id", f"{slug}--{element.get('id')}".replace(":", "-"))
    for link in section.xpath(".//a[@href]"):
        href = link.get("href")
        if href.startswith(("http://", "https://", "mailto:")):
            if link.text_content().strip() != href and "bibliography-entry" not in (link.getparent().get("class") or ""):
                url = lxml_html.Element("span", {"class": "external-url"})
                url.text = f" ({href})"
                url.tail = link.tail
                link.tail = None
                link.addnext(url)
            continue
        page, _, fragment = href.partition("#")
        page = page or dest
        if page not in slugs:
            link.drop_tag()        # a page this edition does not contain (or a download link)
            continue
        target = slugs[page]
        link.set("href", f"#{target}--{fragment}".replace(":", "-") if fragment else f"#{target}")
        link.attrib.pop("title", None)
    return section


def _slug(src):
    return re.sub(r"[^a-z0-9]+", "-", src.rsplit(".", 1)[0].lower()).strip("-") or "page"


def _escape(text):
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


# ---------------------------------------------------------------------------------------------------------
# Rendering and checking one PDF


def local_only_fetcher():
    """Handouts use local files only: never wait on the network for a font or image, and stop on a file
    that cannot be read rather than print without it. (WeasyPrint 70 wants a URLFetcher, not a function.)"""
    import weasyprint

    class LocalOnlyFetcher(weasyprint.URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(("file:", "data:")):
                raise HandoutError(f"the handout tried to load {url}; handouts may only use files in the "
                                   "project. Remove the reference or copy the file into docs/.")
            try:
                return super().fetch(url, headers)
            except OSError as error:
                raise HandoutError(f"cannot read {url.removeprefix('file://')} for the handout "
                                   f"({getattr(error, 'reason', None) or error}). Restore the file, or remove "
                                   "the reference to it, and build again.") from None

    return LocalOnlyFetcher(fail_on_errors=True)


def render_pdf(document, site_dir, edition, paper, output, teacher_texts):
    """Lay out with every note on its call's page, check, write atomically. Returns (pages, bytes, corrections)."""
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")   # identical sources give identical bytes
    layout, corrections = layout_edition(document, site_dir, edition, paper)
    _check_no_teacher_text(document, edition, paper, teacher_texts)
    pdf = _without_text_spans(layout.write_pdf(pdf_variant="pdf/ua-1", finisher=_compact_text))
    _check_glyphs_from_shipped_fonts(layout, edition, paper)   # the fonts are known once the PDF is drawn
    _write_atomically(output, pdf)
    return len(layout.pages), len(pdf), corrections


def layout_edition(document, site_dir, edition, paper):
    """The laid-out document, every misplaced or lost note corrected (in two steps at most): (layout, corrections)."""
    weasyprint = import_weasyprint()
    font_config, stylesheets = _stylesheets(paper)
    corrections = {}   # note id -> 1: page break after its paragraph, 2: before it
    for attempt in range(MAX_CORRECTIONS + 1):
        layout = _render(weasyprint, _corrected(document, corrections), site_dir, stylesheets, font_config)
        misplaced, lost = check_footnotes(layout)
        wrong = lost + misplaced
        if not wrong:
            break
        stuck = [note for note in wrong if corrections.get(note) == 2]
        if stuck or attempt == MAX_CORRECTIONS:
            note = (stuck or wrong)[0]
            if note in lost:
                raise HandoutError(f"{pdf_name(edition, paper)}: footnote {_describe(note)} would be lost by "
                                   "WeasyPrint (the call is printed, the note on no page), even after correction. "
                                   "Shorten the note or split it; the PDF was not written.")
            raise HandoutError(f"{pdf_name(edition, paper)}: footnote {_describe(note)} is printed on a different "
                               "page from its call, even after correction. Shorten the note or the paragraph "
                               "around its call; the PDF was not written.")
        for note in wrong:   # all at once: each layout of a whole edition takes seconds
            corrections[note] = corrections.get(note, 0) + 1
    return layout, len(corrections)


def _render(weasyprint, html, site_dir, stylesheets, font_config):
    try:
        return weasyprint.HTML(string=html, base_url=str(Path(site_dir).resolve()) + "/",
                               url_fetcher=local_only_fetcher()).render(stylesheets=stylesheets,
                                                                       font_config=font_config)
    except weasyprint.urls.FatalURLFetchingError as error:
        raise (error.__cause__ if isinstance(error.__cause__, HandoutError) else HandoutError(str(error))) from None


_loaded = {}


def _stylesheets(paper):
    """The font configuration and stylesheets, parsed once per process and shared by every edition.

    WeasyPrint loads the @font-face fonts only into the FontConfiguration given to both CSS() and render();
    without it every glyph would come from the system's fonts."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    if "fonts" not in _loaded:
        _loaded["fonts"] = FontConfiguration()
        try:
            _loaded["css"] = weasyprint.CSS(string=print_stylesheet(), base_url=STYLESHEET.as_uri(),
                                            url_fetcher=local_only_fetcher(), font_config=_loaded["fonts"])
        except weasyprint.urls.FatalURLFetchingError as error:
            raise error.__cause__ if isinstance(error.__cause__, HandoutError) else HandoutError(str(error))
    if paper not in _loaded:
        _loaded[paper] = weasyprint.CSS(string=f"@page {{ size: {PAPERS[paper]}; }}")
    return _loaded["fonts"], [_loaded["css"], _loaded[paper]]


def _compact_text(document, pdf):
    """Drop the zero adjustments WeasyPrint writes between glyphs ([<0013>0<0014>0] TJ, from kerning that
    rounds to 0): the same text and positions, a fifth fewer bytes in every PDF."""
    import pydyf

    for pdf_object in pdf.objects:
        if isinstance(pdf_object, pydyf.Stream):
            pdf_object.stream = [item.replace(b">0<", b"") if isinstance(item, bytes) and item.endswith(b"] TJ")
                                 else item for item in pdf_object.stream]


def _without_text_spans(pdf):
    """The same tagged PDF, an eighth smaller: WeasyPrint gives every run of text its own /Span element in the
    structure tree (4,000 of them in a handout), with no attributes, so nothing for a screen reader. Each run's
    content (MCID) goes straight into the paragraph or heading that held the Span, as WeasyPrint already does
    for links, and the ParentTree points to that element. Then qpdf writes the file again, deterministically."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        spans = {}
        for element in document.objects:
            if (isinstance(element, pikepdf.Dictionary) and element.get("/Type") == "/StructElem"
                    and element.get("/S") == "/Span" and set(element.keys()) <= {"/Type", "/S", "/K", "/Pg", "/P"}
                    and len(element.K) == 1 and isinstance(element.K[0], int)
                    and element.P.get("/Pg") is not None and element.P.Pg.objgen == element.Pg.objgen):
                spans[element.objgen] = (element.P, int(element.K[0]))
        for parent in {parent.objgen: parent for parent, _ in spans.values()}.values():
            parent.K = pikepdf.Array([spans[kid.objgen][1] if isinstance(kid, pikepdf.Dictionary) and kid.is_indirect
                                      and kid.objgen in spans else kid for kid in parent.K])
        numbers = document.Root.StructTreeRoot.ParentTree.Nums
        for page_elements in (numbers[i] for i in range(1, len(numbers), 2)):
            if isinstance(page_elements, pikepdf.Array):
                for index, element in enumerate(page_elements):
                    if isinstance(element, pikepdf.Dictionary) and element.objgen in spans:
                        page_elements[index] = spans[element.objgen][0]
        output = io.BytesIO()
        document.save(output, object_stream_mode=pikepdf.ObjectStreamMode.generate, deterministic_id=True,
                      compress_streams=True)
    return output.getvalue()


def check_footnotes(layout):
    """(misplaced, lost): ids of notes not on their call's page, and of notes on no page at all."""
    call_page, note_page = {}, {}
    for number, page in enumerate(layout.pages, 1):
        for top in page._page_box.children:
            in_footnote_area = type(top).__name__ == "FootnoteAreaBox"
            for box in _descendants(top):
                element = getattr(box, "element", None)
                if element is None:
                    continue
                if in_footnote_area and "footnote" in (element.get("class") or "").split():
                    note_page.setdefault(element.get("id"), number)
                elif not in_footnote_area and getattr(box, "footnote", None) is not None:
                    call_page.setdefault(element.get("id"), number)
    lost = [note for note in call_page if note not in note_page]
    misplaced = [note for note, page in call_page.items() if note in note_page and note_page[note] != page]
    return misplaced, lost


def _descendants(box):
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _descendants(child)


def _describe(note_id):
    page, _, name = note_id.partition("--")
    return f"'{name.replace('fn-', '')}' on the {page} page"


PARAGRAPHS = ("p", "li", "dd", "dt", "blockquote", "figure", "h1", "h2", "h3", "h4")


def _corrected(document, corrections):
    """The document with a page break next to the paragraph of each misplaced note.

    WeasyPrint 70 moves notes already placed on a page to the next one when the first lines of a later
    paragraph do not fit above them (layout/block.py, "try to report footnotes"). Ending the page after the
    note's paragraph sends that later paragraph on; if the note is still misplaced, its own paragraph is the
    one that did not fit, so the page ends before it instead."""
    if not corrections:
        return document
    from lxml import html as lxml_html

    tree = lxml_html.document_fromstring(document)
    for note_id, level in corrections.items():
        block = _paragraph_of(tree.get_element_by_id(note_id))
        side = "after" if level == 1 else "before"
        block.set("style", f"{block.get('style') or ''}; break-{side}: page".lstrip("; "))
    return lxml_html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")


def _paragraph_of(element):
    """The paragraph (or list item…) that holds a note's call; for a call in a table, the whole table."""
    tables = [ancestor for ancestor in element.iterancestors("table")]
    if tables:
        return tables[-1]
    for ancestor in element.iterancestors():
        if ancestor.tag in PARAGRAPHS or "page" in (ancestor.getparent().get("class") or "").split():
            return ancestor
    return element


def _check_no_teacher_text(document, edition, paper, teacher_texts):
    """No sentence of 8 words or more from a teacher-only box anywhere in the student edition. The check reads
    the edition's HTML, not the laid-out lines, where hyphenation would split words and hide a match."""
    if edition != "student" or not teacher_texts:
        return
    from lxml import html as lxml_html

    printed = " ".join(lxml_html.document_fromstring(document).text_content().split())
    for text in teacher_texts:
        for sentence in re.split(r"(?<=[.?!])\s+", text):
            if len(sentence.split()) >= 8 and sentence in printed:
                raise HandoutError(f"{pdf_name(edition, paper)}: teacher-only text reached the student edition: "
                                   f"'{sentence[:80]}'. Keep it only inside a '/// teacher' block.")


def _check_glyphs_from_shipped_fonts(layout, edition, paper):
    """Every glyph from a font in docs/assets/fonts: a system font would make the PDF differ from machine
    to machine (or show empty boxes where the machine has none)."""
    shipped = set(re.findall(r'@font-face\s*\{[^}]*font-family:\s*"([^"]+)"', STYLESHEET.read_text(encoding="utf-8")))
    for font in layout.fonts.values():
        missing = "".join(sorted(chr(code) for code in font.missing))
        foreign = "" if font.family in shipped else "".join(sorted(set(font.to_unicode.values())))
        if not (missing or foreign):
            continue
        characters = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in (missing or foreign) if not c.isspace())
        if foreign and all(ord(c) in _shipped_characters() for c in foreign):
            raise HandoutError(f"{pdf_name(edition, paper)}: print/handout.css lets some text fall back to the "
                               f"system font '{font.family}' (characters {characters}). Give that element a "
                               "shipped font family (\"Noto Serif\", \"Noto Sans\", \"Noto Serif SC\"); the PDF "
                               "was not written.")
        source = "no font has" if missing else f"only the system font '{font.family}' has"
        raise HandoutError(f"{pdf_name(edition, paper)}: {source} the character(s) {characters}, which the "
                           "shipped fonts (docs/assets/fonts/) lack. Run scripts/update-cjk-font to add them to "
                           "the shipped subset, or write the text without them; the PDF was not written.")


def _shipped_characters():
    if "characters" not in _loaded:
        from fontTools.ttLib import TTFont
        _loaded["characters"] = set().union(*(TTFont(path).getBestCmap() for path in FONTS.glob("*.woff2")))
    return _loaded["characters"]


def print_stylesheet():
    """print/handout.css, its WOFF2 fonts swapped for decompressed copies cached by content in the temporary
    folder: WeasyPrint decodes WOFF2 in Python, 2–3 s in every process, every build. Same glyphs, same PDF."""
    _check_fonts_present()
    css = STYLESHEET.read_text(encoding="utf-8")
    for name in FONT_URL.findall(css):
        try:
            css = css.replace(f'url("../docs/assets/fonts/{name}")', f'url("{_decompressed(FONTS / name).as_uri()}")')
        except (HandoutError, OSError):
            pass   # no cache (read-only temporary folder): WeasyPrint reads the WOFF2 file, only slower
    return css


def _decompressed(path):
    data = path.read_bytes()
    target = FONT_CACHE / f"{path.stem}-{hashlib.sha256(data).hexdigest()[:16]}.{'otf' if b'OTTO' in data[4:8] else 'ttf'}"
    if not target.is_file():
        from fontTools.ttLib import woff2

        out = io.BytesIO()
        woff2.decompress(io.BytesIO(data), out)
        _write_atomically(target, out.getvalue())   # two builds at once: each renames its own whole file
    return target


def _check_fonts_present():
    for name in FONT_URL.findall(STYLESHEET.read_text(encoding="utf-8")):
        if not (FONTS / name).is_file():
            raise HandoutError(f"docs/assets/fonts/{name} is missing (print/handout.css uses it). Restore it with "
                               f"`git checkout -- docs/assets/fonts/{name}`.")


def _write_atomically(output, data):
    output = Path(output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=output.parent, prefix=f".{output.name}.", delete=False) as handle:
            handle.write(data)
        # A temporary file is private (0600); the PDF is published, so give it the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(handle.name, 0o666 & ~umask)
        os.replace(handle.name, output)
    except OSError as error:
        reason = (f"{output.parent} is a file, not a folder" if output.parent.is_file()
                  else f"{error.strerror} ({error.filename or output})")
        raise HandoutError(f"cannot write {output}: {reason}. Choose a folder you can write to, or fix "
                           "its permissions.") from None


def import_weasyprint():
    try:
        import weasyprint
    except OSError as error:
        raise HandoutError(f"WeasyPrint cannot start ({error}). {PANGO_HINT}") from None
    return weasyprint


# ---------------------------------------------------------------------------------------------------------
# All handouts


def _render_job(job):
    document, site_dir, edition, paper, output, teacher_texts = job
    return edition, paper, output, render_pdf(document, site_dir, edition, paper, output, teacher_texts)


def render_all(config, site_dir=None, log=print):
    """Render the four PDFs into <site>/handouts/, two at a time; one whose sources have not changed since an
    earlier build is copied from the cache in the temporary folder instead. Returns [(path, pages, bytes)]."""
    site_dir = Path(site_dir or config["site_dir"])
    if not (site_dir / "index.html").is_file():
        raise HandoutError(f"{site_dir}/index.html is missing: there is no built site to print. Run "
                           "./scripts/build first.")
    import_weasyprint()
    print_stylesheet()   # decompress the fonts once, here, rather than in both workers at the same time
    pages = handout_pages(config)
    jobs = []
    for edition in reversed(EDITIONS):   # the longer teacher edition first: the two workers finish together
        document, teacher_texts = edition_html(site_dir, pages, edition, config)
        for paper in PAPERS:
            jobs.append((document, str(site_dir), edition, paper,
                         str(site_dir / OUTPUT_FOLDER / pdf_name(edition, paper)), teacher_texts))
    results, to_render = [], []
    for job in jobs:
        cached = _from_cache(job)
        if cached:
            log(f"Handout {job[4]}: {cached[0]} pages, {cached[1] // 1024} KB (unchanged, reused)")
            results.append((job[4], *cached[:2]))
        else:
            to_render.append(job)
    workers = min(len(to_render), os.cpu_count() or 1)
    if to_render:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for job, (edition, paper, output, (page_count, size, corrections)) in zip(
                    to_render, pool.map(_render_job, to_render)):
                note = f", {corrections} note(s) kept on their call's page by a page break" if corrections else ""
                log(f"Handout {output}: {page_count} pages, {size // 1024} KB{note}")
                results.append((output, page_count, size))
                _to_cache(job, page_count)
    return results


# ---------------------------------------------------------------------------------------------------------
# Unchanged handouts are not laid out again


def _cache_key(job):
    """Everything a PDF is made from: the edition's HTML, the stylesheet (its font paths carry the fonts'
    hashes), the paper, the renderer's own code and WeasyPrint's version."""
    import weasyprint

    document, _, edition, paper, _, teacher_texts = job
    digest = hashlib.sha256()
    for part in (document, print_stylesheet(), edition, paper, "\n".join(teacher_texts),
                 Path(__file__).read_text(encoding="utf-8"), weasyprint.__version__):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()[:32]


def _from_cache(job):
    """(pages, bytes) after copying the PDF made last time from the same sources, or None."""
    if os.environ.get("HANDOUT_CACHE", "1") == "0":
        return None
    found = sorted(PDF_CACHE.glob(f"{_cache_key(job)}-*.pdf"))
    if not found:
        return None
    data = found[0].read_bytes()
    _write_atomically(job[4], data)
    os.utime(found[0])     # recently used: kept by the pruning below
    return int(found[0].stem.rsplit("-", 1)[1]), len(data)


def _to_cache(job, page_count):
    if os.environ.get("HANDOUT_CACHE", "1") == "0":
        return
    try:
        _write_atomically(PDF_CACHE / f"{_cache_key(job)}-{page_count}.pdf", Path(job[4]).read_bytes())
        for old in sorted(PDF_CACHE.glob("*.pdf"), key=lambda path: path.stat().st_mtime)[:-CACHED_PDFS]:
            old.unlink(missing_ok=True)
    except (HandoutError, OSError):
        pass   # a cache that cannot be written only makes the next build slower


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", default=None, help="the built site folder (default: site_dir of mkdocs.yml)")
    parser.add_argument("--config", default=str(ROOT / "mkdocs.yml"), help="the MkDocs configuration file")
    args = parser.parse_args(argv)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.config import load_config

    try:
        config = load_config(args.config)
        config = config.plugins.on_config(config)   # as in a build: the offline plugin sets the page URLs
        render_all(config, args.site)
    except HandoutError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
