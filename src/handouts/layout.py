"""Laying out one edition with WeasyPrint, with every footnote on its call's page.

WeasyPrint 70 can move a note already placed on a page to the next one, or lose it (see weasyprint_fix.py,
which removes the cause on the pinned version). Every layout is checked all the same; a misplaced note is
corrected by a page break next to its paragraph, and if that fails the render stops naming the note.
"""

import atexit
from pathlib import Path

from lxml import html as lxml_html

from . import project, weasyprint_fix
from .cache import sha256_file
from .errors import PANGO_HINT, HandoutError
from .fonts import cache_folder, print_stylesheet

MAX_CORRECTIONS = 6
PARAGRAPHS = ("p", "li", "dd", "dt", "blockquote", "figure", "h1", "h2", "h3", "h4")
_loaded = {}
atexit.register(_loaded.clear)  # the font configuration freed while WeasyPrint can still do it (no warning at exit)


def import_weasyprint():
    try:
        import weasyprint
    except OSError as error:
        raise HandoutError(f"WeasyPrint cannot start ({error}). {PANGO_HINT}") from None
    weasyprint_fix.apply()
    return weasyprint


def local_only_fetcher(allowed_roots, fetched):  # fetched: {path: SHA-256}, filled as files are read
    """Handouts use files of the project and of this build only: never the network, never another file of the
    machine (a page could otherwise embed any file into every PDF), and a file that cannot be read stops the
    render rather than print without it. Every file loaded is recorded in `fetched` (the cache's key).
    (WeasyPrint 70 wants a URLFetcher, not a function.)"""
    import weasyprint

    roots = [Path(root).resolve() for root in allowed_roots]

    class LocalOnlyFetcher(weasyprint.URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if not url.startswith("file:"):
                raise HandoutError(
                    f"the handout tried to load {url}; handouts may only use files in the "
                    "project. Remove the reference or copy the file into docs/."
                )
            path = _file_url_path(url)
            if not any(path == root or root in path.parents for root in roots):
                raise HandoutError(
                    f"the handout tried to load {path}, which is outside the project and the built "
                    "site; handouts may only use the project's own files. Remove the reference."
                )
            try:
                result = super().fetch(url, headers)
            except OSError as error:
                raise HandoutError(
                    f"cannot read {path} for the handout "
                    f"({getattr(error, 'reason', None) or error}). Restore the file, or remove "
                    "the reference to it, and build again."
                ) from None
            fetched[str(path)] = sha256_file(path)  # what was read, for the cache's record
            return result

    return LocalOnlyFetcher(fail_on_errors=True)


def _file_url_path(url):
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise HandoutError(
            f"the handout tried to load {url}, a file on another machine; handouts may only use "
            "the project's own files. Remove the reference."
        )
    return Path(unquote(parts.path)).resolve()


def allowed_roots(site_dir=None):
    """What a handout may load: the pages' folder and the print stylesheet's, the built site, and the decompressed
    fonts in the private cache. Not the rest of the project: teacher-only/ holds the teacher edition."""
    return [project.root() / "docs", project.root() / "print"] + [
        folder for folder in (site_dir, cache_folder()) if folder
    ]


def stylesheets(paper, paper_size, fetched, extra_css=None):
    """The font configuration and stylesheets, parsed once per process and shared by every edition.

    WeasyPrint loads the @font-face fonts only into the FontConfiguration given to both CSS() and render();
    without it every glyph would come from the system's fonts."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    stylesheet, _ = print_stylesheet()
    if _loaded.get("css_text") != stylesheet:  # the first time, or the stylesheet was edited (serve)
        _loaded.clear()
        _loaded["fonts"] = FontConfiguration()
        css_fetched = {}
        try:
            _loaded["css"] = weasyprint.CSS(
                string=stylesheet,
                base_url=project.stylesheet().as_uri(),
                url_fetcher=local_only_fetcher(allowed_roots(), css_fetched),
                font_config=_loaded["fonts"],
            )
        except weasyprint.urls.FatalURLFetchingError as error:
            raise error.__cause__ if isinstance(error.__cause__, HandoutError) else HandoutError(str(error))
        _loaded["css_fetched"], _loaded["css_text"] = css_fetched, stylesheet
    fetched.update(_loaded["css_fetched"])
    if paper not in _loaded:
        _loaded[paper] = weasyprint.CSS(string=f"@page {{ size: {paper_size}; }}")
    sheets = [_loaded["css"], _loaded[paper]]
    if extra_css:
        if extra_css not in _loaded:
            _loaded[extra_css] = weasyprint.CSS(string=extra_css)
        sheets.append(_loaded[extra_css])
    return _loaded["fonts"], sheets


def layout_document(document, site_dir, paper, paper_size, pdf_name, extra_css=None):
    """(layout, corrections, {file loaded: its SHA-256}): the laid-out document (an edition, or one section of
    it: see sections.py), every misplaced or lost note corrected."""
    weasyprint = import_weasyprint()
    allowed = allowed_roots(site_dir)
    fetched = {}
    font_config, sheets = stylesheets(paper, paper_size, fetched, extra_css)
    corrections = {}  # note id -> 1: page break after its paragraph, 2: before it
    for attempt in range(MAX_CORRECTIONS + 1):
        try:
            layout = weasyprint.HTML(
                string=corrected(document, corrections),
                base_url=str(Path(site_dir).resolve()) + "/",
                url_fetcher=local_only_fetcher(allowed, fetched),
            ).render(stylesheets=sheets, font_config=font_config)
        except weasyprint.urls.FatalURLFetchingError as error:
            raise (error.__cause__ if isinstance(error.__cause__, HandoutError) else HandoutError(str(error))) from None
        misplaced, lost = check_footnotes(layout)
        wrong = lost + misplaced
        if not wrong:
            break
        stuck = [note for note in wrong if corrections.get(note) == 2]
        if stuck or attempt == MAX_CORRECTIONS:
            note = (stuck or wrong)[0]
            if note in lost:
                raise HandoutError(
                    f"{pdf_name}: footnote {describe(note)} would be lost by WeasyPrint (the call is "
                    "printed, the note on no page), even after correction. Shorten the note or split "
                    "it; the PDF was not written."
                )
            raise HandoutError(
                f"{pdf_name}: footnote {describe(note)} is printed on a different page from its call, "
                "even after correction. Shorten the note or the paragraph around its call; the PDF "
                "was not written."
            )
        for note in wrong:  # all at once: each layout of a whole edition takes seconds
            corrections[note] = corrections.get(note, 0) + 1
    return layout, len(corrections), fetched


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


def describe(note_id):
    page, _, name = note_id.partition("--")
    return f"'{name.replace('fn-', '')}' on the {page} page"


def corrected(document, corrections):
    """The document with a page break next to the paragraph of each misplaced note.

    Ending the page after the note's paragraph sends the later paragraph that pushed it on; if the note is
    still misplaced, its own paragraph is the one that did not fit, so the page ends before it instead."""
    if not corrections:
        return document
    tree = lxml_html.document_fromstring(document)
    for note_id, level in corrections.items():
        block = _paragraph_of(tree.get_element_by_id(note_id))
        side = "after" if level == 1 else "before"
        block.set("style", f"{block.get('style') or ''}; break-{side}: page".lstrip("; "))
    return lxml_html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")


def _paragraph_of(element):
    """The paragraph (or list item…) that holds a note's call; for a call in a table, the whole table."""
    tables = list(element.iterancestors("table"))
    if tables:
        return tables[-1]
    for ancestor in element.iterancestors():
        if ancestor.tag in PARAGRAPHS or "page" in (ancestor.getparent().get("class") or "").split():
            return ancestor
    return element
