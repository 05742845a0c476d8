"""Checks on the Markdown a teacher edits: front matter, footnotes, blocks, admonitions, question ids; and on
what a build made: no page asset from another host, and (in the student build) no teacher text anywhere.

Each problem stops the build with the file, the line and what to do. What decides who sees a text is read
from the page's file as the teacher wrote it (not as earlier hooks left it), so nothing can slip past unseen.
"""

import difflib
import functools
import html
import json
import re
from pathlib import Path

import markdown as python_markdown

from moduledata import FRONT_MATTER_KEYS, fail, front_matter, read_page, relative, without_code

FOOTNOTE_CALL = re.compile(r"\[\^([^\]\s]+)\](?!:)")
FOOTNOTE_DEFINITION = re.compile(r"^\[\^([^\]\s]+)\]:", re.MULTILINE)
BLOCK_LINE = re.compile(r"^[ \t]*(/{3,})[ \t]*(.*?)[ \t]*$", re.MULTILINE)
BLOCK_NAME = re.compile(r"([\w-]+)")
ADMONITION = re.compile(r"^[ \t]*(!!!|\?\?\?\+?)[ \t]*([^\n\"']*)", re.MULTILINE)
# Admonition and details types that look like a decision about who sees the text: they decide nothing.
AUDIENCE_LIKE = re.compile(r"(teachers?|students?|solutions?|answers?|audience)", re.IGNORECASE)
BOXES_WITH_CONTENT = ("teacher", "solution")
QUESTION = re.compile(r"^###[ \t]+(.*?)[ \t]*\{[^}\n]*#q(\d+)\b([^}\n]*)\}[ \t]*$", re.MULTILINE)
ANSWER_LINES = re.compile(r"""data-answer-lines\s*=\s*("[^"]*"|'[^']*'|[^\s}>]+)""")
FOOTNOTE_REF_NUMBER = re.compile(r'<sup id="fnref\d*:[^"]+"><a class="footnote-ref" href="#fn:[^"]+">(\d+)</a></sup>')
SNIPPET = re.compile(r'^[ \t]*-{1,}8<-{1,}[ \t]+(["\'])([^"\'\n]+)\1[ \t]*$', re.MULTILINE)
LEAK_WORDS = 8  # a teacher sentence this long found anywhere in the student site is a leak

state = {"blocks": (), "audience": "student"}


