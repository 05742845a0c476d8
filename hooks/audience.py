"""Who a build is for. The student site (mkdocs.yml, `extra.audience: student`) leaves out every page with
`audience: teacher` in its front matter and every `/// teacher` block, before any Markdown is rendered, so
that no teacher text can reach site/ (pages, search index, sitemap, handouts). The teacher's copy
(mkdocs.teacher.yml) keeps them.

Fails closed: a page whose front matter cannot be read stops the build (hooks/checks.py says what is wrong
with it), so a slip of the keyboard can never turn a teacher page into a student one.
"""

import re
from pathlib import Path

from moduledata import BUILD_AUDIENCES, fail, front_matter

BLOCK_LINE = re.compile(r"^ *///[^\n]*$", re.MULTILINE)
BLOCK_OPEN = re.compile(r"^ *///[ \t]*([A-Za-z][\w-]*)")
FOOTNOTE_CALL = re.compile(r"\[\^([^\]\s]+)\](?!:)")
DEFINITION = re.compile(r"^\[\^([^\]\s]+)\]:.*(?:\n(?:[ \t]+.*|[ \t]*(?=\n[ \t]+\S)))*", re.MULTILINE)

teacher_pages = set()
state = {"audience": "student"}


def audience(config):
    value = config["extra"].get("audience", "student")
    if value not in BUILD_AUDIENCES:
        fail(Path(config["config_file_path"]).name, f"extra.audience is {value!r}; it must be exactly 'student' "
             "(the published site) or 'teacher' (mkdocs.teacher.yml).")
    return value


def on_config(config):
    state["audience"] = audience(config)
    teacher_pages.clear()
    docs = Path(config["docs_dir"])
    for path in sorted(docs.rglob("*.md")):
        if front_matter(path).get("audience") == "teacher":
            teacher_pages.add(path.relative_to(docs).as_posix())
    if state["audience"] == "student" and config["nav"]:
        config["nav"] = _without_teacher_pages(config["nav"])
    return config


def on_files(files, config):
    if state["audience"] == "student":
        for file in [file for file in files if file.src_uri in teacher_pages]:
            files.remove(file)
    return files


def on_page_markdown(markdown, page, config, files):
    if state["audience"] == "student":
        return without_teacher_blocks(markdown)
    return markdown


def without_teacher_blocks(markdown):
    """The Markdown with every `/// teacher` block cut out (nested blocks included), and the footnote
    definitions that only a teacher block called."""
    kept, depth_of_teacher, stack, position = [], None, [], 0
    for match in BLOCK_LINE.finditer(markdown):
        opener = BLOCK_OPEN.match(match.group(0))
        if opener:
            stack.append(opener.group(1))
            if opener.group(1) == "teacher" and depth_of_teacher is None:
                depth_of_teacher = len(stack)
                kept.append(markdown[position:match.start()])
        elif match.group(0).strip() == "///" and stack:
            if depth_of_teacher == len(stack):
                depth_of_teacher = None
                position = match.end()
            stack.pop()
    if depth_of_teacher is not None:
        fail("page", "a '/// teacher' block is never closed")   # hooks/checks.py names the line first
    kept.append(markdown[position:])
    markdown = "".join(kept)
    called = set(FOOTNOTE_CALL.findall(DEFINITION.sub("", markdown)))
    return DEFINITION.sub(lambda match: match.group(0) if match.group(1) in called else "", markdown)


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
