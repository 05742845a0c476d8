"""Load the module's data files (data/) once, with errors that name the file and say what to do.

Imported by the hooks; not a hook itself.
"""

import json
import re
from pathlib import Path

import jinja2
import yaml
from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
# Results kept for the life of the process. `mkdocs serve` loads the hooks afresh for every rebuild, but
# not this module, so a hook can skip work whose inputs have not changed since the last rebuild.
MEMO = {}


class TemplateMemo(jinja2.BytecodeCache):
    """Compiled theme templates in MEMO, checked against each template's source (see hooks/theme_fixes.py)."""

    def load_bytecode(self, bucket):
        code = MEMO.get(("template", bucket.key, bucket.checksum))
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        MEMO[("template", bucket.key, bucket.checksum)] = bucket.bytecode_to_string()


BUILD_AUDIENCES = ("student", "teacher")  # extra.audience: who a build is for
PAGE_AUDIENCES = ("all", "teacher")  # a page's `audience:`; "all" when the key is absent
FRONT_MATTER_KEYS = ("description", "audience", "title")  # which pages print is said by the editions


def front_matter(path):
    """A page's front matter, read strictly: this decides who sees the page, so anything it cannot read
    stops the build, naming the file and line. (MkDocs itself drops front matter it cannot parse.)"""
    where = relative(path)
    lines = read_page(path).split("\n")
    if not lines or lines[0].rstrip() != "---":
        # Front matter anywhere but on line 1 is read by nobody, and its page would go to everyone.
        first = next(((number, line.strip()) for number, line in enumerate(lines[:20], 1) if line.strip()), None)
        if first and (re.fullmatch(r"-{3,}", first[1]) or re.match(r"audience\s*:", first[1], re.IGNORECASE)):
            fail(
                f"{where}:{first[0]}",
                "front matter must start on line 1 with exactly '---' (no blank line or "
                "other text above it, no more dashes); otherwise it is not read and the page goes to everyone.",
            )
        return {}
    end = next((number for number, line in enumerate(lines[1:], 1) if line.rstrip() in ("---", "...")), None)
    if end is None:
        fail(
            f"{where}:1",
            "the front matter that starts with '---' on line 1 is never closed; add a line with only '---' after it.",
        )
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        fail(
            f"{where}:{mark.line + 2 if mark else 1}",
            f"the front matter is not valid YAML "
            f"({getattr(error, 'problem', None) or error}); put a value that holds ': ' in quotes, for example "
            'title: "Teacher\'s guide: answers".',
        )
    if meta is None:
        # MkDocs would read nothing here either, and a page meant for teachers would go to everyone.
        fail(
            f"{where}:1",
            "the front matter between the '---' lines holds no 'key: value' line; write one (for "
            "example 'audience: teacher') or delete the two '---' lines.",
        )
    if not isinstance(meta, dict):
        fail(f"{where}:2", "the front matter must be lines of 'key: value'.")
    for key, value in meta.items():
        line = next(
            (number + 1 for number, text in enumerate(lines[1:end], 1) if text.split(":", 1)[0].strip() == str(key)), 2
        )
        if key not in FRONT_MATTER_KEYS:
            fail(
                f"{where}:{line}",
                f"unknown front-matter key {key!r}; the keys are {', '.join(FRONT_MATTER_KEYS)} (all lowercase).",
            )
        if key == "audience" and value not in PAGE_AUDIENCES:
            fail(f"{where}:{line}", f"'audience: {value}' is not one of {', '.join(PAGE_AUDIENCES)} (lowercase).")
    return meta


def fail(where, message):
    """Stop the build with `where: message` (where is 'file' or 'file:line')."""
    raise PluginError(f"{where}: {message}")