def on_config(config):
    # The block names a page may use are exactly those the Markdown extensions in mkdocs.yml register.
    md = python_markdown.Markdown(extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"])
    processors = md.parser.blockprocessors
    state["blocks"] = tuple(sorted(processors["blocks"].blocks)) if "blocks" in processors else ()
    state["audience"] = config["extra"].get("audience", "student")


def on_files(files, config):
    # Every page of docs/, as written, before any hook changes it (teacher pages included: the student build
    # leaves them out, but what is wrong in them is still wrong).
    docs = Path(config["docs_dir"])
    for path in sorted(docs.rglob("*.md")):
        where = f"docs/{path.relative_to(docs).as_posix()}"
        code_free = without_code(page_body(path))
        _check_footnotes(code_free, where)
        _check_blocks(code_free, where)
        _check_admonitions(code_free, where)
        _check_questions(code_free, where)
    return files


def on_page_markdown(markdown, page, config, files):
    _check_snippets(page, config)
    _check_front_matter(page)
    return markdown


def on_page_content(html_text, page, config, files):
    # hooks/citations.py orders definitions by their calls; make sure the numbers really follow reading order.
    numbers = []
    for match in FOOTNOTE_REF_NUMBER.finditer(html_text):
        if int(match.group(1)) not in numbers:
            numbers.append(int(match.group(1)))
    if numbers != list(range(1, len(numbers) + 1)):
        where = f"docs/{page.file.src_uri}"
        if not any(Path(str(hook)).name == "citations.py" for hook in config["hooks"]):
            fail(
                where,
                f"footnotes are numbered {numbers} in reading order; they must run 1, 2, 3 … Check that "
                "hooks/citations.py is listed under hooks: in mkdocs.yml.",
            )
        names = re.findall(r'<li id="fn:([^"]+)"', html_text)
        lost = [names[number - 1] for number in range(1, len(names) + 1) if number not in numbers]
        source = read_page(page.file.abs_src_path)
        call = source.find(f"[^{lost[0]}]") if lost else -1
        if call >= 0:
            where = f"{where}:{line_of(source, call)}"
        what = f"the call of note [^{lost[0]}]" if lost and call >= 0 else "a note call (perhaps of a citation)"
        fail(
            where,
            f"footnotes are numbered {numbers} in reading order, so {what} went missing from the page: look "
            "for a [^name] or [@key] that Markdown did not read as one (in a table row with a stray '|', inside "
            "`code`, or in raw HTML without markdown), and correct it there.",
        )
    return html_text


def on_post_page(output, page, config):
    _check_assets(output, page)
    return output


def on_post_build(config):
    if state["audience"] == "student":
        check_no_teacher_text(config["docs_dir"], config["site_dir"])


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def page_body(path):
    """The page as written, its front matter blanked out (so that offsets still give the file's lines)."""
    lines = read_page(path).split("\n")
    if lines[0].rstrip() == "---":
        end = next((number for number, line in enumerate(lines[1:], 1) if line.rstrip() in ("---", "...")), 0)
        lines[: end + 1] = [""] * (end + 1)
    return "\n".join(lines)


def _check_snippets(page, config):
    """A missing snippet would stop pymdownx.snippets with a traceback and no page or line: say it here."""
    options = config["mdx_configs"].get("pymdownx.snippets", {})
    bases = options.get("base_path", ["."])
    bases = [bases] if isinstance(bases, str) else bases
    project = Path(config["config_file_path"]).parent
    source = read_page(page.file.abs_src_path)
    for match in SNIPPET.finditer(source):
        path = re.sub(r"(:-?\d*)+$", "", match.group(2).strip())  # "file.md:3:8" takes lines 3 to 8
        if path.startswith(("http://", "https://")) or any((project / base / path).exists() for base in bases):
            continue
        fail(
            f"docs/{page.file.src_uri}:{line_of(source, match.start())}",
            f"the snippet '{path}' does not exist; "
            "create it or correct the path (snippet paths start at the project folder, for example "
            '"docs/snippets/credits.md").',
        )


def _check_front_matter(page):
    """The front matter read strictly (moduledata.front_matter fails on anything it cannot read) must be what
    MkDocs read: if MkDocs dropped or misread it, the page would go to the wrong audience."""
    strict = front_matter(page.file.abs_src_path)
    for key in FRONT_MATTER_KEYS:
        if strict.get(key) != page.meta.get(key):
            fail(
                f"docs/{page.file.src_uri}:1",
                f"MkDocs did not read the front matter as written ('{key}' is "
                f"{strict.get(key)!r} in the file, {page.meta.get(key)!r} for MkDocs). Start the file with a line "
                "'---', then the 'key: value' lines, then a line '---' followed by a new line.",
            )


def _check_footnotes(source, where):
    definitions = {}
    for match in FOOTNOTE_DEFINITION.finditer(source):
        name = match.group(1)
        if name in definitions:
            fail(
                f"{where}:{line_of(source, match.start())}",
                f"footnote [^{name}] is defined twice; give one of them another name.",
            )
        definitions[name] = match.start()
    calls = {}
    for match in FOOTNOTE_CALL.finditer(source):
        calls.setdefault(match.group(1), match.start())
    for name, offset in calls.items():
        if name not in definitions:
            fail(
                f"{where}:{line_of(source, offset)}",
                f"footnote call [^{name}] has no definition; add a line "
                f"'[^{name}]: text of the note' (by habit at the end of the page) or remove the call.",
            )
    for name, offset in definitions.items():
        if name not in calls:
            fail(
                f"{where}:{line_of(source, offset)}",
                f"footnote [^{name}] is defined but never called; put "
                f"[^{name}] in the text where the note belongs, or delete the definition.",
            )


def _check_blocks(source, where):
    """`/// name` opens a block and a bare `///` (as many slashes) closes it. Only the block names mkdocs.yml
    configures exist, spelled exactly; a teacher or solution box must hold its text."""
    allowed = state["blocks"]
    open_blocks = []  # (slashes, name, offset of the opening line, offset after it)
    for match in BLOCK_LINE.finditer(source):
        slashes, rest = match.group(1), match.group(2)
        at = f"{where}:{line_of(source, match.start())}"
        if not rest:
            opened = next(
                (index for index in range(len(open_blocks) - 1, -1, -1) if open_blocks[index][0] == slashes), None
            )
            if opened is None:
                fail(
                    at,
                    f"this '{slashes}' closes no block; delete it or add the opening line (for example "
                    "'/// teacher | Suggested answer') above it.",
                )
            _, name, _, content_start = open_blocks[opened]
            if name in BOXES_WITH_CONTENT and not source[content_start : match.start()].strip():
                fail(
                    at,
                    f"the '/// {name}' block closed here is empty, so the text after it is shown to everyone; "
                    f"put the text between the opening line and this '{slashes}'.",
                )
            del open_blocks[opened:]
            continue
        name = BLOCK_NAME.match(rest)
        if not name:
            fail(at, f"a block line needs a name after '{slashes}', for example '/// teacher | Suggested answer'.")
        name = name.group(1)
        if name not in allowed:
            close = [n for n in allowed if n.lower() == name.lower()] or difflib.get_close_matches(name, allowed, 1)
            hint = f" Did you mean '/// {close[0]}'?" if close else ""
            fail(
                at,
                f"unknown block '/// {name}'.{hint} The block names are {', '.join(allowed)} (lowercase, as "
                "mkdocs.yml configures them); any other would show its text to everyone.",
            )
        open_blocks.append((slashes, name, match.start(), match.end()))
    if open_blocks:
        slashes, name, offset, _ = open_blocks[-1]
        fail(
            f"{where}:{line_of(source, offset)}",
            f"the '/// {name}' block opened here is never closed; add a line "
            f"with only '{slashes}' where it ends. (An unclosed teacher block would hide the rest of the page.)",
        )


def _check_admonitions(source, where):
    for match in ADMONITION.finditer(source):
        for word in match.group(2).split():
            if AUDIENCE_LIKE.fullmatch(word):
                fail(
                    f"{where}:{line_of(source, match.start())}",
                    f"'{match.group(1)} {word}' is a box everyone "
                    "sees, whatever its name. For text only teachers may see write '/// teacher | Title', the "
                    "text, then '///'; for an answer students check after a question, '/// solution | Question "
                    "N: …' … '///'.",
                )


def _check_questions(source, where):
    for match in ANSWER_LINES.finditer(source):
        value = match.group(1).strip("\"'")
        if not value.isdigit() or not 0 < int(value) <= 60:
            fail(
                f"{where}:{line_of(source, match.start())}",
                f'data-answer-lines="{value}" must be a whole number '
                'of ruled lines from 1 to 60, in digits, for example data-answer-lines="4".',
            )
    for expected, match in enumerate(QUESTION.finditer(source), 1):
        at = f"{where}:{line_of(source, match.start())}"
        title, number, attributes = match.group(1), int(match.group(2)), match.group(3)
        if number != expected:
            fail(
                at,
                f"question id #q{number} is out of sequence; expected #q{expected}. Questions are "
                "numbered 1, 2, 3 … down the page, each number once.",
            )
        if not re.match(rf"{number}\.\s", title):
            fail(at, f"the question heading should start with '{number}. ' to match its id #q{number}.")
        if not re.search(r'data-answer-lines="\d+"', attributes):
            fail(at, f'question #q{number} needs data-answer-lines="N" (the ruled lines in the student handout).')


# ---------------------------------------------------------------------------------------------------------
# Page assets from other hosts

ASSET_TAG = re.compile(
    r"<(script|link|img|iframe|frame|embed|object|source|audio|video|track|input|image|use)\b"
    r"([^>]*)>",
    re.IGNORECASE,
)
URL_ATTRIBUTE = re.compile(
    r"""\s(src|href|data|srcset|poster|xlink:href)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE
)
LINK_REL = re.compile(r"""\srel\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
# <link> relations that name another page without loading anything from it.
NOT_LOADED = {"canonical", "alternate", "author", "license", "help", "next", "prev", "search", "bookmark", "me"}
OTHER_HOST = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])\s*((?:[a-z][a-z0-9+.-]*:)?//[^"')\s]+)""", re.IGNORECASE)
MERMAID = re.compile(r"""<(?:pre|div)\b[^>]*\bclass\s*=\s*["'][^"']*\bmermaid\b""", re.IGNORECASE)


def other_host_assets(page_html):
    """The URLs on other hosts that a page would load (scripts, styles, images, frames, media)."""
    found = []
    for tag in ASSET_TAG.finditer(page_html):
        name, attributes = tag.group(1).lower(), tag.group(2)
        if name == "link":
            rel = LINK_REL.search(attributes)
            rels = set(rel.group(1).strip("\"'").lower().split()) if rel else set()
            if rels and rels <= NOT_LOADED:
                continue
        for attribute in URL_ATTRIBUTE.finditer(attributes):
            value = html.unescape(attribute.group(2).strip("\"'"))
            urls = (
                [part.split()[0] for part in value.split(",") if part.split()]
                if attribute.group(1).lower() == "srcset"
                else [value]
            )
            found += [url for url in urls if OTHER_HOST.match(url)]
    found += CSS_URL.findall(page_html)
    return found


def _check_assets(page_html, page):
    where = f"docs/{page.file.src_uri}"
    source = read_page(page.file.abs_src_path)
    for url in other_host_assets(page_html):
        offset = source.find(url)
        at = f"{where}:{line_of(source, offset)}" if offset >= 0 else f"{where} (through the theme or mkdocs.yml)"
        fail(
            at,
            f"the page would load {url} from another host; the site promises that a student's browser "
            "talks to no one else. Copy the file into docs/assets/ and link to it there, or remove it.",
        )
    if MERMAID.search(page_html):
        fail(
            where,
            "this page has a Mermaid diagram, for which Material loads a script from unpkg.com (another "
            "host). Draw the diagram as an SVG image in docs/assets/images/ instead.",
        )


# ---------------------------------------------------------------------------------------------------------
# The safety net of the student build: no teacher text anywhere in what it made

BLOCK_TAG = re.compile(
    r"</?(?:p|li|ul|ol|dl|dd|dt|td|th|tr|table|thead|tbody|caption|h[1-6]|div|section|article|"
    r"summary|details|blockquote|pre|figure|figcaption|br|hr|nav|header|footer|main|aside|"
    r"title|loc|url|option)\b[^>]*>",
    re.IGNORECASE,
)
NOT_TEXT = re.compile(r"<(script|style)\b.*?</\1>|<sup\b[^>]*>.*?</sup>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<[^>]*>")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# A sentence that is all quotation quotes what students read (the telegram, a historian): not the teacher's.
QUOTATION = re.compile(r"\W*(“[^”]*”|\"[^\"]*\")\W*")
CITATION = re.compile(r"\[@[^\[\]]+\]")
SITE_TEXT_FILES = (".html", ".xml", ".json", ".js", ".txt")
SHORT_ANSWER_TAGS = ("p", "li", "dd")  # where a short answer is written (not headings or table cells)


def words(text):
    return " ".join(re.findall(r"\w+", text.lower()))


def html_paragraphs(page_html, kinds=None):
    """The text of each block of a piece of HTML (paragraph, list item, cell, heading …), as plain text; only
    those opened by one of the tags in `kinds` if given."""
    page_html = NOT_TEXT.sub(" ", page_html)
    parts = BLOCK_TAG.split(page_html)
    tags = [None] + [re.match(r"</?(\w+)", tag).group(0) for tag in BLOCK_TAG.findall(page_html)]
    return [
        html.unescape(TAG.sub("", part))
        for tag, part in zip(tags, parts)
        if kinds is None or (tag and tag.lstrip("<") in kinds)
    ]


def teacher_texts(docs_dir):
    """(where, Markdown, "page" or "block") of every teacher page and `/// teacher` block, from the files as
    written."""
    texts = []
    for path in sorted(Path(docs_dir).rglob("*.md")):
        where = relative(path)
        source = page_body(path)
        if front_matter(path).get("audience") == "teacher":
            texts.append((f"{where}:1", source, "page"))
            continue
        texts += [(f"{where}:{line}", text, "block") for line, text in _teacher_blocks(source)]
    return texts


def _teacher_blocks(source):
    """(line, text) of each outermost `/// teacher` block of a page."""
    found, stack = [], []
    for match in BLOCK_LINE.finditer(without_code(source)):
        slashes, rest = match.group(1), match.group(2)
        if rest:
            name = BLOCK_NAME.match(rest)
            stack.append((slashes, name.group(1) if name else "", match))
        elif stack:
            while stack and stack[-1][0] != slashes:
                stack.pop()
            if stack:
                _, name, opener = stack.pop()
                if name == "teacher" and not any(entry[1] == "teacher" for entry in stack):
                    found.append((line_of(source, opener.start()), source[opener.end() : match.start()]))
    return found


@functools.cache
def _markdown():
    return python_markdown.Markdown(
        extensions=["attr_list", "md_in_html", "tables", "footnotes", "admonition", "pymdownx.superfences"]
    )


@functools.lru_cache(maxsize=512)
def _rendered_paragraphs(markdown_text, kinds=None):
    """(paragraphs, paragraphs opened by `kinds`) of a piece of Markdown. Memoized on the text itself: under
    `mkdocs serve` every saved edit runs this check again, and most pages have not changed."""
    rendered = _markdown().reset().convert(markdown_text)
    return tuple(html_paragraphs(rendered)), tuple(html_paragraphs(rendered, kinds)) if kinds else ()


def student_sources(docs_dir):
    """The words of everything the sources give students (the pages without their teacher blocks, and the
    data files), and the set of their paragraphs. A teacher's text may repeat these (the central question, a
    sentence of commentary) without that being a leak: the check is for text only the teacher sources hold."""
    texts, paragraphs = [], set()
    for path in sorted(Path(docs_dir).rglob("*.md")):
        if front_matter(path).get("audience") != "teacher":
            page, _ = _rendered_paragraphs(_plain(without_teacher_blocks(page_body(path))))
            texts.append(words(" ".join(page)))
            paragraphs.update(words(paragraph) for paragraph in page)
    data = Path(docs_dir).resolve().parent / "data"
    for path in sorted(data.glob("*.*")) if data.is_dir() else ():
        if path.suffix in (".yml", ".json"):
            texts.append(words(path.read_text(encoding="utf-8", errors="replace")))
    return f" {' | '.join(texts)} ", paragraphs


def _plain(markdown):
    return CITATION.sub("", BLOCK_LINE.sub("\n", markdown))


def without_teacher_blocks(source):
    kept, position = [], 0
    for where, text in _teacher_blocks(source):
        start = source.index(text, position)
        kept.append(source[position:start])
        position = start + len(text)
    return "".join(kept) + source[position:]


def _teacher_pieces(docs_dir):
    """Teacher sentences of LEAK_WORDS words or more, and whole teacher paragraphs that are shorter."""
    sentences, paragraphs = {}, {}
    shared, shared_paragraphs = student_sources(docs_dir)
    for where, text, kind in teacher_texts(docs_dir):
        rendered_paragraphs, short_answers = _rendered_paragraphs(_plain(text), SHORT_ANSWER_TAGS)
        # A teacher page restates what the module says (the central question, a line of commentary); a
        # teacher block says what students must not read anywhere.
        restated, restated_paragraphs = (shared, shared_paragraphs) if kind == "page" else (" ", set())
        # Short answers, matched as whole paragraphs: the whole block, and each paragraph or list item.
        shorts = [" ".join(rendered_paragraphs), *short_answers]
        for short in shorts:
            if 2 <= len(words(short).split()) < LEAK_WORDS and words(short) not in restated_paragraphs:
                paragraphs.setdefault(words(short), (where, short.strip()))
        for paragraph in rendered_paragraphs:
            for sentence in SENTENCE_END.split(paragraph):
                found = words(sentence)
                if (
                    len(found.split()) >= LEAK_WORDS
                    and not QUOTATION.fullmatch(sentence)
                    and f" {found} " not in restated
                ):
                    sentences.setdefault(found, (where, sentence.strip()))
    return sentences, paragraphs


def _site_texts(site_dir):
    """(file, words of the whole file, set of the words of each of its paragraphs) for every text file the
    site has, except the theme's own scripts and styles."""
    site_dir = Path(site_dir)
    for path in sorted(site_dir.rglob("*")):
        relative_path = path.relative_to(site_dir)
        if path.suffix not in SITE_TEXT_FILES or not path.is_file() or relative_path.parts[0] == "assets":
            continue
        yield (relative_path.as_posix(), *_site_text(path.read_text(encoding="utf-8", errors="replace"), path.suffix))


@functools.lru_cache(maxsize=256)
def _site_text(text, suffix):
    """(words of the whole file, set of the words of each paragraph), memoized on the file's text (under
    `mkdocs serve` most pages are the same after an edit)."""
    if suffix in (".json", ".js"):
        pieces = []
        start, end = text.find("{"), text.rfind("}")
        try:
            _strings(json.loads(text[start : end + 1]), pieces)
        except ValueError:
            pieces = [text]
        text = "\n<p>\n".join(pieces)
    paragraphs = html_paragraphs(text)
    return f" {words(' '.join(paragraphs))} ", frozenset(words(paragraph) for paragraph in paragraphs)


def _strings(value, found):
    if isinstance(value, str):
        found.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, found)
    elif isinstance(value, list):
        for item in value:
            _strings(item, found)


def check_no_teacher_text(docs_dir, site_dir):
    """Stop if any teacher sentence of LEAK_WORDS words or more, or any shorter teacher paragraph (as a whole
    paragraph), is anywhere in the built student site: pages, search index, sitemap."""
    sentences, paragraphs = _teacher_pieces(docs_dir)
    for name, stream, site_paragraphs in _site_texts(site_dir):
        for found, (where, text) in sentences.items():
            if f" {found} " in stream:
                _leak(where, name, text)
        for found in paragraphs.keys() & site_paragraphs:
            where, text = paragraphs[found]
            _leak(where, name, text)


def _leak(where, name, text):
    fail(
        where,
        f"teacher-only text reached the student site ({name}): '{' '.join(text.split())[:90]}'. Keep it "
        "only inside a '/// teacher' block or on a page with 'audience: teacher', and do not repeat it in "
        "text that students see.",
    )
