"""Layout checks on finished handout PDFs: the defects a teacher sees at once on a printed copy.

`check_pdf(path)` reads any PDF the renderer wrote (any edition, any paper size) and returns a list of
`Defect`s with page numbers. It reads only what the PDF holds:
- the text, with each glyph's size and position (pdfplumber);
- the structure tree WeasyPrint 70 writes for PDF/UA (H1–H6, P, Table/THead/TR, and the footnote area as a
  NonStruct straight under the Document), which tells headings, table rows and notes from running text;
  the running footer is in no structure element at all;
- the vector shapes: a ruled answer line is a box drawn with only a bottom border, which WeasyPrint fills
  as two rectangles (the border box and, inside it, the padding box) sharing their top and sides.

Run it by hand:  .venv/bin/python -m handouts.layout_checks site/handouts/*.pdf teacher-only/handouts/*.pdf
It needs pdfplumber, a test requirement (requirements-test.txt): the build itself never imports this module.
"""

import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
from pdfplumber.structure import PDFStructTree

MIN_LINES = 4  # a continued page with fewer lines of text than this is a section's spilled tail
LOWER_PART = 0.5  # "the lower part of a page": below this fraction of its height
MIN_CALL_SIZE = 6.5  # pt
HEADINGS = {"H1", "H2", "H3", "H4", "H5", "H6"}
INLINE = {"NonStruct", "Span", "Link"}  # structure elements inside a paragraph, cell, heading or item

CHECKS = {
    "short-page": "a page that holds only 1–3 lines of text",
    "stranded-heading": "a heading in the lower part of a page with no text (or one line) after it there",
    "answer-lines-moved": "a page that starts with ruled answer lines whose question is on the page before",
    "answer-lines-split": "a question's ruled answer lines split over two pages",
    "table-single-row": "a table with a single row on one side of a page break",
    "small-note-call": f"a note call smaller than {MIN_CALL_SIZE} pt",
    "space-before-call": "a space before a note call",
    "call-starts-line": "a note call at the start of a line, parted from the word it belongs to",
}


@dataclass(frozen=True)
class Defect:
    page: int  # 1-based, as printed in the footer
    check: str  # a key of CHECKS
    message: str

    def __str__(self):
        return f"p. {self.page}: {self.message} [{self.check}]"


@dataclass
class Line:
    top: float
    bottom: float
    text: str = ""
    kinds: set = field(default_factory=set)  # "H1"… for a heading, "table" for a table's text
    rows: set = field(default_factory=set)  # ids of the table rows (TR) it crosses


@dataclass
class Page:
    number: int
    height: float
    lines: list  # running text (no notes, no footer), top to bottom
    rules: list  # (top, bottom, thickness) of each ruled answer line
    figures: list  # (top, bottom) of each figure
    calls: list  # (size, text, the character before it, context, whether it starts a line)
    tables: dict  # table id -> {"body": set of row ids, "head": set of row ids}


def check_pdf(path):
    """All defects of one PDF, in page order."""
    pages = read_pages(path)
    defects = []
    for index, page in enumerate(pages):
        before = pages[index - 1] if index else None
        after = pages[index + 1] if index + 1 < len(pages) else None
        defects += _short_page(page)
        defects += _stranded_heading(page, after)
        defects += _answer_lines(before, page)
        defects += _table_rows(page, after)
        defects += _note_calls(page)
    return defects


def read_pages(path):
    with pdfplumber.open(path) as pdf:
        elements, figures = _structure(pdf)
        return [_read_page(page, elements, figures) for page in pdf.pages]


def _structure(pdf):
    """{(page number, MCID): the structure elements from the Document down to the one holding that content},
    and {page number: [the bounding box of each figure on it]}."""
    elements, figures = {}, {}

    def walk(element, path):
        path = path + [element]
        for mcid in element.mcids or []:
            elements[(element.page_number, mcid)] = path
        box = (element.attributes or {}).get("BBox")
        if element.type == "Figure" and box:
            figures.setdefault(element.page_number, []).append(box)
        for child in element.children:
            walk(child, path)

    for root in PDFStructTree(pdf):
        walk(root, [])
    return elements, figures


