"""Glossary links `[fond](glossary.md#fond)` get the term's definition as a hover and focus tooltip.

Definitions live in data/glossary.yml (the Glossary page is made from the same file by data_pages.py);
a link to an id that is not there stops the build.
"""

import difflib
import re
from html import escape

from moduledata import fail, load_glossary, source_line

GLOSSARY_LINK = re.compile(r"\]\(((?:\.\./)*glossary\.md)#([^)\s\"]+)\)")

glossary = {}


def on_config(config):
    glossary.clear()
    glossary.update(load_glossary())


def on_page_markdown(markdown, page, config, files):
    def add_title(match):
        term_id = match.group(2)
        if term_id not in glossary:
            close = difflib.get_close_matches(term_id, glossary, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            fail(
                source_line(page, markdown, match.start()),
                f"unknown glossary term '{term_id}'.{hint} Add it to data/glossary.yml or correct the link.",
            )
        # Material puts a link's title into its tooltip as HTML: escape it twice, once for the attribute
        # (Python-Markdown keeps an entity it is given) and once for the tooltip, so it is shown, never run.
        title = escape(escape(plain_text(glossary[term_id]["definition"]).replace('"', "'"), False), False)
        return f']({match.group(1)}#{term_id} "{title}")'

    return GLOSSARY_LINK.sub(add_title, markdown)


def plain_text(markdown):
    """A definition as a tooltip: no citations, links or emphasis marks."""
    text = re.sub(r"\s*\[@[^\]]+\]", "", str(markdown))
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[*_`]", "", text).strip()
