"""Who a build is for. The student site (mkdocs.yml, `extra.audience: student`) leaves out every page with
`audience: teacher` in its front matter and every `/// teacher` block, before any Markdown is rendered, so
that no teacher text can reach site/ (pages, search index, sitemap, handouts). The teacher's copy
(mkdocs.teacher.yml) keeps them.

Fails closed: a page whose front matter cannot be read stops the build (hooks/checks.py says what is wrong
with it), so a slip of the keyboard can never turn a teacher page into a student one.
"""

import re
from pathlib import Path

from moduledata import BUILD_AUDIENCES, fail, front_matter, without_code

# A block line as pymdownx reads it: any indentation (tabs too), inside blockquotes ("> "), three or more
# slashes; a closer has as many slashes as its opener.
BLOCK_LINE = re.compile(r"^(?:[ \t]*>)*[ \t]*(/{3,})[ \t]*([A-Za-z][\w-]*)?[^\n]*$", re.MULTILINE)
FOOTNOTE_CALL = re.compile(r"\[\^([^\]\s]+)\](?!:)")
DEFINITION = re.compile(r"^\[\^([^\]\s]+)\]:.*(?:\n(?:[ \t]+.*|[ \t]*(?=\n[ \t]+\S)))*", re.MULTILINE)
TEACHER_HTML = re.compile(r"""<[a-z]+\b[^>]*\bclass\s*=\s*["'](?:[^"']*\s)?teacher(?:\s[^"']*)?["']""", re.IGNORECASE)

teacher_pages = set()
state = {"audience": "student"}


def audience(config):
    value = config["extra"].get("audience", "student")
    if value not in BUILD_AUDIENCES:
        fail(
            Path(config["config_file_path"]).name,
            f"extra.audience is {value!r}; it must be exactly 'student' "
            "(the published site) or 'teacher' (mkdocs.teacher.yml).",
        )
    return value


def on_config(config):
    state["audience"] = audience(config)
    return config


def on_files(files, config):
    """Teacher pages are found among the pages MkDocs really builds (any Markdown suffix, symlinked folders),
    and in the student build taken out of the files and the nav before anything is rendered."""
    teacher_pages.clear()
    for file in files.documentation_pages():
        if front_matter(file.abs_src_path).get("audience") == "teacher":
            teacher_pages.add(file.src_uri)
    if state["audience"] == "student":
        for file in [file for file in files if file.src_uri in teacher_pages]:
            files.remove(file)
        if config["nav"]:
            config["nav"] = _without_teacher_pages(config["nav"])
    return files


def on_page_markdown(markdown, page, config, files):
    if state["audience"] != "student":
        return markdown
    if page.meta.get("audience") == "teacher" or page.file.src_uri in teacher_pages:
        fail(f"docs/{page.file.src_uri}:1", "a teacher page reached the student build; report this as a bug.")
    return without_teacher_blocks(markdown, f"docs/{page.file.src_uri}")


def on_page_content(html, page, config, files):
    """The last gate before a student page is written: nothing in it may be marked for teachers, whatever way
    it got there (a block this hook did not recognise, a snippet, raw HTML)."""
    if state["audience"] == "student" and TEACHER_HTML.search(html):
        source = Path(page.file.abs_src_path).read_text(encoding="utf-8-sig", errors="replace")
        line = next((number for number, text in enumerate(source.split("\n"), 1) if "teacher" in text.lower()), 1)
        fail(
            f"docs/{page.file.src_uri}:{line}",
            "teacher-only text would be published on this student page (a "
            "teacher box the build could not take out: inside a snippet, raw HTML, or a block written in an "
            "unusual way). Write it as a '/// teacher' block at the start of a line of this page.",
        )
    return html


def without_teacher_blocks(markdown, where="page"):
    """The Markdown with every `/// teacher` block cut out (nested blocks included), and the footnote
    definitions that only a teacher block called."""
    code_free = without_code(markdown)  # a '///' or a note shown as code is an example: left alone
    kept, teacher, stack, position = [], None, [], 0
    for match in BLOCK_LINE.finditer(code_free):
        slashes, name = match.group(1), match.group(2)
        if name:
            stack.append((slashes, name))
            if name == "teacher" and teacher is None:
                teacher = (len(stack), match.start())
                kept.append(markdown[position : match.start()])
        elif match.group(0).strip(" \t>") == slashes:
            while stack and stack[-1][0] != slashes:
                stack.pop()  # pymdownx closes inner blocks left open
            if stack:
                stack.pop()
            if teacher and len(stack) < teacher[0]:
                teacher, position = None, match.end()
    if teacher is not None:
        fail(
            f"{where}:{markdown.count(chr(10), 0, teacher[1]) + 1}",
            "this '/// teacher' block is never closed; add a line with only '///' where it ends.",
        )
    kept.append(markdown[position:])
    markdown = "".join(kept)
    code_free = without_code(markdown)
    definitions = [match for match in DEFINITION.finditer(code_free)]
    called = set(FOOTNOTE_CALL.findall(DEFINITION.sub("", code_free)))
    for match in reversed(definitions):
        if match.group(1) not in called:
            markdown = markdown[: match.start()] + markdown[match.end() :]
    return markdown


def _without_teacher_pages(nav):
    kept = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            value = _without_teacher_pages(value)
            if value:
                kept.append({next(iter(item)): value} if isinstance(item, dict) else value)
        elif not (isinstance(value, str) and value in teacher_pages):
            kept.append(item)
    return kept
