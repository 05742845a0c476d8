"""The map of Korea in winter 1952–53, drawn at build time as an SVG from data/map/korea.json.

A page asks for it with the line `<!-- korea-map -->`. The data (coasts and borders from Natural Earth, towns from
GeoNames) is refreshed by scripts/update-map-data. Line styles and patterns, not colour, tell the lines apart, so
the map reads in grayscale; the SVG carries a title and a description for screen readers, and an HTML legend
follows it (it wraps on a phone). Paint is given as SVG attributes: WeasyPrint does not apply a page's
stylesheet inside an inline SVG.
"""

import json
import math
import re
from html import escape

from moduledata import DATA, fail, relative

MARKER = "<!-- korea-map -->"
CAPTION = re.compile(r'</figure>\s*<p class="map-caption">(.*?)</p>', re.DOTALL)
MAP_END = re.compile(r'(<figure class="map">.*?)</figure>', re.DOTALL)
CREDIT = "Map data: Natural Earth; towns: GeoNames."
MAP_DATA = DATA / "map" / "korea.json"
SCALE = 55  # SVG units per degree of latitude
PARALLEL = 38.0
KOREA = ("North Korea", "South Korea")
# Line styles: (SVG attributes, legend text). The front line is Natural Earth's North–South Korea boundary,
# which follows the armistice line of July 1953; the front of winter 1952–53 ran close to it.
STYLES = {
    "front": (
        'stroke="#000" stroke-width="3.2" fill="none" stroke-linejoin="round"',
        "Front line, winter 1952–53 (close to the armistice line of July 1953)",
    ),
    "border": (
        'stroke="#000" stroke-width="1.3" stroke-dasharray="7 2.5 1.5 2.5" fill="none"',
        "Border between countries",
    ),
    "parallel": ('stroke="#000" stroke-width="1" stroke-dasharray="4 3" fill="none"', "38th parallel (38° N)"),
    "coast": ('stroke="#555" stroke-width="0.7" fill="none" stroke-linejoin="round"', "Coast"),
}
# Type sizes are in SVG units. The packet prints the map 82 mm wide on A4 (0.66 pt a unit), so 12.5 units is 8.2 pt:
# no label smaller than 8 pt, the credit 6.6 pt, legible on a worn copier.
PLACE_SIZE = 12.5
LABELS = [  # (text, lon, lat, attributes)
    ("CHINA", 125.2, 42.55, 'font-size="16" letter-spacing="2"'),
    ("SOVIET", 131.86, 43.2, 'font-size="12.5" letter-spacing="0.5" text-anchor="end"'),
    ("UNION", 131.86, 42.95, 'font-size="12.5" letter-spacing="0.5" text-anchor="end"'),
    ("NORTH KOREA", 127.3, 40.25, 'font-size="14" letter-spacing="1.5"'),
    ("SOUTH KOREA", 127.4, 36.55, 'font-size="14" letter-spacing="1.5"'),
    ("JAPAN", 130.9, 34.48, 'font-size="12.5" letter-spacing="1" text-anchor="middle"'),
    ("Yellow Sea", 124.2, 36.4, 'font-style="italic" font-size="12.5"'),
    ("Sea of Japan", 130.3, 39.0, 'font-style="italic" font-size="12.5" text-anchor="middle"'),
    ("(East Sea)", 130.3, 38.74, 'font-style="italic" font-size="12.5" text-anchor="middle"'),
]
YALU_LABEL = ("Yalu River", 125.0, 40.6, -37)
# The Soviet Union is a sliver in the top right corner, crossed by its border and the coast; a halo leaves those
# lines showing between the letters, so its name sits on a white panel in the corner: (width, height) in SVG units.
CORNER_PANEL = (55, 30)
# Label placement for each town: (dx, dy, text-anchor) in SVG units from its marker. No label touches the dashed
# 38th parallel: Kaesong's is above it, Panmunjom's well below it.
PLACE_LABELS = {
    "Pyongyang": (-7, 4, "end"),
    "Kaesong": (-5.5, 0, "end"),
    "Panmunjom": (6.5, 12.5, "start"),
    "Seoul": (7, 9, "start"),
    "Inchon": (-6, 10.5, "end"),
}
# Kaesong is 8 km from Panmunjom, closer than the two markers are wide: its dot is drawn a little to the north-west,
# on a short leader line from the town's real position.
MOVED = {"Kaesong": (-13, -11)}
CAPITALS = ("Pyongyang", "Seoul")


