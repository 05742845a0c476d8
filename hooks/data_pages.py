"""Pages made from data/: the timeline, the deliveries table and chart, and the glossary.

A page asks for a block with a marker line; the block is Markdown (or SVG) made from one data file, so the
website and the handouts show the same data and citations in it become footnotes like any other.
"""

from html import escape

from moduledata import TemplateMemo, fail, load_glossary, load_yaml


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
        text = " ".join(str(event["event"]).split())
        if event.get("telegram"):
            text = f"**{text}**"
        rows.append(f"| {event['label']} | {text} {event['cite']} |")
    return '<div class="timeline" markdown>\n\n' + "\n".join(rows) + "\n\n</div>"


def deliveries():
    rows = load_yaml("deliveries.yml", ("item", "unit", "delivered_1952", "programme_1953", "extra_1953",
                                        "total_1953", "printed_total"))
    for row in rows:
        if row["programme_1953"] + row["extra_1953"] != row["total_1953"]:
            fail("data/deliveries.yml", f"{row['item']}: programme_1953 + extra_1953 does not equal total_1953; "
                 "correct the figures.")
    return rows


def deliveries_table():
    lines = ["| Item | Delivered in 1952 (¶6) | 20-division programme for 1953 (¶4) | Extra for 1953 (¶5) "
             "| Total for 1953 | Total as printed in ¶6 | Change on 1952 |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in deliveries():
        change = (row["total_1953"] - row["delivered_1952"]) / row["delivered_1952"]
        lines.append(f"| {row['item']} ({row['unit']}) | {row['delivered_1952']:,} | {row['programme_1953']:,} "
                     f"| {row['extra_1953']:,} | {row['total_1953']:,} | {row['printed_total']} | {change:+.0%} |")
    return "\n".join(lines)


# Presentation attributes for the PDF: WeasyPrint does not apply a page's stylesheet inside an inline SVG.
# On the website extra.css overrides them (a stylesheet beats a presentation attribute), dark mode included.
PAINT = {"bar-1952": 'fill="#333"', "bar-programme": 'fill="#777"',
         "bar-extra": 'fill="url(#hatch)" stroke="#000" stroke-width="1"'}


def deliveries_chart():
    """Grouped bars, one panel per item; patterns and direct labels keep it legible in grayscale."""
    rows = deliveries()
    panel_width, bar_width, top, height = 320, 70, 55, 190
    parts = []
    for index, row in enumerate(rows):
        left = index * panel_width
        scale = height / max(row["delivered_1952"], row["total_1953"])
        base = top + height

        def bar(x, value, y_bottom, css_class):
            h = value * scale
            return (f'<rect class="{css_class}" {PAINT[css_class]} x="{left + x}" y="{y_bottom - h:.1f}" width="{bar_width}" '
                    f'height="{h:.1f}"/>'), y_bottom - h

        first, y1952 = bar(60, row["delivered_1952"], base, "bar-1952")
        programme, y_programme = bar(170, row["programme_1953"], base, "bar-programme")
        extra, y_extra = bar(170, row["extra_1953"], y_programme, "bar-extra")
        parts += [
            f'<text class="chart-title" font-weight="bold" x="{left + 160}" y="20" text-anchor="middle">{escape(row["item"])} '
            f'({escape(row["unit"])})</text>',
            first, programme, extra,
            f'<line class="axis" stroke="#000" x1="{left + 40}" y1="{base}" x2="{left + 280}" y2="{base}"/>',
            f'<text x="{left + 95}" y="{y1952 - 6:.1f}" text-anchor="middle">{row["delivered_1952"]:,}</text>',
            f'<text x="{left + 205}" y="{y_extra - 6:.1f}" text-anchor="middle">{row["total_1953"]:,}</text>',
            f'<text class="in-bar" fill="#fff" x="{left + 205}" y="{(y_programme + base) / 2 + 5:.1f}" '
            f'text-anchor="middle">{row["programme_1953"]:,}</text>',
            f'<text class="in-bar extra" x="{left + 205}" y="{(y_extra + y_programme) / 2 + 5:.1f}" '
            f'text-anchor="middle">+{row["extra_1953"]:,}</text>',
            f'<text x="{left + 95}" y="{base + 20}" text-anchor="middle">1952</text>',
            f'<text x="{left + 205}" y="{base + 20}" text-anchor="middle">1953 (planned)</text>',
        ]
    legend_y = top + height + 45
    parts += [
        f'<rect class="bar-1952" {PAINT["bar-1952"]} x="20" y="{legend_y - 11}" width="14" height="14"/>'
        f'<text x="40" y="{legend_y}">Delivered in 1952</text>',
        f'<rect class="bar-programme" {PAINT["bar-programme"]} x="180" y="{legend_y - 11}" width="14" height="14"/>'
        f'<text x="200" y="{legend_y}">20-division programme</text>',
        f'<rect class="bar-extra" {PAINT["bar-extra"]} x="360" y="{legend_y - 11}" width="14" height="14"/>'
        f'<text x="380" y="{legend_y}">Extra (about one-fourth of the request)</text>',
    ]
    description = "; ".join(
        f"{row['item']}: {row['delivered_1952']:,} delivered in 1952; {row['total_1953']:,} planned for 1953 "
        f"({row['programme_1953']:,} programme plus {row['extra_1953']:,} extra)" for row in rows)
    return (
        '<figure class="chart">\n'
        f'<svg viewBox="0 0 {panel_width * len(rows)} {legend_y + 15}" role="img" aria-labelledby="chart-title chart-desc" '
        'font-family="Noto Sans, sans-serif" font-size="11" '
        'xmlns="http://www.w3.org/2000/svg">\n'
        '<title id="chart-title">Soviet deliveries to China, 1952 and 1953</title>\n'
        f'<desc id="chart-desc">{escape(description)}</desc>\n'
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<line x1="0" y1="0" x2="0" y2="6" class="hatch-line" stroke="#000" stroke-width="1.5"/></pattern></defs>\n'
        + "\n".join(parts) +
        '\n</svg>\n'
        '<figcaption>Deliveries in 1952 and plans for 1953, as the telegram gives them (1953 ammunition read as '
        '1,400,000; see the table). Each panel has its own scale.</figcaption>\n</figure>'
    )


def glossary_entries():
    """Terms in alphabetical order under a heading for each initial letter."""
    entries = sorted(load_glossary().values(), key=lambda entry: str(entry["term"]).lower())
    parts, letter = [], None
    for entry in entries:
        if str(entry["term"])[0].upper() != letter:
            letter = str(entry["term"])[0].upper()
            parts.append(f"## {letter} {{ #letter-{letter.lower()} }}")
        parts.append(f"### {entry['term']} {{ #{entry['id']} }}\n\n{' '.join(str(entry['definition']).split())}")
    return "\n\n".join(parts)



def on_env(env, config, files):
    # `mkdocs serve` makes a new template environment for every rebuild: keep the compiled templates.
    env.bytecode_cache = TemplateMemo()
    return env
