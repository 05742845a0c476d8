"""Note calls stand after the punctuation that follows them, with no space before (Chicago: "allies.²",
not "allies ²."), on the website and in the handouts alike.

A rule on the Markdown, run after hooks/citations.py has turned citations in running text into footnote
calls. It leaves alone code (spans, fenced and indented blocks) and the telegram's translation
(<div class="telegram">): there the calls stay exactly where the editors put them, next to the word they
explain, and nothing around them is removed or moved.
"""

import re

# A call, the space before it (a line break too: a citation often starts the next line of the paragraph),
# and the punctuation after it.
CALLS = re.compile(r"(?P<before>\S)(?P<space>[ \t]*(?:\n[ \t]*)?)(?P<calls>(?:\[\^[^\]\s]+\])+)(?P<punct>[.,;:!?]*)")
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,}).*?^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.DOTALL)  # as hooks/moduledata.py
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
        start = max(start, last)  # regions may overlap (a code span inside a fenced block)
        parts += [_place(markdown[last:start]), markdown[start:end]]
        last = max(last, end)
    parts.append(_place(markdown[last:]))
    return "".join(parts)


def _place(text):
    def placed(match):
        if "\n" in match["space"]:
            line = text[text.rfind("\n", 0, match.start()) + 1 : match.start() + 1]
            if match["punct"].startswith(":") or line.lstrip().startswith(("#", "|")):
                return match[0]  # a footnote definition, or a call under a heading or a table row
        # A line break moves after the call, so that every later line keeps its number (error messages).
        return match["before"] + match["punct"] + match["calls"] + ("\n" if "\n" in match["space"] else "")

    return CALLS.sub(placed, text)


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
            blank_before = True  # the next indented line belongs to the same block
        else:
            blank_before = not line.strip()
            if line.strip() and not line.startswith((" ", "\t")):
                context = line
        offset += len(line)