def on_page_markdown(markdown, page, config, files):
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, korea_map())


def on_page_content(html, page, config, files):
    """The page's caption paragraph (class map-caption) right after the map becomes the figure's caption, so that
    it stays with the map, in print beside the text rather than in its column. The data credit ends the caption:
    on the map itself the coast of Japan ran through it."""
    if '<figure class="map">' not in html:
        return html
    credit = f'<span class="map-credit">{CREDIT}</span>'
    caption = rf'<figcaption class="map-caption">\1 {credit}</figcaption>\n</figure>'
    html, captioned = CAPTION.subn(caption, html, count=1)
    if captioned:
        return html
    return MAP_END.sub(rf'\1<figcaption class="map-caption">{credit}</figcaption>\n</figure>', html, count=1)


def load():
    try:
        data = json.loads(MAP_DATA.read_text(encoding="utf-8"))
        frame = data["frame"]
        return frame, data["land"], data["lines"], {place["name"]: place for place in data["places"]}
    except FileNotFoundError:
        fail(relative(MAP_DATA), "is missing; restore it from git or run scripts/update-map-data.")
    except (ValueError, KeyError, TypeError) as error:
        fail(
            relative(MAP_DATA),
            f"is not the map data the build expects ({error}); restore it from git or run "
            "scripts/update-map-data (never edit it by hand).",
        )


def korea_map():
    frame, land, lines, places = load()
    missing = [name for name in PLACE_LABELS if name not in places]
    if missing:
        fail(relative(MAP_DATA), f"has no position for {', '.join(missing)}; run scripts/update-map-data.")
    shrink = math.cos(math.radians((frame["north"] + frame["south"]) / 2))
    width = (frame["east"] - frame["west"]) * shrink * SCALE
    height = (frame["north"] - frame["south"]) * SCALE

    def xy(lon, lat):
        return (lon - frame["west"]) * shrink * SCALE, (frame["north"] - lat) * SCALE

    def path(points, close=False):
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(lon, lat) for lon, lat in points))
        return f"M{coords}{' Z' if close else ''}"

    parts = [f'<rect width="{width:.1f}" height="{height:.1f}" fill="#fff"/>']
    for country, rings in land.items():
        paint = 'fill="#d9d9d9"' if country in KOREA else 'fill="url(#map-dots)"'
        parts.append(f'<path {paint} fill-rule="evenodd" d="{" ".join(path(ring, True) for ring in rings)}"/>')
    for line in lines:
        if line["kind"] == "coast":
            style = "coast"
        else:
            style = "front" if sorted(line["between"]) == list(KOREA) else "border"
        parts.append(f'<path class="map-{style}" {STYLES[style][0]} d="{path(line["points"])}"/>')
    _, y38 = xy(frame["west"], PARALLEL)
    parts.append(f'<path {STYLES["parallel"][0]} d="M0,{y38:.1f} H{width:.1f}"/>')
    parts.append(_halo("38th parallel", width - 4, y38 - 4, f'font-size="{PLACE_SIZE}" text-anchor="end"'))
    panel_width, panel_height = CORNER_PANEL
    parts.append(
        f'<rect x="{width - panel_width:.1f}" y="0" width="{panel_width}" height="{panel_height}" fill="#fff" '
        'stroke="#000" stroke-width="0.7"/>'
    )
    for text, lon, lat, attributes in LABELS:
        parts.append(_halo(text, *xy(lon, lat), attributes))
    text, lon, lat, angle = YALU_LABEL
    x, y = xy(lon, lat)
    parts.append(
        _text(text, x, y, f'font-style="italic" font-size="{PLACE_SIZE}" transform="rotate({angle} {x:.1f} {y:.1f})"')
    )
    for name, (dx, dy, anchor) in PLACE_LABELS.items():
        x, y = xy(places[name]["lon"], places[name]["lat"])
        if name in MOVED:
            x0, y0 = x, y
            x, y = x + MOVED[name][0], y + MOVED[name][1]
            parts.append(
                f'<path d="M{x0:.1f},{y0:.1f} L{x:.1f},{y:.1f}" fill="none" stroke="#000" stroke-width="0.9"/>'
            )
        if name == "Panmunjom":
            parts.append(
                f'<rect x="{x - 2.8:.1f}" y="{y - 2.8:.1f}" width="5.6" height="5.6" fill="#fff" '
                'stroke="#000" stroke-width="1.3"/>'
            )
        else:
            fill, radius = ("#000", 3.4) if name in CAPITALS else ("#fff", 2.7)
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{fill}" stroke="#000" stroke-width="1.2"/>'
            )
        weight = ' font-weight="bold"' if name in CAPITALS else ""
        parts.append(_halo(name, x + dx, y + dy, f'font-size="{PLACE_SIZE}" text-anchor="{anchor}"{weight}'))
    parts.append(_scale_bar(height))
    description = (
        "Map of the Korean peninsula. China lies to the north-west, across the Yalu River, which forms the border "
        "between China and North Korea; the Soviet Union touches North Korea's far north-eastern tip. A heavy "
        "line crosses the peninsula a little north of the 38th parallel in the east and a little south of it in "
        "the west: the front line in winter 1952–53, close to the later armistice line. Pyongyang, the North "
        "Korean capital, lies well north of it. Kaesong lies just north of the front line, and Panmunjom, where "
        "the armistice talks were held, is on it. Seoul, the South Korean capital, and the port of Inchon lie "
        "south of it, near the west coast."
    )
    svg = (
        f'<svg class="map-svg" viewBox="0 0 {width:.1f} {height:.1f}" width="{width:.0f}" height="{height:.0f}" '
        'role="img" '
        'aria-labelledby="korea-map-title korea-map-desc" font-family="Noto Sans, sans-serif" fill="#000" '
        'xmlns="http://www.w3.org/2000/svg">\n'
        '<title id="korea-map-title">Korea in winter 1952–53</title>\n'
        f'<desc id="korea-map-desc">{escape(description)}</desc>\n'
        '<defs><pattern id="map-dots" width="5" height="5" patternUnits="userSpaceOnUse">'
        '<rect width="5" height="5" fill="#f3f3f3"/><circle cx="2.5" cy="2.5" r="0.8" fill="#888"/></pattern>'
        '<clipPath id="map-frame">'
        f'<rect width="{width:.1f}" height="{height:.1f}"/></clipPath></defs>\n'
        '<g clip-path="url(#map-frame)">\n' + "\n".join(parts) + "\n</g>\n"
        f'<rect x="0.5" y="0.5" width="{width - 1:.1f}" height="{height - 1:.1f}" fill="none" stroke="#000" '
        'stroke-width="1"/>\n</svg>'
    )
    return '<figure class="map">\n' + svg + "\n" + _legend() + "\n</figure>"


