"""Pages made from data/: the timeline, the deliveries table and chart, and the glossary.

A page asks for a block with a marker line; the block is Markdown (or SVG) made from one data file, so the
website and the handouts show the same data and citations in it become footnotes like any other.
"""

import difflib
import re
from html import escape

from moduledata import fail, load_bibliography, load_glossary, load_yaml

CITATION = re.compile(r"\[(@[^\[\]]+)\]")
COUNTS = ("delivered_1952", "programme_1953", "extra_1953", "total_1953")

SVG_TEXT = 'font-family="Noto Sans, sans-serif" font-size="11" xmlns="http://www.w3.org/2000/svg"'


def on_page_markdown(markdown, page, config, files):
    makers = {
        "<!-- timeline -->": timeline_table,
        "<!-- deliveries-table -->": deliveries_table,
        "<!-- deliveries-chart -->": deliveries_chart,
        "<!-- glossary -->": glossary_entries,
    }
    for marker, make in makers.items():
        if marker in markdown:
            markdown = markdown.replace(marker, make())
    return markdown


def timeline_table():
    events = load_yaml("timeline.yml", ("date", "label", "event", "cite"))
    dates = [str(event["date"]) for event in events]
    if dates != sorted(dates):
        first = next(d for d, e in zip(dates, sorted(dates)) if d != e)
        fail("data/timeline.yml", f"events are not in date order (look at {first}); keep the list sorted by date.")
    rows = ["| Date | Event |", "| --- | --- |"]
    for event in events:
        check_citations(event, ("event", "cite"))
        text = as_text(event["event"])
        if event.get("telegram"):
            text = f"**{text}**"
        rows.append(f"| {table_cell(event['label'])} | {table_cell(text)} {table_cell(event['cite'])} |")
    return '<div class="timeline" markdown>\n\n' + "\n".join(rows) + "\n\n</div>"


def as_text(value):
    """A data file's text in a page: Markdown still works, HTML does not (shown as written, never run)."""
    return escape(" ".join(str(value).split()), quote=False)


def table_cell(text):
    return str(text).replace("|", "\\|")  # a | in the text is text, not the start of another cell


def check_citations(entry, keys):
    """Every [@key] in a data file names a work of data/bibliography.json, reported at the data file's line."""
    works = {work["id"] for work in load_bibliography()}
    for key in keys:
        for citation in CITATION.finditer(str(entry.get(key, ""))):
            for part in citation.group(1).split(";"):
                cited = part.split(",")[0].strip().lstrip("@")
                if cited not in works:
                    close = difflib.get_close_matches(cited, works, n=1)
                    hint = f" Did you mean '{close[0]}'?" if close else ""
                    fail(
                        entry.where(key),
                        f"unknown citation key '{cited}'.{hint} Add the work to "
                        "data/bibliography.json or correct the key.",
                    )


