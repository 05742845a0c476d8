"""The website's fonts are the parts of the full fonts made by scripts/update-web-fonts (docs/assets/fonts/web/,
each with its unicode-range in docs/assets/stylesheets/fonts.css): every character any page shows is in one
of them, and the stylesheet, the parts and the full fonts agree. The handouts keep the full fonts."""

import json
import re

import pytest
from fontTools.ttLib import TTFont
from lxml import html

from conftest import ROOT

FONTS = ROOT / "docs" / "assets" / "fonts"
STYLESHEET = ROOT / "docs" / "assets" / "stylesheets" / "fonts.css"
REMAKE = "Run `.venv/bin/python scripts/update-web-fonts` and commit docs/assets/fonts/web/ and fonts.css."
SHOWN_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label")
HIDDEN = ("script", "style", "svg", "template")
# Material shows these as icons: their text (↩) has font-size 0.
ICON_CLASSES = ("footnote-backref",)


def font_faces():
    """[(family, style, weight, file name, unicode-range or None)] of every @font-face in fonts.css."""
    faces = []
    for rule in re.findall(r"@font-face\s*\{([^}]*)\}", STYLESHEET.read_text(encoding="utf-8")):
        descriptor = dict(re.findall(r"([a-z-]+)\s*:\s*([^;]+);", rule))
        file_name = re.search(r'url\("\.\./fonts/([^"]+)"\)', descriptor["src"]).group(1)
        faces.append(
            (
                descriptor["font-family"].strip('"'),
                descriptor["font-style"],
                descriptor["font-weight"],
                file_name,
                descriptor.get("unicode-range"),
            )
        )
    return faces


def code_points(unicode_range):
    points = set()
    for first, last in re.findall(r"U\+([0-9A-F]+)(?:-([0-9A-F]+))?", unicode_range):
        points.update(range(int(first, 16), int(last or first, 16) + 1))
    return points


def characters(path):
    """Every character a reader can see on a built page: its text, the attributes a browser shows, and the
    search box's messages (Material's translations in the page's configuration)."""
    tree = html.parse(str(path)).getroot()
    config = tree.xpath('//script[@id="__config"]')
    shown = "".join(json.loads(config[0].text)["translations"].values()) if config else ""
    for element in tree.xpath(
        " | ".join(f"//{tag}" for tag in HIDDEN)
        + " | "
        + " | ".join(f'//*[contains(concat(" ", @class, " "), " {name} ")]' for name in ICON_CLASSES)
    ):
        element.drop_tree()
    shown += tree.text_content()
    shown += "".join(
        element.get(name) or "" for element in tree.iter() if isinstance(element.tag, str) for name in SHOWN_ATTRIBUTES
    )
    return {character for character in shown if not character.isspace() and ord(character) >= 0x20}


@pytest.fixture(scope="module")
def built_pages(built_site):
    return [(str(path.relative_to(built_site)), path) for path in sorted(built_site.rglob("*.html"))]


def test_every_character_on_every_page_is_in_the_web_fonts(built_pages):
    covered = set()
    for *_, file_name, _ in font_faces():
        covered |= set(TTFont(FONTS / file_name).getBestCmap())
    missing = {}
    for name, path in built_pages:
        for character in characters(path) - {chr(point) for point in covered}:
            missing.setdefault(character, name)
    listed = ", ".join(
        f"{character!r} (U+{ord(character):04X}) on {page}" for character, page in sorted(missing.items())
    )
    assert not missing, (
        "characters that no web font has (the browser would take them from a system font): "
        + listed
        + ". No font the site ships has them. Chinese characters and symbols (such as − and ≈): run"
        " scripts/update-cjk-font, which adds every character of docs/ and data/ that Noto Serif and Noto Sans"
        " lack to the Chinese subset. Otherwise, take the character out of the text."
    )


def test_each_web_font_holds_exactly_its_unicode_range_and_the_parts_make_up_the_full_font():
    parts = {}
    for family, style, weight, file_name, unicode_range in font_faces():
        cmap = set(TTFont(FONTS / file_name).getBestCmap())
        if unicode_range is None:  # a single file: the Chinese subset, only fetched for what the others lack
            assert file_name == "NotoSerifSC-Subset.woff2", f"{file_name} has no unicode-range in fonts.css. {REMAKE}"
            continue
        assert file_name.startswith("web/"), f"fonts.css: {file_name} is not a web font part. {REMAKE}"
        assert cmap == code_points(unicode_range), f"fonts.css: {file_name} and its unicode-range differ. {REMAKE}"
        full = file_name.removeprefix("web/").split(".")[0] + ".woff2"
        parts.setdefault(full, []).append(cmap)
    assert sorted(parts) == sorted(path.name for path in FONTS.glob("Noto[SM]*-*.woff2") if "SC" not in path.name)
    for full, cmaps in parts.items():
        assert sum(map(len, cmaps)) == len(set().union(*cmaps)), f"{full}: a character is in two parts. {REMAKE}"
        assert set().union(*cmaps) == set(TTFont(FONTS / full).getBestCmap()), (
            f"docs/assets/fonts/web/ was not made from the current docs/assets/fonts/{full}. {REMAKE}"
        )
    made = {f"web/{path.name}" for path in (FONTS / "web").glob("*.woff2")}
    assert made == {face[3] for face in font_faces() if face[3].startswith("web/")}, (
        f"docs/assets/fonts/web/ holds files that fonts.css does not use, or lacks some. {REMAKE}"
    )


def test_the_handouts_keep_the_full_fonts():
    print_css = (ROOT / "print" / "handout.css").read_text(encoding="utf-8")
    assert "fonts/web/" not in print_css, "print/handout.css must use the full fonts: the web parts are split"


def test_no_text_jumps_when_a_web_font_arrives(built_site):
    """A face that is not there when the text is first drawn is not swapped in later (font-display: optional:
    a swap reflowed the text under the reader's eyes, Lighthouse's layout shift 0.05-0.28 a page), and every
    page preloads the latin part of the faces it shows, each a file of the site."""
    faces = font_faces()
    for rule in re.findall(r"@font-face\s*\{([^}]*)\}", STYLESHEET.read_text(encoding="utf-8")):
        if "NotoSerifSC" not in rule:  # the Chinese subset, a fallback: swapped in rather than boxes shown
            assert "font-display: optional" in rule, f"fonts.css: {rule.strip()[:80]}… {REMAKE}"
    latin = {file_name for *_, file_name, _ in faces if file_name.endswith(".latin.woff2")}
    for page in sorted(built_site.rglob("*.html")):
        name = page.relative_to(built_site)
        script = next((s for s in html.parse(str(page)).xpath("//head/script/text()") if "preload" in s), "")
        preloaded = re.findall(r'"(Noto\w+-\w+)"', script)
        assert preloaded, f"{name} preloads no font"
        for face in preloaded:
            assert f"web/{face}.latin.woff2" in latin, f"{name} preloads {face}, which fonts.css does not have"
            assert (built_site / "assets" / "fonts" / "web" / f"{face}.latin.woff2").is_file()