def _text(text, x, y, attributes=""):
    return f'<text x="{x:.1f}" y="{y:.1f}" {attributes}>{escape(text)}</text>'


def _halo(text, x, y, attributes):
    """Text on a white outline, drawn as two texts: WeasyPrint ignores paint-order, so one text with a white
    stroke would come out white."""
    return _text(
        text, x, y, f'{attributes} fill="#fff" stroke="#fff" stroke-width="3" stroke-linejoin="round"'
    ) + _text(text, x, y, attributes)


def _scale_bar(height):
    """100 km, drawn in the sea at the bottom left."""
    length = 100 / 111.32 * SCALE  # a degree is 111.32 km north-south; the x axis is already shrunk by cos(lat)
    x, y = 10, height - 22
    return (
        f'<path d="M{x},{y - 4} V{y} H{x + length:.1f} V{y - 4}" fill="none" stroke="#000" stroke-width="1.3"/>'
        + _text("100 km", x + length / 2, y - 6, f'font-size="{PLACE_SIZE}" text-anchor="middle"')
    )


def _legend():
    def swatch(kind):
        return f'<svg width="34" height="10" aria-hidden="true"><path d="M1,5 H33" {STYLES[kind][0]}/></svg>'

    def marker(shape):
        if shape == "capital":
            inner = '<circle cx="6" cy="6" r="3.5" fill="#000" stroke="#000" stroke-width="1.3"/>'
        elif shape == "town":
            inner = '<circle cx="6" cy="6" r="3.5" fill="#fff" stroke="#000" stroke-width="1.3"/>'
        else:
            inner = '<rect x="2.5" y="2.5" width="7" height="7" fill="#fff" stroke="#000" stroke-width="1.5"/>'
        return f'<svg width="12" height="12" aria-hidden="true">{inner}</svg>'

    items = [(swatch(kind), STYLES[kind][1]) for kind in ("front", "parallel", "border")]
    items += [
        (marker("capital"), "Capital city"),
        (marker("town"), "Town or port"),
        (marker("talks"), "Panmunjom: the armistice talks"),
    ]
    return '<ul class="map-legend">' + "".join(f"<li>{icon} {escape(text)}</li>" for icon, text in items) + "</ul>"