def relative(path):
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def read_page(path):
    """A page's text as MkDocs reads it (UTF-8, a byte-order mark dropped), or a message saying how to save it."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        fail(
            f"{relative(path)}:{line}",
            "is not saved as UTF-8 (perhaps Windows-1252, as older Windows editors "
            "save). Open it in your editor and save it again with the encoding 'UTF-8' (in Notepad: File > Save "
            "as > Encoding: UTF-8).",
        )
    return text.removeprefix("\ufeff")  # Notepad's byte-order mark: MkDocs reads utf-8-sig too


def source_line(page, markdown, offset):
    """'docs/x.md:N' for a character offset in the page's Markdown as a hook sees it.

    Earlier hooks may have cut text out (teacher blocks in the student build) or put text in (tables made
    from data/), so the line is found in the file by its text when it occurs there once; otherwise counted."""
    raw_lines = read_page(page.file.abs_src_path).split("\n")
    start = markdown.rfind("\n", 0, offset) + 1
    end = markdown.find("\n", offset)
    text = markdown[start : end if end >= 0 else len(markdown)]
    same = [number for number, line in enumerate(raw_lines, 1) if line == text]
    if len(same) == 1 and text.strip():
        return f"docs/{page.file.src_uri}:{same[0]}"
    front_matter_lines = len(raw_lines) - len(markdown.split("\n"))
    line = markdown.count("\n", 0, offset) + 1 + max(front_matter_lines, 0)
    return f"docs/{page.file.src_uri}:{line}"


FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*$", re.MULTILINE)
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.DOTALL)


def without_code(markdown):
    """The Markdown with every fenced code block and code span blanked out (newlines kept, so offsets and
    lines stay the same): what a page shows as code is an example, not a footnote, citation or block."""
    chars = list(markdown)

    def blank(start, end):
        for index in range(start, end):
            if chars[index] != "\n":
                chars[index] = " "

    position = 0
    while opening := FENCE.search(markdown, position):
        fence = opening.group(1)
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.MULTILINE)
        found = closing.search(markdown, opening.end())
        end = found.end() if found else len(markdown)
        blank(opening.start(), end)
        position = end
    text = "".join(chars)
    for span in CODE_SPAN.finditer(text):
        blank(span.start(), span.end())
    return "".join(chars)


class Entry(dict):
    """One entry of a data file, knowing the line of each of its keys (for messages)."""

    file, line, lines = "", 0, {}

    def where(self, key=None):
        return f"{self.file}:{self.lines.get(key, self.line)}"


class _LineLoader(yaml.SafeLoader):
    pass


def _entry(loader, node):
    entry = Entry()
    yield entry
    entry.update(loader.construct_mapping(node))
    entry.file, entry.line = loader.file, node.start_mark.line + 1
    entry.lines = {key.value: key.start_mark.line + 1 for key, _ in node.value}


_LineLoader.add_constructor("tag:yaml.org,2002:map", _entry)


def load_yaml(name, required_keys):
    """A data file that is a list of entries (each an Entry), with every required key present."""
    path = DATA / name
    try:
        loader = _LineLoader(path.read_text(encoding="utf-8-sig"))
        loader.file = relative(path)
        try:
            entries = loader.get_single_data()
        finally:
            loader.dispose()
    except FileNotFoundError:
        fail(relative(path), "file is missing; restore it from git (`git checkout -- data/`).")
    except UnicodeDecodeError:
        fail(relative(path), "is not saved as UTF-8; open it in your editor and save it again as 'UTF-8'.")
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{relative(path)}:{mark.line + 1}" if mark else relative(path)
        fail(where, f"is not valid YAML ({getattr(error, 'problem', error)}); check the indentation and quotes.")
    if not isinstance(entries, list):
        fail(relative(path), "must be a YAML list of entries, each starting with '- '.")
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, Entry):
            fail(
                relative(path),
                f"entry {number} is not a list of 'key: value' lines; every entry needs {', '.join(required_keys)}.",
            )
        missing = [key for key in required_keys if entry.get(key) in (None, "")]
        if missing:
            fail(
                entry.where(),
                f"entry {number} has no {', '.join(missing)}; every entry needs {', '.join(required_keys)}.",
            )
    return entries


def load_bibliography():
    path = DATA / "bibliography.json"
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(relative(path), "file is missing; restore it from git (`git checkout -- data/`).")
    except json.JSONDecodeError as error:
        fail(
            f"{relative(path)}:{error.lineno}",
            f"is not valid JSON ({error.msg} at column {error.colno}); look for a missing comma or quote.",
        )
    if not isinstance(entries, list):
        fail(relative(path), "must be a JSON array of CSL-JSON entries.")
    seen = set()
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("type") or not entry.get("title"):
            fail(relative(path), f"entry {number} needs at least an 'id', a 'type' and a 'title'.")
        if entry["id"] in seen:
            fail(relative(path), f"the key '{entry['id']}' is used twice; keys must be unique.")
        seen.add(entry["id"])
    return entries


def load_glossary():
    entries = load_yaml("glossary.yml", ("id", "term", "definition"))
    glossary = {}
    for entry in entries:
        if str(entry["id"]) in glossary:
            fail(entry.where("id"), f"the id '{entry['id']}' is used twice; ids must be unique.")
        glossary[str(entry["id"])] = entry
    return glossary
