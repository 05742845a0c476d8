"""Note calls stand after the punctuation that follows them, with no space before (Chicago: "allies.²",
not "allies ²."), on the website and in the handouts alike.

A rule on the Markdown, run after hooks/citations.py has turned citations in running text into footnote
calls. It leaves alone code (spans, fenced and indented blocks) and the telegram's translation
(<div class="telegram">): there the calls stay exactly where the editors put them, next to the word they
explain, and nothing around them is removed or moved.
"""

import re

CALLS = re.compile(r"(?P<before>\S)(?P<space>[ \t]*)(?P<calls>(?:\[\^[^\]\s]+\])+)(?P<punct>[.,;:!?]*)")
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,}).*?^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
TELEGRAM = re.compile(r'<div class="telegram"[^>]*>.*?</div>', re.DOTALL)
LIST_OR_NOTE = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)]|\[\^[^\]]+\]:)[ \t]")


def on_page_markdown(markdown, page, config, files):
    return place_calls(markdown)


def place_calls(markdown):
    """The Markdown with each call in running text moved after the punctuation that follows it, and any
    space before it removed."""
    kept = sorted(_protected(markdown))
    parts, last = [], 0
    for start, end in kept:
        start = max(start, last)          # regions may overlap (a code span inside a fenced block)
        parts += [_place(markdown[last:start]), markdown[start:end]]
        last = max(last, end)
    parts.append(_place(markdown[last:]))
    return "".join(parts)


def _place(text):
    return CALLS.sub(lambda m: m["before"] + m["punct"] + m["calls"], text)


def _protected(markdown):
    """(start, end) of every region the rule must not touch."""
    for pattern in (FENCE, TELEGRAM, CODE_SPAN):
        yield from (match.span() for match in pattern.finditer(markdown))
    yield from _indented_code(markdown)


def _indented_code(markdown):
    """Indented code blocks: lines indented by four spaces or a tab after a blank line, unless they continue a
    list item or a footnote definition."""
    offset, blank_before, context = 0, True, ""
    for line in markdown.splitlines(keepends=True):
        indented = line.startswith(("    ", "\t")) and line.strip()
        if indented and blank_before and not LIST_OR_NOTE.match(context):
            yield offset, offset + len(line)
            blank_before = True      # the next indented line belongs to the same block
        else:
            blank_before = not line.strip()
            if line.strip() and not line.startswith((" ", "\t")):
                context = line
        offset += len(line)
