"""Checks on the Markdown a teacher edits: footnotes, teacher-only blocks, question ids, front matter.

Each problem stops the build with the file, the line and what to do.
"""

import re
from pathlib import Path

from moduledata import fail, source_line

FOOTNOTE_CALL = re.compile(r"\[\^([^\]\s]+)\](?!:)")
FOOTNOTE_DEFINITION = re.compile(r"^\[\^([^\]\s]+)\]:", re.MULTILINE)
BLOCK_OPEN = re.compile(r"^ *///[ \t]*([A-Za-z][\w-]*)", re.MULTILINE)
BLOCK_LINE = re.compile(r"^ *///[^\n]*$", re.MULTILINE)
QUESTION = re.compile(r"^###[ \t]+(.*?)[ \t]*\{[^}\n]*#q(\d+)\b([^}\n]*)\}[ \t]*$", re.MULTILINE)
FOOTNOTE_REF_NUMBER = re.compile(r'<sup id="fnref\d*:[^"]+"><a class="footnote-ref" href="#fn:[^"]+">(\d+)</a></sup>')
AUDIENCES = ("all", "teacher")


SNIPPET = re.compile(r'^[ \t]*-{1,}8<-{1,}[ \t]+(["\'])([^"\'\n]+)\1[ \t]*$', re.MULTILINE)


def on_page_markdown(markdown, page, config, files):
    _check_snippets(markdown, page, config)
    _check_front_matter(page)
    _check_footnotes(markdown, page)
    _check_blocks(markdown, page)
    _check_questions(markdown, page)
    return markdown


def on_page_content(html, page, config, files):
    # hooks/citations.py orders definitions by their calls; make sure the numbers really follow reading order.
    numbers = []
    for match in FOOTNOTE_REF_NUMBER.finditer(html):
        if int(match.group(1)) not in numbers:
            numbers.append(int(match.group(1)))
    if numbers != list(range(1, len(numbers) + 1)):
        fail(f"docs/{page.file.src_uri}", f"footnotes are numbered {numbers} in reading order; they must run 1, 2, 3 … "
             "Check that hooks/citations.py is listed under hooks: in mkdocs.yml.")
    return html


def _check_snippets(markdown, page, config):
    """A missing snippet would stop pymdownx.snippets with a traceback and no page or line: say it here."""
    options = config["mdx_configs"].get("pymdownx.snippets", {})
    bases = options.get("base_path", ["."])
    bases = [bases] if isinstance(bases, str) else bases
    project = Path(config["config_file_path"]).parent
    for match in SNIPPET.finditer(markdown):
        path = re.sub(r"(:-?\d*)+$", "", match.group(2).strip())     # "file.md:3:8" takes lines 3 to 8
        if path.startswith(("http://", "https://")) or any((project / base / path).exists() for base in bases):
            continue
        fail(source_line(page, markdown, match.start()), f"the snippet '{path}' does not exist; create it or "
             "correct the path (snippet paths start at the project folder, for example "
             '"docs/snippets/credits.md").')


def _check_front_matter(page):
    audience = page.meta.get("audience", "all")
    if audience not in AUDIENCES:
        fail(f"docs/{page.file.src_uri}:2", f"front matter 'audience: {audience}' is not one of {', '.join(AUDIENCES)}.")
    if page.meta.get("handout", True) not in (True, False):
        fail(f"docs/{page.file.src_uri}:2", "front matter 'handout' must be true or false.")


def _check_footnotes(markdown, page):
    definitions = {}
    for match in FOOTNOTE_DEFINITION.finditer(markdown):
        name = match.group(1)
        if name in definitions:
            fail(source_line(page, markdown, match.start()), f"footnote [^{name}] is defined twice; "
                 "give one of them another name.")
        definitions[name] = match.start()
    calls = {}
    for match in FOOTNOTE_CALL.finditer(markdown):
        calls.setdefault(match.group(1), match.start())
    for name, offset in calls.items():
        if name not in definitions:
            fail(source_line(page, markdown, offset), f"footnote call [^{name}] has no definition; add a line "
                 f"'[^{name}]: text of the note' (by habit at the end of the page) or remove the call.")
    for name, offset in definitions.items():
        if name not in calls:
            fail(source_line(page, markdown, offset), f"footnote [^{name}] is defined but never called; put "
                 f"[^{name}] in the text where the note belongs, or delete the definition.")


def _check_blocks(markdown, page):
    """`/// name` opens a block and a bare `///` closes it; teacher-only text must never run on unclosed."""
    open_blocks = []
    for match in BLOCK_LINE.finditer(markdown):
        opener = BLOCK_OPEN.match(match.group(0))
        if opener:
            open_blocks.append((opener.group(1), match.start()))
        elif match.group(0).strip() == "///":
            if not open_blocks:
                fail(source_line(page, markdown, match.start()), "this '///' closes no block; delete it or add "
                     "the opening line (for example '/// teacher | Suggested answer') above it.")
            open_blocks.pop()
    if open_blocks:
        name, offset = open_blocks[-1]
        fail(source_line(page, markdown, offset), f"the '/// {name}' block opened here is never closed; add a line "
             "with only '///' where it ends. (An unclosed teacher block would hide the rest of the page.)")


def _check_questions(markdown, page):
    for expected, match in enumerate(QUESTION.finditer(markdown), 1):
        where = source_line(page, markdown, match.start())
        title, number, attributes = match.group(1), int(match.group(2)), match.group(3)
        if number != expected:
            fail(where, f"question id #q{number} is out of sequence; expected #q{expected}. Questions are "
                 "numbered 1, 2, 3 … down the page, each number once.")
        if not re.match(rf"{number}\.\s", title):
            fail(where, f"the question heading should start with '{number}. ' to match its id #q{number}.")
        if not re.search(r'data-answer-lines="\d+"', attributes):
            fail(where, f'question #q{number} needs data-answer-lines="N" (the ruled lines in the student handout).')