def _read_page(page, elements, figure_boxes):
    body = []
    for char in page.chars:
        path = elements.get((page.page_number, char.get("mcid")))
        if path is None:
            continue  # the running footer (margin boxes)
        if char["text"] == "\u2060":
            continue  # the word joiner that begins each note call (print/handout.css)
        top_level = path[1] if len(path) > 1 and path[0].type == "Document" else path[0]
        if top_level.type == "NonStruct":
            continue  # the footnote area
        char["path"] = path
        body.append(char)

    calls, call_chars = _find_calls(page, body)
    lines, members = [], []
    for char in sorted((c for c in body if c["text"].strip() and id(c) not in call_chars), key=lambda c: c["top"]):
        middle = (char["top"] + char["bottom"]) / 2
        if lines and lines[-1].top <= middle <= lines[-1].bottom:
            line = lines[-1]
            line.bottom = max(line.bottom, char["bottom"])
            members[-1].append(char)
        else:
            line = Line(char["top"], char["bottom"])
            lines.append(line)
            members.append([char])
        types = [element.type for element in char["path"]]
        line.kinds.update(kind for kind in types if kind in HEADINGS)
        if "Table" in types:
            line.kinds.add("table")
            line.rows.add(id(next(element for element in char["path"] if element.type == "TR")))
    for line, chars_in_line in zip(lines, members):
        right = None
        for char in sorted(chars_in_line, key=lambda c: c["x0"]):
            if right is not None and char["x0"] - right > 1:
                line.text += " "  # spaces are not drawn, and none at a line's end
            line.text += char["text"]
            right = char["x1"]

    tables = {}
    for char in body:
        path = char["path"]
        table = next((element for element in path if element.type == "Table"), None)
        row = next((element for element in path if element.type == "TR"), None)
        if table is None or row is None:
            continue
        part = "head" if any(element.type == "THead" for element in path) else "body"
        tables.setdefault(id(table), {"head": set(), "body": set()})[part].add(id(row))

    figures = sorted(
        (page.height - max(box[1], box[3]), page.height - min(box[1], box[3]))
        for box in figure_boxes.get(page.page_number, [])
    )
    return Page(page.page_number, page.height, lines, _answer_rules(page, body), figures, calls, tables)


def _find_calls(page, body):
    """Note calls: runs of digits, smaller than the text of their paragraph (or cell, heading, item) and
    raised above the text next to them. Returns ([(size, text, the character before, context, whether it
    starts a line)], their chars)."""
    blocks = {}
    for char in body:  # body is in the order the page draws its text
        block = next(element for element in reversed(char["path"]) if element.type not in INLINE)
        blocks.setdefault(id(block), []).append(char)
    calls, call_chars = [], set()
    for chars in blocks.values():
        sizes = [char["size"] for char in chars if char["text"].strip()]
        if not sizes:
            continue
        usual = statistics.median(sizes)
        index = 0
        while index < len(chars):
            run = index
            while run < len(chars) and chars[run]["text"].isdigit() and chars[run]["size"] < 0.9 * usual:
                run += 1
            if run == index:
                index += 1
                continue
            digits, before = chars[index:run], chars[index - 1] if index else None
            # on a lower line than the text before it (a call sits higher than its own line's text)
            starts_line = before is not None and _baseline(page, digits[0]) - _baseline(page, before) > 0.5 * usual
            neighbour = (
                before
                if before is not None and before["text"].strip() and not starts_line
                else (chars[run] if run < len(chars) else before)
            )
            raised = neighbour is not None and _baseline(page, neighbour) - _baseline(page, digits[0])
            if raised and raised > 0.15 * digits[0]["size"]:
                context = "".join(char["text"] for char in chars[max(0, index - 20) : index])
                calls.append(
                    (
                        digits[0]["size"],
                        "".join(char["text"] for char in digits),
                        before["text"] if before is not None else "",
                        context,
                        starts_line,
                    )
                )
                call_chars.update(id(char) for char in digits)
            index = run
    return calls, call_chars


def _baseline(page, char):
    """Distance of a character's baseline from the top of the page."""
    return page.height - char["matrix"][5]


def _answer_rules(page, body):
    """Ruled answer lines: an empty, wide box with only a bottom border, drawn as an outer and an inner
    rectangle that share their top and sides. Returns (top, bottom, thickness) of each, top to bottom."""
    rects = [r for r in page.rects if r.get("fill")]
    rules = []
    by_corner = {}
    for rect in rects:
        by_corner.setdefault((round(rect["x0"], 1), round(rect["x1"], 1), round(rect["top"], 1)), []).append(rect)
    for (x0, x1, top), group in by_corner.items():
        if len(group) < 2 or x1 - x0 < 0.4 * page.width:
            continue
        inner, outer = min(group, key=lambda r: r["bottom"]), max(group, key=lambda r: r["bottom"])
        thickness = outer["bottom"] - inner["bottom"]
        if not 0.1 <= thickness <= 3 or inner["bottom"] - top < 12:
            continue
        if any(
            x0 - 1 <= c["x0"] and c["x1"] <= x1 + 1 and top <= (c["top"] + c["bottom"]) / 2 <= outer["bottom"]
            for c in body
        ):
            continue  # a box with text in it: not an answer line
        rules.append((top, outer["bottom"], thickness))
    return sorted(rules)