def deliveries():
    rows = load_yaml(
        "deliveries.yml",
        ("item", "unit", "delivered_1952", "programme_1953", "extra_1953", "total_1953", "printed_total"),
    )
    for row in rows:
        for key in COUNTS:
            value = row[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                fail(
                    row.where(key),
                    f"{key}: {value!r} must be a whole number written with digits only, "
                    "without commas, spaces, quotes or decimals (for example 800000).",
                )
        if row["delivered_1952"] == 0:
            fail(
                row.where("delivered_1952"),
                "delivered_1952 is 0, so the change on 1952 cannot be worked out; "
                "give the number delivered, or remove the row.",
            )
        if row["programme_1953"] + row["extra_1953"] != row["total_1953"]:
            fail(
                row.where("total_1953"),
                f"{row['item']}: programme_1953 + extra_1953 does not equal total_1953; correct the figures.",
            )
    return rows


def deliveries_table():
    lines = [
        "| Item | Delivered in 1952 (¶6) | 20-division programme for 1953 (¶4) | Extra for 1953 (¶5) "
        "| Total for 1953 | Total as printed in ¶6 | Change on 1952 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in deliveries():
        change = (row["total_1953"] - row["delivered_1952"]) / row["delivered_1952"]
        item, unit, printed = (table_cell(as_text(row[key])) for key in ("item", "unit", "printed_total"))
        lines.append(
            f"| {item} ({unit}) | {row['delivered_1952']:,} | {row['programme_1953']:,} "
            f"| {row['extra_1953']:,} | {row['total_1953']:,} | {printed} | {change:+.0%} |"
        )
    return "\n".join(lines)


# Presentation attributes for the PDF: WeasyPrint does not apply a page's stylesheet inside an inline SVG.
# On the website extra.css overrides them (a stylesheet beats a presentation attribute), dark mode included.
PAINT = {
    "bar-1952": 'fill="#333"',
    "bar-programme": 'fill="#777"',
    "bar-extra": 'fill="url(#hatch)" stroke="#000" stroke-width="1"',
}


def deliveries_chart():
    """One bar chart per item, side by side (stacked on a phone), with a legend in HTML; patterns, outlines
    and direct labels keep it legible in grayscale."""
    rows = deliveries()
    panels = [_panel(index, row) for index, row in enumerate(rows)]
    legend = "".join(
        f'<li><svg width="14" height="14" aria-hidden="true"><rect class="{css_class}" {PAINT[css_class]} '
        f'x="0.5" y="0.5" width="13" height="13"/></svg> {label}</li>'
        for css_class, label in (
            ("bar-1952", "Delivered in 1952"),
            ("bar-programme", "20-division programme"),
            ("bar-extra", "Extra (about one-fourth of the request)"),
        )
    )
    return (
        '<figure class="chart">\n'
        '<svg width="0" height="0" aria-hidden="true" class="chart-defs"><defs><pattern id="hatch" width="6" '
        'height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" '
        'class="hatch-line" stroke="#000" stroke-width="1.5"/></pattern></defs></svg>\n'
        '<div class="chart-panels">\n' + "\n".join(panels) + "\n</div>\n"
        f'<ul class="chart-legend">{legend}</ul>\n'
        "<figcaption>Deliveries in 1952 and plans for 1953, as the telegram gives them (1953 ammunition read as "
        "1,400,000; see the table). Each chart has its own scale.</figcaption>\n</figure>"
    )


def _panel(index, row):
    width, bar_width, top, height = 320, 70, 55, 190
    scale = height / max(row["delivered_1952"], row["total_1953"])
    base = top + height

    def bar(x, value, y_bottom, css_class):
        h = value * scale
        return (
            f'<rect class="{css_class}" {PAINT[css_class]} x="{x}" y="{y_bottom - h:.1f}" width="{bar_width}" '
            f'height="{h:.1f}"/>'
        ), y_bottom - h

    first, y1952 = bar(60, row["delivered_1952"], base, "bar-1952")
    programme, y_programme = bar(170, row["programme_1953"], base, "bar-programme")
    extra, y_extra = bar(170, row["extra_1953"], y_programme, "bar-extra")
    title = f"{escape(str(row['item']))} ({escape(str(row['unit']))})"
    description = (
        f"{row['delivered_1952']:,} delivered in 1952; {row['total_1953']:,} planned for 1953 "
        f"({row['programme_1953']:,} programme plus {row['extra_1953']:,} extra)"
    )
    labelled_by = f'aria-labelledby="chart-title-{index} chart-desc-{index}"'
    return "\n".join(
        [
            f'<svg viewBox="0 0 {width} {base + 30}" role="img" {labelled_by} {SVG_TEXT}>',
            f'<title id="chart-title-{index}">{title}</title>',
            f'<desc id="chart-desc-{index}">{escape(description)}</desc>',
            f'<text class="chart-title" font-weight="bold" x="160" y="20" text-anchor="middle">{title}</text>',
            first,
            programme,
            extra,
            f'<line class="axis" stroke="#000" x1="40" y1="{base}" x2="280" y2="{base}"/>',
            f'<text x="95" y="{y1952 - 6:.1f}" text-anchor="middle">{row["delivered_1952"]:,}</text>',
            f'<text x="205" y="{y_extra - 6:.1f}" text-anchor="middle">{row["total_1953"]:,}</text>',
            f'<text class="in-bar" fill="#fff" x="205" y="{(y_programme + base) / 2 + 5:.1f}" '
            f'text-anchor="middle">{row["programme_1953"]:,}</text>',
            f'<text class="in-bar extra" x="205" y="{(y_extra + y_programme) / 2 + 5:.1f}" '
            f'text-anchor="middle">+{row["extra_1953"]:,}</text>',
            f'<text x="95" y="{base + 20}" text-anchor="middle">1952</text>',
            f'<text x="205" y="{base + 20}" text-anchor="middle">1953 (planned)</text>',
            "</svg>",
        ]
    )


def glossary_entries():
    """Terms in alphabetical order under a heading for each initial letter."""
    entries = sorted(load_glossary().values(), key=lambda entry: str(entry["term"]).lower())
    parts, letter = [], None
    for entry in entries:
        check_citations(entry, ("definition",))
        if str(entry["term"])[0].upper() != letter:
            letter = str(entry["term"])[0].upper()
            parts.append(f"## {escape(letter)} {{ #letter-{letter.lower()} }}")
        parts.append(f"### {as_text(entry['term'])} {{ #{entry['id']} }}\n\n{as_text(entry['definition'])}")
    return "\n\n".join(parts)