# ---- The checks -----------------------------------------------------------------------------------------


def _first_content(page):
    """What a reader meets first on the page: ("text", line), ("rule", rule), ("figure", box) or None."""
    items = [(line.top, "text", line) for line in page.lines] + [(rule[0], "rule", rule) for rule in page.rules]
    items += [(box[0], "figure", box) for box in page.figures]
    return min(items, key=lambda item: item[0])[1:] if items else None


def _last_content(page):
    items = [(line.bottom, "text", line) for line in page.lines] + [(rule[1], "rule", rule) for rule in page.rules]
    items += [(box[1], "figure", box) for box in page.figures]
    return max(items, key=lambda item: item[0])[1:] if items else None


def _short_page(page):
    first = _first_content(page)
    if page.rules or page.figures or not page.lines or (first and "H1" in first[1].kinds):
        return []  # ruled space or a figure is content; a page that opens a section may be short
    if len(page.lines) >= MIN_LINES:
        return []
    text = " / ".join(line.text for line in page.lines)
    return [Defect(page.number, "short-page", f"only {len(page.lines)} line(s) of text: “{text[:80]}”")]


def _stranded_heading(page, after):
    """A heading low on the page with less than two lines under it there, while its text goes on overleaf."""
    headings = [line for line in page.lines if line.kinds & HEADINGS]
    if not headings or headings[-1].top < LOWER_PART * page.height:
        return []
    heading = headings[-1]
    below = [line for line in page.lines if line.top > heading.bottom and not line.kinds & HEADINGS]
    if any(rule[0] >= heading.bottom - 1 for rule in page.rules) or any(
        box[0] >= heading.bottom - 1 for box in page.figures
    ):
        return []
    overleaf = _first_content(after) if after else None
    if below and (len(below) >= 2 or not overleaf or overleaf[0] != "text" or overleaf[1].kinds & HEADINGS):
        return []
    return [
        Defect(
            page.number,
            "stranded-heading",
            f"the heading “{heading.text[:60]}” ends the page with {len(below)} line(s) of its text under it",
        )
    ]


def _answer_lines(before, page):
    first = _first_content(page)
    if not first or first[0] != "rule":
        return []
    if before is not None and (_last_content(before) or ("",))[0] == "rule":
        return [Defect(page.number, "answer-lines-split", f"ruled answer lines continue from p. {before.number}")]
    return [
        Defect(
            page.number,
            "answer-lines-moved",
            "the page starts with ruled answer lines; their question is on the page before",
        )
    ]


def _table_rows(page, after):
    """A table that runs on to the next page must keep at least two of its body rows on each side."""
    if after is None or not page.lines or not after.lines:
        return []
    last, first = page.lines[-1], _first_content(after)
    if "table" not in last.kinds or not first or first[0] != "text" or "table" not in first[1].kinds:
        return []
    if page.rules and page.rules[-1][1] > last.bottom:
        return []
    ending = next(table for table in page.tables.values() if table["body"] & last.rows or table["head"] & last.rows)
    starting = next(
        table for table in after.tables.values() if table["body"] & first[1].rows or table["head"] & first[1].rows
    )
    here, there = len(ending["body"]), len(starting["body"])
    if here >= 2 and there >= 2:
        return []
    return [
        Defect(
            page.number,
            "table-single-row",
            f"a table breaks with {here} body row(s) on this page and {there} on p. {after.number}",
        )
    ]


def _note_calls(page):
    defects = []
    for size, text, previous, context, starts_line in page.calls:
        if size < MIN_CALL_SIZE - 0.05:
            defects.append(
                Defect(page.number, "small-note-call", f"note call {text} after “{context[-20:]}” is {size:.1f} pt")
            )
        if previous.isspace():
            defects.append(
                Defect(page.number, "space-before-call", f"a space before note call {text}: “{context[-20:]}{text}”")
            )
        if starts_line:
            defects.append(
                Defect(page.number, "call-starts-line", f"note call {text} starts a line, after “{context[-20:]}”")
            )
    return defects


def main(paths):
    found = 0
    for path in paths:
        defects = check_pdf(path)
        found += len(defects)
        print(f"{Path(path).name}: {len(defects)} defect(s)")
        for defect in defects:
            print(f"  {defect}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
